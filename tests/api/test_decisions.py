"""Decisions with reasons over HTTP: every status change takes a reason (rejecting needs
one); it is kept on the amendment, in the event log and in Keeling notes; reasons are
texts like any other, so hostile ones are refused or escaped."""

from __future__ import annotations

import pytest

from .support import ADMIN, problem

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
