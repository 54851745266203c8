"""``regdraft serve``: options, and the listening socket of its workers."""

from __future__ import annotations

import socket

import uvicorn
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.cli.server import FACTORY, listening_socket


def test_the_workers_listening_socket_passes_no_delay_to_each_connection():
    """Without TCP_NODELAY a response's body waits for the client's delayed ACK
    (Nagle's algorithm): the connections the workers accept must have it."""
    listener = listening_socket(uvicorn.Config(FACTORY, factory=True, host="127.0.0.1", port=0, workers=2))
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                client.sendall(b"x")
                assert accepted.recv(1) == b"x"
    finally:
        listener.close()


def test_reload_and_workers_together_are_refused_in_one_line():
    result = CliRunner().invoke(app, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["regdraft: --reload runs one process: leave out --workers"]
