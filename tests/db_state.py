"""A digest of every table of a database, to show a request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, text

from regdraft.store.engine import make_engine


def table_digests(database_url: str) -> dict[str, str]:
    """Every table's rows, hashed in primary-key order: equal digests, unchanged tables."""
    engine = make_engine(database_url)
    try:
        digests = {}
        with engine.connect() as connection:
            inspector = inspect(connection)
            for table in sorted(inspector.get_table_names()):
                keys = inspector.get_pk_constraint(table)["constrained_columns"] or ["1"]
                order = ", ".join(f'"{k}"' for k in keys)
                rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}')).all()
                digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests
    finally:
        engine.dispose()
