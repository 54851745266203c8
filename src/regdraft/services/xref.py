"""Cross-references in both directions: provision → amendments → citations →
responses, and stakeholder or response → amendments."""

from __future__ import annotations

from sqlmodel import Session, select

from regdraft.core.structure import id_order_key

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


def provision_order(session: Session, document: Document, ids: list[str]) -> dict[str, tuple]:
    """A sort key for each id: the head's order for its own provisions; a provision the
    head lacks (a regulation 2A an amendment would insert) goes after the last of the
    head's of the same kind (regulation, schedule, ...) that numbers before it."""
    head = documents.head(session, document)
    in_head = [p.id for p in documents.version_structure(session, document, head).provisions] if head else []
    place = {pid: i for i, pid in enumerate(in_head)}
    order = {}
    for pid in ids:
        if pid in place:
            order[pid] = (place[pid], ())
        else:
            key = id_order_key(pid)
            before = [place[k] for k in in_head if id_order_key(k)[:1] == key[:1] and id_order_key(k) <= key]
            order[pid] = (max(before, default=-1), id_order_key(pid))
    return order
