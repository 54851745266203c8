"""Decisions on amendments: the reason given for each change of status, kept as a
history of :class:`~regdraft.store.models.Decision` rows, and which amendments fall if
another is adopted (:class:`~regdraft.store.models.AmendmentFall`).

``services.amendments`` records a decision with every status change it makes (and
makes amendments fall when it accepts one); ``services.batches`` takes decisions in
bulk. This module only stores and reads, so both can use it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from regdraft.core.errors import InvalidInput, NotFound
from regdraft.services import events
from regdraft.store.models import Amendment, AmendmentFall, Decision, Document

#: Statuses that may not be decided without a reason.
REASON_REQUIRED = ("rejected",)
#: The longest reason, in characters: a paragraph or a few, not a document.
MAX_REASON = 4000


def check_reason(status: str, reason: str | None) -> str:
    """The reason, stripped; refused when ``status`` needs one and it is empty, or when
    it is longer than :data:`MAX_REASON`."""
    reason = (reason or "").strip()
    if status in REASON_REQUIRED and not reason:
        raise InvalidInput(f"an amendment cannot become {status} without a reason: say why (reason)",
                           field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is {len(reason)} characters long; the most is {MAX_REASON}", field="reason")
    return reason


def record(session: Session, amendment: Amendment, previous: str, *, actor: str, reason: str = "",
           batch: str | None = None, cause: Amendment | None = None, at: datetime | None = None) -> Decision:
    """The decision that moved ``amendment`` from ``previous`` to its current status."""
    decision = Decision(amendment_id=amendment.id, status=amendment.status, previous=previous, reason=reason,
                        actor=actor, revision=amendment.revision, batch=batch,
                        cause_id=cause.id if cause is not None else None, **({"at": at} if at else {}))
    session.add(decision)
    session.flush()
    return decision


def history(session: Session, amendment: Amendment) -> list[Decision]:
    """Every decision on the amendment, oldest first."""
    return list(session.exec(select(Decision).where(Decision.amendment_id == amendment.id)
                             .order_by(Decision.id)).all())


def latest_each(session: Session, amendments: list[Amendment]) -> dict[int, Decision]:
    """Each amendment's latest decision (amendments never decided are left out): one query."""
    latest: dict[int, Decision] = {}
    ids = [a.id for a in amendments]
    if ids:
        for decision in session.exec(select(Decision).where(Decision.amendment_id.in_(ids)).order_by(Decision.id)):
            latest[decision.amendment_id] = decision
    return latest


def latest(session: Session, amendment: Amendment) -> Decision | None:
    return latest_each(session, [amendment]).get(amendment.id)


def in_batch(session: Session, document: Document, batch: str) -> list[Decision]:
    """The decisions of one bulk decision, in the order they were taken."""
    rows = list(session.exec(select(Decision).join(Amendment, Amendment.id == Decision.amendment_id)
                             .where(Decision.batch == batch, Amendment.document_id == document.id)
                             .order_by(Decision.id)).all())
    if not rows:
        raise NotFound(f"document {document.slug!r} has no bulk decision {batch!r}", batch=batch)
    return rows


# Falling -------------------------------------------------------------------------------

def falls_if(session: Session, amendment: Amendment) -> list[Amendment]:
    """The amendments whose adoption makes ``amendment`` fall, by slug."""
    return list(session.exec(select(Amendment).join(AmendmentFall, AmendmentFall.adopted_id == Amendment.id)
                             .where(AmendmentFall.amendment_id == amendment.id).order_by(Amendment.slug)).all())


def falls_if_each(session: Session, amendments: list[Amendment]) -> dict[int, list[str]]:
    """For each amendment, the slugs of those whose adoption makes it fall: one query."""
    result: dict[int, list[str]] = {a.id: [] for a in amendments}
    if result:
        for amendment_id, slug in session.exec(
                select(AmendmentFall.amendment_id, Amendment.slug).join(Amendment, Amendment.id == AmendmentFall.adopted_id)
                .where(AmendmentFall.amendment_id.in_(list(result))).order_by(Amendment.slug)):
            result[amendment_id].append(slug)
    return result


def falling_with(session: Session, adopted: Amendment, *, open_only: bool = True) -> list[Amendment]:
    """The amendments that fall when ``adopted`` is accepted (only those still open,
    unless ``open_only`` is false), by slug."""
    query = (select(Amendment).join(AmendmentFall, AmendmentFall.amendment_id == Amendment.id)
             .where(AmendmentFall.adopted_id == adopted.id))
    if open_only:
        query = query.where(Amendment.status.in_(("draft", "proposed")))
    return list(session.exec(query.order_by(Amendment.slug)).all())


def set_falls_if(session: Session, amendment: Amendment, adopted: list[Amendment], *, actor: str) -> bool:
    """Make ``amendment`` fall if any of ``adopted`` is accepted (and no others), with
    its event; returns whether anything changed. Only an open amendment falls, so the
    list of a decided one is a record of the order only."""
    if any(other.id == amendment.id for other in adopted):
        raise InvalidInput(f"amendment {amendment.slug!r} cannot fall with itself", field="amendments")
    if any(other.document_id != amendment.document_id for other in adopted):
        raise InvalidInput("an amendment falls only with amendments of its own document", field="amendments")
    wanted = {other.id for other in adopted}
    rows = {row.adopted_id: row for row in session.exec(
        select(AmendmentFall).where(AmendmentFall.amendment_id == amendment.id))}
    if set(rows) == wanted:
        return False
    for adopted_id, row in rows.items():
        if adopted_id not in wanted:
            session.delete(row)
    for adopted_id in wanted - set(rows):
        session.add(AmendmentFall(amendment_id=amendment.id, adopted_id=adopted_id))
    session.flush()
    document = session.get(Document, amendment.document_id)
    events.record(session, actor, "amendment.falls_if_changed", "amendment", f"{document.slug}/{amendment.slug}",
           document.id, detail={"falls_if": sorted(a.slug for a in adopted)})
    return True
