"""Decisions through the pages: the decide form takes a reason (required to reject),
the amendment page lists every decision with its reason, escaped."""

from __future__ import annotations

from .conftest import DOC, HOSTILE
from .test_signin import as_, csrf_of

BASE = f"/documents/{DOC}"
ODD = 'Fewer than <5 bodies & "quotes"'


def _decide(web, slug: str, status: str, reason: str, revision: str = "1"):
    token = csrf_of(web.get("/login").text)
    return web.post(f"{BASE}/amendments/{slug}/status",
                    data={"status": status, "revision": revision, "reason": reason, "csrf_token": token})


def test_the_decide_form_asks_for_a_reason(reader):
    body = reader.get(f"{BASE}/amendments/profit-ban").text
    assert '<textarea id="decision-reason" name="reason"' in body


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(web):
    refused = _decide(web, "not-for-profit", "rejected", "  ")
    assert refused.status_code == 422
    assert "without a reason" in refused.text
    assert web.get(f"/api/documents/{DOC}/amendments/not-for-profit").json()["status"] == "proposed"


def test_a_reason_is_shown_escaped_with_who_decided(web):
    assert _decide(web, "not-for-profit", "rejected", ODD).status_code == 303
    page = web.get(f"{BASE}/amendments/not-for-profit").text
    assert '<h2 id="decisions-heading">Decisions</h2>' in page
    assert "Fewer than &lt;5 bodies &amp; &#34;quotes&#34;" in page
    assert web.get(f"/api/documents/{DOC}/amendments/not-for-profit").json()["decision"]["reason"] == ODD


def test_a_hostile_reason_is_refused(web):
    refused = _decide(web, "not-for-profit", "rejected", HOSTILE)
    assert refused.status_code == 422
    assert "<script>" not in refused.text
    assert web.get(f"/api/documents/{DOC}/amendments/not-for-profit").json()["decisions"] == []


def test_only_deciders_decide_through_the_pages(web):
    as_(web, "drafter")
    assert _decide(web, "not-for-profit", "rejected", "No.").status_code == 403
    as_(web, "reviewer")
    assert _decide(web, "not-for-profit", "rejected", "No.").status_code == 303
