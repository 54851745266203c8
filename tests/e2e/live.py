"""The main job as `make run` does it: `regdraft load` of a folder into a database, then
`regdraft serve` (uvicorn) on a free loopback port; and tokens made the way a user
makes them, with `regdraft token create`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from server_process import REGDRAFT, ServerProcess


def create_token(database_url: str, role: str) -> str:
    env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url}
    made = subprocess.run([REGDRAFT, "token", "create", "--role", role], env=env, check=True, capture_output=True,
                          text=True)
    return made.stdout.strip()


@contextmanager
def live_server(database_url: str, root: Path, log: Path) -> Iterator[str]:
    """Load ``root`` into ``database_url``, serve it, and yield the base URL; the
    server's output goes to ``log`` so a failing test can show it."""
    env = {**os.environ, "REGDRAFT_DATABASE_URL": database_url}
    subprocess.run([REGDRAFT, "load", "--root", str(root)], env=env, check=True, capture_output=True, text=True)
    with ServerProcess(database_url, log) as server:
        yield server.base_url
