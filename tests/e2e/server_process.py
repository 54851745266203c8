"""``regdraft serve`` (uvicorn, one process or workers) on a loopback port, as a handle the trust
tests can start, kill with SIGKILL at any moment, and start again on the same database;
and tokens made straight in the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from regdraft.services import tokens
from regdraft.store.engine import make_engine, session_scope

REGDRAFT = str(Path(sys.executable).with_name("regdraft"))
SERVE = [REGDRAFT, "serve", "--host", "127.0.0.1"]


class ServerProcess:
    def __init__(self, database_url: str, log: Path, *, workers: int = 1, **settings: str) -> None:
        self.database_url = database_url
        self.log = log
        self.worker_count = workers
        self.env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url,
                    **{f"REGDRAFT_{name.upper()}": value for name, value in settings.items()}}
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def start(self, timeout: float = 30) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([*SERVE, "--port", str(port), "--workers", str(self.worker_count)],
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"regdraft serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(self.base_url + "/health", timeout=1).status_code == 200:
                    return self.base_url
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"regdraft serve did not answer within {timeout} s:\n{self.log.read_text()}")
            time.sleep(0.05)

    def workers(self) -> list[int]:
        """The worker processes the server started (not multiprocessing's resource tracker)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no rollback, no flush; what the database holds is
        what it had committed. (With workers, only the supervisor: use :meth:`stop`.)"""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def issue_tokens(database_url: str, *specs: tuple[str, str | None]) -> list[str]:
    """Bearer secrets for ``(role, stakeholder)`` pairs, made as ``regdraft token create`` does."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return [tokens.create_token(session, role=role, stakeholder=stakeholder, actor="tests").secret
                    for role, stakeholder in specs]
    finally:
        engine.dispose()
