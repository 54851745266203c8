"""A regdraft server in its own process, as `make run` starts it: `regdraft load` of a
folder into a database, then `regdraft serve` (uvicorn) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REGDRAFT = str(Path(sys.executable).with_name("regdraft"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_token(database_url: str, role: str) -> str:
    """A new API token, made the way a user makes one: `regdraft token create`."""
    env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url}
    made = subprocess.run([REGDRAFT, "token", "create", "--role", role], env=env, check=True, capture_output=True,
                          text=True)
    return made.stdout.strip()


@contextmanager
def live_server(database_url: str, root: Path, log: Path, *, startup_seconds: float = 30) -> Iterator[str]:
    """Load ``root`` into ``database_url``, serve it, and yield the base URL; the
    server's output goes to ``log`` so a failing test can show it."""
    env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url}
    subprocess.run([REGDRAFT, "load", "--root", str(root)], env=env, check=True, capture_output=True, text=True)
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([REGDRAFT, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"regdraft serve exited with {server.returncode}:\n{log.read_text()}")
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"regdraft serve did not answer within {startup_seconds} s:\n{log.read_text()}")
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
