"""Stakeholders, responses, cross-references and the event log over HTTP."""

from __future__ import annotations

import pytest

from .support import ADCS_TEXT, ADMIN, INSPECTION_TEXT, problem


def test_provision_xref_lists_amendment_and_citation(example, profit_ban):
    assert example.propose("inspection", INSPECTION_TEXT, categories=["inspection-duty"], proposer="nspcc",
                           citations=[{"response": "nspcc-response",
                                       "quote": "subject to inspection by Ofsted"}]).status_code == 201
    r = example.client.get(example.url("/provisions/reg-3-2"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["provision"] == "reg-3-2" and body["label"] == "regulation 3(2)" and body["in_head"] is True
    [amendment] = body["amendments"]
    assert amendment["slug"] == "profit-ban" and amendment["proposer"] == "adcs"
    assert amendment["hunks"] == [{"index": 1, "header": amendment["hunks"][0]["header"],
                                   "provisions": [{"id": "reg-3-2", "label": "regulation 3(2)"}]}]
    [citation] = amendment["citations"]
    assert citation["response"] == "adcs-response" and citation["stakeholder"] == "adcs"
    assert citation["quote"].startswith("a profit motive")

    # A provision only an amendment creates.
    body = example.client.get(example.url("/provisions/reg-3-3")).json()
    assert body["in_head"] is False and body["label"] == "regulation 3(3)"
    assert [a["slug"] for a in body["amendments"]] == ["inspection"]
    assert body["amendments"][0]["citations"][0]["stakeholder"] == "nspcc"


def test_provision_in_head_without_amendments(example):
    body = example.client.get(example.url("/provisions/reg-4")).json()
    assert body == {"provision": "reg-4", "label": "regulation 4", "in_head": True, "amendments": []}


def test_unknown_provision_is_404(example):
    body = problem(example.client.get(example.url("/provisions/reg-99")), 404, "not-found")
    assert body["provision"] == "reg-99"


def test_responses(example, profit_ban):
    body = example.client.get(example.url("/responses")).json()
    assert body["total"] == 2
    assert [(r["slug"], r["stakeholder"]) for r in body["items"]] == [("adcs-response", "adcs"),
                                                                       ("nspcc-response", "nspcc")]
    r = example.client.get(example.url("/responses/adcs-response"))
    assert r.status_code == 200
    body = r.json()
    assert body["text"] == ADCS_TEXT and body["stakeholder"] == "adcs" and body["date"] == "2014-06-05"
    assert [a["slug"] for a in body["amendments"]] == ["profit-ban"]
    problem(example.client.get(example.url("/responses/nope")), 404, "not-found")


def test_put_response_updates(example):
    url = example.url("/responses/adcs-response")
    r = example.client.put(url, json={"stakeholder": "adcs", "title": "New title", "text": ADCS_TEXT})
    assert r.status_code == 200
    assert r.json()["title"] == "New title"
    body = problem(example.client.put(url, json={"stakeholder": "nobody", "title": "x", "text": "x"}), 404,
                   "not-found")
    assert body["stakeholder"] == "nobody"
    body = problem(example.client.put(url, json={"stakeholder": "adcs", "title": "x", "text": "\n\n"}), 422,
                   "invalid-input")
    assert body["field"] == "text"
    body = problem(example.client.put(example.url("/responses/Bad_Slug"),
                                      json={"stakeholder": "adcs", "title": "x", "text": "x"}), 422, "invalid-input")
    assert body["field"] == "response slug"


@pytest.mark.parametrize("date", ["2014-13-45", "2014-02-30", "5 June 2014", "2014-6-5", "2014-06-05T10:00"])
def test_a_response_date_that_is_no_day_is_refused_and_nothing_changes(example, date):
    url = example.url("/responses/adcs-response")
    body = problem(example.client.put(url, json={"stakeholder": "adcs", "title": "x", "text": ADCS_TEXT,
                                                 "date": date}), 422, "invalid-input")
    assert body["field"] == "date" and repr(date) in body["detail"]
    assert example.client.get(url).json()["date"] == "2014-06-05"


@pytest.mark.parametrize("date", ["2014", "2014-05", "2016-02-29", ""])
def test_a_response_date_may_be_a_day_a_month_or_a_year(example, date):
    url = example.url("/responses/adcs-response")
    assert example.client.put(url, json={"stakeholder": "adcs", "title": "x", "text": ADCS_TEXT,
                                         "date": date}).status_code == 200
    assert example.client.get(url).json()["date"] == date


def test_stakeholders(example, profit_ban):
    body = example.client.get(example.url("/stakeholders")).json()
    assert body["total"] == 2 and [s["slug"] for s in body["items"]] == ["adcs", "nspcc"]
    body = example.client.get(example.url("/stakeholders/adcs")).json()
    assert body["name"] == "Association of Directors of Children's Services"
    assert [a["slug"] for a in body["proposed"]] == ["profit-ban"]
    assert [a["slug"] for a in body["cited"]] == ["profit-ban"]
    body = example.client.get(example.url("/stakeholders/nspcc")).json()
    assert body["proposed"] == [] and body["cited"] == []
    problem(example.client.get(example.url("/stakeholders/nobody")), 404, "not-found")


def test_put_stakeholder_again_is_200(example):
    r = example.client.put(example.url("/stakeholders/adcs"), json={"name": "ADCS", "kind": "professional body"})
    assert r.status_code == 200
    assert r.json() == {"slug": "adcs", "name": "ADCS", "kind": "professional body"}
    assert example.client.get(example.url("/stakeholders")).json()["total"] == 2


def test_joining_another_documents_consultation_is_an_event_of_that_document(example):
    """An unchanged stakeholder added to a second document writes only the link: that
    is a change to the second document, so it has its event there (and only once)."""
    r = example.client.post("/api/documents", json={"slug": "other", "title": "Other regulations"})
    assert r.status_code == 201, r.text

    def events() -> list[dict]:
        return example.client.get("/api/events", params={"document": "other", "limit": 200}).json()["items"]

    before = len(events())
    joined = example.client.put("/api/documents/other/stakeholders/adcs",
                                json={"name": "Association of Directors of Children's Services", "kind": "charity"})
    assert joined.status_code == 201, joined.text
    new = events()[before:]
    assert [(e["action"], e["target"], e["actor"]) for e in new] == [
        ("document.stakeholders_changed", "other", ADMIN)]
    assert new[0]["detail"] == {"stakeholders": ["adcs"], "added": ["adcs"], "removed": []}
    assert example.client.put("/api/documents/other/stakeholders/adcs",
                              json={"name": "Association of Directors of Children's Services",
                                    "kind": "charity"}).status_code == 200
    assert len(events()) == before + 1


def test_events_record_the_actor(example, profit_ban):
    r = example.client.get("/api/events", params={"document": example.doc, "limit": 200})
    assert r.status_code == 200
    body = r.json()
    actions = [e["action"] for e in body["items"]]
    assert actions[:4] == ["document.created", "document.categories_changed", "version.created", "version.created"]
    assert "amendment.proposed" in actions
    assert body["total"] == len(body["items"])
    proposed = next(e for e in body["items"] if e["action"] == "amendment.proposed")
    assert proposed["actor"] == ADMIN
    assert proposed["document"] == example.doc
    assert proposed["target"] == f"{example.doc}/profit-ban"
    assert proposed["detail"]["base"] == 1

    renamed = example.client.put(example.url("/stakeholders/adcs"), json={"name": "ADCS"})
    assert renamed.status_code == 200
    everything = example.client.get("/api/events", params={"limit": 200}).json()["items"]
    assert everything[-1]["action"] == "stakeholder.updated" and everything[-1]["actor"] == ADMIN
    assert everything[-1]["document"] is None

    page = example.client.get("/api/events", params={"offset": 1, "limit": 2}).json()
    assert len(page["items"]) == 2 and page["items"][0]["id"] == everything[1]["id"]
    problem(example.client.get("/api/events", params={"document": "nope"}), 404, "not-found")


def test_a_response_cannot_lose_a_cited_quote(example, profit_ban):
    url = example.url("/responses/adcs-response")
    before = example.client.get(url).json()
    cut = ADCS_TEXT.replace("a profit motive has no place", "profit has a place")
    body = problem(example.client.put(url, json={"stakeholder": "adcs", "title": "x", "text": cut}), 422,
                   "quote-not-found")
    assert (body["amendment"], body["response"]) == ("profit-ban", "adcs-response")
    assert example.client.get(url).json() == before
