"""The store's generation, which keys the render cache, moves with every commit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session

from regdraft.services.events import generation, record
from regdraft.store.engine import make_engine
from regdraft.store.models import Document


@pytest.fixture
def committing(fresh_database_url):
    """A session whose commits are real (the ``session`` fixture's are savepoints, and
    PostgreSQL moves the generation only as a transaction commits)."""
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def test_every_committed_write_moves_the_generation(committing):
    before = generation(committing)
    record(committing, "t", "test.one", "test", "one", None)
    committing.commit()
    after_one = generation(committing)
    record(committing, "t", "test.two", "test", "two", None)
    committing.commit()
    assert before < after_one < generation(committing)


def test_a_write_rolled_back_leaves_the_generation(committing):
    before = generation(committing)
    committing.rollback()
    record(committing, "t", "test.undone", "test", "undone", None)
    committing.rollback()
    assert generation(committing) == before


def test_a_transaction_of_many_events_moves_the_generation(committing):
    before = generation(committing)
    committing.rollback()
    for n in range(5):
        record(committing, "t", "test.bulk", "test", str(n), None)
    committing.commit()
    assert generation(committing) > before


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


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_writers_locking_rows_around_their_events_in_opposite_orders_do_not_deadlock(fresh_database_url):
    """First records an event, then updates the document; second updates the document,
    then records. Had the counter row been locked when an event was inserted, first
    would hold it while waiting for the document row that second holds, and second
    would wait for the counter: a deadlock that PostgreSQL breaks by failing one. The
    deferred trigger locks it only as each commits."""
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as setup:
            document = Document(slug="locked", title="Locked")
            setup.add(document)
            setup.commit()
            document_id = document.id
            before = generation(setup)
        first_waiting = threading.Event()
        errors: list[BaseException] = []

        def retitle(writer: Session, title: str) -> None:
            writer.execute(text("UPDATE document SET title = :t WHERE id = :id"), {"t": title, "id": document_id})

        with Session(engine) as first, Session(engine) as second:
            record(first, "first", "test.first", "test", "first", document_id)
            retitle(second, "second")

            def first_finishes() -> None:
                try:
                    first_waiting.set()
                    retitle(first, "first")  # waits for second's row lock
                    first.commit()
                except BaseException as error:  # reported below, on the test's thread
                    errors.append(error)
                    first.rollback()

            waiter = threading.Thread(target=first_finishes)
            waiter.start()
            first_waiting.wait()
            waiter.join(0.3)  # first is blocked on the document row
            assert waiter.is_alive()
            record(second, "second", "test.second", "test", "second", document_id)
            second.commit()
            waiter.join(10)
            assert not waiter.is_alive() and errors == []
        with Session(engine) as reader:
            assert generation(reader) == before + 2
            assert reader.get(Document, document_id).title == "first"
    finally:
        engine.dispose()
