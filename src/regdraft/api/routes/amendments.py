"""Amendments: propose, read, change status, accept, apply (one or an ordered set) and
find conflicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request, status
from fastapi import Response as HTTPResponse
from fastapi.responses import JSONResponse

from regdraft.api import present, schemas
from regdraft.api.deps import (MAX_SLUG_LIST_CHARS, SLUG_LIST, AmendmentSlug, DocumentDep, Limit, Offset,
                               SessionDep, WriterDep, parse_if_match, reads_by_post, slug_list, write_transaction,
                               writes_in_route)
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.core.errors import InvalidInput, PatchDoesNotApply, PreconditionRequired
from regdraft.core.text import content_hash
from regdraft.services import amendments as amendment_service
from regdraft.services import auth, batches, decisions, previews
from regdraft.services import documents, search
from regdraft.services.amendments import AmendmentInput, CitationInput
from regdraft.store.models import Stakeholder, Version

router = APIRouter(prefix="/documents/{doc}", tags=["amendments"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description='The amendment\'s ETag, e.g. "3": '
                                                                    "used as `revision` when the body has none")]

_S404 = "`not-found`: no such document or amendment"
_STALE = "`invalid-transition`: the workflow does not allow it, or `revision` is stale (the problem says the " \
         "current `revision` and `current_status`)"
_S403 = "`forbidden`: reviewers and admins accept and reject; a stakeholder changes only its own amendments"
_S422 = "`invalid-input`: rejecting without a `reason`, or an unknown status (`field`); `invalid-text`"
_FAILS = "`patch-does-not-apply`: hunks failed; `hunks` is the report ({hunk, status, expected_at, found_at, shift})"


def _input(body: schemas.AmendmentCreate | schemas.AmendmentRevise, *, slug: str, proposer: str, base: int,
           status: str) -> AmendmentInput:
    return AmendmentInput(slug=slug, title=body.title, proposer=proposer, base=base, categories=list(body.categories),
                          rationale=body.rationale, patch_text=body.patch_text, new_text=body.new_text,
                          instructions=body.instructions, status=status,
                          citations=[CitationInput(c.response, c.quote) for c in body.citations])


_PROPOSAL_409 = ("`already-exists` (the slug is taken) or `patch-does-not-apply` (the patch was made against "
                 "another text; `hunks` is the report)")


def _proposal(session, writer, document, body: schemas.AmendmentCreate) -> AmendmentInput:
    """The body of a proposal (or of its preview), once the token may make it."""
    auth.check_proposal(session, writer, document, body.proposer, [c.response for c in body.citations])
    return _input(body, slug=body.slug, proposer=body.proposer, base=body.base, status=body.status)


def _location(document_slug: str, slug: str) -> str:
    return f"/api/documents/{document_slug}/amendments/{slug}"


@router.get("/amendments", response_model=schemas.AmendmentList, summary="List amendments",
            responses=problem_responses(404, 422, s422="Unknown `status` or `category`, or a `q` with nothing to "
                                                      "look for (`invalid-input`, `field`)"))
def list_amendments(document: DocumentDep, session: SessionDep,
                    status_: Annotated[str | None, Query(alias="status",
                                                         description=", ".join(amendment_service.STATUSES),
                                                         json_schema_extra={"enum": list(amendment_service.STATUSES)})
                    ] = None,
                    category: Annotated[str | None, Query(description="One of the document's categories")] = None,
                    stakeholder: Annotated[str | None, Query(description="The proposer's slug")] = None,
                    provision: Annotated[str | None, Query(description="A provision id the amendment touches",
                                                           examples=["reg-3"])] = None,
                    q: Annotated[str | None, Query(max_length=search.MAX_QUERY_CHARS, description=(
                        "Only amendments whose title, rationale or inserted or removed words match this search "
                        "(the query language of `GET /api/search`)"))] = None,
                    offset: Offset = 0, limit: Limit = 50) -> schemas.AmendmentList:
    rows, total = amendment_service.list_amendments(session, document, status=status_, category=category,
                                                    proposer=stakeholder, provision=provision, q=q, offset=offset,
                                                    limit=limit)
    view = Presenter(session)
    return schemas.AmendmentList(items=[view.amendment_summary(a) for a in rows], total=total, offset=offset,
                                 limit=limit)


@router.post("/amendments", response_model=schemas.AmendmentPublic, status_code=status.HTTP_201_CREATED,
             summary="Propose an amendment",
             responses=problem_responses(
                 403, 404, 409, 413, 422,
                 s403="`forbidden`: a stakeholder token proposing for another stakeholder or citing another's "
                      "response, or a role that may not propose",
                 s404="`not-found`: no such document, base version, proposer or cited response (`citation` "
                      "numbers the citation from 1)",
                 s409=_PROPOSAL_409,
                 s422="`invalid-patch` (with `line`), `invalid-instruction` (with `instruction`, its number), "
                      "`invalid-input` (slug, category, status, ...: `field`), "
                      "`quote-not-found` (`citation`, `response`, `quote`), `invalid-text`, `validation-error`"))
@writes_in_route
def propose(writer: WriterDep, document: DocumentDep, body: schemas.AmendmentCreate, session: SessionDep,
            request: Request, response: HTTPResponse) -> schemas.AmendmentPublic:
    data = _proposal(session, writer, document, body)
    # The patch is applied and read, and the quotes anchored, before the write lock is taken.
    prepared = amendment_service.prepare(session, document, data)
    session.rollback()
    with write_transaction(request) as writing:
        document = documents.get_document(writing, document.slug)
        amendment = amendment_service.propose(writing, document, data, actor=writer.name, prepared=prepared)
        response.headers["Location"] = _location(document.slug, amendment.slug)
        response.headers["ETag"] = f'"{amendment.revision}"'
        return Presenter(writing).amendment(amendment)


@router.post("/amendments/preview", response_model=schemas.AmendmentPreview,
             summary="Preview a proposal: what proposing it would store, nothing stored",
             description="The body is the one `POST …/amendments` takes. The answer is what proposing it would "
                         "store and how: the hunks with their report on the base and, when the head has moved on, "
                         "on the head; each citation checked against its response (`ok`, or the `problem` "
                         "proposing would answer); and `diff`, the base against the amended text in the shape of "
                         "`GET …/diff`. Any other check proposing makes refuses the preview with the same problem. "
                         "Nothing is stored and no event is written; the token needs what proposing needs.",
             responses=problem_responses(
                 403, 404, 409, 413, 422,
                 s403="`forbidden`: as for proposing (a stakeholder previews only its own amendments, citing "
                      "only its own responses)",
                 s404="`not-found`: no such document, base version or proposer (an unknown cited response is "
                      "reported in `citations`)",
                 s409=_PROPOSAL_409,
                 s422="as for proposing: `invalid-patch`, `invalid-instruction`, `invalid-input` (`field`), "
                      "`invalid-text`, `validation-error`"))
@reads_by_post
def preview(writer: WriterDep, document: DocumentDep, body: schemas.AmendmentCreate, session: SessionDep,
            request: Request) -> JSONResponse:
    data = _proposal(session, writer, document, body)
    return JSONResponse(Presenter(session).proposal_preview(previews.preview_proposal(session, document, data),
                                                           request))


@router.get("/amendments/{slug}", response_model=schemas.AmendmentPublic, summary="An amendment",
            responses={200: {"headers": {"ETag": {"description": 'The revision, quoted: "3"',
                                                  "schema": {"type": "string"}}},
                             "description": "The amendment"},
                       **problem_responses(404, s404=_S404)})
def get_amendment(document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
                  response: HTTPResponse) -> schemas.AmendmentPublic:
    amendment = amendment_service.get_amendment(session, document, slug)
    response.headers["ETag"] = f'"{amendment.revision}"'
    return Presenter(session).amendment(amendment)


@router.put("/amendments/{slug}", response_model=schemas.AmendmentPublic,
            summary="Revise an open amendment: new text, citations, categories (its next revision)",
            description="`If-Match` (the ETag of the revision you read, e.g. `\"3\"`) is required: a stale one "
                        "is a 409 and changes nothing. Only a draft or proposed amendment can be revised; its "
                        "slug, proposer and status stay. The answer's `hunks` are the new hunk report.",
            responses={200: {"headers": {"ETag": {"description": 'The new revision, quoted: "4"',
                                                  "schema": {"type": "string"}}},
                             "description": "The amendment at its new revision"},
                       **problem_responses(
                           403, 404, 409, 413, 422, 428, s404=_S404,
                           s403="`forbidden`: a stakeholder revises only its own amendments and cites only its "
                                "own responses; reviewers and readers revise none",
                           s409=f"{_STALE}; `patch-does-not-apply` (the patch was made against another text)",
                           s422="as for proposing: `invalid-patch`, `invalid-instruction`, `invalid-input` "
                                "(`field`), `quote-not-found`, `invalid-text`",
                           s428="`precondition-required`: no `If-Match`")})
@writes_in_route
def revise(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug, body: schemas.AmendmentRevise,
           session: SessionDep, request: Request, response: HTTPResponse,
           if_match: IfMatch = None) -> schemas.AmendmentPublic:
    revision = parse_if_match(if_match)
    if revision is None:
        raise PreconditionRequired("revising an amendment needs If-Match with the revision you read, e.g. "
                                   '"3" (its ETag)', field="If-Match")
    amendment = amendment_service.get_amendment(session, document, slug)
    proposer = session.get(Stakeholder, amendment.proposer_id).slug
    auth.check_proposal(session, writer, document, proposer, [c.response for c in body.citations])
    amendment_service.check_revisable(amendment, revision)
    data = _input(body, slug=slug, proposer=proposer, status=amendment.status,
                  base=body.base or session.get(Version, amendment.base_version_id).number)
    prepared = amendment_service.prepare(session, document, data)
    session.rollback()
    with write_transaction(request) as writing:
        document = documents.get_document(writing, document.slug)
        amendment = amendment_service.revise_open(writing, amendment_service.get_amendment(writing, document, slug),
                                                  data, actor=writer.name, revision=revision, prepared=prepared)
        response.headers["ETag"] = f'"{amendment.revision}"'
        return Presenter(writing).amendment(amendment)


@router.post("/amendments/{slug}/status", response_model=schemas.StatusResult,
             summary="Change an amendment's status (accepted creates the next version)",
             description="Every change takes a `reason`, kept with the decision; rejecting needs one.",
             responses=problem_responses(403, 404, 409, 413, 422, s404=_S404, s403=_S403, s422=_S422,
                                         s409=f"{_STALE}; or, when accepting, {_FAILS}"))
@writes_in_route
def set_status(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug, body: schemas.StatusChange,
               session: SessionDep, request: Request, response: HTTPResponse,
               if_match: IfMatch = None) -> schemas.StatusResult:
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.check_status_change(session, writer, amendment, body.status)
    revision = body.revision if body.revision is not None else parse_if_match(if_match)
    prepared = _acceptance(session, document, amendment) if body.status == "accepted" else None
    session.rollback()
    with write_transaction(request) as writing:
        document, amendment = _again(writing, writer, document, slug, body.status)
        amendment_service.set_status(writing, amendment, body.status, actor=writer.name, revision=revision,
                                     reason=body.reason, prepared=prepared)
        view = Presenter(writing)
        produced = amendment_service.produced_version(writing, amendment) if body.status == "accepted" else None
        response.headers["ETag"] = f'"{amendment.revision}"'
        return schemas.StatusResult(amendment=view.amendment(amendment),
                                    version=view.version_summary(produced) if produced else None)


def _acceptance(session, document, amendment) -> amendment_service.PreparedAcceptance:
    """Accepting's heavy work, done on the head as read now, before the write lock."""
    head = documents.head(session, document)
    return amendment_service.prepare_acceptance(document, amendment, head.text, head.content_hash)


def _again(writing, writer, document, slug: str, status_: str):
    """The document and amendment read again in the writing transaction, and the
    change authorized again on what is stored now."""
    document = documents.get_document(writing, document.slug)
    amendment = amendment_service.get_amendment(writing, document, slug)
    auth.check_status_change(writing, writer, amendment, status_)
    return document, amendment


@router.put("/amendments/{slug}/falls-if", response_model=schemas.AmendmentPublic,
            summary="Which amendments make this one fall if accepted",
            description="Accepting any of them marks this amendment `fallen`, with the reason, while it is open.",
            responses=problem_responses(
                403, 404, 413, 422, s404=_S404, s403="`forbidden`: drafters, reviewers and admins order amendments",
                s422="`invalid-input`: it names itself or another document's amendment"))
def put_falls_if(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug, body: schemas.FallsIfPut,
                 session: SessionDep, response: HTTPResponse) -> schemas.AmendmentPublic:
    auth.authorize(writer, auth.Action.ORDER)
    amendment = amendment_service.get_amendment(session, document, slug)
    decisions.set_falls_if(session, amendment, amendment_service.resolve(session, document,
                                                                        list(dict.fromkeys(body.amendments))),
                           actor=writer.name)
    response.headers["ETag"] = f'"{amendment.revision}"'
    return Presenter(session).amendment(amendment)


@router.post("/amendments/{slug}/accept", response_model=schemas.VersionSummary,
             status_code=status.HTTP_201_CREATED, summary="Accept an amendment: the next version",
             responses=problem_responses(403, 404, 409, 413, 422, s404=_S404, s403=_S403,
                                         s409=f"{_STALE}; or {_FAILS}"))
@writes_in_route
def accept(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
           request: Request, response: HTTPResponse,
           body: Annotated[schemas.AcceptRequest | None, Body()] = None,
           if_match: IfMatch = None) -> schemas.VersionSummary:
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.check_status_change(session, writer, amendment, "accepted")
    revision = body.revision if body is not None and body.revision is not None else parse_if_match(if_match)
    # The patch is applied and the next version read before the write lock is taken.
    prepared = _acceptance(session, document, amendment)
    session.rollback()
    with write_transaction(request) as writing:
        document, amendment = _again(writing, writer, document, slug, "accepted")
        version = amendment_service.accept(writing, amendment, actor=writer.name, revision=revision,
                                           reason=body.reason if body is not None else "", prepared=prepared)
        response.headers["Location"] = f"/api/documents/{document.slug}/versions/{version.number}"
        return Presenter(writing).version_summary(version)


@router.post("/decisions", response_model=schemas.BatchPublic, summary="Decide several amendments at once",
             description="One transaction, all or nothing: the decisions are taken in order (each acceptance "
                         "applies to the head the ones before it left) and, if one fails, nothing is decided and "
                         "the problem names it (`decision`, from 1, and `amendment`).",
             responses=problem_responses(
                 403, 404, 409, 413, 422, s404=_S404, s403=_S403, s409=f"{_STALE}; or {_FAILS}",
                 s422="`invalid-input`: no decisions, more than the limit, one amendment decided twice "
                      "differently, a rejection without a `reason` (`field`, `decision`); `invalid-text`"))
@writes_in_route
def decide_all(writer: WriterDep, document: DocumentDep, body: schemas.DecisionsRequest,
               session: SessionDep, request: Request) -> schemas.BatchPublic:
    requests = batches.deduplicated([batches.DecisionRequest(d.amendment, d.status, d.reason, d.revision)
                                     for d in body.decisions])
    _authorize_all(session, writer, document, requests)
    # Every acceptance's patch is applied, in turn, before the write lock is taken.
    prepared = batches.prepare_all(session, document, requests)
    session.rollback()
    with write_transaction(request) as writing:
        document = documents.get_document(writing, document.slug)
        _authorize_all(writing, writer, document, requests)
        return Presenter(writing).batch(batches.decide_all(writing, document, requests, actor=writer.name,
                                                           prepared=prepared))


def _authorize_all(session, writer, document, requests: list[batches.DecisionRequest]) -> None:
    for decision, amendment in zip(requests, amendment_service.resolve(session, document,
                                                                       [r.amendment for r in requests])):
        auth.check_status_change(session, writer, amendment, decision.status)


@router.get("/decisions/{batch}", response_model=schemas.BatchPublic, summary="A bulk decision, read back",
            responses=problem_responses(404, s404="`not-found`: no such document or bulk decision"))
def get_batch(document: DocumentDep, batch: Annotated[str, Path(max_length=40, pattern="^[0-9a-f]+$")],
              session: SessionDep) -> schemas.BatchPublic:
    return Presenter(session).batch(batches.batch_report(session, document, batch))


@router.get("/amendments/{slug}/apply", response_model=schemas.ApplyReport,
            summary="Try an amendment on a version: the hunk-by-hunk report",
            responses=problem_responses(404, 409, 422, s404=_S404, s409=_FAILS))
def apply_one(document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
              version: Annotated[int | None, Query(ge=1, le=schemas.MAX_NUMBER,
                                                   description="Version number (default: the head)")] = None,
              partial: Annotated[bool, Query(description="Apply the hunks that apply; report the rest")] = False,
              ) -> schemas.ApplyReport:
    amendment = amendment_service.get_amendment(session, document, slug)
    target = _version_or_head(session, document, version)
    outcome = amendment_service.apply_amendments(session, document, target, [amendment], partial=partial)
    step = outcome.steps[0]
    if outcome.text is None:
        raise PatchDoesNotApply(f"amendment {slug!r} does not apply to version {target.number}",
                                amendment=slug, version=target.number, hunks=[h.as_dict() for h in step.hunks])
    return schemas.ApplyReport(amendment=slug, version=target.number, ok=step.ok,
                               hunks=present.hunk_reports(step.hunks), text=outcome.text,
                               content_hash=content_hash(outcome.text))


@router.post("/apply", response_model=schemas.ApplySetReport, summary="Apply amendments in order to a version",
             responses=problem_responses(
                 404, 409, 413, 422, s404=_S404,
                 s409=f"{_FAILS}; `amendment` names the one that failed and `steps` the reports so far"))
def apply_set(document: DocumentDep, body: schemas.ApplyRequest, session: SessionDep) -> schemas.ApplySetReport:
    target = documents.get_version(session, document, body.version)
    chosen = amendment_service.resolve(session, document, amendment_service.check_named(body.amendments))
    outcome = amendment_service.apply_amendments(session, document, target, chosen, partial=body.partial)
    steps = [schemas.ApplyStep(amendment=step.amendment.slug, ok=step.ok,
                               hunks=present.hunk_reports(step.hunks)) for step in outcome.steps]
    if outcome.text is None:
        failed = outcome.steps[-1]
        raise PatchDoesNotApply(
            f"amendment {failed.amendment.slug!r} does not apply to version {target.number} "
            f"(after {len(outcome.steps) - 1} earlier amendment(s))",
            amendment=failed.amendment.slug, version=target.number,
            hunks=[h.as_dict() for h in failed.hunks], steps=[s.model_dump() for s in steps])
    return schemas.ApplySetReport(version=target.number, amendments=[a.slug for a in chosen],
                                  ok=all(s.ok for s in steps), steps=steps, text=outcome.text,
                                  content_hash=content_hash(outcome.text))


@router.get("/conflicts", response_model=schemas.ConflictList, summary="Which amendments touch the same text",
            responses=problem_responses(404, 422))
def conflicts(document: DocumentDep, session: SessionDep,
              amendments: Annotated[str | None, Query(
                  description=f"Comma-separated slugs, at most {amendment_service.MAX_NAMED}, each once (default: "
                              "every draft and proposed amendment)", max_length=MAX_SLUG_LIST_CHARS,
                  json_schema_extra=SLUG_LIST)] = None,
              ) -> schemas.ConflictList:
    if amendments is None:
        chosen = amendment_service.open_amendments(session, document)
    else:
        slugs = slug_list(amendments)
        if not slugs:
            raise InvalidInput("name at least one amendment, or leave out `amendments` for all open ones",
                               field="amendments")
        chosen = amendment_service.resolve(session, document, slugs)
    pairs = amendment_service.conflicts(session, document, chosen)
    return schemas.ConflictList(
        amendments=[a.slug for a in chosen],
        conflicts=[schemas.ConflictPublic(first=p.first, second=p.second, kind=p.kind,
                                          provisions=[schemas.ProvisionRef(id=i, label=l) for i, l in p.provisions])
                   for p in pairs])


def _version_or_head(session, document, number: int | None):
    if number is not None:
        return documents.get_version(session, document, number)
    head = documents.head(session, document)
    if head is None:
        return documents.get_version(session, document, 1)  # raises NotFound naming version 1
    return head
