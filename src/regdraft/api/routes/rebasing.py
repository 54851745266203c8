"""Rebasing amendments onto the head: which are stale, rebase one, a set or all, and
confirm a rebase that waits for a drafter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header

from regdraft.api import schemas
from regdraft.api.deps import AmendmentSlug, DocumentDep, SessionDep, WriterDep, parse_if_match
from regdraft.api.errors import problem_responses
from regdraft.core.errors import NotFound
from regdraft.services import amendments as amendment_service
from regdraft.services import auth, documents, rebasing
from regdraft.services.rebasing import Outcome
from regdraft.store.models import Stakeholder

router = APIRouter(prefix="/documents/{doc}", tags=["rebasing"])

_S403 = "`forbidden`: drafters and admins rebase any amendment; a stakeholder only its own"
_S409 = ("`invalid-transition`: the amendment is not open (draft or proposed), its revision is stale, or (confirming) "
         "no rebase waits or the head has moved since")


def outcome_public(outcome: Outcome) -> schemas.RebaseOutcome:
    renumbering = outcome.renumbering
    return schemas.RebaseOutcome(
        amendment=outcome.amendment, state=outcome.state, from_version=outcome.from_version,
        to_version=outcome.to_version, reason=outcome.reason, revision=outcome.revision, at=outcome.at,
        hunks=[schemas.HunkReport(**h) for h in outcome.hunks],
        renumbering=schemas.RenumberingPublic(provision=renumbering.provision, to=renumbering.to,
                                              references=list(renumbering.references)) if renumbering else None)


def _may_rebase(session, writer, amendment) -> bool:
    return auth.decide(writer, auth.Action.PROPOSE, session.get(Stakeholder, amendment.proposer_id).slug)


@router.get("/stale", response_model=schemas.StaleList, summary="Open amendments on an older base than the head",
            responses=problem_responses(404))
def stale(document: DocumentDep, session: SessionDep) -> schemas.StaleList:
    head = documents.head(session, document)
    rows = rebasing.stale(session, document)
    kept = rebasing.latest(session, rows)
    bases = {v.id: v.number for v in documents.list_versions(session, document)}
    return schemas.StaleList(head=head.number if head else None, items=[
        schemas.StaleAmendment(amendment=a.slug, title=a.title, status=a.status, base=bases[a.base_version_id],
                               head=head.number,
                               rebase=outcome_public(rebasing.stored(kept[a.id], a.slug)) if a.id in kept else None)
        for a in rows])


@router.post("/rebase", response_model=schemas.RebaseReport, summary="Rebase a set of amendments, or all stale ones",
             responses=problem_responses(403, 404, 409, 413, 422, s403=_S403, s409=_S409))
def rebase_set(writer: WriterDep, document: DocumentDep, session: SessionDep,
               body: Annotated[schemas.RebaseRequest | None, Body()] = None) -> schemas.RebaseReport:
    auth.authorize(writer, auth.Action.PROPOSE, writer.stakeholder)  # a role that may rebase something
    named = body.amendments if body is not None else None
    if named is None:
        # "All": every stale amendment this token may rebase (a stakeholder's own).
        slugs = [a.slug for a in rebasing.stale(session, document) if _may_rebase(session, writer, a)]
    else:
        for amendment in amendment_service.resolve(session, document, list(dict.fromkeys(named))):
            auth.authorize(writer, auth.Action.PROPOSE, session.get(Stakeholder, amendment.proposer_id).slug)
        slugs = named
    outcomes = rebasing.rebase(session, document, slugs, actor=writer.name) if slugs else []
    head = documents.head(session, document)
    return schemas.RebaseReport(head=head.number if head else 0, outcomes=[outcome_public(o) for o in outcomes])


@router.post("/amendments/{slug}/rebase", response_model=schemas.RebaseOutcome,
             summary="Rebase an amendment onto the head", responses=problem_responses(
                 403, 404, 409, 413, 422, s403=_S403, s409=_S409))
def rebase_one(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug,
               session: SessionDep) -> schemas.RebaseOutcome:
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.authorize(writer, auth.Action.PROPOSE, session.get(Stakeholder, amendment.proposer_id).slug)
    return outcome_public(rebasing.rebase(session, document, [slug], actor=writer.name)[0])


@router.post("/amendments/{slug}/rebase/confirm", response_model=schemas.RebaseOutcome,
             summary="Confirm a rebase that waits (fuzzy hunks, a renumbering)", responses=problem_responses(
                 403, 404, 409, 413, 422, s403=_S403, s409=_S409))
def confirm(writer: WriterDep, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
            body: Annotated[schemas.ConfirmRebase | None, Body()] = None,
            if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> schemas.RebaseOutcome:
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.authorize(writer, auth.Action.PROPOSE, session.get(Stakeholder, amendment.proposer_id).slug)
    revision = body.revision if body is not None and body.revision is not None else parse_if_match(if_match)
    return outcome_public(rebasing.confirm(session, document, amendment, actor=writer.name, revision=revision))


@router.get("/amendments/{slug}/rebase", response_model=schemas.RebaseOutcome,
            summary="An amendment's latest rebase", responses=problem_responses(
                404, s404="`not-found`: no such amendment, or it has not been rebased since it last changed"))
def latest(document: DocumentDep, slug: AmendmentSlug, session: SessionDep) -> schemas.RebaseOutcome:
    amendment = amendment_service.get_amendment(session, document, slug)
    kept = rebasing.latest(session, [amendment]).get(amendment.id)
    if kept is None:
        raise NotFound(f"amendment {slug!r} has not been rebased since it last changed", amendment=slug)
    return outcome_public(rebasing.stored(kept, slug))
