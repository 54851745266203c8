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


# Several at once -----------------------------------------------------------------------

def _decide_many(web, **fields):
    token = csrf_of(web.get("/login").text)
    return web.post(f"{BASE}/decisions", data={"csrf_token": token, **fields})


def test_deciding_several_at_once_shows_the_hunk_reports(web):
    page = web.get(f"{BASE}/decide")
    assert page.status_code == 200 and 'name="decision-profit-ban"' in page.text
    decided = _decide_many(web, **{"decision-profit-ban": "accepted@1", "decision-not-for-profit": "rejected@1",
                                   "reason-not-for-profit": ODD, "reason": "The government chose."})
    assert decided.status_code == 303, decided.text
    batch = web.get(decided.headers["location"]).text
    assert "Hunk report on version 2" in batch and 'class="hunk-status">exact<' in batch
    assert "Fewer than &lt;5 bodies" in batch and "The government chose." in batch
    statuses = {a["slug"]: a["status"] for a in web.get(f"/api/documents/{DOC}/amendments").json()["items"]}
    assert (statuses["profit-ban"], statuses["not-for-profit"], statuses["ofsted-inspection"]) == (
        "accepted", "rejected", "proposed")


def test_a_failing_batch_decides_nothing_and_comes_back_with_the_choices(web):
    before = web.get(f"/api/documents/{DOC}/amendments").json()
    refused = _decide_many(web, **{"decision-profit-ban": "accepted@1", "decision-not-for-profit": "rejected@1"})
    assert refused.status_code == 422
    assert "Nothing was decided" in refused.text and "without a reason" in refused.text
    assert '<option value="accepted@1" selected>' in refused.text
    assert web.get(f"/api/documents/{DOC}/amendments").json() == before
    hostile = _decide_many(web, **{"decision-not-for-profit": "rejected@1", "reason": HOSTILE})
    assert hostile.status_code == 422 and "<script>" not in hostile.text


def test_only_deciders_see_and_use_the_decide_several_page(web):
    as_(web, "drafter")
    assert web.get(f"{BASE}/decide").status_code == 403
    assert _decide_many(web, **{"decision-not-for-profit": "rejected@1", "reason": "No."}).status_code == 403
    assert "Decide several at once" not in web.get(f"{BASE}/amendments").text


def test_the_amendment_pages_show_what_falls_with_what(web):
    from regdraft.services import amendments as A
    from regdraft.services import decisions
    from regdraft.store.engine import make_engine, session_scope
    from regdraft.services import documents

    engine = make_engine(web.database_url)
    with session_scope(engine) as session:
        doc = documents.get_document(session, DOC)
        decisions.set_falls_if(session, A.get_amendment(session, doc, "not-for-profit"),
                               [A.get_amendment(session, doc, "profit-ban")], actor="t")
    engine.dispose()
    assert "Accepting it makes fall" in web.get(f"{BASE}/amendments/profit-ban").text
    assert _decide(web, "profit-ban", "accepted", "Adopted.").status_code == 303
    page = web.get(f"{BASE}/amendments/not-for-profit").text
    assert "Falls if accepted" in page and 'class="status status-fallen"' in page
    assert "Fell when amendment profit-ban" in page


def test_the_outcome_page_is_printable_and_escapes_the_records(web):
    assert _decide(web, "not-for-profit", "rejected", ODD).status_code == 303
    page = web.get(f"{BASE}/outcome")
    assert page.status_code == 200
    assert '<article class="outcome">' in page.text and 'aria-current="page">Outcome<' in page.text
    assert "<strong>Rejected on " in page.text and "Fewer than &lt;5 bodies" in page.text
    assert HOSTILE not in page.text  # the stakeholder's hostile name is escaped


def test_drafters_say_through_the_page_what_falls_with_what(web):
    as_(web, "drafter")
    page = web.get(f"{BASE}/amendments/not-for-profit").text
    assert 'name="falls_if" value="profit-ban"' in page
    token = csrf_of(page)
    saved = web.post(f"{BASE}/amendments/not-for-profit/falls-if",
                     data={"falls_if": ["profit-ban", "profit-ban"], "csrf_token": token})
    assert saved.status_code == 303
    assert web.get(f"/api/documents/{DOC}/amendments/not-for-profit").json()["falls_if"] == ["profit-ban"]
    assert web.post(f"{BASE}/amendments/not-for-profit/falls-if",
                    data={"falls_if": "not-for-profit", "csrf_token": token}).status_code == 422
    assert web.post(f"{BASE}/amendments/not-for-profit/falls-if", data={"falls_if": "profit-ban"}).status_code == 403
    as_(web, "stakeholder", "nspcc")
    assert web.post(f"{BASE}/amendments/not-for-profit/falls-if",
                    data={"falls_if": "profit-ban", "csrf_token": token}).status_code == 403
