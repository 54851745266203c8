"""Engines, migrations and sessions.

Two backends, one behaviour:

- SQLite (the embedded default). Every connection gets ``foreign_keys=ON``,
  ``journal_mode=WAL``, ``busy_timeout=5000`` and ``synchronous=NORMAL``. pysqlite's own
  transaction handling is switched off (``isolation_level = None``) and every
  transaction SQLAlchemy begins is opened with ``BEGIN IMMEDIATE``: writers take the
  write lock up front and queue on ``busy_timeout`` instead of failing with "database is
  locked" when a read transaction tries to upgrade to a write. This also gives real
  SAVEPOINTs (``Session.begin_nested``) and transactional DDL.
  A connection may ask for another kind of BEGIN with the execution option
  ``sqlite_begin="DEFERRED"`` (e.g. a long read-only report).
- PostgreSQL. ``postgresql://`` (and ``postgres://``) URLs are rewritten to psycopg 3
  (``postgresql+psycopg://``); ``pool_pre_ping`` is on; sessions run with
  ``timezone=UTC`` so naive ``timestamp`` columns hold UTC as they do on SQLite.

Nothing here runs at import time; alembic is imported only when migrating.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 5000
_SQLITE_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


def normalise_url(url: str | URL) -> URL:
    """Parse ``url``; point plain PostgreSQL URLs at the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An :class:`Engine` for a SQLite or PostgreSQL URL, set up as described above.

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _make_sqlite_engine(parsed, **kwargs)
    elif backend == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        if "options" not in parsed.query and "options" not in connect_args:
            connect_args["options"] = "-c timezone=UTC"
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    else:
        raise ValueError(f"unsupported database URL {parsed!r}: regdraft runs on SQLite or PostgreSQL")
    event.listen(engine, "handle_error", _discard_failed_connection)
    return engine


def _discard_failed_connection(context: Any) -> None:
    """A connection whose storage failed (an I/O error, a read-only file, a server gone)
    is closed rather than pooled again. A failed COMMIT otherwise leaves it inside its
    transaction, which the pool does not roll back (it takes the transaction as ended):
    on SQLite that transaction holds the write lock, and every later request on the
    connection fails with "cannot start a transaction within a transaction". A busy
    database ("database is locked", a deadlock) is not a failure of the connection."""
    error = context.original_exception
    if isinstance(error, getattr(context.engine.dialect.dbapi, "OperationalError", ())) and not is_busy(error):
        context.is_disconnect = True


#: PostgreSQL's "try again" errors: serialization failure, deadlock, lock not available.
_RETRYABLE_PG_CODES = frozenset({"40001", "40P01", "55P03"})


def is_busy(error: BaseException) -> bool:
    """Whether a driver error says the database is busy (SQLite's lock held past the
    busy timeout, a PostgreSQL deadlock or serialization failure), so that the same
    request may simply be sent again."""
    return "database is locked" in str(error) or getattr(error, "sqlstate", None) in _RETRYABLE_PG_CODES


def is_memory_sqlite(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode") == "memory"


def _make_sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if not is_memory_sqlite(url):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Stop pysqlite from emitting BEGIN (and COMMIT before DDL) itself; _sqlite_on_begin
    # emits BEGIN IMMEDIATE instead. PRAGMAs must run outside a transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    # SQLAlchemy resets a connection's isolation level after an AUTOCOMMIT checkout by
    # setting pysqlite's isolation_level back to "" (legacy implicit BEGIN); undo that.
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and dbapi_connection.isolation_level is not None:
        dbapi_connection.isolation_level = None
    mode = str(options.get("sqlite_begin", "IMMEDIATE")).upper()
    if mode not in _SQLITE_BEGIN_MODES:
        raise ValueError(f"sqlite_begin must be one of {sorted(_SQLITE_BEGIN_MODES)}, not {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


# --- migrations -------------------------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic :class:`Config` built in code (no alembic.ini) for the packaged
    migrations. With ``connection``, env.py migrates through it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    # New revision files are named after their id, e.g. versions/0002_add_thing.py.
    config.set_main_option("file_template", "%%(rev)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (default: head).

    A database already at the packaged head is left as it is without starting Alembic,
    whose import and reading of every revision file cost each server start and each
    command over a database about 0.2 s."""
    if revision == "head" and _at_packaged_head(engine):
        return
    from alembic import command

    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), revision)


_REVISION_LINE = re.compile(r"^(?P<name>revision|down_revision)\b[^=\n]*=(?P<value>[^\n]*)$", re.M)


def packaged_heads() -> frozenset[str]:
    """The revisions no packaged revision follows, read from the revision files' own
    ``revision = ...`` and ``down_revision = ...`` lines (as Alembic's script directory
    reads them, without importing it)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for line in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            named = set(re.findall(r"[\"']([^\"']+)[\"']", line.group("value")))
            (revisions if line.group("name") == "revision" else followed).update(named)
    return frozenset(revisions - followed)


def _at_packaged_head(engine: Engine) -> bool:
    """Whether the database records exactly the packaged heads as its revisions."""
    from sqlalchemy import inspect

    # DEFERRED: a read of one row need not queue for SQLite's write lock.
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        recorded = {row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")}
    return recorded == packaged_heads()


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database behind ``engine`` to ``revision`` (default: empty)."""
    from alembic import command

    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def autogenerate_revision(message: str) -> Path:
    """Write a new revision file from the difference between models.py and head.

    Runs against a throwaway SQLite database migrated to head. The revision id is the
    next four-digit number plus a slug of ``message`` (``0002_add_thing``). Read the
    result through before committing it, and check it on PostgreSQL (the tests do).
    """
    import tempfile

    from alembic import command
    from alembic.script import ScriptDirectory

    slug = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40] or "revision"
    script = ScriptDirectory.from_config(alembic_config())
    numbers = [int(m.group(1)) for rev in script.walk_revisions() if (m := re.match(r"(\d+)", rev.revision))]
    rev_id = f"{max(numbers, default=0) + 1:04d}_{slug}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'autogenerate.sqlite'}")
        try:
            migrate(engine)
            with engine.connect() as connection:
                command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)
        finally:
            engine.dispose()
    return MIGRATIONS_DIR / "versions" / f"{rev_id}.py"


# --- sessions ---------------------------------------------------------------------------


@contextlib.contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A :class:`Session` that commits when the block succeeds and rolls back if it raises."""
    session = Session(engine)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

