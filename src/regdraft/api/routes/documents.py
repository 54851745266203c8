"""Documents, their versions, and diffs between versions (or a version and amendments)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, status
from fastapi import Response as HTTPResponse
from fastapi.responses import PlainTextResponse

from regdraft.api import schemas
from regdraft.api.deps import (MAX_SLUG_LIST_CHARS, SLUG_LIST, DocumentDep, Limit, Offset, SessionDep,
                               VersionNumber, WriterDep, page, slug_list)
from regdraft.api.errors import problem_responses
from regdraft.api.negotiation import none_match
from regdraft.api.present import Presenter
from regdraft.core.errors import InvalidInput
from regdraft.core.structure_report import structure_report, unit_counts
from regdraft.services import comparisons, documents, tokens
from regdraft.services.amendments import MAX_NAMED
from regdraft.services.auth import Action, authorize

router = APIRouter(prefix="/documents")

DiffFormat = Annotated[Literal["json", "unified"], Query(
    description="json: changes grouped by provision; unified: a line-based unified diff (text/plain)")]
Unchanged = Annotated[bool, Query(description="Include unchanged groups, so the ops rebuild both texts")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", description="An ETag from an earlier diff")]

_DIFF_200 = {200: {"description": "The diff (JSON, or text/plain for format=unified)",
                   "content": {"text/plain": {"schema": {"type": "string"}}},
                   "headers": {"ETag": {"description": "Derived from the texts and amendments compared",
                                        "schema": {"type": "string"}}}},
             304: {"description": "Not modified (If-None-Match matched the ETag)"}}


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


# Documents -------------------------------------------------------------------------

@router.get("", response_model=schemas.DocumentList, tags=["documents"], summary="List documents",
            responses=problem_responses(422))
def list_documents(session: SessionDep, offset: Offset = 0, limit: Limit = 50) -> schemas.DocumentList:
    rows, total = documents.list_documents(session, offset=offset, limit=limit)
    view = Presenter(session)
    return schemas.DocumentList(items=[view.document_summary(d) for d in rows], total=total, offset=offset,
                                limit=limit)


@router.post("", response_model=schemas.DocumentPublic, tags=["documents"], status_code=status.HTTP_201_CREATED,
             summary="Create a document",
             responses=problem_responses(403, 409, 413, 422,
                                         s409="A document with this slug exists (`already-exists`)"))
def create_document(writer: WriterDep, body: schemas.DocumentCreate, session: SessionDep,
                    response: HTTPResponse) -> schemas.DocumentPublic:
    authorize(writer, Action.CREATE_DOCUMENT)
    document = documents.create_document(session, slug=body.slug, title=body.title, description=body.description,
                                         notice=body.notice, kind=body.kind, strict=body.strict,
                                         actor=writer.name)
    documents.set_categories(session, document, _categories(body.categories), actor=writer.name)
    response.headers["Location"] = f"/api/documents/{document.slug}"
    return Presenter(session).document(document)


def _categories(given: list[schemas.CategoryIn]) -> list[documents.Category]:
    return [documents.Category(c.slug, c.title) for c in given]


@router.put("/{doc}/categories", response_model=schemas.DocumentPublic, tags=["documents"],
            summary="Set the categories the document's consultation files amendments under",
            responses=problem_responses(403, 404, 413, 422, s422="A category is not a slug or is listed twice "
                                                                 "(`invalid-input`), or amendments are filed "
                                                                 "under one left out (`in_use` names them)"))
def put_categories(writer: WriterDep, document: DocumentDep, body: schemas.CategoriesPut,
                   session: SessionDep) -> schemas.DocumentPublic:
    authorize(writer, Action.CREATE_DOCUMENT)
    documents.set_categories(session, document, _categories(body.categories), actor=writer.name)
    return Presenter(session).document(document)


@router.get("/{doc}", response_model=schemas.DocumentPublic, tags=["documents"],
            summary="A document, its head and counts", responses=problem_responses(404))
def get_document(document: DocumentDep, session: SessionDep) -> schemas.DocumentPublic:
    return Presenter(session).document(document)


# Versions --------------------------------------------------------------------------

@router.get("/{doc}/versions", response_model=schemas.VersionList, tags=["versions"], summary="List versions",
            responses=problem_responses(404, 422))
def list_versions(document: DocumentDep, session: SessionDep, offset: Offset = 0,
                  limit: Limit = 50) -> schemas.VersionList:
    rows = documents.list_versions(session, document)
    view = Presenter(session)
    return schemas.VersionList(items=[view.version_summary(v) for v in page(rows, offset, limit)], total=len(rows),
                               offset=offset, limit=limit)


@router.post("/{doc}/versions", response_model=schemas.VersionCreated, status_code=status.HTTP_201_CREATED,
             tags=["versions"], summary="Add the next version",
             responses=problem_responses(
                 403, 404, 409, 413, 422,
                 s409="`stale-parent`: `parent` is not the head; the problem's `head` and `head_hash` name it",
                 s422="`invalid-text` (NUL or other control characters, with `offset`), `invalid-structure` "
                      "(duplicate provisions; in a strict document, any structure warning, naming line and unit), "
                      "`invalid-input` (empty text, no author), `validation-error`"))
def create_version(writer: WriterDep, document: DocumentDep, body: schemas.VersionCreate, session: SessionDep,
                   response: HTTPResponse) -> schemas.VersionCreated:
    authorize(writer, Action.CREATE_VERSION)
    version = documents.create_version(session, document, text=body.text, parent=body.parent,
                                       author=body.author if body.author is not None else tokens.author_of(session, writer.name),
                                       message=body.message, actor=writer.name)
    response.headers["Location"] = f"/api/documents/{document.slug}/versions/{version.number}"
    found = documents.version_structure(session, document, version)  # kept by create_version
    return schemas.VersionCreated(**Presenter(session).version_summary(version).model_dump(),
                                  counts=unit_counts(found), warnings=[w._asdict() for w in found.warnings])


@router.get("/{doc}/versions/{n}", response_model=schemas.VersionPublic, tags=["versions"],
            summary="A version: metadata, text and provisions", responses=problem_responses(404, 422))
def get_version(document: DocumentDep, n: VersionNumber, session: SessionDep) -> schemas.VersionPublic:
    return Presenter(session).version(documents.get_version(session, document, n))


@router.get("/{doc}/versions/{n}/structure", response_model=schemas.StructurePublic, tags=["versions"],
            summary="A version's units and structure warnings, read as the document's kind",
            responses=problem_responses(404, 422))
def get_version_structure(document: DocumentDep, n: VersionNumber, session: SessionDep) -> dict:
    version = documents.get_version(session, document, n)
    return structure_report(documents.version_structure(session, document, version))


@router.get("/{doc}/versions/{n}/text", response_class=MarkdownResponse, tags=["versions"],
            summary="A version's text (text/markdown)",
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}},
                             "description": "The normalised Markdown text"},
                       **problem_responses(404, 422)})
def get_version_text(document: DocumentDep, n: VersionNumber, session: SessionDep) -> MarkdownResponse:
    version = documents.get_version(session, document, n)
    return MarkdownResponse(version.text, headers={"ETag": f'"{version.content_hash}"'})


# Diffs -----------------------------------------------------------------------------

def _diff_response(comparison: comparisons.Comparison, format: str, unchanged: bool, if_none_match: str | None):
    """The diff as JSON or unified text, with a strong ETag derived from its inputs
    (``If-None-Match`` with the same tag gets a 304)."""
    tag = f'"{comparison.etag}-{format}{"-all" if unchanged and format == "json" else ""}"'
    headers = {"ETag": tag}
    if none_match(if_none_match, tag):
        return HTTPResponse(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    if format == "unified":
        return PlainTextResponse(comparison.unified(), headers=headers)
    # The body is DiffPublic's shape already (tests/api/test_diffs.py validates it):
    # validating a long text's diff again here took seconds, longer than making it.
    return HTTPResponse(comparison.json_utf8(unchanged=unchanged, indented=False), media_type="application/json",
                        headers=headers)


@router.get("/{doc}/diff", response_model=schemas.DiffPublic, tags=["diffs"], summary="Diff two versions",
            responses={**_DIFF_200, **problem_responses(404, 422)})
def diff_versions(document: DocumentDep, session: SessionDep,
                  from_: Annotated[int, Query(alias="from", ge=1, le=schemas.MAX_NUMBER,
                                              description="Old version number")],
                  to: Annotated[int, Query(ge=1, le=schemas.MAX_NUMBER, description="New version number")],
                  format: DiffFormat = "json", unchanged: Unchanged = False, if_none_match: IfNoneMatch = None):
    comparison = comparisons.compare_versions(session, document, from_, to)
    return _diff_response(comparison, format, unchanged, if_none_match)


@router.get("/{doc}/versions/{n}/diff", response_model=schemas.DiffPublic, tags=["diffs"],
            summary="Diff a version against amendments applied to it in order",
            responses={**_DIFF_200, **problem_responses(
                404, 409, 422, s409="`patch-does-not-apply`: an amendment fails on the version; `amendment` and "
                                    "`hunks` say which and where")})
def diff_amendments(document: DocumentDep, n: VersionNumber, session: SessionDep,
                    amendments: Annotated[str, Query(description=f"Comma-separated amendment slugs, in order: at "
                                                                 f"most {MAX_NAMED}, each once",
                                                     max_length=MAX_SLUG_LIST_CHARS, json_schema_extra=SLUG_LIST,
                                                     examples=["profit-ban,scoped-pilot"])],
                    format: DiffFormat = "json", unchanged: Unchanged = False, if_none_match: IfNoneMatch = None):
    slugs = slug_list(amendments)
    if not slugs:
        raise InvalidInput("name at least one amendment to apply", field="amendments")
    comparison = comparisons.compare_amendments(session, document, n, slugs)
    return _diff_response(comparison, format, unchanged, if_none_match)
