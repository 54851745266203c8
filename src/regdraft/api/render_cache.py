"""A bounded, in-process cache of rendered redlines and Keeling schedules.

Building a rendering (applying amendments, diffing, finding conflicts, rendering) takes
tens of milliseconds even for a short regulation; answering from memory takes
microseconds. An entry is keyed by the request (path, query, negotiated format) and the
document's *generation* (``services.events.generation``), which moves with every event
of the document, or of what every document shows (stakeholders), appended to the
append-only event log. Every write appends an event in the same transaction
(``services.events.record``), so any change that could alter a rendering (a new
version, an amendment revised, a proposer renamed) moves the generation, and entries
made before it are never looked up again; the least recently used fall out as new ones
come in. A write to another document leaves them be. Each entry keeps the rendering's
content-derived ETag, so conditional requests are answered from the cache too.

Each worker process has its own cache; the generation is read from the database, so
a write made through one worker, or through another process over the same database
(more workers, more API processes, the CLI), is seen by all.

The routes fill the cache (``api/routes/renderings.py``); :class:`RenderCacheMiddleware`
answers a repeated request from it before routing, with none of the per-request
dependencies and no pooled connection: :class:`StoreGeneration` reads the generation on
a connection of its own. That is what lets a cached redline be served about as fast as
``/health``.

Why a hit is never stale: every write commits its event before its response is sent,
and a hit's generation is read by a query that *starts after the hit's request arrived*
(SQLite: inline, at once; PostgreSQL: the next read of the shared one, never one already
in flight). So a request that follows a write, in any process, sees a generation at
least as new as that write's event, and only entries made from a store at least that
new have that key. The key is the same query the routes run (``services.events.generation``),
so entries the routes put are the entries hits find. The generation moves with every
commit, also where two PostgreSQL writers commit out of the order of their event ids
(a trigger moves it as each commits: see ``generation_query``), and reading it is two
rows however long the event log is.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from regdraft.api.negotiation import none_match
from regdraft.services.events import generation_query
from regdraft.services.kept import KeptInMemory, held_bytes
from regdraft.store.engine import is_memory_sqlite, make_engine, normalise_url


@dataclass(frozen=True)
class Entry:
    etag: str
    body: str | bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    """Headers sent with the body besides ``ETag`` and ``Content-Type``."""


def request_key(generation: int, path: str, query: str, accept: str | None) -> tuple:
    """What a rendering depends on besides the store: the path, the query string and
    the Accept header (which chooses the format)."""
    return (generation, path, query, accept)


class RenderCache(KeptInMemory):
    """Least recently used entries, bounded by their total size in bytes: what an
    :class:`Entry`'s body takes in memory, or the size its putter states (the reviewer
    pages keep their rendered parts here too: ``web/views.kept``)."""

    @property
    def size(self) -> int:
        """Bytes held, summed over entries."""
        return self._bytes

    def put(self, key: tuple, entry: Any, *, size: int | None = None) -> None:
        super().put(key, entry, held_bytes(entry.body) if size is None else size)


class RenderFlights:
    """Renderings of one key that overlap in time are made once.

    A write moves the generation, so every cached rendering is missed at once: without
    this, a burst of readers of the same Keeling schedule (64 clients, say) would each
    build it, all contending for one interpreter. The first request for a key builds it;
    requests for the same key that arrive meanwhile wait for that result, which is as
    fresh as their own key says (it was made at that same generation). A failure is
    every waiter's failure; a builder cancelled (its client gone) leaves the waiters to
    build it themselves.
    """

    def __init__(self) -> None:
        self._flights: dict[tuple, asyncio.Future] = {}

    async def run(self, key: tuple, build: Callable[[], Awaitable[Entry]]) -> Entry:
        while (flight := self._flights.get(key)) is not None:
            try:
                return await asyncio.shield(flight)
            except asyncio.CancelledError:
                if not flight.cancelled():
                    raise  # this waiter was cancelled, not the builder
        flight = self._flights[key] = asyncio.get_running_loop().create_future()
        try:
            entry = await build()
        except asyncio.CancelledError:
            flight.cancel()
            raise
        except BaseException as error:
            flight.set_exception(error)
            flight.exception()  # retrieved: a flight nobody waited for is not an unhandled error
            raise
        else:
            flight.set_result(entry)
            return entry
        finally:
            del self._flights[key]


# The rendering routes (api/routes/renderings.py), with or without a format suffix.
_RENDER_PATH = re.compile(r"^/api/documents/(?P<document>[^/]+)/(?:redline|versions/\d+/redline"
                          r"|amendments/[^/]+/redline|versions/\d+/keeling)(?:\.[a-z]+)?$")


class StoreGeneration:
    """A document's generation (``services.events.generation``) for the cache-hit path,
    read on one connection of its own, outside the request pool: a hit neither waits
    for a pooled connection nor holds one that a routed request needs.

    - SQLite: the query runs inline on the event loop, in autocommit (a WAL read
      takes no lock and costs microseconds; no ``BEGIN IMMEDIATE``, no thread hop).
      The connection does not wait for a lock: should SQLite ever answer busy, the
      read gives up and the request goes to the routes.
    - PostgreSQL: a query is a network round trip, so reads run on the thread pool, one
      at a time, and hits on a document that arrive meanwhile share the *next* read of
      it, never one already in flight (it may have started before their request
      arrived). Under load one round trip serves every hit on a document that queued
      during the previous reads.

    Any error (the database restarted, a lock) gives ``None``: the request is routed
    as if nothing were cached, and the next read opens a new connection.
    """

    def __init__(self, database_url: str) -> None:
        url = normalise_url(database_url)
        self._inline = url.get_backend_name() == "sqlite"
        # An in-memory SQLite database may be another database on another connection.
        self.available = not (self._inline and is_memory_sqlite(url))
        self._url = url
        self._engine = None
        self._connection: Any = None  # a pool checkout held for the process's life
        self._query_of: Callable[[str], tuple[str, Any]] | None = None
        self._next_reads: dict[str, asyncio.Future] = {}
        self._reader: asyncio.Task | None = None

    async def read(self, document: str) -> int | None:
        """The generation of the document of slug ``document``."""
        if self._inline:
            return self._query(document)
        loop = asyncio.get_running_loop()
        if self._reader is not None and self._reader.get_loop() is not loop:
            self._next_reads, self._reader = {}, None  # a loop that ended (test clients make one per request)
        if document not in self._next_reads:
            self._next_reads[document] = loop.create_future()
            if self._reader is None or self._reader.done():
                self._reader = loop.create_task(self._read_for_waiters())
        # shield: a client that goes away must not cancel the read others wait for
        return await asyncio.shield(self._next_reads[document])

    async def _read_for_waiters(self) -> None:
        while self._next_reads:
            document, waiting = next(iter(self._next_reads.items()))
            del self._next_reads[document]
            waiting.set_result(await run_in_threadpool(self._query, document))

    def _query(self, document: str) -> int | None:
        try:
            if self._connection is None:
                self._connect()
            cursor = self._connection.cursor()
            try:
                cursor.execute(*self._query_of(document))
                row = cursor.fetchone()
                return row[0] if row is not None else None
            finally:
                cursor.close()
        except Exception:  # any failure: the routes answer instead (and report it)
            self._drop_connection()
            return None

    def _connect(self) -> None:
        if self._engine is None:
            # One connection, set up as the app's are (make_engine's connect hooks).
            self._engine = make_engine(self._url, pool_size=1, max_overflow=0)
            self._query_of = _driver_query(generation_query(), self._engine.dialect)
        self._connection = self._engine.raw_connection()
        dbapi = self._connection.dbapi_connection
        if self._inline:
            dbapi.execute("PRAGMA busy_timeout=0")  # never wait on the event loop
        else:
            dbapi.autocommit = True  # no transaction left open between reads

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()
            self._connection = None

    def close(self) -> None:
        self._drop_connection()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _driver_query(statement, dialect) -> Callable[[str], tuple[str, Any]]:
    """The SQL of ``generation_query`` for the driver, once, and its parameters for a
    slug, in the driver's own style (``?`` for sqlite3, named for psycopg). The slug
    comes from the request's path: it is always a bound parameter, never SQL."""
    compiled = statement.compile(dialect=dialect)
    sql = str(compiled)
    if compiled.positional:
        return lambda slug: (sql, tuple(compiled.construct_params({"slug": slug})[name]
                                        for name in compiled.positiontup))
    return lambda slug: (sql, compiled.construct_params({"slug": slug}))


class RenderCacheMiddleware:
    """Answer a GET of a rendering from the cache when the routes have already answered
    the same request (path, query, Accept) since the document last changed; otherwise let
    it through. Requests that carry a token go through the routes, which check it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rendering = _RENDER_PATH.match(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if rendering is None:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        cache: RenderCache = state.render_cache
        store_generation: StoreGeneration = state.store_generation
        headers = Headers(scope=scope)
        if not len(cache) or not store_generation.available or "authorization" in headers:
            await self.app(scope, receive, send)
            return
        generation = await store_generation.read(rendering["document"])
        entry = None if generation is None else cache.get(
            request_key(generation, scope["path"], scope["query_string"].decode("latin-1"), headers.get("accept")))
        if entry is None:
            await self.app(scope, receive, send)
            return
        tag = f'"{entry.etag}"'
        if none_match(headers.get("if-none-match"), tag):
            response = Response(status_code=304, headers={"ETag": tag, "Vary": "Accept"})
        else:
            response = Response(entry.body, media_type=entry.media_type, headers={"ETag": tag, **dict(entry.headers)})
        await response(scope, receive, send)
