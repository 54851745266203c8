"""The heavy work of a change (applying a patch, reading the new version's structure,
encoding it for the store, cutting it into search pieces, folding cited responses) is
done before the SQLite write lock is taken, so one request's texts do not hold up every
other writer. Counted, not timed: each heavy step is watched and said to run inside a
writing transaction or outside (``Database.writing``)."""

from __future__ import annotations

from collections import Counter

import pytest

from regdraft.services import amendments as amendment_service
from regdraft.services import documents as document_service
from regdraft.services import search, structures
from regdraft.services.amendments import citations, proposing, workflow
from regdraft.store.engine import make_engine, session_scope

from .support import ACCOUNTABILITY_TEXT, INSPECTION_TEXT, INTERPRETATION_TEXT


@pytest.fixture
def heavy(example, monkeypatch) -> Counter:
    """(step, "locked" or "free") → how many times it ran."""
    database = example.client.app.state.database
    runs: Counter = Counter()
    # Structures are kept by content hash for the process: one an earlier test read (the
    # same case on the other backend) would not be read again, and go uncounted.
    structures.MEMORY.clear()

    def watched(module, name: str) -> None:
        real = getattr(module, name)

        def step(*args, **kwargs):
            runs[name, "locked" if database.writing else "free"] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, step)

    watched(workflow, "apply_patch")
    watched(proposing, "analyse")
    watched(citations, "FoldedText")
    watched(structures, "read_structure")
    watched(structures, "encode")
    watched(search, "provision_pieces")
    return runs


def _locked(runs: Counter) -> dict:
    return {name: n for (name, where), n in runs.items() if where == "locked"}


def test_accepting_applies_and_reads_the_new_version_before_taking_the_lock(example, profit_ban, heavy):
    r = example.client.post(example.url("/amendments/profit-ban/accept"), json={"reason": "Agreed."})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 3
    assert heavy["apply_patch", "free"] == 1 and heavy["read_structure", "free"] == 1
    assert heavy["encode", "free"] == 1 and heavy["provision_pieces", "free"] == 1
    assert _locked(heavy) == {}
    assert example.client.get(example.url("/versions/3")).json()["text"] == example.client.get(
        example.url("/amendments/profit-ban/apply"), params={"version": 2}).json()["text"]


def test_a_status_change_to_accepted_does_its_work_before_the_lock(example, profit_ban, heavy):
    r = example.client.post(example.url("/amendments/profit-ban/status"), json={"status": "accepted"})
    assert r.status_code == 200, r.text
    assert r.json()["version"]["number"] == 3
    assert heavy["apply_patch", "free"] == 1
    assert _locked(heavy) == {}


def test_a_batch_prepares_each_acceptance_on_the_head_the_ones_before_it_leave(example, heavy):
    for slug, text in (("interpretation", INTERPRETATION_TEXT), ("inspection", INSPECTION_TEXT),
                       ("accountability", ACCOUNTABILITY_TEXT)):
        assert example.propose(slug, text, base=1).status_code == 201
    heavy.clear()
    r = example.client.post(example.url("/decisions"), json={"decisions": [
        {"amendment": "interpretation", "status": "accepted", "reason": "Clearer."},
        {"amendment": "accountability", "status": "rejected", "reason": "Not now."},
        {"amendment": "inspection", "status": "accepted", "reason": "Ofsted asked."}]})
    assert r.status_code == 200, r.text
    assert [d["version"] and d["version"]["number"] for d in r.json()["decisions"]] == [3, None, 4]
    assert heavy["apply_patch", "free"] == 2 and heavy["encode", "free"] == 2
    assert _locked(heavy) == {}


def test_proposing_folds_the_cited_responses_before_the_lock(example, heavy):
    r = example.propose("cited", INSPECTION_TEXT, base=1, citations=[
        {"response": "adcs-response", "quote": "a profit motive has no place"}])
    assert r.status_code == 201, r.text
    assert heavy["FoldedText", "free"] == 1 and heavy["analyse", "free"] == 1
    assert _locked(heavy) == {}


def test_a_head_that_moved_meanwhile_is_worked_on_again_under_the_lock_once(example, profit_ban, heavy,
                                                                           monkeypatch, settings):
    """Another writer adds a version between the preparing and the lock: the prepared
    work no longer holds, and accepting redoes it (one amendment, once) on the new
    head rather than storing a version made from the old one."""
    real = amendment_service.prepare_acceptance
    engine = make_engine(settings.database_url)

    calls = []

    def then_someone_writes(document, amendment, head_text, head_hash=None):
        prepared = real(document, amendment, head_text, head_hash)
        calls.append(amendment.slug)
        if len(calls) > 1:
            return prepared
        with session_scope(engine) as session:
            doc = document_service.get_document(session, document.slug)
            head = document_service.head(session, doc)
            document_service.create_version(session, doc, text=head.text + "\n## Schedule 1: Added meanwhile\n",
                                            parent=head.number, author="someone", actor="someone")
        return prepared

    # The route prepares through the package; accepting prepares again, under the lock, in workflow.
    for module in (amendment_service, workflow):
        monkeypatch.setattr(module, "prepare_acceptance", then_someone_writes)
    try:
        heavy.clear()
        r = example.client.post(example.url("/amendments/profit-ban/accept"))
    finally:
        engine.dispose()
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 4  # on the version added meanwhile (3), not beside it
    assert calls == ["profit-ban", "profit-ban"]
    assert example.client.get(example.url("/versions/4")).json()["text"].endswith("Added meanwhile\n")
    assert _locked(heavy) == {"apply_patch": 1, "read_structure": 1, "encode": 1, "provision_pieces": 1}


def test_a_preview_works_in_a_reading_transaction_only(example, heavy, monkeypatch):
    """``POST …/amendments/preview`` reads by POST: no writing transaction, no write lock."""
    from regdraft.api import deps

    opened = []
    real = deps.transaction

    def transaction(database, *, writing: bool):
        opened.append(writing)
        return real(database, writing=writing)

    monkeypatch.setattr(deps, "transaction", transaction)
    r = example.client.post(example.url("/amendments/preview"), json={
        "slug": "previewed", "title": "Previewed", "proposer": "adcs", "base": 1, "categories": ["profit-ban"],
        "new_text": INSPECTION_TEXT, "citations": [{"response": "adcs-response", "quote": "a profit motive has no place"}]})
    assert r.status_code == 200, r.text
    assert heavy["FoldedText", "free"] == 1 and heavy["analyse", "free"] == 1 and _locked(heavy) == {}
    assert opened and not any(opened)  # every transaction the request opened only read
