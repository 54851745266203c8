"""The application factory.

``create_app(settings)`` builds a FastAPI app and nothing else: no engine exists until
the lifespan starts (it builds the engine and runs the migrations) or, where the
lifespan does not run, until the first request needs a session. Importing this module
touches no database.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

import regdraft
from regdraft import web
from regdraft.api import errors, schemas
from regdraft.api.caching import CacheControl
from regdraft.api.csp import ContentSecurityPolicy
from regdraft.api.deps import Database, get_principal
from regdraft.api.head import HeadAsGet
from regdraft.api.limits import BodySizeLimit, InFlightLimit
from regdraft.api.render_cache import RenderCache, RenderCacheMiddleware, RenderFlights, StoreGeneration
from regdraft.api.routes import (amendments, comments, consultation, documents, events, imports, outcome,
                                  rebasing, renderings, search, word_amendments)
from regdraft.services import amendments as amendment_service
from regdraft.services import comments as comment_service
from regdraft.services import comparisons, kept, structures
from regdraft.services import renderings as version_renderings

if TYPE_CHECKING:
    from regdraft.settings import Settings

# SQLAlchemy's default pool for SQLite files and PostgreSQL: 5 connections + 10 overflow.
# One request uses one connection, so this many in flight never wait for one (limits.py).
MAX_REQUESTS_IN_FLIGHT = 15
#: Seconds a thread runs before one waiting for the interpreter (the event loop) gets it.
SWITCH_INTERVAL = 0.001

DESCRIPTION = """\
Draft regulations under version control: documents and their versions, amendments
stored as diff-match-patch patches with citations of consultation responses, diffs
grouped by provision, and conflicts between amendments.

Every error is an RFC 9457 problem document (`application/problem+json`) with `type`,
`title`, `status`, `detail`, `instance` and the error's facts as extra members (for
example `head` for a stale parent, `hunks` for a patch that does not apply, `field`
for invalid input, `errors` with `loc` for a request that does not match the schema).

Reading needs no token. Changes need an API token from `regdraft token create`, sent as
`Authorization: Bearer <token>` (never in the query string); the token's role and
stakeholder decide what it may change (docs/security.md has the matrix), and its name
is the actor in the event log.
"""


def create_served_app() -> FastAPI:
    """The app as ``regdraft serve`` runs it (uvicorn's factory, in every worker)."""
    return create_app(serving=True)


def create_app(settings: Settings | None = None, *, serving: bool = False) -> FastAPI:
    """The app. ``serving``: made to answer a network (``regdraft serve``), so made
    ready at start for what a served app must do fast: every router built, and the
    event loop first in line for the interpreter. A test's app does without (it builds
    only the routers a test uses, once in a process: see :data:`_INCLUDED_ROUTERS`)."""
    if settings is None:
        from regdraft.settings import get_settings

        settings = get_settings()
    database = Database(settings)
    store_generation = StoreGeneration(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(database.migrate)
        if serving:
            await _route_once(app)
            # A thread waiting for the interpreter asks the running one to let go after
            # this long (5 ms by default). The event loop waits so at every turn (a
            # /health answer takes three or four), so while a render thread is busy it
            # is answered in a few milliseconds rather than tens.
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        try:
            yield
        finally:
            store_generation.close()
            database.dispose()

    app = FastAPI(title="regdraft", version=getattr(regdraft, "__version__", "0.1.0"), description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None,
                  generate_unique_id_function=lambda route: route.name)
    app.state.database = database
    app.state.settings = settings
    app.state.render_cache = RenderCache(settings.render_cache_bytes)
    # The process's memories of structures and diffs are bounded by the app's settings.
    structures.MEMORY.max_bytes, comparisons.DIFFS.max_bytes = settings.structure_cache_bytes, settings.diff_cache_bytes
    version_renderings.MEMORY.max_bytes = settings.version_rendering_cache_bytes
    kept.unmap_large_blocks()  # and what they let go is given back (see there)
    comment_service.configure(settings)
    amendment_service.QUOTE_MINIMUM.set_from(settings)
    app.state.render_flights = RenderFlights()
    app.state.store_generation = store_generation
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    # Requests wait here, before the body is read or a thread is taken.
    app.add_middleware(InFlightLimit, limit=MAX_REQUESTS_IN_FLIGHT, exempt=frozenset({"/health"}))
    # A cache hit takes no pooled connection, so it need not wait for a slot.
    app.add_middleware(RenderCacheMiddleware)
    # Around the cache, so its answers carry Cache-Control too; inside HEAD, which it sees as GET.
    app.add_middleware(CacheControl)
    # A HEAD is a GET to everything inside, the cache included.
    app.add_middleware(HeadAsGet)
    # Outermost: every response, a cached one or an error too, carries the policy.
    app.add_middleware(ContentSecurityPolicy)

    @app.get("/health", response_model=schemas.Health, tags=["health"], summary="Liveness")
    async def health() -> dict[str, str]:
        # async: it touches nothing, so it need not hop to the threadpool (benchmarks use it)
        return {"status": "ok"}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(web.API_DOCS_PAGE.read_text(encoding="utf-8"))

    _include_routers(app)
    web.install(app)
    _problem_json_in_openapi(app)
    return app


def _api_router() -> APIRouter:
    # Every route checks a bearer token when one is sent (a bad one is a 401 even on a read).
    api = APIRouter(dependencies=[Depends(get_principal)])
    for routes in (imports, documents, word_amendments, amendments, consultation, events, renderings, outcome,
                   search, rebasing, comments):
        api.include_router(routes.router)
    return api


_INCLUDED_ROUTERS: list[BaseRoute] = []
"""The routers as the first app made in this process included them, which every later
app shares. FastAPI builds an included router's routes (their dependencies analysed,
3 ms a route) for the app that includes it, on the first request through it; nothing
a route holds is an app's own (each finds the app's state through its request), so a
process that makes many apps (the tests make one a test) builds them once."""


_INCLUDING_ROUTERS = threading.Lock()  # two first apps made at once would both include them


def _include_routers(app: FastAPI) -> None:
    with _INCLUDING_ROUTERS:
        if _INCLUDED_ROUTERS:
            app.router.routes.extend(_INCLUDED_ROUTERS)
            return
        first = len(app.router.routes)
        # The prefix is given here, not to the router: FastAPI checks the paths of a
        # router included without one, and that check builds every route at once.
        app.include_router(_api_router(), prefix="/api")
        # The reviewer pages, at / (left out of the OpenAPI document); their errors are HTML pages.
        app.include_router(web.router)
        _INCLUDED_ROUTERS.extend(app.router.routes[first:])


async def _route_once(app: FastAPI) -> None:
    """Route one request that matches no route, before serving. FastAPI builds each
    included router's routes (their dependencies analysed, annotations evaluated) on
    the first request it routes through that router, on the event loop: the first
    Keeling schedule after a start held the loop, and ``/health``, for 200-400 ms. A
    path that matches nothing goes through every router, so all are built here."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/.regdraft-start", "raw_path": b"/.regdraft-start", "root_path": "", "query_string": b"",
             "headers": [], "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 0)}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        pass

    await app.router(scope, receive, send)


def _problem_json_in_openapi(app: FastAPI) -> None:
    """FastAPI documents ``responses=`` models under the route's media type; ours are
    ``application/problem+json``. Rewrite the error responses once, when the schema is
    first built."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if code[:1] in "45" and content:
                        # Documented under the route's own media type (application/json,
                        # or text/markdown for a text route): there is one problem body.
                        response["content"] = {errors.PROBLEM_JSON: next(iter(content.values()))}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
