"""The event log is append-only in the database itself, on both backends: whatever
code path reaches it, an UPDATE or DELETE of an event row is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from regdraft.services import events
from regdraft.store.engine import make_engine


def _one_event(session) -> int:
    event = events.record(session, "tests", "document.created", "document", "example", None)
    session.commit()
    return event.id


@pytest.mark.parametrize("statement", ["UPDATE event SET actor = 'someone else' WHERE id = :id",
                                       "DELETE FROM event WHERE id = :id"])
def test_events_cannot_be_rewritten_or_deleted(session, statement):
    event_id = _one_event(session)
    with pytest.raises(DBAPIError, match="append-only"):
        with session.begin_nested():
            session.execute(text(statement), {"id": event_id})
    assert session.execute(text("SELECT actor FROM event WHERE id = :id"), {"id": event_id}).scalar_one() == "tests"


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)  # SQLite has no TRUNCATE
def test_postgres_refuses_truncate_too(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            _one_event(session)  # committed for real: no trigger event of it is pending
            with pytest.raises(DBAPIError, match="append-only"):
                session.execute(text("TRUNCATE event"))
            session.rollback()
            assert session.execute(text("SELECT count(*) FROM event")).scalar_one() == 1
    finally:
        engine.dispose()
