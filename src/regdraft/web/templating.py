"""Templates, and errors as HTML pages.

Pages are Jinja2 templates with autoescaping on: every value a template prints is
escaped unless it is HTML that regdraft rendered itself (redlines, Markdown through
markdown-it's safe preset), which is passed wrapped in :class:`markupsafe.Markup`.

A page route never answers with JSON: :class:`PageRoute` turns every error raised
while handling a page (a regdraft error, a bad query parameter, a refused form) into
the error page with the status the API would give (``api.errors.status_for``), and
:func:`install` does the same for a browser asking for a path no route serves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from regdraft.api.errors import status_for
from regdraft.core.errors import RegdraftError
from regdraft.core.history import source_name
from regdraft.core.traditions import KIND_NAMES
from regdraft.services.decisions import MAX_REASON
from regdraft.web import guard

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)
_MARKDOWN_MARKS = re.compile(r"(?m)^#{1,6}[ \t]|\*\*|__|^[ \t]*[-*+>][ \t]")

environment = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def query(**params: Any) -> str:
    """``?a=1&b=x&b=y`` from keyword arguments (lists repeat; ``None`` and ``""`` are left out)."""
    pairs = []
    for name, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is not None and item != "":
                pairs.append((name, str(item)))
    return "?" + urlencode(pairs) if pairs else ""


def plain_excerpt(text: str, limit: int = 80) -> str:
    """A change's words for a list: Markdown's heading and emphasis marks dropped,
    blanks collapsed, cut at ``limit`` characters."""
    words = " ".join(_MARKDOWN_MARKS.sub(" ", text).split())
    return words if len(words) <= limit else words[:limit - 1].rstrip() + "…"


environment.filters["plain_excerpt"] = plain_excerpt
environment.filters["source_name"] = source_name
environment.globals.update(query=query, PROPOSE=guard.PROPOSE, DECIDE=guard.DECIDE, ORDER=guard.ORDER,
                           CREATE_DOCUMENT=guard.CREATE_DOCUMENT, CSRF_FIELD=guard.CSRF_FIELD,
                           kind_names=KIND_NAMES, MAX_REASON=MAX_REASON)


def page(request: Request, template: str, *, status: int = 200, title: str, **context: Any) -> HTMLResponse:
    """Render ``template`` into a complete page."""
    response = HTMLResponse(_for_reader(request, template, title, context), status_code=status)
    guard.remember_csrf_token(request, response)
    return response


# Stands for a kept main part while the page around it is rendered. A page never holds a
# NUL: texts refuse it (core.text.normalise), and nothing else prints one.
_MAIN = Markup("\x00main\x00")


def part(template: str, **context: Any) -> str:
    """A part of a page that is the same for every reader (no request, token or role),
    rendered on its own to be kept and put in pages by :func:`page_around`."""
    return environment.get_template(template).render(**context)


def page_around(request: Request, template: str, *, main: bytes, title: str, **context: Any) -> HTMLResponse:
    """``template``'s page for this reader around a main part already rendered (by
    :func:`part`, encoded as UTF-8 and kept): only the small page around it is rendered,
    and the kept bytes are joined in, neither rendered nor encoded again. ``template``
    prints ``{{ main }}`` once."""
    before, after = _for_reader(request, template, title, {**context, "main": _MAIN}).split(_MAIN)
    response = HTMLResponse(b"".join((before.encode(), main, after.encode())))
    guard.remember_csrf_token(request, response)
    return response


def _for_reader(request: Request, template: str, title: str, context: dict[str, Any]) -> str:
    return environment.get_template(template).render(
        request=request, title=title, csrf_token=guard.csrf_token(request), user=guard.acting(request),
        permits=lambda action: guard.permits(request, action), **context)


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return page(request, "error.html", status=status, title=f"{status} {title}", heading=title, detail=detail,
                status_code=status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_response(request: Request, error: Exception) -> HTMLResponse:
    """The error page for anything a page route raised."""
    if isinstance(error, RegdraftError):
        return error_page(request, status_for(error), error.title, error.message)
    if isinstance(error, RequestValidationError):
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item.get("loc", ())[1:]) or "the request"
            problems.append(f"{where}: {item.get('msg', 'invalid')}")
        return error_page(request, 422, "The address is not valid", "; ".join(problems) or "the request is invalid")
    if isinstance(error, StarletteHTTPException):
        detail = error.detail if isinstance(error.detail, str) else _phrase(error.status_code)
        return error_page(request, error.status_code, _phrase(error.status_code), detail)
    if isinstance(error, IntegrityError):
        return error_page(request, 409, "Conflict",
                          "the change conflicts with another made at the same time; reload and try again")
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_page(request, 500, "Internal server error", "an unexpected error occurred; it has been logged")


class PageRoute(APIRoute):
    """A route whose errors are HTML pages, not problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                return await handle(request)
            except Exception as error:  # every error becomes a page; the unexpected ones are logged
                return error_response(request, error)

        return handle_page


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Browsers asking for a path no route serves (404) or with a method it does not
    take (405) get the error page; everything else keeps the API's problem+json."""
    problem = app.exception_handlers[StarletteHTTPException]

    async def http_exception(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return error_response(request, error)
        return await problem(request, error)

    app.add_exception_handler(StarletteHTTPException, http_exception)
