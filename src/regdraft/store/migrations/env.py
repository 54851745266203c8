"""Alembic environment for regdraft.

Run through :func:`regdraft.store.engine.migrate`, which passes an open connection in
``config.attributes["connection"]``. Without one (plain ``alembic`` with a config
pointing here) it connects to ``sqlalchemy.url`` or ``REGDRAFT_DATABASE_URL``.

All migrations of one run happen in a single transaction on both backends (SQLite
supports transactional DDL once pysqlite stops managing transactions, which
``make_engine`` arranges). On SQLite, foreign key enforcement is switched off for the
run, as SQLite's documented procedure for table rebuilds (batch mode) requires, and
``PRAGMA foreign_key_check`` must come back empty before the transaction commits.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql import sqltypes as sqlmodel_types

import regdraft.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from regdraft.store.engine import make_engine, normalise_url

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render sqlmodel's column types as the plain SQLAlchemy types they store as, so
    revision files do not import sqlmodel: AutoString is a String; UTCDateTime (what
    sqlmodel >= 0.0.45 maps ``datetime`` to) is ``DateTime(timezone=True)``."""
    if type_ == "type":
        if isinstance(obj, sqlmodel_types.AutoString):
            return f"sa.String(length={obj.length})" if obj.length is not None else "sa.String()"
        utc_datetime = getattr(sqlmodel_types, "UTCDateTime", None)
        if utc_datetime is not None and isinstance(obj, utc_datetime):
            return "sa.DateTime(timezone=True)"
    return False


def _configure_kwargs(is_sqlite: bool) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": is_sqlite,
        "compare_type": True,
        "render_item": render_item,
    }


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from regdraft.settings import get_settings

        url = get_settings().database_url
    return url


def run_migrations_offline() -> None:
    url = normalise_url(_database_url())
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
                      **_configure_kwargs(url.get_backend_name() == "sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    # PRAGMA foreign_keys is a no-op inside a transaction, so it can only be changed when
    # we own the transaction; it is set on the driver connection (pysqlite runs in
    # autocommit mode under make_engine, so this emits no BEGIN).
    driver = connection.connection.driver_connection if is_sqlite and not connection.in_transaction() else None
    if driver is not None:
        driver.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=connection, transactional_ddl=True, **_configure_kwargs(is_sqlite))
        with context.begin_transaction():
            context.run_migrations()
            if driver is not None:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"migration left rows violating foreign keys: {problems[:10]}")
    finally:
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
