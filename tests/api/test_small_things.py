"""Three small things seen on the way: a citation of one common word is refused unless
it stands in one place only; two byte-identical amendments are duplicates, not merely
overlapping; a version's author is the person holding the token, not the token's name."""

from fastapi.testclient import TestClient

from regdraft.api.app import create_app

from .support import ACCOUNTABILITY_TEXT, ADCS_TEXT, PROFIT_BAN_TEXT, problem


def _cite(example, quote: str, slug: str = "cited"):
    return example.propose(slug, PROFIT_BAN_TEXT, citations=[{"response": "adcs-response", "quote": quote}])


def test_a_citation_of_one_common_word_is_refused(example):
    assert ADCS_TEXT.count("profit") > 1
    body = problem(_cite(example, "profit"), 422, "invalid-input")
    assert (body["field"], body["citation"], body["response"]) == ("citations", 1, "adcs-response")
    assert (body["min_words"], body["min_chars"]) == (3, 12)
    assert "stands in several places" in body["detail"]
    # Enough words say which place they mean; so do fewer that stand in one place only.
    assert _cite(example, "a profit motive has no place", "long-enough").status_code == 201
    assert "Association" in ADCS_TEXT and ADCS_TEXT.count("Association") == 1
    assert _cite(example, "Association", "unique-word").status_code == 201


def test_the_minimum_is_a_setting(settings, issue_token, example):
    lenient = settings.model_copy(update={"citation_min_words": 1, "citation_min_chars": 1})
    with TestClient(create_app(lenient), headers={"Authorization": f"Bearer {issue_token('admin')}"}) as client:
        example.client = client
        assert _cite(example, "profit").status_code == 201
    strict = settings.model_copy(update={"citation_min_words": 8, "citation_min_chars": 12})
    with TestClient(create_app(strict), headers={"Authorization": f"Bearer {issue_token('admin')}"}) as client:
        example.client = client
        body = problem(_cite(example, "profit", "strict"), 422, "invalid-input")
        assert body["min_words"] == 8
    with TestClient(create_app(settings)):
        pass  # the default again, for the tests that follow in this process


def test_two_byte_identical_amendments_are_duplicates(example):
    for slug in ("first", "second"):
        assert example.propose(slug, PROFIT_BAN_TEXT).status_code == 201
    assert example.propose("third", ACCOUNTABILITY_TEXT).status_code == 201
    pairs = {(c["first"], c["second"]): c["kind"] for c in example.client.get(example.url("/conflicts")).json()[
        "conflicts"]}
    assert pairs[("first", "second")] == "duplicate"
    assert pairs[("first", "third")] != "duplicate"


def test_a_version_is_signed_by_the_person_holding_the_token(example, profit_ban, issue_token, settings):
    from regdraft.services import tokens
    from regdraft.store.engine import make_engine, session_scope

    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        secret = tokens.create_token(session, role="admin", name="make-run-20261206T183310Z",
                                     person="Jane Drafter", actor="tests").secret
    engine.dispose()
    client = TestClient(example.client.app, headers={"Authorization": f"Bearer {secret}"})
    accepted = client.post(example.url("/amendments/profit-ban/accept"))
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["author"] == "Jane Drafter"
    made = client.post(example.url("/versions"), json={"text": PROFIT_BAN_TEXT.replace("2019", "2020"),
                                                       "parent": 3})
    assert made.json()["author"] == "Jane Drafter"
    # The event log still names the token that acted.
    events = client.get("/api/events", params={"document": example.doc, "limit": 200}).json()["items"]
    assert events[-1]["actor"] == "make-run-20261206T183310Z"
