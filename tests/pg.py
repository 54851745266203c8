"""A throwaway PostgreSQL server for the test session, started from installed binaries.

Used by ``tests/conftest.py``; not a test module. The server lives in a temp dir
(data dir, unix socket, log), listens on 127.0.0.1 on a free port with ``trust`` auth,
runs without durability (``fsync``/``synchronous_commit``/``full_page_writes`` off) and
in UTC, and is stopped with ``pg_ctl stop -m immediate`` and deleted at the end.

initdb refuses to run as root, so when the effective uid is 0 every server command
runs as the ``postgres`` system user (created by Debian's postgresql package) through
``runuser -u postgres --``, with the temp dir chowned to it.

Binaries: ``$REGDRAFT_PG_BINDIR`` if set (and then only that), else ``pg_config
--bindir``, then the newest ``/usr/lib/postgresql/*/bin``, then ``initdb`` on PATH; a
directory counts only if it has initdb, pg_ctl and postgres (Debian's libpq-dev ships a
pg_config whose bindir has no server).
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")

MISSING_REASON = (
    "PostgreSQL tests need initdb/pg_ctl from Debian's postgresql package; none found "
    "(looked at $REGDRAFT_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin and PATH). "
    "Install it with `apt-get install --no-install-recommends postgresql`, or deselect "
    "these tests with `-m 'not postgres'`."
)


class PostgresError(RuntimeError):
    """The server could not be set up although binaries were found."""


def postgres_required() -> bool:
    """True when a missing PostgreSQL must fail the run instead of skipping (CI)."""

    def truthy(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")

    return truthy("CI") or truthy("REGDRAFT_REQUIRE_POSTGRES")


def _has_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in REQUIRED_BINARIES)


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/", path)
    return tuple(int(part) for part in match.group(1).split(".") if part) if match else (0,)


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    if os.environ.get("REGDRAFT_PG_BINDIR"):  # authoritative when set
        bindir = Path(os.environ["REGDRAFT_PG_BINDIR"])
        return bindir if _has_binaries(bindir) else None
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for candidate in candidates:
        if _has_binaries(candidate):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One throwaway cluster. ``start()``, then ``url(db)``/``create_database``, ``stop()``."""

    superuser = "postgres"

    def __init__(self, bindir: Path) -> None:
        self.bindir = Path(bindir)
        self.base: Path | None = None
        self.port: int | None = None
        self._run_as_postgres = os.geteuid() == 0
        self._running = False

    # -- paths and commands ---------------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        assert self.base is not None
        return self.base / "postgres.log"

    def _command(self, name: str, *args: str) -> list[str]:
        command = [str(self.bindir / name), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._run_as_postgres else command

    def _run(self, name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._command(name, *args), cwd=self.base, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- lifecycle ------------------------------------------------------------------

    def _make_base(self) -> Path:
        if not self._run_as_postgres:
            return Path(tempfile.mkdtemp(prefix="regdraft-pg-"))
        import pwd

        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresError(
                "running as root, so the test PostgreSQL server must run as the 'postgres' "
                "user (initdb refuses root), but there is no such user; Debian's postgresql "
                "package creates it") from None
        if shutil.which("runuser") is None:
            raise PostgresError("running as root and `runuser` (util-linux) is missing: cannot drop to 'postgres'")
        # The postgres user must reach the dir: $TMPDIR may be private to root.
        for parent in (None, "/tmp", "/var/tmp"):
            base = Path(tempfile.mkdtemp(prefix="regdraft-pg-", dir=parent))
            os.chown(base, entry.pw_uid, entry.pw_gid)
            check = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(base), "-a", "-x", str(base)],
                                   capture_output=True, cwd="/")
            if check.returncode == 0:
                return base
            shutil.rmtree(base, ignore_errors=True)
        raise PostgresError("no temp dir the 'postgres' user can write to (tried $TMPDIR, /tmp, /var/tmp)")

    def start(self) -> "PostgresServer":
        started = time.monotonic()
        self.base = self._make_base()
        atexit.register(self.stop)
        result = self._run("initdb", "-D", str(self.datadir), "-U", self.superuser, "-A", "trust",
                           "-E", "UTF8", "--no-locale", "-N")
        if result.returncode != 0:
            raise PostgresError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        base_conf = (self.datadir / "postgresql.conf").read_text()
        last_error = ""
        for _attempt in range(3):
            self.port = _free_port()
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.base}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "timezone": "'UTC'",
                "log_timezone": "'UTC'",
                "max_connections": "200",
                "shared_buffers": "32MB",
                "logging_collector": "off",
            }
            (self.datadir / "postgresql.conf").write_text(
                base_conf + "\n# regdraft test server\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
            result = self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w", "-t", "30", "start")
            if result.returncode == 0:
                self._running = True
                break
            last_error = f"{result.stdout}\n{result.stderr}\n{self._log_tail()}"
            if "already in use" not in last_error and "could not bind" not in last_error:
                break
        if not self._running:
            self.stop()
            raise PostgresError(f"pg_ctl start failed:\n{last_error}")
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        if self.base is None:
            return
        if self._running:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop", timeout=30)
            self._running = False
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    # -- databases ------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """A ``postgresql://`` URL (make_engine picks the psycopg 3 driver)."""
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.superuser, dbname=dbname, autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE (optionally as a copy of ``template``); returns its URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self.connect() as conn:
            if template:
                query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
                # PostgreSQL 15 copies a template block by block through the WAL by default
                # (500 ms a copy here); copying its files (and the checkpoint that takes,
                # cheap without fsync) took 190 ms.
                if conn.info.server_version >= 150000:
                    query = sql.SQL("{} STRATEGY FILE_COPY").format(query)
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE, disconnecting anyone still connected (e.g. a leftover server)."""
        with self.connect() as conn:
            if conn.info.server_version >= 130000:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            else:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


class DatabasePool:
    """Copies of a template database, made one step ahead in a background thread.

    ``CREATE DATABASE ... TEMPLATE`` costs about a fifth of a second (PostgreSQL copies
    the whole catalog), so while a test runs the next copy is already being made.
    """

    def __init__(self, server: PostgresServer, template: str, prefix: str, ahead: int = 1) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.server, self.template, self.prefix, self.ahead = server, template, prefix, ahead
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-database-pool")
        self._pending: list = []
        self._count = 0

    def _submit(self) -> None:
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        self._pending.append(self._executor.submit(self.server.create_database, name, self.template))

    def take(self) -> tuple[str, str]:
        """(name, url) of a new database nobody else has; drop it with ``server.drop_database``."""
        if not self._pending:
            self._submit()
        future = self._pending.pop(0)
        while len(self._pending) < self.ahead:
            self._submit()
        url = future.result()
        return url.rsplit("/", 1)[1], url

    def close(self) -> None:
        for future in self._pending:
            future.cancel()
        self._executor.shutdown(wait=True)
        self._pending.clear()
