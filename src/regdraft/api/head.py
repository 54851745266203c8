"""HEAD answered as GET without the body, as pure ASGI middleware.

RFC 9110 (§9.3.2) asks every general-purpose server to support HEAD on what it serves
with GET: the same status and headers (Content-Type, Content-Length, ETag), no
content. FastAPI routes declare GET only, so the request goes to the app as a GET and
the body is dropped on the way out; link checkers, caches and ``curl -I`` get the
headers a GET would, and a conditional HEAD gets the same 304.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
