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


def _documents(session: Session, *slugs: str) -> list[Document]:
    made = [Document(slug=slug, title=slug.title()) for slug in slugs]
    session.add_all(made)
    session.commit()
    return made


def test_every_committed_write_moves_the_generation(committing):
    [doc] = _documents(committing, "doc")
    before = generation(committing, doc)
    record(committing, "t", "test.one", "test", "one", doc.id)
    committing.commit()
    after_one = generation(committing, doc)
    record(committing, "t", "test.two", "test", "two", None)  # of no document: of every one
    committing.commit()
    assert before < after_one < generation(committing, doc)


def test_a_write_to_one_document_leaves_the_others_generation(committing):
    first, second = _documents(committing, "first", "second")
    before = generation(committing, first), generation(committing, second)
    record(committing, "t", "test.first", "test", "first", first.id)
    committing.commit()
    assert generation(committing, first) > before[0] and generation(committing, second) == before[1]


def test_a_write_rolled_back_leaves_the_generation(committing):
    [doc] = _documents(committing, "doc")
    before = generation(committing, doc)
    committing.rollback()
    record(committing, "t", "test.undone", "test", "undone", doc.id)
    record(committing, "t", "test.undone", "test", "undone", None)
    committing.rollback()
    assert generation(committing, doc) == before


def test_a_transaction_of_many_events_moves_the_generation(committing):
    [doc] = _documents(committing, "doc")
    before = generation(committing, doc)
    committing.rollback()
    for n in range(5):
        record(committing, "t", "test.bulk", "test", str(n), doc.id)
    committing.commit()
    assert generation(committing, doc) > before


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)  # SQLite writers take turns
def test_a_lower_event_id_committed_last_still_moves_the_generation(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as slow, Session(engine) as fast, Session(engine) as reader:
            [doc] = _documents(reader, "doc")
            lower = record(slow, "slow", "test.slow", "test", "slow", doc.id)  # takes its id, commits later
            higher = record(fast, "fast", "test.fast", "test", "fast", doc.id)
            assert lower.id < higher.id
            fast.commit()
            seen = generation(reader, doc)
            reader.rollback()
            slow.commit()
            assert generation(reader, doc) != seen
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
            before = generation(setup, document)
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
            document = reader.get(Document, document_id)
            assert generation(reader, document) == before + 2
            assert document.title == "first"
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"], indirect=True)
def test_writers_to_several_documents_in_opposite_orders_do_not_deadlock_on_their_counters(fresh_database_url):
    """First writes to document a, then b, then a stakeholder; second writes in the
    opposite order. Were the counters moved in the order of each transaction's events,
    first would hold a's counter waiting for b's, which second holds waiting for a's.
    Each moves them in one order at its commit, so both commit, each moving each
    document's generation once (and the store-wide part once)."""
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as setup:
            a, b = _documents(setup, "a", "b")
            before = generation(setup, a), generation(setup, b)
        errors: list[BaseException] = []
        both_written = threading.Barrier(2, timeout=10)

        def write(order: list[int | None]) -> None:
            try:
                with Session(engine) as writer:
                    for document_id in order:
                        record(writer, "t", "test.order", "test", str(document_id), document_id)
                    both_written.wait()  # both hold their events' rows; now both commit at once
                    writer.commit()
            except BaseException as error:  # reported below, on the test's thread
                errors.append(error)

        rounds = 8  # whether two commits overlap is down to timing: over 8 rounds, some do
        for _ in range(rounds):
            writers = [threading.Thread(target=write, args=(order,))
                       for order in ([a.id, b.id, None], [None, b.id, a.id])]
            for writer in writers:
                writer.start()
            for writer in writers:
                writer.join(20)
            assert errors == [] and not any(w.is_alive() for w in writers)
        with Session(engine) as reader:
            # Each transaction moves a's counter once and the store-wide one once: +2 each, +4 a round.
            assert (generation(reader, a), generation(reader, b)) == (before[0] + 4 * rounds, before[1] + 4 * rounds)
    finally:
        engine.dispose()
