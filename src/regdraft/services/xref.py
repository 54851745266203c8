"""Cross-references in both directions: provision → amendments → citations →
responses, and stakeholder or response → amendments."""

from __future__ import annotations

from sqlmodel import Session, select

from regdraft.services import documents
from regdraft.store.models import Amendment, Citation, Document, Hunk, HunkProvision, Response


def amendments_touching(session: Session, document: Document, provision: str) -> list[Amendment]:
    rows = session.exec(
        select(Amendment).where(Amendment.document_id == document.id, Amendment.id.in_(
            select(Hunk.amendment_id).join(HunkProvision, HunkProvision.hunk_id == Hunk.id)
            .where(HunkProvision.provision_id == provision))).order_by(Amendment.slug)).all()
    return list(rows)


def amendments_citing(session: Session, response: Response) -> list[Amendment]:
    rows = session.exec(select(Amendment).where(Amendment.id.in_(
        select(Citation.amendment_id).where(Citation.response_id == response.id))).order_by(Amendment.slug)).all()
    return list(rows)


def stakeholder_amendments(session: Session, document: Document, stakeholder_slug: str) -> dict[str, list[Amendment]]:
    """What a stakeholder proposed, and which amendments cite its responses."""
    stakeholder = documents.get_stakeholder(session, stakeholder_slug)
    proposed = list(session.exec(select(Amendment).where(Amendment.document_id == document.id,
                                                         Amendment.proposer_id == stakeholder.id)
                                 .order_by(Amendment.slug)).all())
    cited = list(session.exec(select(Amendment).where(Amendment.document_id == document.id, Amendment.id.in_(
        select(Citation.amendment_id).join(Response, Response.id == Citation.response_id)
        .where(Response.stakeholder_id == stakeholder.id))).order_by(Amendment.slug)).all())
    return {"proposed": proposed, "cited": cited}

