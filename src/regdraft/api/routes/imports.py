"""Importing files: ``POST /api/documents/import`` and a version's source."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query, status
from fastapi import Response as HTTPResponse

from regdraft.api import schemas
from regdraft.api.deps import DocumentDep, SessionDep, VersionNumber, WriterDep
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.core.errors import NotFound
from regdraft.core.traditions import KINDS
from regdraft.formats import FORMATS
from regdraft.services import documents, imports
from regdraft.services.auth import Action, authorize

router = APIRouter(prefix="/documents")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A media type that names the format; anything else (application/xml, application/octet-stream)
# leaves the format to be recognised from the content.
FORMAT_OF_MEDIA_TYPE = {DOCX: "docx", "text/plain": "text", "text/markdown": "text", "application/akn+xml": "akn"}
_MEDIA_TYPES = ("application/xml", "text/xml", "application/akn+xml", DOCX, "text/plain", "application/octet-stream")

_BODY = {"requestBody": {"required": True, "description": "The file itself, as the request body",
                         "content": {media: {"schema": {"type": "string", "format": "binary"}}
                                     for media in _MEDIA_TYPES}}}


@router.post("/import", response_model=schemas.ImportPublic, status_code=status.HTTP_201_CREATED,
             tags=["documents"], summary="Import a file as a new document or a new version",
             openapi_extra=_BODY,
             responses=problem_responses(
                 403, 404, 409, 413, 422,
                 s404="`as_version` names a document that does not exist",
                 s409="`already-exists`: a document has the slug; `stale-parent`",
                 s422="`invalid-format` (malformed or hostile file: XML with a DTD or entities, a zip bomb, "
                      "not the format named), `invalid-structure` (duplicate provisions), `invalid-input`"))
def import_document(
    writer: WriterDep, session: SessionDep, response: HTTPResponse,
    data: Annotated[bytes, Body(media_type="application/octet-stream", include_in_schema=False)],
    content_type: Annotated[str, Header(alias="Content-Type", include_in_schema=False)] = "",
    format: Annotated[Literal[FORMATS] | None, Query(
        description="The file's format (default: from the Content-Type where it names one, else from the "
                    "content)")] = None,
    kind: Annotated[Literal[KINDS] | None, Query(
        description="The document's kind (default: the kind the file declares)")] = None,
    document: Annotated[str | None, Query(
        description="The new document's slug (default: made from the title); with as_version, the document")] = None,
    as_version: Annotated[bool, Query(description="Add the file as the next version of `document`")] = False,
    author: Annotated[str, Query(description="The version's author (default: the token's name)")] = "",
    message: Annotated[str, Query(description="The version's message")] = "",
) -> schemas.ImportPublic:
    authorize(writer, Action.CREATE_VERSION if as_version else Action.CREATE_DOCUMENT)
    media = content_type.split(";", 1)[0].strip().lower()
    result = imports.import_file(session, data, format=format or FORMAT_OF_MEDIA_TYPE.get(media), kind=kind,
                                 document_slug=document, as_version=as_version, author=author or writer.name,
                                 message=message, actor=writer.name)
    view = Presenter(session)
    response.headers["Location"] = f"/api/documents/{result.document.slug}/versions/{result.version.number}"
    return schemas.ImportPublic(created_document=result.created_document, document=view.document(result.document),
                                version=view.version_summary(result.version),
                                source=view.version_source(imports.source_of(session, result.version)))


@router.get("/{doc}/versions/{n}/source", response_model=schemas.VersionSourcePublic, tags=["versions"],
            summary="Where an imported version came from: format, point in time, metadata, source ids, report",
            responses=problem_responses(404, 422, s404="No such document or version, or the version was not "
                                                       "imported"))
def get_version_source(document: DocumentDep, n: VersionNumber, session: SessionDep) -> schemas.VersionSourcePublic:
    version = documents.get_version(session, document, n)
    source = imports.source_of(session, version)
    if source is None:
        raise NotFound(f"version {n} of {document.slug!r} was not imported from a file", document=document.slug,
                       version=n)
    return Presenter(session).version_source(source)
