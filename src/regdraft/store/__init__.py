"""Persistence: SQLModel tables (``models``), engines, migrations and sessions (``engine``)."""

from regdraft.store.engine import make_engine, migrate, session_scope

__all__ = ["make_engine", "migrate", "session_scope"]
