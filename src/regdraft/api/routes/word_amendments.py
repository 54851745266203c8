"""The Word round trip over HTTP: ``POST /api/documents/{doc}/word-amendments``
with an edited Word export as the body proposes its tracked changes as an amendment
(services/word_amendments.py), as ``regdraft import FILE --as-amendment`` does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status
from fastapi import Response as HTTPResponse
from pydantic import BaseModel, Field

from regdraft.api import schemas
from regdraft.api.deps import DocumentDep, SessionDep, WriterDep, slug_list
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.core.errors import InvalidInput
from regdraft.services import auth
from regdraft.services.word_amendments import propose_from_word

router = APIRouter(prefix="/documents/{doc}", tags=["amendments"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NotPlaced(BaseModel):
    kind: str = Field(description="`insert`, `delete`, or `untracked` (a difference made with tracking off)")
    text: str
    author: str
    reason: str


class WordAmendmentPublic(BaseModel):
    amendment: schemas.AmendmentPublic
    base: int = Field(description="The version the file was exported from, which the amendment is against")
    candidates: list[str] = Field(description="The revision authors, in the order they first revised")
    unplaced: list[NotPlaced] = Field(description="Tracked changes that could not be placed (with `partial`)")
    untracked: list[NotPlaced] = Field(description="Differences made with change tracking off: not proposed")


@router.post("/word-amendments", response_model=WordAmendmentPublic, status_code=status.HTTP_201_CREATED,
             summary="Propose the tracked changes of an edited Word export as an amendment",
             description="The body is a .docx exported by regdraft (`…/versions/{n}/export.docx` or a redline's "
                         ".docx) and edited with Track Changes on. The amendment is against the version the "
                         "file names in its custom properties; the proposer is `proposer`, else the first "
                         "revision author who is a stakeholder; comments quoting a response become citations, "
                         "the others the rationale.",
             # Not under /amendments/{slug}: a path that one of those would also match answers
             # OPTIONS with their methods in Allow, which this resource does not have.
             openapi_extra={"requestBody": {"required": True, "content": {
                 media: {"schema": {"type": "string", "format": "binary"}}
                 for media in (DOCX, "application/octet-stream")}}},
             responses=problem_responses(
                 403, 404, 409, 413, 422,
                 s409="`already-exists`: the slug is taken",
                 s422="`invalid-input`: not a Word file, a hostile one, no tracked changes, a file exported from "
                      "another document or version, changes that cannot be placed (`unplaced`), no proposer"))
def propose_from_word_file(
    writer: WriterDep, document: DocumentDep, session: SessionDep, response: HTTPResponse,
    data: Annotated[bytes, Body(media_type=DOCX, include_in_schema=False)],
    slug: Annotated[str, Query(description="The amendment's slug")],
    categories: Annotated[str, Query(description="Comma-separated categories")],
    title: Annotated[str, Query(description="The amendment's title")] = "Tracked changes in Word",
    proposer: Annotated[str | None, Query(description="The proposer's stakeholder slug")] = None,
    partial: Annotated[bool, Query(description="Propose what can be placed when some changes cannot")] = False,
) -> WordAmendmentPublic:
    chosen = slug_list(categories)
    if not chosen:
        raise InvalidInput("name at least one category", field="categories")
    amendment, word = propose_from_word(
        session, document, data, slug=slug, title=title, categories=chosen, actor=writer.name, proposer=proposer,
        partial=partial, check=lambda who, cited: auth.check_proposal(session, writer, document, who, cited))
    response.headers["Location"] = f"/api/documents/{document.slug}/amendments/{amendment.slug}"
    return WordAmendmentPublic(amendment=Presenter(session).amendment(amendment), base=word.base.number,
                               candidates=word.candidates,
                               unplaced=[NotPlaced(**u.as_dict()) for u in word.unplaced],
                               untracked=[NotPlaced(**u.as_dict()) for u in word.untracked])
