"""Adding a version, a stakeholder and a response from the pages, without a file: each
form adds through the same services as the API, follows the policy table (drafters and
admins; a stakeholder only its own responses), escapes what it shows, and comes back
with everything typed when it refuses."""

from __future__ import annotations

import re
from html import unescape

import pytest

from .conftest import DOC, HOSTILE, V2
from .test_pages import assert_no_injected_markup, csrf_of, html_of
from .test_signin import as_

BASE = f"/documents/{DOC}"
V3 = V2.replace("to any person.", "to any person approved by the Secretary of State.")
ADCS_SECOND = "The Association asks that delegation be piloted first, in a few authorities.\n"


def _textarea(body: str, name: str) -> str:
    return unescape(re.search(rf'<textarea id="{name}"[^>]*>\n(.*?)</textarea>', body, re.S).group(1))


# Versions --------------------------------------------------------------------------

def test_the_add_version_form_starts_from_the_head_and_adds_the_next_version(web):
    assert f'href="{BASE}/add-version"' in html_of(web.get(BASE))
    body = html_of(web.get(f"{BASE}/add-version"))
    assert _textarea(body, "text") == V2 and 'name="parent" value="2"' in body and "Add version 3" in body
    added = web.post(f"{BASE}/add-version", data={"csrf_token": csrf_of(body), "parent": "2", "text": V3,
                                                 "message": "Approval by the Secretary of State", "author": ""})
    assert added.status_code == 303 and added.headers["location"] == f"{BASE}?version=3"
    version = web.get(f"/api/documents/{DOC}/versions/3").json()
    assert version["text"] == V3 and version["message"] == "Approval by the Secretary of State"
    assert version["author"] and version["parent"] == 2
    history = html_of(web.get(BASE))
    assert "approved by the Secretary of State" in history and "Approval by the Secretary of State" in history


def test_a_version_whose_structure_looks_wrong_is_added_and_its_warnings_shown(web):
    gap = V2.replace("### 3. Delegation", "### 5. Delegation")  # regulations 1, 2, 5
    token = csrf_of(html_of(web.get(f"{BASE}/add-version")))
    added = web.post(f"{BASE}/add-version", data={"csrf_token": token, "parent": "2", "text": gap, "message": "m",
                                                 "author": "Jo"})
    assert added.status_code == 303  # the document is not strict: warnings do not refuse it
    body = unescape(html_of(web.get(added.headers["location"])))
    warnings = body[body.index('id="structure-warnings"'):]
    warnings = warnings[:warnings.index("</div>")]
    assert "1 structure warning" in warnings and f"line {gap.splitlines().index('### 5. Delegation') + 1}:" in warnings
    assert 'id="structure-warnings"' not in html_of(web.get(f"{BASE}?version=2"))


def test_a_stale_or_hostile_version_form_keeps_the_text_and_adds_nothing(web):
    token = csrf_of(html_of(web.get(f"{BASE}/add-version")))
    stale = web.post(f"{BASE}/add-version", data={"csrf_token": token, "parent": "1", "text": V3, "message": "m",
                                                 "author": "Jo Drafter"})
    body = html_of(stale, 409)
    assert "the head is version 2" in body and "The version was not added" in body
    assert _textarea(body, "text") == V3 and 'value="Jo Drafter"' in body
    # The box holds the text as typed, not the head's: the page says so and links the head.
    assert "The text of version 2, the head, is below" not in body and "as you typed it" in body
    assert f'href="/documents/{DOC}?version=2"' in body
    hostile = web.post(f"{BASE}/add-version", data={"csrf_token": token, "parent": "2", "text": V3 + HOSTILE,
                                                   "message": "m", "author": "Jo"})
    body = html_of(hostile, 422)
    assert_no_injected_markup(body)
    assert HOSTILE in _textarea(body, "text")  # kept, escaped, to be corrected
    assert web.get(f"/api/documents/{DOC}/versions/3").status_code == 404


def test_an_empty_document_gets_its_first_version_from_the_page(web):
    token = csrf_of(html_of(web.get("/import")))
    assert web.post("/new", data={"csrf_token": token, "new_slug": "blank", "new_title": "Blank",
                                  "new_kind": "uk-si"}).status_code == 303
    assert 'href="/documents/blank/add-version">Add its first version' in html_of(web.get("/documents/blank"))
    body = html_of(web.get("/documents/blank/add-version"))
    assert 'name="parent" value=""' in body and "Add version 1" in body
    added = web.post("/documents/blank/add-version", data={"csrf_token": csrf_of(body), "parent": "", "text": V2,
                                                         "message": "First", "author": "Jo"})
    assert added.status_code == 303
    assert web.get("/api/documents/blank/versions/1").json()["author"] == "Jo"


# Stakeholders ----------------------------------------------------------------------

def test_adding_a_stakeholder_lists_it_in_the_consultation_and_offers_it_as_proposer(web):
    page = html_of(web.get(f"{BASE}/consultation"))
    assert f'href="{BASE}/consultation/add-stakeholder"' in page and f'href="{BASE}/consultation/add-response"' in page
    token = csrf_of(html_of(web.get(f"{BASE}/consultation/add-stakeholder")))
    added = web.post(f"{BASE}/consultation/add-stakeholder", data={
        "csrf_token": token, "name": "Local Government Association", "slug": "", "kind": "local government"})
    assert added.status_code == 303
    assert added.headers["location"] == f"{BASE}/consultation#stakeholder-local-government-association"
    consultation = html_of(web.get(f"{BASE}/consultation"))
    assert 'id="stakeholder-local-government-association"' in consultation
    assert 'value="local-government-association"' in html_of(web.get(f"{BASE}/propose"))
    assert any(s["slug"] == "local-government-association"
               for s in web.get(f"/api/documents/{DOC}/stakeholders").json()["items"])


def test_a_stakeholder_form_refuses_a_taken_or_renamed_slug_and_hostile_names(web):
    token = csrf_of(html_of(web.get(f"{BASE}/consultation/add-stakeholder")))
    again = web.post(f"{BASE}/consultation/add-stakeholder", data={"csrf_token": token, "name": "NSPCC",
                                                                   "slug": "nspcc", "kind": "charity"})
    assert "already takes part" in html_of(again, 409)
    # Another document knows the stakeholder: adding it here never renames it there.
    token = csrf_of(html_of(web.get("/import")))
    web.post("/new", data={"csrf_token": token, "new_slug": "other", "new_title": "Other", "new_kind": "uk-si"})
    renamed = web.post("/documents/other/consultation/add-stakeholder", data={
        "csrf_token": token, "name": "National Society", "slug": "nspcc", "kind": "charity"})
    body = unescape(html_of(renamed, 409))
    assert "exists already as 'NSPCC'" in body and 'value="National Society"' in body
    same = web.post("/documents/other/consultation/add-stakeholder", data={
        "csrf_token": token, "name": "NSPCC", "slug": "nspcc", "kind": "charity"})
    assert same.status_code == 303
    hostile = web.post(f"{BASE}/consultation/add-stakeholder", data={"csrf_token": token, "name": HOSTILE,
                                                                     "slug": "hostile", "kind": ""})
    body = html_of(hostile, 422)
    assert_no_injected_markup(body)
    assert web.get(f"/api/documents/{DOC}/stakeholders/hostile").status_code == 404


# Responses -------------------------------------------------------------------------

def _response_form(token: str, **fields) -> dict:
    return {"csrf_token": token, "stakeholder": "adcs", "title": "ADCS second response", "slug": "",
            "text": ADCS_SECOND, "source": "Letter", "url": "https://example.org/adcs-2", "date": "2014-06-12",
            "stance": "Pilot first", "provenance": "Sent to the Department.", **fields}


def test_adding_a_response_shows_it_and_it_can_be_cited(web):
    token = csrf_of(html_of(web.get(f"{BASE}/consultation/add-response")))
    added = web.post(f"{BASE}/consultation/add-response", data=_response_form(token))
    assert added.status_code == 303 and added.headers["location"] == f"{BASE}/responses/adcs-second-response"
    body = html_of(web.get(added.headers["location"]))
    assert "piloted first" in body and 'href="https://example.org/adcs-2"' in body and "Pilot first" in body
    stored = web.get(f"/api/documents/{DOC}/responses/adcs-second-response").json()
    assert stored["stakeholder"] == "adcs" and stored["date"] == "2014-06-12"
    assert 'value="adcs-second-response"' in html_of(web.get(f"{BASE}/propose"))


@pytest.mark.parametrize("fields, status, words", [
    ({"slug": "adcs-response"}, 409, "already has a response 'adcs-response'"),
    ({"text": f"Fine. {HOSTILE}"}, 422, "text"),
    ({"url": "javascript:alert(1)"}, 422, "url"),
    ({"stakeholder": "nobody"}, 404, "no stakeholder 'nobody'"),
    ({"title": ""}, 422, "needs a title"),
    ({"date": "2024-13-45"}, 422, "date '2024-13-45' is not a date"),
    ({"date": "2024-02-30"}, 422, "date '2024-02-30' is not a date"),
])
def test_a_refused_response_comes_back_with_what_was_typed(web, fields, status, words):
    token = csrf_of(html_of(web.get(f"{BASE}/consultation/add-response")))
    body = html_of(web.post(f"{BASE}/consultation/add-response", data=_response_form(token, **fields)), status)
    assert words in unescape(body) and "The response was not added" in body
    assert_no_injected_markup(body)
    assert _textarea(body, "text") == fields.get("text", ADCS_SECOND)
    assert web.get(f"/api/documents/{DOC}/responses/adcs-second-response").status_code == 404
    assert "NSPCC response" in web.get(f"/api/documents/{DOC}/responses/nspcc-response").json()["title"]


# Who may -------------------------------------------------------------------------

FORMS = {"add-version": ({"parent": "2", "text": V3, "message": "m", "author": "a"}, f"{BASE}/add-version"),
         "add-stakeholder": ({"name": "Someone", "slug": "someone", "kind": ""},
                             f"{BASE}/consultation/add-stakeholder"),
         "add-response": (_response_form("", stakeholder="nspcc"), f"{BASE}/consultation/add-response")}


@pytest.mark.parametrize("role", [None, "reader", "stakeholder", "reviewer"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_only_drafters_and_admins_may_add_and_the_forms_are_not_offered_to_others(web, role, form):
    fields, address = FORMS[form]
    token = csrf_of(html_of(web.get("/")))
    as_(web, role, "adcs" if role == "stakeholder" else None)
    refusal = 401 if role is None else 403
    # A stakeholder writes its own responses (below): the form opens, another's is refused.
    html_of(web.get(address), 200 if (role, form) == ("stakeholder", "add-response") else refusal)
    html_of(web.post(address, data={**fields, "csrf_token": token}), refusal)
    consultation, document = html_of(web.get(f"{BASE}/consultation")), html_of(web.get(BASE))
    assert "add-stakeholder" not in consultation and "add-version" not in document
    assert web.get(f"/api/documents/{DOC}/versions/3").status_code == 404
    assert web.get(f"/api/documents/{DOC}/stakeholders/someone").status_code == 404
    assert web.get(f"/api/documents/{DOC}/responses/adcs-second-response").status_code == 404


def test_a_drafter_may_add_all_three(web):
    as_(web, "drafter")
    for form in sorted(FORMS):
        fields, address = FORMS[form]
        token = csrf_of(html_of(web.get(address)))
        assert web.post(address, data={**fields, "csrf_token": token}).status_code == 303, form


def test_a_stakeholder_adds_its_own_responses_only(web):
    as_(web, "stakeholder", "adcs")
    body = html_of(web.get(f"{BASE}/consultation/add-response"))
    assert 'value="adcs"' in body and 'value="nspcc"' not in body  # offered only itself
    token = csrf_of(body)
    assert web.post(f"{BASE}/consultation/add-response", data=_response_form(token)).status_code == 303
    for_another = web.post(f"{BASE}/consultation/add-response",
                           data=_response_form(token, stakeholder="nspcc", slug="nspcc-second"))
    assert "only for that stakeholder" in html_of(for_another, 403)
    assert web.get(f"/api/documents/{DOC}/responses/nspcc-second").status_code == 404


@pytest.mark.parametrize("path", [f"{BASE}/add-version", f"{BASE}/consultation/add-stakeholder",
                                  f"{BASE}/consultation/add-response", f"{BASE}/consultation",
                                  f"{BASE}/propose?base=1"])
def test_the_new_pages_are_accessible_html_and_escape_the_stored_hostile_names(reader, path):
    body = html_of(reader.get(path))
    assert body.startswith("<!DOCTYPE html>") and '<main id="main"' in body and body.count("<h1") == 1
    assert_no_injected_markup(body)
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*\bid=\"([^\"]+)\"", body):
        assert f'for="{tag}"' in body, f"{path}: #{tag} has no label"
