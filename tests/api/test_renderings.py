"""Renderings over HTTP: every format of every comparison and of Keeling schedules,
chosen by path suffix, ?format= or Accept; ETags and 304; 406, 404 and 422 problems."""

from __future__ import annotations

import json

import pytest

from regdraft.core.instructions import parse

from .support import ACCOUNTABILITY_TEXT, INSPECTION_TEXT, INTERPRETATION_TEXT, PROFIT_BAN_TEXT, V1, problem

MEDIA = {"html": "text/html", "fragment": "text/html", "criticmarkup": "text/markdown", "unified": "text/plain",
         "json": "application/json", "instructions": "text/plain"}


def _media_type(response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.fixture
def conflicting(example, profit_ban):
    """profit-ban changes regulation 3(2); inspection and accountability both insert a
    paragraph (3) after it; interpretation changes regulation 2."""
    for slug, text, proposer in (("inspection", INSPECTION_TEXT, "nspcc"), ("accountability", ACCOUNTABILITY_TEXT,
                                                                            "nspcc"),
                                 ("interpretation", INTERPRETATION_TEXT, "adcs")):
        r = example.propose(slug, text, proposer=proposer, categories=["standards"])
        assert r.status_code == 201, r.text
    return example


def test_each_format_by_suffix_and_by_query_has_its_media_type(example, profit_ban):
    url = example.url("/amendments/profit-ban/redline")
    for format, media_type in MEDIA.items():
        by_suffix = example.client.get(f"{url}.{format}")
        by_query = example.client.get(url, params={"format": format})
        assert by_suffix.status_code == by_query.status_code == 200, (format, by_suffix.text)
        assert _media_type(by_suffix) == _media_type(by_query) == media_type, format
        assert by_suffix.text == by_query.text and by_suffix.headers["etag"] == by_query.headers["etag"]
        assert by_suffix.headers["vary"] == "Accept" and by_suffix.headers["x-content-type-options"] == "nosniff"
    responses = {f: example.client.get(f"{url}.{f}") for f in MEDIA}
    page, fragment = responses["html"].text, responses["fragment"].text
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page and fragment in page
    assert "default-src 'none'" in responses["html"].headers["content-security-policy"]
    assert ('<del class="rd-del" data-change="1" data-provision="reg-3-2" data-amendment="profit-ban"'
            in fragment) and '<p id="reg-3-2" data-provision="reg-3-2">' in fragment
    assert "{~~any person~>a body that is not-for-profit~~}{>>profit-ban: Amendment profit-ban (" in \
        responses["criticmarkup"].text
    assert "+(2) A local authority may delegate a relevant care function to a body that is not-for-profit." in \
        responses["unified"].text
    body = json.loads(responses["json"].text)
    assert body["new"]["name"] == f"{example.doc}@1+profit-ban"
    assert [(c["provision"], c["status"]) for c in body["changes"]] == [("reg-3-2", "changed")]
    instructions = responses["instructions"].text
    assert instructions == "1. In regulation 3(2), for “any person” substitute “a body that is not-for-profit”.\n"
    assert parse(instructions, V1) == PROFIT_BAN_TEXT


ACCEPT_CASES = [
    (None, "html"),
    ("*/*", "html"),
    ("application/json", "json"),
    ("text/markdown", "criticmarkup"),
    ("text/plain", "unified"),
    ("text/*;q=0.5, application/json", "json"),
    ("text/html;q=0, */*;q=0.1", "json"),
    ("text/plain;q=0.9, text/markdown", "criticmarkup"),
    ("nonsense, text/plain", "unified"),
]


def test_accept_header_chooses_the_format_and_406_when_none_is_acceptable(example):
    url = example.url("/redline")
    for accept, format in ACCEPT_CASES:
        r = example.client.get(url, params={"from": 1, "to": 2}, headers={"Accept": accept} if accept else {})
        assert r.status_code == 200, (accept, r.text)
        expected = example.client.get(f"{url}.{format}", params={"from": 1, "to": 2})
        assert (_media_type(r), r.text, r.headers["etag"]) == (MEDIA[format], expected.text,
                                                               expected.headers["etag"]), accept
    refused = example.client.get(url, params={"from": 1, "to": 2}, headers={"Accept": "image/png"})
    body = problem(refused, 406, "not-acceptable")
    assert body["acceptable"] == ["application/json", "application/pdf",
                                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                  "text/html", "text/markdown", "text/plain"]
    assert refused.headers["vary"] == "Accept"
    body = problem(example.client.get(f"{url}.json", params={"from": 1, "to": 2}, headers={"Accept": "text/html"}),
                   406, "not-acceptable")
    assert body["acceptable"] == ["application/json"]
    problem(example.client.get(url, params={"from": 1, "to": 2, "format": "fragment"},
                               headers={"Accept": "text/*;q=0, */*"}), 406, "not-acceptable")


def test_etag_and_if_none_match(example, profit_ban):
    url = example.url("/versions/1/redline.html")
    first = example.client.get(url, params={"amendments": "profit-ban"})
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith('W/')
    again = example.client.get(url, params={"amendments": "profit-ban"})
    assert again.headers["etag"] == tag and again.text == first.text
    for header in (tag, f'W/{tag}', f'"other", {tag}', "*"):
        r = example.client.get(url, params={"amendments": "profit-ban"}, headers={"If-None-Match": header})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag, header
    assert example.client.get(url, params={"amendments": "profit-ban"},
                              headers={"If-None-Match": '"other"'}).status_code == 200
    tags = {example.client.get(example.url(f"/versions/1/redline.{f}"), params={"amendments": "profit-ban"})
            .headers["etag"] for f in MEDIA}
    assert len(tags) == len(MEDIA)
    # The page names the proposer: renaming the stakeholder changes the page, so its tag.
    renamed = example.client.put(example.url("/stakeholders/adcs"), json={"name": "ADCS (renamed)"})
    assert renamed.status_code == 200, renamed.text
    after = example.client.get(url, params={"amendments": "profit-ban"}, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag and "ADCS (renamed)" in after.text


def test_redlines_of_an_ordered_set_and_of_one_amendment(conflicting):
    r = conflicting.client.get(conflicting.url("/versions/1/redline.json"),
                               params={"amendments": "interpretation,profit-ban"})
    assert r.status_code == 200, r.text
    sources = [(c["provision"], {op.get("amendment") for op in c["ops"] if op["op"] != "equal"})
               for c in r.json()["changes"]]
    assert sources == [("reg-2", {"interpretation"}), ("reg-3-2", {"profit-ban"})]
    fragment = conflicting.client.get(conflicting.url("/versions/1/redline.fragment"),
                                      params={"amendments": "interpretation,profit-ban"}).text
    assert 'data-amendment="interpretation"' in fragment and 'data-amendment="profit-ban"' in fragment
    # One amendment: against its own base by default, or against another version.
    on_base = conflicting.client.get(conflicting.url("/amendments/profit-ban/redline.json")).json()
    assert on_base["old"]["name"] == f"{conflicting.doc}@1"
    on_two = conflicting.client.get(conflicting.url("/amendments/profit-ban/redline.json"),
                                    params={"version": 2}).json()
    assert on_two["old"]["name"] == f"{conflicting.doc}@2" and on_two["new"]["name"] == f"{conflicting.doc}@2+profit-ban"


def test_keeling_states_conflicts_in_every_format(conflicting):
    url = conflicting.url("/versions/1/keeling")
    chosen = {"amendments": "profit-ban,inspection,accountability,interpretation"}
    data = conflicting.client.get(f"{url}.json", params=chosen).json()
    assert data["applied"] == ["profit-ban", "interpretation"]
    assert data["withheld"] == ["inspection", "accountability"]
    [conflict] = data["conflicts"]
    assert conflict["message"].startswith("Conflict: amendments “inspection” and “accountability” both change")
    assert [n["amendment"] for n in data["notes"]] == ["interpretation", "profit-ban"]
    [ban] = [a for a in data["amendments"] if a["slug"] == "profit-ban"]
    assert ban["citations"][0]["href"].startswith(f"/api/documents/{conflicting.doc}/responses/adcs-response#quote-")
    page = conflicting.client.get(f"{url}.html", params=chosen).text
    assert page.count('class="rd-notice"') == 1 and conflict["message"] in page
    # Where the withheld paragraph (3) would have gone: after regulation 3(2), before regulation 4.
    assert conflict["provision"] == "reg-4" and page.index('id="reg-3-2"') < page.index('class="rd-notice"') < page.index(
        'id="reg-4"')
    assert '<li id="note-2">' in page and "a profit motive has no place" in page
    assert "subject to inspection" not in page  # withheld, not guessed
    criticmarkup = conflicting.client.get(f"{url}.criticmarkup", params=chosen).text
    assert "{>>" + conflict["message"] + "<<}" in criticmarkup
    unified = conflicting.client.get(f"{url}.unified", params=chosen).text
    assert unified.startswith(conflict["message"] + "\n\n--- ")
    instructions = conflicting.client.get(f"{url}.instructions", params=chosen).text
    assert instructions.startswith(f"# {conflict['message']}\n\n1. ")
    applied = PROFIT_BAN_TEXT.replace('"the Act" means', '"the 2008 Act" means')
    assert parse(instructions, V1) == applied  # the notice does not stop the instructions parsing
    # Without amendments: every open one of the version, in the order proposed.
    r = conflicting.client.get(url, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert (r.json()["applied"], r.json()["withheld"]) == (["profit-ban", "interpretation"],
                                                           ["inspection", "accountability"])


def test_unknown_things_are_404_bad_requests_422_and_unappliable_sets_409(example, profit_ban):
    body = problem(example.client.get(example.url("/versions/1/keeling"), params={"amendments": "profit-ban,nope"}),
                   404, "not-found")
    assert body["amendment"] == "nope"
    problem(example.client.get(example.url("/amendments/nope/redline")), 404, "not-found")
    assert problem(example.client.get(example.url("/versions/9/redline.json"), params={"amendments": "profit-ban"}),
                   404, "not-found")["version"] == 9
    problem(example.client.get("/api/documents/nobody/redline", params={"from": 1, "to": 2}), 404, "not-found")
    body = problem(example.client.get(example.url("/redline.epub"), params={"from": 1, "to": 2}), 422,
                   "validation-error")
    assert body["errors"][0]["loc"] == ["path", "suffix"]
    body = problem(example.client.get(example.url("/redline.json"), params={"from": 1, "to": 2, "format": "html"}),
                   422, "invalid-input")
    assert body["field"] == "format"
    assert problem(example.client.get(example.url("/versions/1/redline"), params={"amendments": " , "}), 422,
                   "invalid-input")["field"] == "amendments"

    r = example.propose("other-ban", V1.replace("to any person.", "to nobody."))
    assert r.status_code == 201, r.text
    body = problem(example.client.get(example.url("/versions/1/redline"),
                                      params={"amendments": "profit-ban,other-ban"}), 409, "patch-does-not-apply")
    assert body["amendment"] == "other-ban"
    assert body["detail"] == "amendment 'other-ban' does not apply to version 1 after profit-ban"
    assert body["hunks"] and body["hunks"][0]["status"] == "failed"
