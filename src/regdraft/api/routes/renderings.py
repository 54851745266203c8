"""Renderings: redlines of comparisons and Keeling schedules, in every format, and a
version exported whole (Akoma Ntoso, Word, PDF).

Each resource answers in the format named by its path suffix (``redline.html``), else
by ``?format=``, else by the ``Accept`` header (``text/html`` → the printable page,
``application/json``, ``text/markdown`` → CriticMarkup, ``text/plain`` → unified diff,
the Word and PDF media types → those; a version's export: ``application/akn+xml`` first);
the html fragment and the amending instructions are asked for by name. A named format
the ``Accept`` header excludes, or an ``Accept`` header that excludes every format, is
a 406 problem. Every answer has a strong ETag (``If-None-Match`` → 304) and
``Vary: Accept``. See docs/rendering.md.
"""

from __future__ import annotations

import asyncio
import threading
from enum import Enum
from typing import Annotated, Any, Callable

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi import Response as HTTPResponse
from fastapi.concurrency import run_in_threadpool

from regdraft.api import schemas
from regdraft.api.csp import RENDERING_POLICY
from regdraft.api.deps import (MAX_SLUG_LIST_CHARS, SLUG_LIST, AmendmentSlug, DocumentDep, SessionDep,
                               VersionNumber, slug_list)
from regdraft.api.errors import problem_responses
from regdraft.api.negotiation import acceptable, choose, none_match
from regdraft.api.render_cache import Entry, RenderCache, RenderFlights, request_key
from regdraft.core import budget
from regdraft.core.errors import InvalidInput, NotAcceptable
from regdraft.services import comparisons, events, rendering
from regdraft.services.amendments import MAX_NAMED
from regdraft.store.models import Document

router = APIRouter(prefix="/documents/{doc}", tags=["renderings"])

RenderFormat = Enum("RenderFormat", {name: name for name in rendering.FORMATS}, type=str)
# What each media type in an Accept header selects (the first offered wins a tie, so
# a browser or */* gets the page, and a version's export its AKN, which is text).
BY_MEDIA_TYPE = {"text/html": "html", "application/json": "json", "text/markdown": "criticmarkup",
                 "text/plain": "unified", rendering.FORMATS["akn"]: "akn", rendering.FORMATS["docx"]: "docx",
                 rendering.FORMATS["pdf"]: "pdf"}

#: How often a rendering in progress looks whether its client is still there.
DISCONNECT_POLL_SECONDS = 0.25

IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", description="An ETag from an earlier answer")]


def _negotiate(request: Request, named: str | None, offered: tuple[str, ...]) -> None:
    accept = request.headers.get("accept")
    media_types = [t for t, name in BY_MEDIA_TYPE.items() if name in offered]
    if named is None:
        media_type = choose(accept, media_types)
        if media_type is None:
            raise NotAcceptable(f"none of the offered media types is acceptable (Accept: {accept})",
                                acceptable=sorted({rendering.FORMATS[name] for name in offered}))
        named = BY_MEDIA_TYPE[media_type]
    elif named not in offered:
        raise InvalidInput(f"format {named!r} is not offered here; offered: {', '.join(offered)}", field="format")
    elif not acceptable(accept, rendering.FORMATS[named]):
        raise NotAcceptable(f"format {named!r} is {rendering.FORMATS[named]}, which the Accept header excludes "
                            f"(Accept: {accept})", acceptable=[rendering.FORMATS[named]])
    request.state.render_format = named


def _negotiators(offered: tuple[str, ...]) -> tuple[Callable, Callable]:
    """The dependencies that choose a format among ``offered``: by ``format=`` or
    ``Accept``, and by path suffix. The contract lists the formats this resource
    offers, not every format."""
    listed = {"enum": list(offered)}
    # Parameters as defaults (not local Annotated aliases, which the postponed
    # annotations of this module would leave unresolved).
    by_name = Query(None, alias="format", json_schema_extra=listed, description=(
        "The format, if not by path suffix or Accept header: " + ", ".join(offered)))
    by_path = Path(json_schema_extra=listed, description="The format: one of those the resource offers (its 200 "
                                                        "answer's media types)")

    async def by_query_or_accept(request: Request, format: RenderFormat | None = by_name) -> None:
        _negotiate(request, format.value if format else None, offered)

    async def by_suffix(request: Request, suffix: RenderFormat = by_path, format: RenderFormat | None = by_name) -> None:
        if format is not None and format != suffix:
            raise InvalidInput(f"the path asks for {suffix.value} but format= asks for {format.value}",
                               field="format")
        _negotiate(request, suffix.value, offered)

    return by_query_or_accept, by_suffix


async def _respond(request: Request, session: SessionDep, document: Document, if_none_match: str | None,
                   build: Callable[[], rendering.Rendered | comparisons.Plan], *, title: str = ""):
    """The rendering in the negotiated format, or 304 when the client has it; from the
    render cache (api/render_cache.py) unless the document has changed since it was made.
    A comparison is planned first: its ETag is known from content hashes, so a client
    that has it is answered without a diff, whatever was written since."""
    cache: RenderCache = request.app.state.render_cache
    key = request_key(await run_in_threadpool(events.generation, session, document), request.url.path,
                      request.url.query, request.headers.get("accept"))
    entry = cache.get(key)
    if entry is None:
        format = request.state.render_format
        subject = await run_in_threadpool(build)
        if isinstance(subject, comparisons.Plan):
            tag = f'"{rendering.etag_of(subject, format)}"'
            if none_match(if_none_match, tag):
                return _not_modified(tag)
        flights: RenderFlights = request.app.state.render_flights
        entry = await flights.run(key, lambda: _render_while_wanted(request, lambda: subject, title))
        cache.put(key, entry)
    tag = f'"{entry.etag}"'
    if none_match(if_none_match, tag):
        return _not_modified(tag)
    return HTTPResponse(entry.body, media_type=entry.media_type, headers={"ETag": tag, **dict(entry.headers)})


def _not_modified(tag: str) -> HTTPResponse:
    return HTTPResponse(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag, "Vary": "Accept"})


async def _render_while_wanted(request: Request, build: Callable[[], rendering.Rendered | comparisons.Plan],
                               title: str) -> Entry:
    """Render on the thread pool, and stop the work (at its next checkpoint, see
    core/budget.py) once the client has gone: nobody would read the result, and a
    request for amending instructions of thousands of changes kept a core busy for
    minutes after its client left."""
    gone = threading.Event()

    async def watch() -> None:
        while not await request.is_disconnected():
            await asyncio.sleep(DISCONNECT_POLL_SECONDS)
        gone.set()

    watcher = asyncio.create_task(watch())
    try:
        return await run_in_threadpool(_render, build, request.state.render_format, title, gone.is_set)
    finally:
        watcher.cancel()


def _render(build: Callable[[], rendering.Rendered | comparisons.Plan], format: str, title: str,
            stopped: Callable[[], bool] = lambda: False) -> Entry:
    subject = build()
    if isinstance(subject, comparisons.Plan):
        # A form drawn from the diff alone does not hold the old text while it is made.
        subject = subject.make(with_old_text=format not in comparisons.DIFF_FORMS)
    headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
    if format in ("html", "fragment"):
        headers["Content-Security-Policy"] = RENDERING_POLICY
    if format in rendering.BINARY:
        # A file to save, named after what it shows (slugs and numbers: no quoting needed).
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(subject)}.{format}"'
    with budget.limited("amending instructions", rendering.INSTRUCTION_WORK, stopped):
        body = rendering.render_utf8(subject, format, title=title)
    return Entry(rendering.etag_of(subject, format), body, rendering.FORMATS[format], tuple(headers.items()))


def _file_name(subject: rendering.Rendered) -> str:
    if isinstance(subject, rendering.VersionExport):
        return f"{subject.about.document}-{subject.about.version}"
    comparison = subject.comparison if isinstance(subject, rendering.KeelingSchedule) else subject
    name = comparison.new_name if isinstance(subject, rendering.KeelingSchedule) else \
        f"{comparison.old_name}-to-{comparison.new_name}"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:120]


def _responses(model: type | None, offered: tuple[str, ...], *errors: int,
               **descriptions: str) -> dict[int | str, dict[str, Any]]:
    text, binary = {"schema": {"type": "string"}}, {"schema": {"type": "string", "format": "binary"}}
    content = {rendering.FORMATS[name]: binary if name in rendering.BINARY else text for name in offered}
    if model is not None:
        content["application/json"] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    return {
        200: {"description": "The rendering, in the format asked for",
              "content": content,
              "headers": {"ETag": {"description": "Strong; derived from the texts, amendments and format",
                                   "schema": {"type": "string"}},
                          "Vary": {"description": "Accept", "schema": {"type": "string"}}}},
        304: {"description": "Not modified: If-None-Match names the current ETag"},
        **problem_responses(404, 406, *errors, **descriptions)}


_S503 = "`renderer-unavailable`: PDF needs LibreOffice, which is not installed here, failed or took too long"


def _get(path: str, *, model: type | None, summary: str, description: str,
         offered: tuple[str, ...] = rendering.COMPARISON_FORMATS, errors: tuple[int, ...] = (),
         **descriptions: str) -> Callable:
    """Register the endpoint at ``path`` (format by query or Accept) and at
    ``path.{suffix}`` (format by suffix)."""
    by_query_or_accept, by_suffix = _negotiators(offered)

    def register(endpoint: Callable) -> Callable:
        common = dict(methods=["GET"], response_model=model, summary=summary, description=description,
                      responses=_responses(model, offered, *errors, 503, s503=_S503, **descriptions))
        router.add_api_route(path, endpoint, name=endpoint.__name__,
                             dependencies=[Depends(by_query_or_accept)], **common)
        router.add_api_route(path + ".{suffix}", endpoint, name=f"{endpoint.__name__}_by_suffix",
                             dependencies=[Depends(by_suffix)], **common)
        return endpoint
    return register


_S409 = ("`patch-does-not-apply`: an amendment does not apply to the version (after those before it); "
         "`amendment` and `hunks` say which and where")
Amendments = Annotated[str, Query(description="Comma-separated amendment slugs, applied in this order: at most "
                                              f"{MAX_NAMED}, each once",
                                  max_length=MAX_SLUG_LIST_CHARS, json_schema_extra=SLUG_LIST,
                                  examples=["profit-ban,innovation-fund-pilot"])]


def _slugs(amendments: str) -> list[str]:
    slugs = slug_list(amendments)
    if not slugs:
        raise InvalidInput("name at least one amendment", field="amendments")
    return slugs


@_get("/redline", model=schemas.DiffPublic, summary="Redline of one version against another",
      description="Changes are attributed along the chain of versions to the amendment that produced each one.")
async def redline_versions(document: DocumentDep, session: SessionDep, request: Request,
                           from_: Annotated[int, Query(alias="from", ge=1, le=schemas.MAX_NUMBER,
                                                       description="Old version number")],
                           to: Annotated[int, Query(ge=1, le=schemas.MAX_NUMBER, description="New version number")],
                           if_none_match: IfNoneMatch = None):
    return await _respond(request, session, document, if_none_match,
                          lambda: comparisons.plan_versions(session, document, from_, to),
                          title=f"{document.title}: redline")


@_get("/versions/{n}/redline", model=schemas.DiffPublic, errors=(409,), s409=_S409,
      summary="Redline of a version against amendments applied to it in order",
      description="All or nothing: if an amendment does not apply after those before it, the answer is a 409.")
async def redline_amendments(document: DocumentDep, n: VersionNumber, session: SessionDep, request: Request,
                             amendments: Amendments, if_none_match: IfNoneMatch = None):
    slugs = _slugs(amendments)
    return await _respond(request, session, document, if_none_match,
                          lambda: comparisons.plan_amendments(session, document, n, slugs),
                          title=f"{document.title}: redline")


@_get("/amendments/{slug}/redline", model=schemas.DiffPublic, errors=(409,), s409=_S409,
      summary="Redline of a version against one amendment",
      description="The version is the amendment's own base unless `version` names another.")
async def redline_amendment(document: DocumentDep, slug: AmendmentSlug, session: SessionDep, request: Request,
                            version: Annotated[int | None, Query(
                                ge=1, le=schemas.MAX_NUMBER,
                                description="Version number (default: the amendment's base)")] = None,
                            if_none_match: IfNoneMatch = None):
    return await _respond(request, session, document, if_none_match,
                          lambda: rendering.plan_amendment_redline(session, document, slug, version),
                          title=f"{document.title}: amendment {slug}")


@_get("/amendments/{slug}/export", model=None, offered=rendering.AMENDMENT_FORMATS,
      summary="An amendment as an Akoma Ntoso 3.0 amendment document",
      description="`export.akn`: the amending instructions as `mod`s (`quotedText`, `quotedStructure`), a "
                  "`textualMod` each (substitution, insertion, repeal, renumbering) pointing at the destination "
                  "`eId` in the version amended, and the rationale and citations as the `amendmentJustification`.")
async def amendment_export(document: DocumentDep, slug: AmendmentSlug, session: SessionDep, request: Request,
                           if_none_match: IfNoneMatch = None):
    return await _respond(request, session, document, if_none_match,
                          lambda: rendering.amendment_export(session, document, slug))


@_get("/versions/{n}/keeling", model=schemas.KeelingPublic, errors=(409,),
      s409="`patch-does-not-apply`: an amendment does not apply to the version even alone (one that only does "
           "not apply after those before it is withheld, with a notice); `amendment` and `hunks` say which and where",
      summary="Keeling schedule: the version as amended, every change marked, attributed and noted",
      description="Amendments that conflict with another chosen one are not applied; the schedule states each "
                  "conflict where it arises (and lists them in `conflicts` and `withheld` as JSON). Without "
                  "`amendments`, the schedule shows every amendment made against the version that is not "
                  "rejected or withdrawn, in the order they were proposed.")
async def keeling(document: DocumentDep, n: VersionNumber, session: SessionDep, request: Request,
                  amendments: Annotated[str | None, Query(
                      description=f"Comma-separated amendment slugs, in order, at most {MAX_NAMED}, each once "
                                  "(default: every draft, proposed or accepted amendment of this version)",
                      max_length=MAX_SLUG_LIST_CHARS, json_schema_extra=SLUG_LIST)] = None,
                  if_none_match: IfNoneMatch = None):
    slugs = None if amendments is None else _slugs(amendments)
    return await _respond(request, session, document, if_none_match, lambda: rendering.keeling_schedule(
        session, document, n, rendering.schedule_amendments(session, document, n) if slugs is None else slugs))


@_get("/versions/{n}/export", model=None, offered=rendering.VERSION_FORMATS,
      summary="A version as a whole document: Akoma Ntoso 3.0, Word or PDF",
      description="`export.akn` is the version as an AKN act (FRBR work and expression metadata, the body's "
                  "provisions with eIds); `export.docx` a Word document that names the version in its custom "
                  "properties and tracks changes made to it, for `regdraft import --as-amendment`; `export.pdf` "
                  "that document laid out for print. By Accept, AKN comes first.")
async def version_export(document: DocumentDep, n: VersionNumber, session: SessionDep, request: Request,
                         if_none_match: IfNoneMatch = None):
    return await _respond(request, session, document, if_none_match,
                          lambda: rendering.version_export(session, document, n))
