"""Decisions with reasons over HTTP: every status change takes a reason (rejecting needs
one); it is kept on the amendment, in the event log and in Keeling notes; reasons are
texts like any other, so hostile ones are refused or escaped."""

from __future__ import annotations

import pytest

from .support import ACCOUNTABILITY_TEXT, ADMIN, INSPECTION_TEXT, INTERPRETATION_TEXT, problem

HOSTILE = '<script>alert("x")</script>'
#: Text that only looks like markup: stored as it is, escaped wherever shown.
ODD = 'Fewer than <5 bodies & "quotes" — a < b, see <https://example.org/why>'


def _status(example, slug: str, status: str, **body):
    return example.client.post(example.url(f"/amendments/{slug}/status"), json={"status": status, **body})


def _events(example) -> list[dict]:
    return example.client.get("/api/events", params={"limit": 200}).json()["items"]


def test_rejecting_needs_a_reason_and_nothing_changes_without_one(example, profit_ban):
    before = _events(example)
    for body in ({}, {"reason": ""}, {"reason": "   \n "}):
        body = problem(_status(example, "profit-ban", "rejected", **body), 422, "invalid-input")
        assert body["field"] == "reason"
    assert _events(example) == before
    amendment = example.client.get(example.url("/amendments/profit-ban")).json()
    assert (amendment["status"], amendment["revision"], amendment["decision"]) == ("proposed", 1, None)


def test_a_reason_is_kept_on_the_amendment_and_in_the_event_log(example, profit_ban):
    r = _status(example, "profit-ban", "rejected", reason="  The narrower wording was chosen.  ")
    assert r.status_code == 200, r.text
    decision = r.json()["amendment"]["decision"]
    assert decision["status"] == "rejected" and decision["previous"] == "proposed"
    assert decision["reason"] == "The narrower wording was chosen."
    assert decision["actor"] == ADMIN and decision["revision"] == 2
    event = _events(example)[-1]
    assert event["action"] == "amendment.rejected"
    assert event["detail"] == {"revision": 2, "reason": "The narrower wording was chosen."}

    # Reopened, then withdrawn: each decision keeps its own reason, newest last.
    assert _status(example, "profit-ban", "proposed", reason="Asked again.").status_code == 200
    assert _status(example, "profit-ban", "withdrawn").status_code == 200  # a reason is optional here
    history = example.client.get(example.url("/amendments/profit-ban")).json()["decisions"]
    assert [(d["status"], d["reason"]) for d in history] == [
        ("rejected", "The narrower wording was chosen."), ("proposed", "Asked again."), ("withdrawn", "")]


def test_accepting_keeps_its_reason_and_puts_it_in_the_keeling_notes(example, profit_ban):
    r = example.client.post(example.url("/amendments/profit-ban/accept"), json={"reason": ODD})
    assert r.status_code == 201, r.text
    amendment = example.client.get(example.url("/amendments/profit-ban")).json()
    assert amendment["decision"]["reason"] == ODD and amendment["produced_version"] == r.json()["number"]
    assert _events(example)[-1]["detail"]["reason"] == ODD
    # A schedule of the base against it notes why it was accepted, escaped in HTML.
    schedule = example.client.get(example.url("/versions/1/keeling.json"), params={"amendments": "profit-ban"})
    assert schedule.status_code == 200, schedule.text
    noted = schedule.json()["amendments"][0]
    assert (noted["status"], noted["reason"]) == ("accepted", ODD)
    page = example.client.get(example.url("/versions/1/keeling.html"), params={"amendments": "profit-ban"}).text
    assert "Accepted: Fewer than &lt;5 bodies &amp; &quot;quotes&quot;" in page
    assert "<https://example.org/why>" not in page


@pytest.mark.parametrize("reason", [HOSTILE, "<img src=x onerror=alert(1)>", "ok\x00", "<!-- hidden -->"])
def test_hostile_reasons_are_refused(example, profit_ban, reason):
    before = _events(example)
    body = problem(_status(example, "profit-ban", "rejected", reason=reason), 422, "invalid-text")
    assert body["field"] == "reason"
    body = problem(example.client.post(example.url("/amendments/profit-ban/accept"), json={"reason": reason}),
                   422, "invalid-text")
    assert _events(example) == before


def test_a_reason_too_long_is_refused(example, profit_ban):
    problem(_status(example, "profit-ban", "rejected", reason="x" * 4001), 422, "validation-error")


def test_a_refused_transition_is_a_conflict_whatever_the_reason(example, profit_ban):
    assert _status(example, "profit-ban", "withdrawn", reason="Withdrawn by the ADCS.").status_code == 200
    problem(_status(example, "profit-ban", "rejected"), 409, "invalid-transition")


# Bulk decisions ---------------------------------------------------------------------

def _decide(example, *decisions):
    return example.client.post(example.url("/decisions"), json={"decisions": [
        dict(zip(("amendment", "status", "reason"), d)) for d in decisions]})


def _state(example) -> tuple:
    """Everything a batch could change: the event log, the head, each amendment's status."""
    amendments = example.client.get(example.url("/amendments")).json()["items"]
    return (len(_events(example)), example.client.get(example.url()).json()["head"],
            [(a["slug"], a["status"], a["revision"]) for a in amendments])


def test_a_batch_decides_in_order_with_the_hunk_reports(example):
    for slug, text in (("interpretation", INTERPRETATION_TEXT), ("inspection", INSPECTION_TEXT),
                       ("accountability", ACCOUNTABILITY_TEXT)):
        assert example.propose(slug, text, base=1).status_code == 201
    r = _decide(example, ("interpretation", "accepted", "Clearer."), ("inspection", "accepted", "Ofsted asked."),
                ("accountability", "rejected", "Inspection covers it."))
    assert r.status_code == 200, r.text
    batch = r.json()
    assert [(d["amendment"], d["previous"], d["status"], d["reason"]) for d in batch["decisions"]] == [
        ("interpretation", "proposed", "accepted", "Clearer."), ("inspection", "proposed", "accepted", "Ofsted asked."),
        ("accountability", "proposed", "rejected", "Inspection covers it.")]
    first, second, third = batch["decisions"]
    # Both were made on version 1; version 2 lengthened regulation 1, so each lands shifted on its head.
    assert [first["version"]["number"], second["version"]["number"], third["version"]] == [3, 4, None]
    assert [h["status"] for h in first["hunks"]] == ["shifted"] and second["hunks"][0]["status"] == "shifted"
    assert third["hunks"] == []
    # Read back, it is the same, hunk reports included.
    again = example.client.get(example.url(f"/decisions/{batch['batch']}"))
    assert again.status_code == 200 and again.json() == batch
    decided = [e for e in _events(example) if e["action"] in ("amendment.accepted", "amendment.rejected")]
    assert [e["detail"].get("batch") for e in decided] == [batch["batch"]] * 3


def test_a_batch_is_all_or_nothing(example):
    for slug, text in (("interpretation", INTERPRETATION_TEXT), ("inspection", INSPECTION_TEXT),
                       ("accountability", ACCOUNTABILITY_TEXT)):
        assert example.propose(slug, text, base=2).status_code == 201
    before = _state(example)
    body = problem(_decide(example, ("interpretation", "accepted", ""), ("accountability", "rejected", "")),
                   422, "invalid-input")
    assert (body["decision"], body["amendment"], body["field"]) == (2, "accountability", "reason")
    assert "nothing was decided" in body["detail"]
    assert _state(example) == before
    # Two insertions at the same place: the second's hunk fails on the head the first made.
    body = problem(_decide(example, ("inspection", "accepted", ""), ("accountability", "accepted", "")),
                   409, "patch-does-not-apply")
    assert (body["decision"], body["amendment"]) == (2, "accountability")
    assert body["hunks"] and "failed" in {h["status"] for h in body["hunks"]}
    assert _state(example) == before
    # An unknown amendment is a 404 before anything is decided.
    problem(_decide(example, ("interpretation", "accepted", ""), ("no-such", "rejected", "x")), 404, "not-found")
    assert _state(example) == before


def test_a_batch_names_each_amendment_once_and_at_most_the_limit(example, profit_ban):
    body = problem(_decide(example, ("profit-ban", "rejected", "No."), ("profit-ban", "withdrawn", "")),
                   422, "invalid-input")
    assert body["decision"] == 2
    r = _decide(example, ("profit-ban", "rejected", "No."), ("profit-ban", "rejected", "No."))
    assert r.status_code == 200, r.text
    assert len(r.json()["decisions"]) == 1
    many = [(f"a{i}", "rejected", "No.") for i in range(81)]
    body = problem(_decide(example, *many), 422, "invalid-input")
    assert body["limit"] == 80
    problem(_decide(example), 422, "invalid-input")


def test_a_hostile_reason_in_a_batch_is_refused(example, profit_ban):
    before = _state(example)
    body = problem(_decide(example, ("profit-ban", "rejected", HOSTILE)), 422, "invalid-text")
    assert body["field"] == "reason"
    assert _state(example) == before


def test_an_unknown_batch_is_404(example):
    problem(example.client.get(example.url("/decisions/abc123")), 404, "not-found")
    assert example.client.get(example.url("/decisions/../x")).status_code in (404, 422)


# Falling ------------------------------------------------------------------------------

def _falls(example, slug: str, *others: str):
    return example.client.put(example.url(f"/amendments/{slug}/falls-if"), json={"amendments": list(others)})


def test_accepting_one_makes_those_that_fall_with_it_fall_with_the_reason(example):
    for slug, text in (("inspection", INSPECTION_TEXT), ("accountability", ACCOUNTABILITY_TEXT),
                       ("interpretation", INTERPRETATION_TEXT)):
        assert example.propose(slug, text, base=2).status_code == 201
    r = _falls(example, "accountability", "inspection")
    assert r.status_code == 200, r.text
    assert r.json()["falls_if"] == ["inspection"]
    assert example.client.get(example.url("/amendments/inspection")).json()["fall_with_it"] == ["accountability"]
    r = _decide(example, ("inspection", "accepted", "Ofsted asked."), ("interpretation", "rejected", "Not needed."))
    assert r.status_code == 200, r.text
    assert r.json()["decisions"][0]["fallen"] == ["accountability"]
    fallen = example.client.get(example.url("/amendments/accountability")).json()
    assert fallen["status"] == "fallen"
    assert fallen["decision"]["cause"] == "inspection"
    assert fallen["decision"]["reason"] == "Fell when amendment inspection (Amendment inspection) was accepted: " \
                                           "Ofsted asked."
    event = next(e for e in _events(example) if e["action"] == "amendment.fallen")
    assert event["target"] == "accountability" and event["detail"]["cause"] == "inspection"
    # Read back, the batch lists it under the acceptance it fell with.
    assert example.client.get(example.url(f"/decisions/{r.json()['batch']}")).json() == r.json()
    # Nobody makes an amendment fall by hand; it can be proposed again.
    problem(_status(example, "interpretation", "fallen"), 409, "invalid-transition")
    r = _status(example, "accountability", "proposed", reason="A further paragraph after all.")
    assert r.status_code == 200 and r.json()["amendment"]["status"] == "proposed"


def test_a_failed_acceptance_makes_nothing_fall(example):
    for slug, text in (("inspection", INSPECTION_TEXT), ("accountability", ACCOUNTABILITY_TEXT),
                       ("interpretation", INTERPRETATION_TEXT)):
        assert example.propose(slug, text, base=2).status_code == 201
    assert _falls(example, "interpretation", "inspection").status_code == 200
    before = _state(example)
    # Inspection is accepted (interpretation would fall) but accountability then fails: all of it is undone.
    problem(_decide(example, ("inspection", "accepted", ""), ("accountability", "accepted", "")),
            409, "patch-does-not-apply")
    assert _state(example) == before


def test_falling_lists_are_checked(example, profit_ban):
    problem(_falls(example, "profit-ban", "profit-ban"), 422, "invalid-input")
    problem(_falls(example, "profit-ban", "no-such"), 404, "not-found")
    assert _falls(example, "profit-ban").json()["falls_if"] == []


# The outcome ---------------------------------------------------------------------------

def test_the_outcome_says_what_was_decided_and_why_in_every_format(example, profit_ban):
    assert example.propose("interpretation", INTERPRETATION_TEXT, base=1).status_code == 201
    assert _decide(example, ("profit-ban", "accepted", ODD), ("interpretation", "rejected", "Not needed.")
                   ).status_code == 200
    data = example.client.get(example.url("/outcome.json"))
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/json")
    outcome = data.json()
    assert outcome["decided"] == {"Adopted": 1, "Rejected": 1}
    [regulation_2, regulation_3] = outcome["provisions"]
    assert (regulation_2["label"], regulation_3["label"]) == ("regulation 2", "regulation 3(2)")
    ban = regulation_3["amendments"][0]
    assert (ban["slug"], ban["verdict"], ban["reason"], ban["by"]) == ("profit-ban", "Adopted", ODD, ADMIN)
    [adcs] = regulation_3["respondents"]
    assert adcs["passages"][0]["href"].startswith("/documents/example-delegation/responses/adcs-response#quote-")
    assert outcome["uncited"][0]["response"] == "nspcc-response"
    markdown = example.client.get(example.url("/outcome"), headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert f"Why: {ODD}" in markdown.text
    page = example.client.get(example.url("/outcome.html"))
    assert page.headers["content-type"].startswith("text/html") and "default-src 'none'" in \
        page.headers["content-security-policy"]
    assert "Fewer than &lt;5 bodies &amp; &quot;quotes&quot;" in page.text and ODD not in page.text
    assert example.client.get(example.url("/outcome"), headers={"Accept": "text/html"}).text == page.text
    problem(example.client.get(example.url("/outcome"), headers={"Accept": "image/png"}), 406, "not-acceptable")
    assert example.client.get(example.url("/outcome.pdf")).status_code == 422
