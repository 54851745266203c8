"""``Cache-Control`` on the API's reads, and an ETag on every one, as pure ASGI middleware.

A version never changes once made (its number, text, author, message and the provisions
read from it: a document's kind is fixed once it has versions), so what is addressed by
a version's number (``/versions/{n}``, its ``/text``, ``/structure`` and ``/source``) and
the JSON or unified diff of two numbered versions (``/diff?from=&to=``) are sent
:data:`IMMUTABLE`: a client or cache keeps them a year and never asks again.

Everything else a GET answers (listings, the document and its head, amendments, whose
revision moves, and renderings, which name amendments and stakeholders that can change)
is sent ``no-cache``: keep it, but ask before using it again. Each of those carries an
ETag, so asking is cheap: routes that know their own (renderings, diffs, an amendment's
revision) send it, and for the others this middleware hashes the JSON body and answers a
matching ``If-None-Match`` with 304.

Reads are public (docs/security.md), but a request that carried credentials (a bearer
token or the pages' session cookie) is answered ``private``: a shared cache then keeps
nothing a token was shown, so a future item readable by some principals only (a
stakeholder's own) cannot leak through one.
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regdraft.api.negotiation import none_match

YEAR_SECONDS = 31_536_000
IMMUTABLE = f"max-age={YEAR_SECONDS}, immutable"
REVALIDATE = "no-cache"
SESSION_COOKIE = "regdraft_session"

# The paths whose answers never change, given the query parameters they must have.
_DOCUMENT = r"^/api/documents/[^/]+"
_IMMUTABLE_PATHS = (
    (re.compile(_DOCUMENT + r"/versions/\d+(?:/text|/structure|/source)?$"), ()),
    (re.compile(_DOCUMENT + r"/diff$"), (b"from", b"to")),
)
_NUMBER = re.compile(rb"^\d+$")


def is_immutable(path: str, query_string: bytes) -> bool:
    """Whether the GET of ``path?query_string`` always answers the same (when it succeeds)."""
    for pattern, numbered in _IMMUTABLE_PATHS:
        if pattern.match(path):
            pairs = [pair.partition(b"=") for pair in query_string.split(b"&") if pair]
            given = {name: value for name, _, value in pairs}
            return all(_NUMBER.match(given.get(name, b"")) for name in numbered) and len(given) == len(pairs)
    return False


def _credentialed(headers: Headers) -> bool:
    return "authorization" in headers or SESSION_COOKIE in headers.get("cookie", "")


class CacheControl:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        audience = "private" if _credentialed(request) else "public"
        immutable = is_immutable(scope["path"], scope["query_string"])
        start: Message | None = None
        body: list[bytes] = []

        async def send_with_cache_control(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] not in (200, 304) or "cache-control" in headers:
                    await send(message)
                    return
                headers["Cache-Control"] = f"{audience}, {IMMUTABLE}" if immutable else REVALIDATE
                if "etag" in headers and immutable and message["status"] == 200 \
                        and none_match(request.get("if-none-match"), headers["etag"]):
                    # A route's own tag of what never changes is its content's (a text's hash).
                    start = _not_modified(headers)
                    await send(start)
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                if "etag" in headers or not headers.get("content-type", "").startswith("application/json"):
                    await send(message)
                    return
                start = message  # held until the body is known, to tag it
                return
            if start is None:
                await send(message)
                return
            if start["status"] == 304:
                return  # the body of what the client already has
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _send_tagged(start, b"".join(body), request.get("if-none-match"), send)

        await self.app(scope, receive, send_with_cache_control)


async def _send_tagged(start: Message, content: bytes, if_none_match: str | None, send: Send) -> None:
    """Send the held response with a strong ETag of its body, or a 304 if the client has it."""
    tag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = MutableHeaders(scope=start)
    headers["ETag"] = tag
    if none_match(if_none_match, tag):
        await send(_not_modified(headers))
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    await send(start)
    await send({"type": "http.response.body", "body": content, "more_body": False})


def _not_modified(headers: MutableHeaders) -> Message:
    """A 304's start: the validators and caching headers a 200 would have sent (RFC 9110 §15.4.5)."""
    kept = [(name, value) for name, value in headers.raw if name in (b"etag", b"cache-control", b"vary")]
    return {"type": "http.response.start", "status": 304, "headers": kept}
