"""The append-only event log: who did what, to what, when."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, func, select

from regdraft.store.models import Event


def record(session: Session, actor: str, action: str, target_type: str, target: str, document_id: int | None,
           *, before: str | None = None, after: str | None = None, detail: dict[str, Any] | None = None) -> Event:
    event = Event(actor=actor, action=action, target_type=target_type, target=target, document_id=document_id,
                  before_hash=before, after_hash=after,
                  detail=json.dumps(detail or {}, sort_keys=True, ensure_ascii=False))
    session.add(event)
    session.flush()
    return event


def generation_query(dialect: str):
    """The statement that reads the store's generation: a number that moves with every
    committed write (each appends an event), so anything derived from the store is still
    valid while it has not moved.

    SQLite writers take turns, so the last event's id is the last commit. PostgreSQL
    numbers events from a sequence and two writers may commit out of id order: after
    the higher id commits, the last id would not move again when the lower one does.
    There the generation is the number of events, which grows with every commit
    whatever its ids (events are never deleted: migration 0002's triggers refuse it)."""
    if dialect == "postgresql":
        return select(func.count()).select_from(Event)
    return select(func.max(Event.id))


def generation(session: Session) -> int:
    return session.exec(generation_query(session.get_bind().dialect.name)).one() or 0


def list_events(session: Session, *, document_id: int | None = None, offset: int = 0,
                limit: int = 100) -> tuple[list[Event], int]:
    query = select(Event)
    count = select(func.count()).select_from(Event)
    if document_id is not None:
        query = query.where(Event.document_id == document_id)
        count = count.where(Event.document_id == document_id)
    rows = session.exec(query.order_by(Event.id).offset(offset).limit(limit)).all()
    return list(rows), session.exec(count).one()
