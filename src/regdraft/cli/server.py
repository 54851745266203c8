"""Serving the HTTP API, and printing its OpenAPI document."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
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

        uvicorn.run(create_app(settings, serving=True), host=host, port=port, access_log=access_log)


FACTORY = "regdraft.api.app:create_served_app"
logger = logging.getLogger("uvicorn.error")


def _serve_with_workers(database_url: str, config) -> None:
    """``config.workers`` uvicorn processes, each with a listening socket of its own on
    the one port (``SO_REUSEPORT``), under a small supervisor (:class:`_Workers`).

    Sockets of their own, because with one socket shared by every worker (uvicorn's
    ``--workers``) whichever worker wakes first accepts every connection waiting: a burst
    of keep-alive connections can all land on one worker and stay there, and two workers
    then serve no more than one (docs/performance.md). With a socket each, the kernel
    spreads new connections over the workers by their addresses. Each socket has
    ``TCP_NODELAY`` set, which its connections inherit: asyncio sets it only on sockets
    it makes, and without it each response's body, written after its head, waits for the
    client's delayed acknowledgement (about 40 ms). The database is migrated once, before
    the workers start, so that they do not race to migrate it."""
    from regdraft.store.engine import make_engine, migrate

    if not hasattr(socket, "SO_REUSEPORT"):
        raise InvalidInput("--workers needs SO_REUSEPORT, which this system lacks: leave out --workers",
                           field="workers")
    engine = make_engine(database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    with _reserved_port(config.host, config.port) as reserved:
        _Workers(config, reserved.getsockname()[1]).run()


def _reserved_port(host: str, port: int) -> socket.socket:
    """A socket bound to the port with ``SO_REUSEPORT`` that never listens: it holds the
    port for the workers (and picks it, for port 0) but receives no connection, since
    only listening sockets share a port's connections. A port that anything listens on
    already, another server's workers included, is refused: the check binds without
    ``SO_REUSEPORT`` first."""
    try:
        with socket.socket(_family(host)) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]
            return worker_socket(host, port)
    except OSError as exc:
        raise InvalidInput(f"cannot serve on {host}:{port}: {exc.strerror or exc}", field="port") from exc


def worker_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` beside the other workers' (``SO_REUSEPORT``),
    with ``TCP_NODELAY`` for the connections it will accept."""
    sock = socket.socket(_family(host))
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _worker(config, port: int) -> None:
    """One worker process: uvicorn on a listening socket of its own."""
    import uvicorn

    config.configure_logging()
    uvicorn.Server(config).run(sockets=[worker_socket(config.host, port)])


class _Workers:
    """Keeps ``config.workers`` worker processes running until SIGINT or SIGTERM, then
    stops them (SIGTERM: uvicorn finishes the requests in hand) and returns.

    A worker that exits or is killed is replaced, unless it exits with an error within
    ``STARTUP_SECONDS`` of starting: one that cannot start would fail again, so the
    server stops with its exit status instead."""

    STARTUP_SECONDS = 10.0
    POLL_SECONDS = 0.5
    SHUTDOWN_SECONDS = 30.0

    def __init__(self, config, port: int) -> None:
        self.config, self.port = config, port
        # Spawned, not forked: a worker starts from a fresh interpreter, as uvicorn's do.
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()

    def run(self) -> None:
        previous = {signum: signal.signal(signum, lambda *_: self.stopping.set())
                    for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._supervise()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _supervise(self) -> None:
        logger.info("Started parent process [%d]", os.getpid())
        host = f"[{self.config.host}]" if _family(self.config.host) == socket.AF_INET6 else self.config.host
        logger.info("Serving on http://%s:%d with %d workers (Press CTRL+C to quit)", host, self.port,
                    self.config.workers)
        workers = [self._start() for _ in range(self.config.workers)]
        try:
            while not self.stopping.wait(self.POLL_SECONDS):
                for i, (process, started) in enumerate(workers):
                    if process.exitcode is None:
                        continue
                    if process.exitcode > 0 and time.monotonic() - started < self.STARTUP_SECONDS:
                        logger.error("Worker [%d] failed to start (exit status %d)", process.pid, process.exitcode)
                        raise SystemExit(process.exitcode)
                    how = (f"was killed by signal {-process.exitcode}" if process.exitcode < 0
                           else f"exited with status {process.exitcode}")
                    logger.warning("Worker [%d] %s: starting another", process.pid, how)
                    workers[i] = self._start()
        finally:
            self._stop([process for process, _ in workers])
        logger.info("Stopping parent process [%d]", os.getpid())

    def _start(self) -> tuple[multiprocessing.process.BaseProcess, float]:
        process = self.context.Process(target=_worker, args=(self.config, self.port))
        process.start()
        return process, time.monotonic()

    def _stop(self, processes: list[multiprocessing.process.BaseProcess]) -> None:
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        deadline = time.monotonic() + self.SHUTDOWN_SECONDS
        for process in processes:
            process.join(max(deadline - time.monotonic(), 0))
            if process.exitcode is None:
                process.kill()
                process.join()


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (JSON), as committed in api/openapi.json."""
    from regdraft.api.openapi import openapi_text

    out(openapi_text())
