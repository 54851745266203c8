"""The append-only event log: who did what, to what, when."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import Session, func, select

from regdraft.store.models import Document, DocumentGeneration, Event, Generation


def record(session: Session, actor: str, action: str, target_type: str, target: str, document_id: int | None,
           *, before: str | None = None, after: str | None = None, detail: dict[str, Any] | None = None) -> Event:
    event = Event(actor=actor, action=action, target_type=target_type, target=target, document_id=document_id,
                  before_hash=before, after_hash=after,
                  detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False))
    session.add(event)
    session.flush()
    return event


def generation_query():
    """The statement that reads a document's generation, for the bound parameter
    ``slug``: a number that moves with every committed write to the document or to
    what every document shows (stakeholders), and with no other. Each write appends an
    event, and triggers on the event log move the document's counter or the store-wide
    one (migrations 0003 and 0004), so anything derived from the document is still
    valid while its generation has not moved. On PostgreSQL the counters move as the
    writer commits, so two writers committing out of the order of their event ids both
    move them."""
    own = (select(DocumentGeneration.value).join(Document, Document.id == DocumentGeneration.document_id)
           .where(Document.slug == bindparam("slug")).scalar_subquery())
    return select(Generation.value + func.coalesce(own, 0)).where(Generation.id == 1)


def generation(session: Session, document: Document) -> int:
    return session.exec(generation_query(), params={"slug": document.slug}).one()


def list_events(session: Session, *, document_id: int | None = None, actor: str | None = None,
                action: str | None = None, target: str | None = None, newest_first: bool = False,
                offset: int = 0, limit: int = 100) -> tuple[list[Event], int]:
    """A page of the log, oldest first (or newest), and how many events match. ``action``
    is one (``amendment.accepted``) or a family (``amendment``: every ``amendment.*``);
    ``target`` matches a target exactly or its last part (``profit-ban`` finds
    ``children-social-care-delegation/profit-ban``)."""
    conditions = []
    if document_id is not None:
        conditions.append(Event.document_id == document_id)
    if actor is not None:
        conditions.append(Event.actor == actor)
    if action is not None:
        conditions.append(or_(Event.action == action, Event.action.startswith(action + ".", autoescape=True)))
    if target is not None:
        conditions.append(or_(Event.target == target, Event.target.endswith("/" + target, autoescape=True)))
    query = select(Event).where(*conditions)
    count = select(func.count()).select_from(Event).where(*conditions)
    order = Event.id.desc() if newest_first else Event.id
    rows = session.exec(query.order_by(order).offset(offset).limit(limit)).all()
    return list(rows), session.exec(count).one()


def event_choices(session: Session) -> tuple[list[str], list[str]]:
    """The actors and the actions in the log, sorted: the event page's filter choices."""
    return (list(session.exec(select(Event.actor).distinct().order_by(Event.actor)).all()),
            list(session.exec(select(Event.action).distinct().order_by(Event.action)).all()))
