"""``regdraft serve --workers 2``: each worker listens on the port with a socket of its
own, so that connections are spread over the workers by the kernel, and the supervisor
replaces a worker that dies."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from server_process import ServerProcess

pytestmark = pytest.mark.e2e

CONNECTIONS = 64


ESTABLISHED, LISTEN = "01", "0A"  # TCP states as /proc/net/tcp writes them


def _sockets_per_process(port: int, pids: list[int], state: str,
                         peers: set[int] | None = None) -> dict[int, int]:
    """How many sockets on local port ``port`` in ``state`` each process holds (from
    /proc), counting only those whose peer's port is in ``peers`` when it is given."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if (int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state
                    and (peers is None or int(fields[2].rsplit(":", 1)[1], 16) in peers)):
                inodes.add(f"socket:[{fields[9]}]")
    return {pid: sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if _target(fd) in inodes) for pid in pids}


def _target(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except FileNotFoundError:  # closed since the folder was read
        return ""


def _port_of(server: ServerProcess) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


def _until_each_listens(port: int, workers: list[int]) -> None:
    """The server answers once one worker listens; until the others do, it takes every connection."""
    deadline = time.monotonic() + 30
    while min(_sockets_per_process(port, workers, LISTEN).values()) == 0:
        assert time.monotonic() < deadline, f"not every worker of {workers} listens"
        time.sleep(0.1)


def _answered(connection: socket.socket) -> bytes:
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    received = b""
    while not received.endswith(b'{"status":"ok"}'):
        chunk = connection.recv(4096)
        assert chunk, f"closed after {received!r}"
        received += chunk
    return received


def test_keep_alive_connections_are_spread_over_the_workers(fresh_database_url: str, tmp_path: Path):
    """A burst of keep-alive connections, as a load generator or a proxy's pool opens:
    each stays with the worker that took it, so none may take them all. (With one
    socket shared by both workers, the one that woke first could take every one.) Even
    shares are binomial: either worker holding fewer than 8 of 64 has odds of 1 in
    10^10."""
    with ServerProcess(fresh_database_url, tmp_path / "workers.log", workers=2) as server:
        port, workers = _port_of(server), server.workers()
        assert len(workers) == 2
        _until_each_listens(port, workers)
        for _ in range(3):
            connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
            try:
                assert all(_answered(c).startswith(b"HTTP/1.1 200") for c in connections)
                # This round's connections only: the last round's may not be closed yet.
                ours = {c.getsockname()[1] for c in connections}
                held = _sockets_per_process(port, workers, ESTABLISHED, ours)
                assert sum(held.values()) == CONNECTIONS, held
                assert min(held.values()) >= 8, held
            finally:
                for connection in connections:
                    connection.close()


def test_a_worker_that_dies_is_replaced(fresh_database_url: str, tmp_path: Path):
    with ServerProcess(fresh_database_url, tmp_path / "workers.log", workers=2) as server:
        first, second = server.workers()
        _until_each_listens(_port_of(server), [first, second])
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        # Until the supervisor reaps it, the killed worker is still listed (a zombie).
        while first in (now := server.workers()) or len(now) < 2:
            assert time.monotonic() < deadline, f"no worker started in place of {first}: {now}"
            time.sleep(0.1)
        assert second in now
        _until_each_listens(_port_of(server), now)
        # Whichever worker each new connection reaches answers.
        assert all(httpx.get(server.base_url + "/health", timeout=30).status_code == 200 for _ in range(16))
    assert "was killed by signal 9: starting another" in (tmp_path / "workers.log").read_text()
