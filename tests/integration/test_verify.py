"""``verify`` passes on a consistent store and names each kind of damage."""

from regdraft.services import amendments as A
from regdraft.services.verify import verify
from regdraft.store.models import Citation, Version

from example_case import BAN, propose


def test_a_consistent_store_verifies(session, case):
    ban = propose(session, case, "ban", BAN, citations=[("adcs", "should not be predicated on a profit motive")])
    A.accept(session, ban, actor="reviewer")
    report = verify(session)
    assert report.ok, report.problems
    assert report.checked["versions"] >= 2 and report.checked["replays"] == 1 and report.checked["citations"] == 1


def test_damage_is_reported(session, case):
    ban = propose(session, case, "ban", BAN, citations=[("adcs", "should not be predicated on a profit motive")])
    version = A.accept(session, ban, actor="reviewer")
    version.text = version.text.replace("Bodies", "Companies")
    citation = session.exec(Citation.__table__.select()).first()
    session.get(Citation, citation.id).start += 1
    session.flush()
    problems = verify(session).problems
    assert any("does not match its content hash" in p for p in problems)
    assert any("does not give version 2" in p for p in problems)
    assert any("quote moved" in p for p in problems)
    assert session.get(Version, version.id).number == 2
