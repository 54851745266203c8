"""Revising an open amendment through the API: a new revision with new text, citations
and categories, guarded by If-Match; the hunk report and the event log follow it."""

from fastapi.testclient import TestClient

from .support import NSPCC_TEXT, PROFIT_BAN_TEXT, V1, V2, problem

NOT_FOR_PROFIT = V1.replace("to any person.", "to a body that is not carried on for profit.")


def _revision(example, slug="profit-ban", *, etag='"1"', **changes):
    body = {"title": "Not for profit", "categories": ["profit-ban", "accountability"],
            "rationale": "Say it as the Act does.", "new_text": NOT_FOR_PROFIT,
            "citations": [{"response": "adcs-response", "quote": "Delegation should be limited to bodies that are "
                                                                   "not-for-profit"}], **changes}
    headers = {"If-Match": etag} if etag is not None else {}
    return example.client.put(example.url(f"/amendments/{slug}"), json=body, headers=headers)


def test_a_revision_replaces_text_citations_and_categories_and_bumps_the_etag(example, profit_ban):
    r = _revision(example)
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"'
    revised = r.json()
    assert (revised["title"], revised["revision"], revised["status"]) == ("Not for profit", 2, "proposed")
    assert revised["categories"] == ["profit-ban", "accountability"]
    assert [c["quote"] for c in revised["citations"]] == [
        "Delegation should be limited to bodies that are not-for-profit"]
    assert revised["patch_text"] != profit_ban["patch_text"] and revised["hunks"][0]["provisions"][0]["id"] == "reg-3-2"
    applied = example.client.get(example.url("/amendments/profit-ban/apply")).json()
    assert "not carried on for profit" in applied["text"]
    got = example.client.get(example.url("/amendments/profit-ban"))
    assert got.headers["ETag"] == '"2"' and got.json() == revised
    events = example.client.get("/api/events", params={"document": example.doc, "limit": 200}).json()["items"]
    event = [e for e in events if e["action"] == "amendment.revised"][-1]
    assert event["detail"] == {"base": 1, "hunks": 1, "revision": 2} and event["target"].endswith("/profit-ban")


def test_a_revision_can_move_the_base_to_another_version(example, profit_ban):
    r = _revision(example, base=2, new_text=V2.replace("to any person.", "to a charity."))
    assert r.status_code == 200, r.text
    assert r.json()["base"] == 2


def test_without_if_match_it_is_428_and_with_a_stale_one_409_and_nothing_changes(example, profit_ban):
    body = problem(_revision(example, etag=None), 428, "precondition-required")
    assert body["field"] == "If-Match"
    assert _revision(example).status_code == 200
    stale = problem(_revision(example, title="Again", etag='"1"'), 409, "invalid-transition")
    assert stale["revision"] == 2
    assert example.client.get(example.url("/amendments/profit-ban")).json()["title"] == "Not for profit"


def test_bad_revisions_are_refused_as_proposals_are(example, profit_ban):
    problem(_revision(example, categories=["profits"]), 422, "invalid-input")
    problem(_revision(example, citations=[{"response": "adcs-response", "quote": "not in the response"}]), 422,
            "quote-not-found")
    problem(_revision(example, new_text=V1), 422, "invalid-input")
    problem(_revision(example, patch_text="@@ nonsense"), 422, "invalid-input")
    problem(_revision(example, title="<script>alert(1)</script>"), 422, "invalid-text")
    assert example.client.get(example.url("/amendments/profit-ban")).json()["revision"] == 1


def test_only_an_open_amendment_is_revised(example, profit_ban):
    r = example.client.post(example.url("/amendments/profit-ban/status"),
                            json={"status": "withdrawn", "reason": "Redrafting"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    body = problem(_revision(example, etag='"2"'), 409, "invalid-transition")
    assert body["current_status"] == "withdrawn"


def test_a_stakeholder_revises_its_own_amendment_citing_its_own_responses_only(example, profit_ban, issue_token):
    adcs = TestClient(example.client.app, headers={"Authorization": f"Bearer {issue_token('stakeholder', 'adcs')}"})
    nspcc = TestClient(example.client.app,
                       headers={"Authorization": f"Bearer {issue_token('stakeholder', 'nspcc')}"})
    reviewer = TestClient(example.client.app, headers={"Authorization": f"Bearer {issue_token('reviewer')}"})
    url, body = example.url("/amendments/profit-ban"), {"title": "T", "categories": ["profit-ban"],
                                                        "new_text": NOT_FOR_PROFIT}
    for client in (nspcc, reviewer):
        problem(client.put(url, json=body, headers={"If-Match": '"1"'}), 403, "forbidden")
    quoting = {**body, "citations": [{"response": "nspcc-response", "quote": NSPCC_TEXT.split(".")[0]}]}
    problem(adcs.put(url, json=quoting, headers={"If-Match": '"1"'}), 403, "forbidden")
    assert adcs.put(url, json=body, headers={"If-Match": '"1"'}).status_code == 200
    assert TestClient(example.client.app).put(url, json=body, headers={"If-Match": '"2"'}).status_code == 401


def test_a_revision_with_the_same_text_keeps_its_hunks(example, profit_ban):
    r = _revision(example, new_text=PROFIT_BAN_TEXT)
    assert r.status_code == 200, r.text
    assert r.json()["patch_text"] == profit_ban["patch_text"] and r.json()["hunks"] == profit_ban["hunks"]
