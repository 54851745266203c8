"""``regdraft serve``: options, the workers' listening sockets, and their supervisor."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner
from uvicorn.config import STARTUP_FAILURE

from regdraft.cli import app
from regdraft.cli.server import _Workers, worker_socket

REGDRAFT = str(Path(sys.executable).with_name("regdraft"))


def test_each_workers_socket_shares_the_port_and_passes_no_delay_to_each_connection():
    """Two workers' sockets listen on one port side by side (SO_REUSEPORT), and the
    connections they accept keep TCP_NODELAY: without it a response's body waits for
    the client's delayed ACK (Nagle's algorithm)."""
    first = worker_socket("127.0.0.1", 0)
    second = worker_socket("127.0.0.1", first.getsockname()[1])
    try:
        for listener in (first, second):
            assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
            assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            listener.listen()
        with socket.create_connection(first.getsockname()) as client:
            # The kernel hands the connection to either socket: take it from whichever has it.
            listener = next(s for s in (first, second) if _ready(s))
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                client.sendall(b"x")
                assert accepted.recv(1) == b"x"
    finally:
        first.close()
        second.close()


def _ready(listener: socket.socket) -> bool:
    return bool(select.select([listener], [], [], 1)[0])


def _plain_listener() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener


@pytest.mark.parametrize("listener", [_plain_listener, lambda: worker_socket("127.0.0.1", 0)],
                         ids=["another program", "another server's worker"])
def test_a_port_something_listens_on_is_refused_in_one_line(tmp_path, listener):
    """Another server's workers could share the port (SO_REUSEPORT) and take some of its
    connections unseen: that is refused as any other listener is."""
    with listener() as taken:
        taken.listen()
        port = taken.getsockname()[1]
        # A process of its own, in a session of its own: were the port not refused, the
        # server would run, and the timeout stops it and its workers.
        server = subprocess.Popen([REGDRAFT, "serve", "--workers", "2", "--port", str(port)],
                                  env={**os.environ, "REGDRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate()
            pytest.fail(f"port {port} was not refused: the server ran")
    assert server.returncode == 2
    assert output.strip().splitlines() == [f"regdraft: cannot serve on 127.0.0.1:{port}: Address already in use"]


def test_a_worker_that_cannot_start_stops_the_server_with_its_status():
    """Replacing it would fail the same way, over and over."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    config = uvicorn.Config("regdraft.no_such_module:app", host="127.0.0.1", port=port, workers=2)
    with pytest.raises(SystemExit) as stopped:
        _Workers(config, port).run()
    assert stopped.value.code == STARTUP_FAILURE  # uvicorn's status for an app it cannot import


def test_reload_and_workers_together_are_refused_in_one_line():
    result = CliRunner().invoke(app, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["regdraft: --reload runs one process: leave out --workers"]
