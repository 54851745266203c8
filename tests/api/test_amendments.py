"""Amendments over HTTP: propose, read, status, accept, apply, conflicts."""

from __future__ import annotations

import hashlib

import pytest

from regdraft.core.patching import make_patch

from .support import (ACCOUNTABILITY_TEXT, ADCS_TEXT, ADMIN, INSPECTION_TEXT, INTERPRETATION_TEXT, PROFIT_BAN_TEXT,
                      V1, V2, problem)

QUOTE = "a profit motive has no place in the delivery of children's social care"
V3_WITHOUT_DELEGATION = V2.replace("(2) A local authority may delegate a relevant care function to any person.\n",
                                   "(2) Delegation is not permitted.\n")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Proposing ---------------------------------------------------------------------------

def test_propose_returns_hunks_and_citations(example, profit_ban):
    assert profit_ban["slug"] == "profit-ban"
    assert profit_ban["status"] == "proposed"
    assert profit_ban["base"] == 1 and profit_ban["base_hash"] == _sha(V1)
    assert profit_ban["proposer"] == "adcs"
    assert profit_ban["categories"] == ["profit-ban"]
    assert profit_ban["revision"] == 1
    assert profit_ban["produced_version"] is None
    [hunk] = profit_ban["hunks"]
    assert hunk["index"] == 1
    assert hunk["header"].startswith("@@ -")
    assert hunk["provisions"] == [{"id": "reg-3-2", "label": "regulation 3(2)"}]
    [citation] = profit_ban["citations"]
    assert citation["response"] == "adcs-response" and citation["stakeholder"] == "adcs"
    assert citation["quote"] == QUOTE
    # The quote spans a line break in the response; the anchor covers the original text.
    assert " ".join(ADCS_TEXT[citation["start"]:citation["end"]].split()) == QUOTE


def test_propose_sets_location_and_etag(example):
    r = example.propose("profit-ban", PROFIT_BAN_TEXT)
    assert r.status_code == 201
    assert r.headers["location"] == f"/api/documents/{example.doc}/amendments/profit-ban"
    assert r.headers["etag"] == '"1"'


def test_propose_with_patch_text(example):
    r = example.propose("by-patch", None, patch_text=make_patch(V2, V2.replace("1st July 2014", "1st October 2014")),
                        base=2, categories=["standards"], status="draft")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    assert r.json()["hunks"][0]["provisions"] == [{"id": "reg-1", "label": "regulation 1"}]


def test_propose_with_instructions_applies_them_to_the_base(example):
    r = example.propose("by-instructions", None, base=2, categories=["standards"],
                        instructions="1. In regulation 1, for “1st July 2014” substitute “1st October 2014”.\n")
    assert r.status_code == 201, r.text
    [hunk] = r.json()["hunks"]
    assert hunk["provisions"] == [{"id": "reg-1", "label": "regulation 1"}]
    applied = example.client.get(example.url("/amendments/by-instructions/apply")).json()
    assert applied["text"] == V2.replace("1st July 2014", "1st October 2014")


def test_instructions_that_do_not_apply_are_422_naming_the_instruction(example):
    r = example.propose("by-instructions", None, base=2, categories=["standards"],
                        instructions="1. In regulation 1, for “1st July 2014” substitute “1st May 2014”.\n\n"
                                     "2. In regulation 9, omit “any”.\n")
    body = problem(r, 422, "invalid-instruction")
    assert body["instruction"] == 2 and "no provision 'regulation 9'" in body["detail"]


def test_get_amendment_has_etag(example, profit_ban):
    r = example.client.get(example.url("/amendments/profit-ban"))
    assert r.status_code == 200
    assert r.headers["etag"] == '"1"'
    assert r.json() == profit_ban


def test_unknown_amendment_is_404_problem(example):
    body = problem(example.client.get(example.url("/amendments/nope")), 404, "not-found")
    assert body["amendment"] == "nope"
    problem(example.client.post(example.url("/amendments/nope/accept")), 404, "not-found")
    problem(example.client.get(example.url("/amendments/nope/apply")), 404, "not-found")


def test_malformed_patch_is_422(example):
    r = example.propose("bad-patch", None, patch_text="this is not a patch\n")
    body = problem(r, 422, "invalid-patch")
    assert body["line"] == 1
    assert "patch line 1" in body["detail"]


def test_invalid_amendment_slug_is_422(example):
    body = problem(example.propose("Profit_Ban", PROFIT_BAN_TEXT), 422, "invalid-input")
    assert body["field"] == "amendment slug"


def test_unknown_category_is_422(example):
    body = problem(example.propose("profit-ban", PROFIT_BAN_TEXT, categories=["profits"]), 422, "invalid-input")
    assert body["field"] == "categories"
    assert "'profits'" in body["detail"] and "profit-ban" in body["detail"]


def test_both_patch_and_new_text_is_422(example):
    r = example.client.post(example.url("/amendments"), json={
        "slug": "both", "title": "Both", "proposer": "adcs", "base": 1, "categories": ["profit-ban"],
        "new_text": PROFIT_BAN_TEXT, "patch_text": make_patch(V1, PROFIT_BAN_TEXT)})
    assert problem(r, 422, "invalid-input")["field"] == "patch_text"


def test_quote_not_in_response_is_422_with_citation(example):
    r = example.propose("profit-ban", PROFIT_BAN_TEXT, citations=[
        {"response": "adcs-response", "quote": QUOTE},
        {"response": "nspcc-response", "quote": "profit is fine"}])
    body = problem(r, 422, "quote-not-found")
    assert body["citation"] == 2
    assert body["response"] == "nspcc-response"
    assert body["quote"] == "profit is fine"
    # Nothing was stored.
    problem(example.client.get(example.url("/amendments/profit-ban")), 404, "not-found")


def test_citation_of_unknown_response_is_404(example):
    r = example.propose("profit-ban", PROFIT_BAN_TEXT, citations=[{"response": "nobody", "quote": "x"}])
    body = problem(r, 404, "not-found")
    assert body["citation"] == 1 and body["response"] == "nobody"


def test_nul_byte_in_new_text_is_422(example):
    body = problem(example.propose("nul", V1.replace("any person", "any\u0000person")), 422, "invalid-text")
    assert "U+0000" in body["detail"]


def test_schema_mismatch_is_validation_problem(example):
    r = example.client.post(example.url("/amendments"), json={"slug": "x", "title": "x", "proposer": "adcs",
                                                              "base": "one", "categories": "profit-ban"})
    body = problem(r, 422, "validation-error")
    locs = [e["loc"] for e in body["errors"]]
    assert ["body", "base"] in locs and ["body", "categories"] in locs


def test_patch_for_the_wrong_base_is_409(example):
    patch = make_patch(V2, V2.replace("1st July 2014", "1st October 2014"))
    body = problem(example.propose("wrong-base", None, patch_text=patch, base=1), 409, "patch-does-not-apply")
    assert body["hunks"] == [{"hunk": 1, "status": "failed", "expected_at": body["hunks"][0]["expected_at"],
                              "found_at": None, "shift": None, "score": None}]


def test_duplicate_amendment_is_409(example, profit_ban):
    body = problem(example.propose("profit-ban", PROFIT_BAN_TEXT), 409, "already-exists")
    assert body["amendment"] == "profit-ban"


def test_list_amendments_filters_and_paginates(example, profit_ban):
    r = example.propose("inspection", INSPECTION_TEXT, categories=["inspection-duty"], proposer="nspcc",
                        status="draft")
    assert r.status_code == 201, r.text
    url = example.url("/amendments")
    body = example.client.get(url).json()
    assert body["total"] == 2 and [a["slug"] for a in body["items"]] == ["inspection", "profit-ban"]
    assert [a["slug"] for a in example.client.get(url, params={"status": "draft"}).json()["items"]] == ["inspection"]
    assert [a["slug"] for a in example.client.get(url, params={"category": "profit-ban"}).json()["items"]] == [
        "profit-ban"]
    assert [a["slug"] for a in example.client.get(url, params={"stakeholder": "nspcc"}).json()["items"]] == [
        "inspection"]
    assert [a["slug"] for a in example.client.get(url, params={"provision": "reg-3-2"}).json()["items"]] == [
        "profit-ban"]
    page = example.client.get(url, params={"offset": 1, "limit": 1}).json()
    assert page["total"] == 2 and [a["slug"] for a in page["items"]] == ["profit-ban"]
    assert problem(example.client.get(url, params={"status": "maybe"}), 422, "invalid-input")["field"] == "status"
    assert problem(example.client.get(url, params={"category": "x"}), 422, "invalid-input")["field"] == "category"


# Status and acceptance -----------------------------------------------------------------

def test_accept_creates_next_version_with_produced_by(example, profit_ban):
    r = example.client.post(example.url("/amendments/profit-ban/accept"))
    assert r.status_code == 201, r.text
    version = r.json()
    assert version["number"] == 3 and version["parent"] == 2
    assert version["produced_by"] == "profit-ban"
    assert version["author"] == ADMIN
    assert r.headers["location"] == f"/api/documents/{example.doc}/versions/3"
    text = example.client.get(example.url("/versions/3/text")).text
    assert text == V2.replace("to any person.", "to a body that is not-for-profit.")
    amendment = example.client.get(example.url("/amendments/profit-ban")).json()
    assert amendment["status"] == "accepted" and amendment["produced_version"] == 3
    counts = example.client.get(example.url()).json()["amendments"]
    assert counts["accepted"] == 1 and counts["proposed"] == 0


def test_accepting_twice_is_409(example, profit_ban):
    assert example.client.post(example.url("/amendments/profit-ban/accept")).status_code == 201
    body = problem(example.client.post(example.url("/amendments/profit-ban/accept")), 409, "invalid-transition")
    assert body["current_status"] == "accepted"
    assert body["wanted"] == "accepted"
    assert example.client.get(example.url()).json()["versions"] == 3


def test_invalid_transition_is_409(example):
    assert example.propose("draft-one", PROFIT_BAN_TEXT, status="draft").status_code == 201
    r = example.client.post(example.url("/amendments/draft-one/status"), json={"status": "rejected"})
    body = problem(r, 409, "invalid-transition")
    assert body["current_status"] == "draft" and body["wanted"] == "rejected"
    assert "allowed: proposed, withdrawn" in body["detail"]


def test_unknown_status_is_422(example, profit_ban):
    r = example.client.post(example.url("/amendments/profit-ban/status"), json={"status": "approved"})
    assert problem(r, 422, "invalid-input")["field"] == "status"


def test_status_change_bumps_revision_and_checks_it(example, profit_ban):
    url = example.url("/amendments/profit-ban/status")
    r = example.client.post(url, json={"status": "draft", "revision": 1})
    assert r.status_code == 200, r.text
    assert r.json()["amendment"]["status"] == "draft" and r.json()["amendment"]["revision"] == 2
    assert r.json()["version"] is None
    assert r.headers["etag"] == '"2"'
    body = problem(example.client.post(url, json={"status": "proposed", "revision": 1}), 409, "invalid-transition")
    assert body["revision"] == 2
    # If-Match works as the revision too.
    problem(example.client.post(url, json={"status": "proposed"}, headers={"If-Match": '"1"'}), 409,
            "invalid-transition")
    assert example.client.post(url, json={"status": "proposed"}, headers={"If-Match": '"2"'}).status_code == 200


def test_status_accepted_goes_through_accept(example, profit_ban):
    r = example.client.post(example.url("/amendments/profit-ban/status"), json={"status": "accepted"})
    assert r.status_code == 200, r.text
    assert r.json()["amendment"]["status"] == "accepted"
    assert r.json()["version"]["number"] == 3 and r.json()["version"]["produced_by"] == "profit-ban"


def test_accept_that_does_not_apply_is_409_and_changes_nothing(example, profit_ban):
    assert example.client.post(example.url("/versions"),
                               json={"text": V3_WITHOUT_DELEGATION, "parent": 2}).status_code == 201
    body = problem(example.client.post(example.url("/amendments/profit-ban/accept")), 409, "patch-does-not-apply")
    assert body["head"] == 3
    assert body["hunks"][0]["status"] == "failed"
    assert example.client.get(example.url("/amendments/profit-ban")).json()["status"] == "proposed"
    assert example.client.get(example.url()).json()["versions"] == 3


# Applying ------------------------------------------------------------------------------

def test_apply_on_base_is_exact(example, profit_ban):
    r = example.client.get(example.url("/amendments/profit-ban/apply"), params={"version": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True and body["version"] == 1
    assert body["hunks"][0]["status"] == "exact" and body["hunks"][0]["shift"] == 0
    assert body["text"] == PROFIT_BAN_TEXT and body["content_hash"] == _sha(PROFIT_BAN_TEXT)


def test_apply_on_another_version_reports_shifted_hunks(example, profit_ban):
    r = example.client.get(example.url("/amendments/profit-ban/apply"))  # default: the head, version 2
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2 and body["ok"] is True
    [hunk] = body["hunks"]
    assert hunk["hunk"] == 1 and hunk["status"] == "shifted"
    assert hunk["shift"] == len(V2) - len(V1)
    assert hunk["found_at"] == hunk["expected_at"] + hunk["shift"]
    assert body["text"] == V2.replace("to any person.", "to a body that is not-for-profit.")


def test_apply_failure_is_409_with_hunks(example, profit_ban):
    assert example.client.post(example.url("/versions"),
                               json={"text": V3_WITHOUT_DELEGATION, "parent": 2}).status_code == 201
    url = example.url("/amendments/profit-ban/apply")
    body = problem(example.client.get(url, params={"version": 3}), 409, "patch-does-not-apply")
    assert body["amendment"] == "profit-ban" and body["version"] == 3
    assert body["hunks"] == [{"hunk": 1, "status": "failed", "expected_at": body["hunks"][0]["expected_at"],
                              "found_at": None, "shift": None, "score": None}]
    partial = example.client.get(url, params={"version": 3, "partial": True})
    assert partial.status_code == 200
    assert partial.json()["ok"] is False and partial.json()["text"] == V3_WITHOUT_DELEGATION


def test_apply_unknown_version_is_404(example, profit_ban):
    body = problem(example.client.get(example.url("/amendments/profit-ban/apply"), params={"version": 7}), 404,
                   "not-found")
    assert body["version"] == 7


def test_apply_set_in_order(example, profit_ban):
    assert example.propose("interpretation", INTERPRETATION_TEXT, categories=["standards"]).status_code == 201
    r = example.client.post(example.url("/apply"), json={"version": 2, "amendments": ["interpretation", "profit-ban"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True and body["version"] == 2 and body["amendments"] == ["interpretation", "profit-ban"]
    assert [s["amendment"] for s in body["steps"]] == ["interpretation", "profit-ban"]
    assert [s["hunks"][0]["status"] for s in body["steps"]] == ["shifted", "shifted"]
    assert body["text"] == V2.replace('"the Act" means', '"the 2008 Act" means').replace(
        "to any person.", "to a body that is not-for-profit.")
    assert body["content_hash"] == _sha(body["text"])


def test_apply_set_failure_names_the_amendment(example, profit_ban):
    assert example.client.post(example.url("/versions"),
                               json={"text": V3_WITHOUT_DELEGATION, "parent": 2}).status_code == 201
    assert example.propose("by-patch", None, patch_text=make_patch(V2, V2.replace("1st July 2014", "1st October 2014")),
                           base=2, categories=["standards"]).status_code == 201
    r = example.client.post(example.url("/apply"), json={"version": 3, "amendments": ["by-patch", "profit-ban"]})
    body = problem(r, 409, "patch-does-not-apply")
    assert body["amendment"] == "profit-ban"
    assert [s["amendment"] for s in body["steps"]] == ["by-patch", "profit-ban"]
    assert body["steps"][0]["ok"] is True and body["hunks"][0]["status"] == "failed"


def test_apply_set_needs_amendments(example):
    r = example.client.post(example.url("/apply"), json={"version": 1, "amendments": []})
    assert problem(r, 422, "invalid-input")["field"] == "amendments"


# Conflicts -------------------------------------------------------------------------------

@pytest.fixture
def rivals(example):
    for slug, text, category in (("inspection", INSPECTION_TEXT, "inspection-duty"),
                                 ("accountability", ACCOUNTABILITY_TEXT, "accountability")):
        r = example.propose(slug, text, categories=[category], proposer="nspcc")
        assert r.status_code == 201, r.text
    return example


def test_conflicts_between_insertions_at_the_same_place(rivals, profit_ban):
    r = rivals.client.get(rivals.url("/conflicts"))
    assert r.status_code == 200
    body = r.json()
    assert body["amendments"] == ["accountability", "inspection", "profit-ban"]
    pairs = {(c["first"], c["second"]): c for c in body["conflicts"]}
    pair = pairs[("accountability", "inspection")]
    assert pair["kind"] == "overlap"
    assert {"id": "reg-3-3", "label": "regulation 3(3)"} in pair["provisions"]
    # The profit ban rewords "to any person.", the words both insertions look for: they
    # do not meet it, but do not apply after it.
    assert {key: c["kind"] for key, c in pairs.items() if "profit-ban" in key} == {
        ("accountability", "profit-ban"): "context", ("inspection", "profit-ban"): "context"}


def test_conflicts_for_chosen_amendments(rivals, profit_ban):
    r = rivals.client.get(rivals.url("/conflicts"), params={"amendments": "inspection,profit-ban"})
    assert r.status_code == 200
    [pair] = r.json()["conflicts"]
    assert (pair["first"], pair["second"], pair["kind"]) == ("inspection", "profit-ban", "context")
    assert [p["id"] for p in pair["provisions"]] == ["reg-3-3", "reg-3-2"]
    problem(rivals.client.get(rivals.url("/conflicts"), params={"amendments": "inspection,nope"}), 404, "not-found")
    problem(rivals.client.get(rivals.url("/conflicts"), params={"amendments": ""}), 422, "invalid-input")
