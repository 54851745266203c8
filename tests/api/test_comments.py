"""Discussion over HTTP: comments and replies on provisions, amendments, response
passages and citations; re-anchoring on new versions; editing, hiding, re-attaching;
who may do which; hostile text. Both backends (the ``client`` fixture's database)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from regdraft.api.app import create_app

from .support import V2, problem

QUOTE = "delegate a relevant care function"


def _comment(ex, headers=None, **body):
    return ex.client.post(ex.url("/comments"), json={"body": "A comment.", **body}, headers=headers or {})


def _bearer(issue_token, role, stakeholder=None, name=None):
    return {"Authorization": f"Bearer {issue_token(role, stakeholder=stakeholder, name=name)}"}


def _new_version(ex, text):
    head = ex.client.get(ex.url()).json()["head"]["number"]
    r = ex.client.post(ex.url("/versions"), json={"text": text, "parent": head})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def test_a_provision_thread_is_anchored_and_follows_each_new_version(example):
    r = _comment(example, target="provision", provision="reg-3-2", quote=QUOTE, body="Is this too wide?")
    assert r.status_code == 201, r.text
    first = r.json()
    assert r.headers["location"].endswith(f"/comments/{first['id']}") and r.headers["etag"] == '"1"'
    assert first["version"] == 2 and first["anchor"]["state"] == "exact" and first["anchor"]["label"] == \
        "regulation 3(2)"
    reply = _comment(example, reply_to=first["id"], body="It is: see the ADCS response.").json()
    assert (reply["thread"], reply["target"], reply["provision"]) == (first["id"], "provision", "reg-3-2")

    # Version 3 adds words before regulation 3: the quote is carried, still exact.
    three = _new_version(example, V2.replace("### 2. Interpretation", "### 2. Interpretation and scope"))
    # Version 4 changes one word of the quote: fuzzy, with its score and the words found.
    four = _new_version(example, V2.replace("### 2. Interpretation", "### 2. Interpretation and scope")
                        .replace("delegate a relevant", "delegate any relevant"))
    # Version 5 removes the words altogether: orphaned, listed, not lost.
    five = _new_version(example, V2.replace("may delegate a relevant care function to any person.",
                                            "must not delegate."))
    anchors = {n: example.client.get(example.url("/comments"), params={"version": n}).json()["items"][0]["anchor"]
               for n in (2, three, four, five)}
    assert [anchors[n]["state"] for n in (2, three, four, five)] == ["exact", "exact", "fuzzy", "orphaned"]
    assert anchors[three]["start"] > anchors[2]["start"] and anchors[three]["found"] == QUOTE
    assert anchors[four]["found"] == "delegate any relevant care function"
    assert anchors[four]["threshold"] <= anchors[four]["score"] < 1
    assert anchors[five]["start"] is None and anchors[five]["score"] < anchors[five]["threshold"]
    listed = example.client.get(example.url("/comments"), params={"state": "orphaned"}).json()
    assert [t["id"] for t in listed["items"]] == [first["id"]]
    assert [r["id"] for r in listed["items"][0]["replies"]] == [reply["id"]]
    events = example.client.get("/api/events", params={"limit": 200}).json()["items"]
    reanchored = [e for e in events if e["action"] == "comments.reanchored"]
    assert [(e["target"], e["detail"]["orphaned"]) for e in reanchored][-1] == (f"{example.doc}@{five}", 1)
    assert reanchored[-1]["detail"]["orphaned_comments"] == [first["id"]]


def test_a_reviewer_reattaches_an_orphaned_comment_to_a_new_quote(example, issue_token):
    made = _comment(example, target="provision", provision="reg-3-2", quote=QUOTE).json()
    _new_version(example, V2.replace("may delegate a relevant care function to any person.", "must not delegate."))
    stakeholder = _bearer(issue_token, "stakeholder", "adcs")
    body = {"provision": "reg-3-2", "quote": "must not delegate"}
    problem(example.client.post(example.url(f"/comments/{made['id']}/reattach"), json=body, headers=stakeholder),
            403, "forbidden")
    reviewer = _bearer(issue_token, "reviewer", name="chair")
    problem(example.client.post(example.url(f"/comments/{made['id']}/reattach"),
                                json={**body, "quote": "may delegate"}, headers=reviewer), 422, "quote-not-found")
    r = example.client.post(example.url(f"/comments/{made['id']}/reattach"), json=body,
                            headers={**reviewer, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    anchor = r.json()["anchor"]
    assert (anchor["state"], anchor["quote"], anchor["reattached_by"]) == ("exact", "must not delegate", "chair")
    assert r.headers["etag"] == '"2"'
    assert example.client.get(example.url("/comments"), params={"state": "orphaned"}).json()["total"] == 0
    problem(example.client.post(example.url(f"/comments/{made['id']}/reattach"), json=body,
                                headers={**reviewer, "If-Match": '"1"'}), 409, "invalid-transition")


def test_a_comment_on_an_older_version_is_carried_to_the_head(example):
    r = _comment(example, target="provision", version=1, provision="reg-1", quote="Example Regulations 2014")
    assert r.status_code == 201, r.text
    # Version 2 rewrote regulation 1's citation: at the head the words are gone.
    assert r.json()["version"] == 1 and r.json()["anchor"]["version"] == 2
    assert r.json()["anchor"]["state"] in ("fuzzy", "orphaned")
    at_one = example.client.get(example.url("/comments"), params={"version": 1}).json()["items"][0]["anchor"]
    assert at_one["state"] == "exact" and at_one["found"] == "Example Regulations 2014"


def test_comments_on_an_amendment_a_citation_and_a_response_passage(example, profit_ban):
    on_amendment = _comment(example, target="amendment", amendment="profit-ban", body="Support.")
    on_citation = _comment(example, target="citation", amendment="profit-ban", citation=1, body="Strong words.")
    on_passage = _comment(example, target="response", response="adcs-response", quote="not-for-profit",
                          body="Which bodies?")
    for r in (on_amendment, on_citation, on_passage):
        assert r.status_code == 201, r.text
    assert on_citation.json()["citation"] == 1 and on_passage.json()["anchor"]["version"] is None
    listed = example.client.get(example.url("/comments"), params={"amendment": "profit-ban"}).json()
    assert [t["target"] for t in listed["items"]] == ["amendment", "citation"]
    problem(_comment(example, target="citation", amendment="profit-ban", citation=2), 404, "not-found")
    # The response's text changes: the passage is re-anchored, exact where the words still stand.
    put = example.client.put(example.url("/responses/adcs-response"), json={
        "stakeholder": "adcs", "title": "adcs-response title", "date": "2014-06-05",
        "text": "Preface.\n\nThe Association believes that a profit motive has no place in the delivery of "
                "children's\nsocial care. Delegation should be limited to bodies that are not-for-profit.\n"})
    assert put.status_code == 200, put.text
    anchor = example.client.get(example.url(f"/comments/{on_passage.json()['id']}")).json()["anchor"]
    assert anchor["state"] == "exact" and anchor["start"] == on_passage.json()["anchor"]["start"] + len("Preface.\n\n")


def test_a_stakeholder_comments_on_its_own_and_public_things_only(example, issue_token):
    own_draft = example.propose("own-draft", V2.replace("any person", "a charity"), base=2, status="draft")
    other_draft = example.propose("other-draft", V2.replace("any person", "a trust"), base=2, status="draft",
                                  proposer="nspcc")
    other_proposed = example.propose("other-proposed", V2.replace("any person", "a body"), base=2, proposer="nspcc")
    assert {r.status_code for r in (own_draft, other_draft, other_proposed)} == {201}
    adcs = _bearer(issue_token, "stakeholder", "adcs", name="adcs-team")
    allowed = [dict(target="amendment", amendment="own-draft"), dict(target="amendment", amendment="other-proposed"),
               dict(target="provision", provision="reg-4", quote="review these Regulations"),
               dict(target="response", response="nspcc-response", quote="inspection by Ofsted")]
    for body in allowed:
        r = _comment(example, adcs, **body)
        assert r.status_code == 201, (body, r.text)
        assert r.json()["stakeholder"] == "adcs" and r.json()["author"] == "adcs-team"
    events = example.client.get("/api/events", params={"limit": 1}).json()["total"]
    body = problem(_comment(example, adcs, target="amendment", amendment="other-draft"), 403, "forbidden")
    assert "draft" in body["detail"]
    problem(_comment(example, target="amendment", amendment="other-draft",
                     headers={"Authorization": ""}), 401, "unauthenticated")
    assert example.client.get("/api/events", params={"limit": 1}).json()["total"] == events
    reader = _bearer(issue_token, "reader")
    assert _comment(example, reader, target="amendment", amendment="other-draft").status_code == 201


def test_only_the_author_edits_and_only_for_a_while(example, issue_token, settings):
    drafter = _bearer(issue_token, "drafter", name="drafter-one")
    made = _comment(example, drafter, target="amendment", amendment="missing")
    problem(made, 404, "not-found")
    example.propose("to-discuss", V2.replace("any person", "a charity"), base=2)
    made = _comment(example, drafter, target="amendment", amendment="to-discuss", body="First thoughts.").json()
    url = example.url(f"/comments/{made['id']}")
    problem(example.client.patch(url, json={"body": "Mine now."}), 403, "forbidden")  # the admin is not its author
    r = example.client.patch(url, json={"body": "Second thoughts."}, headers={**drafter, "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["body"] == "Second thoughts." and r.json()["edited_at"] and r.headers["etag"] == '"2"'
    problem(example.client.patch(url, json={"body": "Third.", "revision": 1}, headers=drafter), 409,
            "invalid-transition")
    events = [e for e in example.client.get("/api/events", params={"limit": 200}).json()["items"]
              if e["target"].endswith(f"/comments/{made['id']}")]
    assert [(e["action"], e["detail"]["body"]) for e in events] == [("comment.created", "First thoughts."),
                                                                    ("comment.edited", "Second thoughts.")]
    # With no edit window, a comment is final as soon as it is posted.
    final = settings.model_copy(update={"comment_edit_minutes": 0})
    with TestClient(create_app(final), headers=drafter) as strict:
        again = strict.post(example.url("/comments"), json={"target": "amendment", "amendment": "to-discuss",
                                                             "body": "Final."}).json()
        body = problem(strict.patch(example.url(f"/comments/{again['id']}"), json={"body": "Changed."}), 409,
                       "invalid-transition")
        assert "final" in body["detail"]


def test_a_reviewer_hides_a_comment_with_a_reason_and_it_is_kept(example, issue_token):
    made = _comment(example, target="provision", provision="reg-4", quote="review these Regulations",
                    body="Spam spam spam.").json()
    url = example.url(f"/comments/{made['id']}")
    drafter = _bearer(issue_token, "drafter")
    problem(example.client.post(f"{url}/hide", json={"reason": "No."}, headers=drafter), 403, "forbidden")
    reviewer = _bearer(issue_token, "reviewer", name="chair")
    problem(example.client.post(f"{url}/hide", json={"reason": "  "}, headers=reviewer), 422, "invalid-input")
    r = example.client.post(f"{url}/hide", json={"reason": "Off topic."}, headers=reviewer)
    assert r.status_code == 200, r.text
    assert r.json()["body"] is None and r.json()["hidden"]["reason"] == "Off topic."
    assert r.json()["hidden"]["by"] == "chair"
    problem(example.client.post(f"{url}/hide", json={"reason": "Again."}, headers=reviewer), 409,
            "invalid-transition")
    problem(_comment(example, reply_to=made["id"]), 409, "invalid-transition")
    problem(example.client.patch(url, json={"body": "Edited."}), 409, "invalid-transition")
    assert example.client.get(example.url("/comments")).json()["items"][0]["hidden"]["reason"] == "Off topic."
    log = [e for e in example.client.get("/api/events", params={"limit": 200}).json()["items"]
           if e["target"] == f"{example.doc}/comments/{made['id']}"]
    assert [e["action"] for e in log] == ["comment.created", "comment.hidden"]
    assert log[0]["detail"]["body"] == "Spam spam spam." and log[1]["detail"]["reason"] == "Off topic."


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                     "right\u202eleft", "zero\u200bwidth", "c1\x85next", "nul\x00"])
def test_hostile_text_in_comments_and_reasons_is_refused(example, hostile):
    made = _comment(example, target="provision", provision="reg-4", quote="review these Regulations").json()
    before = example.client.get("/api/events", params={"limit": 1}).json()["total"]
    body = problem(_comment(example, target="provision", provision="reg-4", quote="review these Regulations",
                            body=f"A comment {hostile}"), 422, "invalid-text")
    assert body["field"] == "body"
    problem(example.client.post(example.url(f"/comments/{made['id']}/hide"), json={"reason": hostile}), 422,
            "invalid-text")
    problem(example.client.patch(example.url(f"/comments/{made['id']}"), json={"body": hostile}), 422,
            "invalid-text")
    assert example.client.get("/api/events", params={"limit": 1}).json()["total"] == before


def test_what_a_comment_needs_is_said(example):
    cases = [({"target": "clause"}, 422, "validation-error"), ({}, 422, "invalid-input"),
             ({"target": "provision", "provision": "reg-3"}, 422, "invalid-input"),
             ({"target": "provision", "quote": QUOTE}, 422, "invalid-input"),
             ({"target": "provision", "provision": "reg-9", "quote": QUOTE}, 404, "not-found"),
             ({"target": "provision", "provision": "reg-4", "quote": QUOTE}, 422, "quote-not-found"),
             ({"target": "provision", "provision": "reg-3", "quote": QUOTE, "body": " "}, 422, "invalid-input"),
             ({"target": "response", "response": "nspcc-response"}, 422, "invalid-input"),
             ({"reply_to": 999}, 404, "not-found"), ({"target": "amendment"}, 422, "invalid-input")]
    for body, status, code in cases:
        problem(_comment(example, **body), status, code)
    problem(example.client.get(example.url("/comments/999")), 404, "not-found")
    problem(example.client.get(example.url("/comments"), params={"state": "lost"}), 422, "validation-error")
    assert example.client.get(example.url("/comments")).json()["total"] == 0


def test_comments_are_searched_and_hidden_ones_are_not(example, issue_token):
    made = _comment(example, target="provision", provision="reg-3-2", quote=QUOTE,
                    body="Ofsted should register every delegate.").json()
    _comment(example, target="amendment", amendment="missing")
    hits = example.client.get("/api/search", params={"q": "register delegate", "kind": "comment"}).json()
    assert [(h["kind"], h["target"]) for h in hits["items"]] == [("comment", str(made["id"]))]
    hit = hits["items"][0]
    assert hit["api_url"] == example.url(f"/comments/{made['id']}") and "<mark>" in hit["snippet"]
    page = example.client.get(hit["url"], headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/documents/{example.doc}?version=2#comment-" \
        f"{made['id']}"
    # The quote is searched too; an edit replaces the words; a hidden comment is not found.
    assert example.client.get("/api/search", params={"q": "relevant care", "kind": "comment"}).json()["total"] == 1
    example.client.patch(example.url(f"/comments/{made['id']}"), json={"body": "Ofsted should inspect."})
    assert example.client.get("/api/search", params={"q": "register", "kind": "comment"}).json()["total"] == 0
    reviewer = _bearer(issue_token, "reviewer")
    example.client.post(example.url(f"/comments/{made['id']}/hide"), json={"reason": "Moved."}, headers=reviewer)
    assert example.client.get("/api/search", params={"q": "inspect", "kind": "comment"}).json()["total"] == 0
