"""Writers that read the same state cannot overwrite each other, on either backend:
an amendment's revision guards every UPDATE of it, and a version's number and parent
are unique, so the second of two racing writers gets a conflict naming what is there now.

Each test plays the race in order: the first writer reads and keeps what it read, the
second changes the row and commits, then the first writes what it had decided."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from regdraft.core.errors import InvalidTransition, StaleParent
from regdraft.services import amendments as A
from regdraft.services import documents
from regdraft.store.engine import make_engine, session_scope
from regdraft.store.models import Amendment

from example_case import BAN, make_case, propose


@pytest.fixture
def racing(fresh_database_url):
    """An engine on a fresh database holding the example case and amendment ``ban``."""
    engine = make_engine(fresh_database_url)
    with session_scope(engine) as session:
        propose(session, make_case(session), "ban", BAN)
    yield engine
    engine.dispose()


def _read(engine, slug: str = "ban") -> tuple[Session, Amendment]:
    """A session that has read the amendment, with no transaction left open (so the
    other writer is not kept waiting on SQLite's lock)."""
    session = Session(engine, expire_on_commit=False)
    document = documents.get_document(session, "example")
    amendment = A.get_amendment(session, document, slug)
    session.commit()
    return session, amendment


@pytest.mark.parametrize("first, second", [("rejected", "withdrawn"), ("withdrawn", "accepted"),
                                           ("accepted", "rejected")])
def test_the_later_of_two_status_changes_from_the_same_revision_is_refused(racing, first, second):
    late, stale = _read(racing)
    with session_scope(racing) as session:
        A.set_status(session, A.get_amendment(session, documents.get_document(session, "example"), "ban"), first,
                     actor="first", reason="The first decision.")
    with pytest.raises(InvalidTransition) as refused:
        A.set_status(late, stale, second, actor="second", reason="The second decision.")
    late.rollback()
    late.close()
    assert refused.value.extra == {"revision": 2, "status": first}
    with session_scope(racing) as session:
        now = A.get_amendment(session, documents.get_document(session, "example"), "ban")
        assert (now.status, now.revision) == (first, 2)


def test_a_version_racing_another_onto_the_same_parent_is_refused_and_the_transaction_survives(racing,
                                                                                               monkeypatch):
    late = Session(racing, expire_on_commit=False)
    document = documents.get_document(late, "example")
    stale_head = documents.head(late, document)
    late.commit()
    with session_scope(racing) as session:
        documents.create_version(session, documents.get_document(session, "example"), text=BAN, parent=1,
                                 author="first", actor="first")
    # The late writer read the head (version 1) just before the other committed version 2.
    reads = iter([stale_head])
    real_head = documents.head
    monkeypatch.setattr(documents, "head", lambda session, doc: next(reads, None) or real_head(session, doc))
    with pytest.raises(StaleParent) as refused:
        documents.create_version(late, document, text=BAN + "\nMore.\n", parent=1, author="second",
                                 actor="second")
    assert refused.value.extra["head"] == 2
    assert [v.number for v in documents.list_versions(late, document)] == [1, 2]  # still usable
    late.rollback()
    late.close()
