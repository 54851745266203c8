"""The append-only event log: who did what, to what, when."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, func, select

from regdraft.store.models import Event, Generation


def record(session: Session, actor: str, action: str, target_type: str, target: str, document_id: int | None,
           *, before: str | None = None, after: str | None = None, detail: dict[str, Any] | None = None) -> Event:
    event = Event(actor=actor, action=action, target_type=target_type, target=target, document_id=document_id,
                  before_hash=before, after_hash=after,
                  detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False))
    session.add(event)
    session.flush()
    return event


def generation_query():
    """The statement that reads the store's generation: a number that moves with every
    committed write (each appends an event, and a trigger on the event log moves the
    counter row: migration 0003), so anything derived from the store is still valid
    while it has not moved. On PostgreSQL it moves when the writer commits, so two
    writers committing out of the order of their event ids both move it."""
    return select(Generation.value).where(Generation.id == 1)


def generation(session: Session) -> int:
    return session.exec(generation_query()).one()


def list_events(session: Session, *, document_id: int | None = None, offset: int = 0,
                limit: int = 100) -> tuple[list[Event], int]:
    query = select(Event)
    count = select(func.count()).select_from(Event)
    if document_id is not None:
        query = query.where(Event.document_id == document_id)
        count = count.where(Event.document_id == document_id)
    rows = session.exec(query.order_by(Event.id).offset(offset).limit(limit)).all()
    return list(rows), session.exec(count).one()
