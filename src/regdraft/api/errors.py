"""Errors as HTTP: the one place that maps regdraft's error hierarchy to status codes.

Every error response is an RFC 9457 problem document (``application/problem+json``)::

    {"type": "https://regdraft.dev/problems/stale-parent",
     "title": "Parent is not the head version",
     "status": 409,
     "detail": "version 1 is not the head of 'example'; the head is version 2",
     "instance": "/api/documents/example/versions",
     "head": 2, "head_hash": "…", "document": "example"}

``type`` names the error class's ``code``; ``detail`` is its one-line message; the
error's ``extra`` facts become extension members. An extra whose name is one of the
standard members is renamed (``status`` → ``current_status`` for an amendment's
workflow status, anything else → ``extra_<name>``) so the standard members always mean
what RFC 9457 says.

The mapping (:data:`STATUS_BY_CLASS`), first match in the class's MRO wins::

    InvalidInput (and subclasses)  422
    NotFound                       404
    Unauthenticated                401 (with WWW-Authenticate: Bearer)
    Forbidden                      403
    Conflict (and subclasses)      409
    PatchDoesNotApply              409
    NotAcceptable                  406
    PreconditionRequired           428
    WorkStopped                    503
    RendererUnavailable            503
    MalformedRequest, and any other RegdraftError  400

FastAPI's own errors are problems too: a request that does not match its schema is a
422 ``validation-error`` with ``errors: [{loc, msg, type}]``, an ``HTTPException`` (an
unknown route, a wrong method) keeps its status with ``type: about:blank``, a body over
the size limit is a 413 ``payload-too-large``. A database constraint that fires despite
the services' checks (two requests racing to take the same slug), or an update of a row
another transaction changed meanwhile (``StaleDataError``), is a 409 ``conflict``; a
database too busy to take the change (SQLite's lock held past the busy timeout by
another process, a PostgreSQL deadlock) is a 503 ``busy`` with ``Retry-After: 1``; a
database that cannot be reached or written (PostgreSQL stopped, a read-only or failing
SQLite file, no pooled connection free in time) is a 503 ``storage-unavailable`` with
``Retry-After: 5``, and nothing was written; anything unexpected is a 500
``internal-error`` (and logged).

:func:`problem_responses` builds the ``responses=`` entry every route passes, so the
OpenAPI document lists each problem a route can return.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DatabaseError, DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from regdraft.core.errors import (Conflict, Forbidden, InvalidInput, NotAcceptable, NotFound, PatchDoesNotApply,
                                  PreconditionRequired, RegdraftError, RendererUnavailable, Unauthenticated,
                                  WorkStopped)
from regdraft.store.engine import is_busy

PROBLEM_BASE = "https://regdraft.dev/problems/"
PROBLEM_JSON = "application/problem+json"

STATUS_BY_CLASS: tuple[tuple[type[RegdraftError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (Conflict, 409),
    (PatchDoesNotApply, 409),
    (NotAcceptable, 406),
    (PreconditionRequired, 428),
    (WorkStopped, 503),
    (RendererUnavailable, 503),
)

_STANDARD = {"type", "title", "status", "detail", "instance"}
_RENAMED = {"status": "current_status"}

log = logging.getLogger(__name__)


def status_for(error: RegdraftError) -> int:
    for cls, status in STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 400


def problem_type(code: str) -> str:
    return PROBLEM_BASE + code


# Schemas (for OpenAPI) -------------------------------------------------------------

class Problem(BaseModel):
    """An RFC 9457 problem document. Extension members carry the error's facts
    (`head`, `hunks`, `field`, `amendment`, ...)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(description="URI naming the problem, e.g. https://regdraft.dev/problems/stale-parent",
                      examples=["https://regdraft.dev/problems/not-found"])
    title: str = Field(description="Short summary of the problem type")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong in this case, in one line")
    instance: str = Field(description="The request path")


class ValidationErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: ['body', 'citations', 0, 'quote'], ['query', 'limit'], ...")
    msg: str
    type: str


class ValidationProblem(Problem):
    """A request that does not match the schema (or a service's check of one field)."""

    errors: list[ValidationErrorItem] = Field(default_factory=list)


_DESCRIPTIONS = {
    400: "Bad request: the body is not JSON (or not UTF-8), or the Authorization header is sent more than once "
         "(`malformed-request`)",
    401: "No valid API token (`unauthenticated`): a change without `Authorization: Bearer <token>`, an unknown "
         "or revoked token, or a token sent in the query string",
    403: "The token's role or stakeholder may not do this (`forbidden`); see docs/security.md",
    404: "Not found (`not-found`): the document, version, amendment, response or stakeholder does not exist",
    409: "Conflict with the current state",
    406: "None of the formats offered is acceptable (`not-acceptable`): `acceptable` lists their media types",
    413: "Request body too large (`payload-too-large`)",
    428: "The change must say which revision it was made from (`precondition-required`): send `If-Match`",
    422: "Invalid input (`validation-error`, `invalid-input`, `invalid-text`, `invalid-patch`, ...)",
    503: "The database is busy (`busy`) or cannot be reached or written (`storage-unavailable`): nothing was "
         "done; send the request again after `Retry-After` seconds",
}


def problem_responses(*statuses: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry for a route: each status (and always 401 and 422) as
    problem+json.

    ``descriptions`` overrides the text per status, keyed ``s404``, ``s409``...
    """
    out: dict[int | str, dict[str, Any]] = {}
    # Every route under /api takes parameters, so each can answer 422; listing it here
    # also keeps FastAPI from documenting its own HTTPValidationError instead. Every
    # route checks a bearer token when one is sent, so each can answer 401, and reads
    # the database, so each can answer 503. Every route answers 400 to a request with
    # two Authorization headers, and a route that reads a body to one that is not JSON.
    for status in sorted({*statuses, 400, 401, 422, 503}):
        model = ValidationProblem if status == 422 else Problem
        out[status] = {"model": model,
                       "description": descriptions.get(f"s{status}", _DESCRIPTIONS.get(status, "Problem"))}
    return out


# Building problem documents ----------------------------------------------------------

def problem(request: Request, status: int, *, type_: str, title: str, detail: str,
            extensions: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_body(request, status, type_=type_, title=title, detail=detail,
                                     extensions=extensions),
                        status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_body(request: Request, status: int, *, type_: str, title: str, detail: str,
                 extensions: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail,
                            "instance": request.url.path}
    for key, value in (extensions or {}).items():
        if key in _STANDARD:
            key = _RENAMED.get(key, f"extra_{key}")
        body[key] = value
    return jsonable_encoder(body)


def error_body(request: Request, error: RegdraftError) -> dict[str, Any]:
    """The problem document ``error`` is answered with (a preview reports one in its body)."""
    return problem_body(request, status_for(error), type_=problem_type(error.code), title=error.title,
                        detail=error.message, extensions=error.extra)


def regdraft_error_response(request: Request, error: RegdraftError) -> JSONResponse:
    status = status_for(error)
    # A 406 depends on the Accept header like the answer it stands for, so caches must key on it.
    headers = {401: {"WWW-Authenticate": 'Bearer realm="regdraft"'}, 406: {"Vary": "Accept"},
               503: {"Retry-After": "1"}}.get(status)
    return JSONResponse(error_body(request, error), status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _regdraft_error(request: Request, error: RegdraftError) -> JSONResponse:
    return regdraft_error_response(request, error)


def _loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [{"loc": _loc(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in error.errors()]
    first = errors[0] if errors else None
    detail = "the request is invalid"
    if first:
        where = ".".join(str(p) for p in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
    return problem(request, 422, type_=problem_type("validation-error"), title="Request validation failed",
                   detail=detail, extensions={"errors": errors})


async def _http_exception(request: Request, error: StarletteHTTPException) -> JSONResponse:
    try:
        title = HTTPStatus(error.status_code).phrase
    except ValueError:
        title = "Error"
    detail = error.detail if isinstance(error.detail, str) else title
    headers = dict(error.headers) if getattr(error, "headers", None) else None
    allowed = _documented_methods(request) if error.status_code == 405 else []
    if allowed:
        # Starlette names the methods of the first route matching the path; a path
        # served by several routes (GET and POST /api/documents) takes them all.
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return problem(request, error.status_code, type_="about:blank", title=title, detail=detail, headers=headers)


def _documented_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document gives the request's path. Where several paths
    match (``/documents/import`` and ``/documents/{doc}``), the one with the fewest
    parameters is the resource, as a literal segment is routed before a parameter."""
    by_parameters: dict[int, set[str]] = {}
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            by_parameters.setdefault(template.count("{"), set()).update(method.upper() for method in operations)
    methods = by_parameters[min(by_parameters)] if by_parameters else set()
    if "GET" in methods:
        methods.add("HEAD")  # answered as GET without the body (api/head.py)
    return sorted(methods)


async def _integrity_error(request: Request, error: IntegrityError | StaleDataError) -> JSONResponse:
    # The services check uniqueness and the head before writing; a constraint that still
    # fires means another request changed the same thing at the same moment.
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, getattr(error, "orig", error))
    return problem(request, 409, type_=problem_type("conflict"), title="Conflict",
                   detail="the change conflicts with another made at the same time; reload and try again")


async def _out_of_range(request: Request, error: DataError | OverflowError) -> JSONResponse:
    # The schema bounds every number a request carries; this catches one that slipped
    # past it (a value the database cannot store), so it is still the client's error.
    log.warning("value out of range on %s %s: %s", request.method, request.url.path, error)
    return problem(request, 422, type_=problem_type("invalid-input"), title="Invalid input",
                   detail="a value in the request is out of the range the database can store")


#: Seconds a client is asked to wait before retrying when the database is unavailable:
#: long enough for a restarted server to come back, short enough not to give up on it.
UNAVAILABLE_RETRY_AFTER = 5


async def _storage_error(request: Request, error: DBAPIError | SQLAlchemyTimeoutError) -> JSONResponse:
    """The database could not do what was asked: busy (SQLite's lock held past the busy
    timeout, a PostgreSQL deadlock or serialization failure), or unavailable (the server
    stopped or unreachable, a read-only or failing file, no connection free in time).
    Either way the transaction did not commit, so nothing was written and nothing was
    acknowledged: the same request can be sent again. ``Retry-After`` says when."""
    original = getattr(error, "orig", None) or error
    if is_busy(original):
        log.warning("database busy on %s %s: %s", request.method, request.url.path, original)
        return problem(request, 503, type_=problem_type("busy"), title="Database busy",
                       detail="the database was busy with other changes and nothing was done; try again",
                       headers={"Retry-After": "1"})
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, original)
    return problem(request, 503, type_=problem_type("storage-unavailable"), title="Storage unavailable",
                   detail="the database could not be reached or written, and nothing was done; try again later",
                   headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)})


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(request, 500, type_=problem_type("internal-error"), title="Internal server error",
                   detail="an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Register the handlers: RegdraftError, validation errors, HTTP exceptions,
    integrity errors, the rest."""
    app.add_exception_handler(RegdraftError, _regdraft_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _integrity_error)  # a row changed under a guarded update
    # Connection and storage failures. DataError and IntegrityError are DBAPIErrors too,
    # but registered above as the client's; the most specific handler wins.
    for storage_failure in (OperationalError, InterfaceError, DatabaseError, SQLAlchemyTimeoutError):
        app.add_exception_handler(storage_failure, _storage_error)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(Exception, _unexpected)
