"""The store's generation, which keys the render cache, moves with every commit."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from regdraft.services.events import generation, record
from regdraft.store.engine import make_engine


def test_every_write_moves_the_generation(session):
    before = generation(session)
    record(session, "t", "test.one", "test", "one", None)
    after_one = generation(session)
    record(session, "t", "test.two", "test", "two", None)
    assert before < after_one < generation(session)


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)  # SQLite writers take turns
def test_a_lower_event_id_committed_last_still_moves_the_generation(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as slow, Session(engine) as fast, Session(engine) as reader:
            lower = record(slow, "slow", "test.slow", "test", "slow", None)  # takes its id, commits later
            higher = record(fast, "fast", "test.fast", "test", "fast", None)
            assert lower.id < higher.id
            fast.commit()
            seen = generation(reader)
            reader.rollback()
            slow.commit()
            assert generation(reader) != seen
    finally:
        engine.dispose()
