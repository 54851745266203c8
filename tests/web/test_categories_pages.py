"""The pages offer the document's own categories: a box for each, with its title, on
the propose form and in the filters; a field for any slugs where it declares none."""

from __future__ import annotations

from .conftest import DOC, V2, sign_in_token
from .test_pages import csrf_of, html_of

BASE = f"/documents/{DOC}"


def _set_categories(web, categories: list[dict]) -> None:
    token = sign_in_token(web.database_url)
    r = web.put(f"/api/documents/{DOC}/categories", json={"categories": categories},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    assert r.status_code == 200, r.text


def test_the_propose_form_and_filters_offer_the_documents_own_categories(web):
    _set_categories(web, [{"slug": "profit-ban", "title": "Profit-making bodies barred"},
                          {"slug": "inspection-duty", "title": ""}, {"slug": "housing", "title": 'Social housing & "allocation" < 5'},
                          {"slug": "accountability", "title": ""}, {"slug": "consultation", "title": ""},
                          {"slug": "standards", "title": ""}])
    form = html_of(web.get(f"{BASE}/propose"))
    assert 'value="housing"> housing <span class="hint" dir="auto">(Social housing &amp; &#34;allocation&#34; &lt; 5)</span>' in form
    assert 'value="review"' not in form
    listing = html_of(web.get(f"{BASE}/amendments"))
    assert '<option value="housing">housing</option>' in listing


def test_where_a_document_declares_none_the_form_takes_any_slugs(web):
    _set_categories(web, [])
    form = html_of(web.get(f"{BASE}/propose"))
    assert '<input id="categories" name="categories"' in form and 'type="checkbox" name="categories"' not in form
    response = web.post(f"{BASE}/propose", data={
        "csrf_token": csrf_of(form), "base": "2", "title": "Housing duty", "slug": "", "proposer": "nspcc",
        "categories": "housing, homelessness", "rationale": "", "text": V2.replace("1st July.", "1st August.")})
    assert response.status_code == 303, response.text
    body = html_of(web.get(response.headers["location"]))
    assert f'href="{BASE}/amendments?category=housing"' in body and "?category=homelessness" in body
    refused = web.post(f"{BASE}/propose", data={
        "csrf_token": csrf_of(form), "base": "2", "title": "Bad", "proposer": "nspcc",
        "categories": "Housing Policy", "text": V2.replace("1st July.", "1st May.")})
    assert "is not a slug" in html_of(refused, 422)
