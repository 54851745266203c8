"""A bounded, in-process cache of rendered redlines and Keeling schedules.

Building a rendering (applying amendments, diffing, finding conflicts, rendering) takes
tens of milliseconds even for a short regulation; answering from memory takes
microseconds. An entry is keyed by the request (path, query, negotiated format) and the
store's *generation*: the id of the last event in the append-only event log. Every
write appends an event in the same transaction (``services.events.record``), so any
change that could alter a rendering (a new version, an amendment revised, a proposer
renamed) moves the generation, and entries made before it are never looked up again;
the least recently used fall out as new ones come in. Each entry keeps the rendering's
content-derived ETag, so conditional requests are answered from the cache too.

Each worker process has its own cache; the generation is read from the database, so
a write made through one worker is seen by all.

The routes fill the cache (``api/routes/renderings.py``); :class:`RenderCacheMiddleware`
answers a repeated request from it before routing, with one query (the generation) and
none of the per-request dependencies, which is what lets a cached redline be served
nearly as fast as ``/health``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
import re
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from regdraft.api.negotiation import none_match
from regdraft.store.models import Event


@dataclass(frozen=True)
class Entry:
    etag: str
    body: str
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    """Headers sent with the body besides ``ETag`` and ``Content-Type``."""


def request_key(generation: int, path: str, query: str, accept: str | None) -> tuple:
    """What a rendering depends on besides the store: the path, the query string and
    the Accept header (which chooses the format)."""
    return (generation, path, query, accept)


class RenderCache:
    """Least recently used entries, bounded by the total size of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # sync route handlers run on a thread pool

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Characters held, summed over bodies."""
        return self._bytes

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes:
            return  # larger than the whole cache: serve it, do not keep it
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)


# The rendering routes (api/routes/renderings.py), with or without a format suffix.
_RENDER_PATH = re.compile(r"^/api/documents/[^/]+/(?:redline|versions/\d+/redline|amendments/[^/]+/redline"
                          r"|versions/\d+/keeling)(?:\.[a-z]+)?$")


def _generation(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.max(Event.id))).scalar() or 0


class RenderCacheMiddleware:
    """Answer a GET of a rendering from the cache when the routes have already answered
    the same request (path, query, Accept) since the store last changed; otherwise let
    it through. Requests that carry a token go through the routes, which check it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _RENDER_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        cache: RenderCache = state.render_cache
        headers = Headers(scope=scope)
        if not len(cache) or "authorization" in headers:
            await self.app(scope, receive, send)
            return
        generation = await run_in_threadpool(_generation, state.database.engine)
        key = request_key(generation, scope["path"], scope["query_string"].decode("latin-1"), headers.get("accept"))
        entry = cache.get(key)
        if entry is None:
            await self.app(scope, receive, send)
            return
        tag = f'"{entry.etag}"'
        if none_match(headers.get("if-none-match"), tag):
            response = Response(status_code=304, headers={"ETag": tag, "Vary": "Accept"})
        else:
            response = Response(entry.body, media_type=entry.media_type, headers={"ETag": tag, **dict(entry.headers)})
        await response(scope, receive, send)
