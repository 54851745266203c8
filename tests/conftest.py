"""Shared fixtures: databases on both backends.

Every database fixture is parametrised over the two backends through ``db_backend``
(test ids ``[sqlite]`` and ``[postgres]``; the PostgreSQL half carries the ``postgres``
marker, so ``-m "not postgres"`` runs SQLite only). A test that asks for several of them
gets the same backend for all of them.

- ``database_url``: the session's database (SQLite: one file under pytest's tmp dir;
  PostgreSQL: a database on the session's throwaway server). Unmigrated until
  ``engine`` has run.
- ``engine``: an Engine for ``database_url``, migrated to head. Session-scoped and
  shared: don't commit through it directly (use ``session``), or clean up after yourself.
- ``session``: a SQLModel Session inside an outer transaction on ``engine`` that is
  rolled back after the test. It joins with ``join_transaction_mode="create_savepoint"``,
  so code under test may ``commit()``, ``rollback()`` and ``begin_nested()`` freely and
  nothing survives the test. On SQLite the outer transaction holds the write lock
  (BEGIN IMMEDIATE) for the whole test: other connections to the same database would
  wait and then fail (a read-only one can use ``execution_options(sqlite_begin="DEFERRED")``),
  so tests needing several writing connections use ``fresh_database_url``.
- ``fresh_database_url``: a new, empty, migrated database for this test only (a new
  SQLite file; on PostgreSQL a ``CREATE DATABASE ... TEMPLATE`` of a migrated template,
  made one ahead in a background thread, and dropped ``WITH (FORCE)`` afterwards), for
  real commits across connections and processes: loader, API and e2e tests.
- ``copy_database``: ``with copy_database(template_url, folder) as url`` gives a new
  database copied from another one on the same backend (a SQLite file copied into
  ``folder``; a PostgreSQL ``CREATE DATABASE ... TEMPLATE``, the next copy made ahead,
  dropped afterwards). ``fresh_database_url`` is a copy of the migrated template; fixtures
  that build a bigger template once per backend (tests/web) copy theirs the same way.
- ``empty_database_url``: like ``fresh_database_url`` but never migrated.
- ``repo_root``: the repository root (a Path).
- ``pg_server``: the session's :class:`pg.PostgresServer` (skips, or fails under
  ``CI``/``REGDRAFT_REQUIRE_POSTGRES=1``, when PostgreSQL is not installed).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `import pg` under any import mode

import pg  # noqa: E402

from regdraft.store.engine import make_engine, migrate  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent

# CI must pass or fail on the code, not on the draw: there every property test runs the
# same examples each time (`HYPOTHESIS_PROFILE=ci`, set by .ci/run). Local runs keep
# exploring, and keep what they find in .hypothesis/ for the next run.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
_database_names = itertools.count(1)


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{next(_database_names)}"


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# --- PostgreSQL server ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PostgresServer]:
    bindir = pg.find_bindir()
    if bindir is None:
        if pg.postgres_required():
            pytest.fail(pg.MISSING_REASON + " PostgreSQL is required here (CI or REGDRAFT_REQUIRE_POSTGRES=1 is set).",
                        pytrace=False)
        pytest.skip(pg.MISSING_REASON)
    server = pg.PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


# --- backends and databases -------------------------------------------------------------


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgres"``; every database fixture below follows it."""
    return request.param


@pytest.fixture(scope="session")
def database_url(db_backend: str, request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> str:
    if db_backend == "sqlite":
        return _sqlite_url(tmp_path_factory.mktemp("sqlite-session") / "regdraft.sqlite")
    server: pg.PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database("regdraft_test")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture(scope="session")
def _template_database(db_backend: str, request: pytest.FixtureRequest,
                       tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a migrated database that fresh databases are copied from."""
    if db_backend == "sqlite":
        url = _sqlite_url(tmp_path_factory.mktemp("sqlite-template") / "template.sqlite")
        engine = make_engine(url)
        try:
            migrate(engine)
            # Outside a transaction (a checkpoint cannot run inside one), so the copy
            # below needs only the main file.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
        return url
    server: pg.PostgresServer = request.getfixturevalue("pg_server")
    url = server.create_database(_unique_name("regdraft_template"))
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it idle
    return url


DatabaseCopier = Callable[[str, Path], AbstractContextManager[str]]


@pytest.fixture(scope="session")
def copy_database(db_backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseCopier]:
    """``with copy_database(template_url, folder) as url``: a new database with what the
    template holds. The template must be idle (no open connections) while it is copied."""
    server: pg.PostgresServer | None = request.getfixturevalue("pg_server") if db_backend == "postgres" else None
    pools: dict[str, pg.DatabasePool] = {}  # one per template database

    @contextmanager
    def copy(template_url: str, folder: Path) -> Iterator[str]:
        template = make_url(template_url).database
        if server is None:
            path = folder / "copy.sqlite"
            shutil.copyfile(template, path)
            for suffix in ("-wal", "-shm"):  # normally absent after a checkpoint and dispose
                if Path(template + suffix).exists():
                    shutil.copyfile(template + suffix, str(path) + suffix)
            yield _sqlite_url(path)
            return
        if template not in pools:
            pools[template] = pg.DatabasePool(server, template, prefix=_unique_name("regdraft_copy"))
        name, url = pools[template].take()
        try:
            yield url
        finally:
            server.drop_database(name)

    try:
        yield copy
    finally:
        for pool in pools.values():
            pool.close()


@pytest.fixture
def fresh_database_url(_template_database: str, copy_database: DatabaseCopier, tmp_path: Path) -> Iterator[str]:
    with copy_database(_template_database, tmp_path) as url:
        yield url


@pytest.fixture
def empty_database_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if db_backend == "sqlite":
        yield _sqlite_url(tmp_path / "empty.sqlite")
        return
    server: pg.PostgresServer = request.getfixturevalue("pg_server")
    name = _unique_name("regdraft_empty")
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)
