"""Serving the HTTP API, and printing its OpenAPI document."""

from __future__ import annotations

import os
import socket
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import load_settings, out
from regdraft.core.errors import InvalidInput


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default: $REGDRAFT_HOST, else 127.0.0.1).",
                                                show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option(min=0, max=65535, show_default=False,
                                                help="Port (default: $REGDRAFT_PORT, else 8000).")] = None,
    reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes (development).")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes sharing the port and the database.")
                       ] = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log a line per request.")] = True,
) -> None:
    """Serve the HTTP API (uvicorn). The database is migrated at startup."""
    import uvicorn

    settings = load_settings()
    host = host or settings.host
    port = settings.port if port is None else port
    if reload and workers > 1:
        raise InvalidInput("--reload runs one process: leave out --workers", field="workers")
    if reload or workers > 1:
        # Each process makes the app from the import string; the factory reads the same environment.
        os.environ["REGDRAFT_DATABASE_URL"] = settings.database_url
    if reload:
        uvicorn.run(FACTORY, factory=True, host=host, port=port, reload=True, access_log=access_log)
    elif workers > 1:
        _serve_with_workers(settings.database_url, uvicorn.Config(FACTORY, factory=True, host=host, port=port,
                                                                  workers=workers, access_log=access_log))
    else:
        from regdraft.api.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, access_log=access_log)


FACTORY = "regdraft.api.app:create_app"


def _serve_with_workers(database_url: str, config) -> None:
    """uvicorn's supervisor over ``config.workers`` processes, on a listening socket with
    ``TCP_NODELAY`` set. uvicorn binds that socket itself when it runs workers, and
    asyncio sets ``TCP_NODELAY`` only on sockets it makes: the connections would keep
    Nagle's algorithm, and each response's body, written after its head, would wait for
    the client's delayed acknowledgement (about 40 ms), holding two workers to fewer
    requests a second than one (docs/performance.md). Accepted sockets inherit the
    option from the listening one. The database is migrated once, before the workers
    start, so that they do not race to migrate it."""
    from uvicorn.supervisors import Multiprocess

    from regdraft.store.engine import make_engine, migrate

    engine = make_engine(database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    Multiprocess(config, sockets=[listening_socket(config)]).run()


def listening_socket(config) -> socket.socket:
    """The socket uvicorn would bind for ``config``, with ``TCP_NODELAY`` set."""
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (JSON), as committed in api/openapi.json."""
    from regdraft.api.openapi import openapi_text

    out(openapi_text())
