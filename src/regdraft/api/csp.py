"""A strict Content-Security-Policy on every response, as pure ASGI middleware.

The pages are server-rendered and run no script, and every text in them is escaped
(docs/security.md). The policy is the second wall: were markup ever to slip through,
the browser would run no inline script, no script from anywhere but this server, load
nothing from elsewhere, send forms nowhere else and let no other site frame the page.
Styles come from ``/static/regdraft.css``.

A rendering (a redline or Keeling schedule as an HTML page or fragment, from the API)
sends :data:`RENDERING_POLICY` instead, which lets it load nothing at all but images
from http(s): its one stylesheet is inline (the page must work as a file too), allowed
by its hash (``core.redline.PAGE_CSS``).

``/docs`` (Swagger UI) gets the same policy with ``data:`` images allowed: Swagger UI's
script and stylesheet are served from this server (``/static``, from a package, not a
CDN), its icons are ``data:`` URIs in that stylesheet, and its start-up script is a
static file, so it too runs no inline script and needs no 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regdraft.core.redline import PAGE_CSS

def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _policy(*, script: str = "'self'", style: str = "'self'", img: str = "'self'") -> str:
    return (f"default-src 'self'; script-src {script}; style-src {style}; img-src {img}; object-src 'none'; "
            f"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


CONTENT_SECURITY_POLICY = _policy()
RENDERING_POLICY = (f"default-src 'none'; style-src {_hash(PAGE_CSS)}; img-src http: https:; base-uri 'none'; "
                    f"form-action 'none'; frame-ancestors 'none'")
DOCS_CONTENT_SECURITY_POLICY = _policy(img="'self' data:")
HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class ContentSecurityPolicy:
    def __init__(self, app: ASGIApp, *, docs_path: str = "/docs") -> None:
        self.app, self.docs_path = app, docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CONTENT_SECURITY_POLICY if scope["path"] == self.docs_path else CONTENT_SECURITY_POLICY
        extra = [(b"content-security-policy", policy.encode("ascii")), *HEADERS]

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_policy)
