"""Serving the HTTP API, and printing its OpenAPI document."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import load_settings, out


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface to bind (default: $REGDRAFT_HOST, else 127.0.0.1).",
                                                show_default=False)] = None,
    port: Annotated[Optional[int], typer.Option(min=0, max=65535, show_default=False,
                                                help="Port (default: $REGDRAFT_PORT, else 8000).")] = None,
    reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes (development).")] = False,
) -> None:
    """Serve the HTTP API (uvicorn). The database is migrated at startup."""
    import uvicorn

    settings = load_settings()
    host = host or settings.host
    port = settings.port if port is None else port
    if reload:
        # Reloading needs an import string; the factory reads the same environment.
        os.environ["REGDRAFT_DATABASE_URL"] = settings.database_url
        uvicorn.run("regdraft.api.app:create_app", factory=True, host=host, port=port, reload=True)
        return
    from regdraft.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port)


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (JSON), as committed in api/openapi.json."""
    from regdraft.api.openapi import openapi_text

    out(openapi_text())
