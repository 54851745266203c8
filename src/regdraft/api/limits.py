"""A limit on the size of request bodies, as pure ASGI middleware.

A declared ``Content-Length`` over the limit is refused before anything is read; a
body without one (chunked) is read up to the limit and refused as soon as it passes
it. Either way the answer is a 413 problem document. The body read is replayed to the
app, so routes see the request unchanged.
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regdraft.api.errors import PROBLEM_JSON, problem_type


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit, f"the request body is {declared} bytes")
            return
        # Read the body now, so that an oversized chunked body is refused before the
        # app has started on it.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await _refuse(scope, send, limit, f"the request body is more than {limit} bytes")
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int, what: str) -> None:
    body = json.dumps({"type": problem_type("payload-too-large"), "title": "Request body too large",
                       "status": 413, "detail": f"{what}; the limit is {limit} bytes",
                       "instance": scope.get("path", ""), "limit": limit}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class InFlightLimit:
    """At most ``limit`` requests inside the app at once; the rest wait their turn in
    the event loop, where waiting costs nothing.

    Why: a request holds one pooled database connection from its first query to its
    end, and sync dependencies and routes run on a thread pool (40 threads). With more
    requests in flight than connections, the extra requests' threads block waiting for
    a connection, and once they hold every thread, the requests that have connections
    cannot get a thread to finish: nothing moves until the pool times out (seen with 64
    concurrent clients). Keeping requests in flight at or under the pool's size means
    no thread ever waits for a connection. ``exempt`` paths (``/health``) touch no
    database and are never held back.
    """

    def __init__(self, app: ASGIApp, limit: int, exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt = exempt
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        async with self._slots:
            await self.app(scope, receive, send)
