"""Revising an open amendment from its page: the form comes prefilled with its text as
amended, its categories and citations; saving makes the next revision, and a stale form
saves nothing."""

from __future__ import annotations

from html import unescape

from .conftest import DOC, PROFIT_BAN
from .test_pages import csrf_of, html_of

BASE = f"/documents/{DOC}"
REVISED = PROFIT_BAN.replace("not carried on for profit", "a charity or a not-for-profit company")


def _form(body: str) -> dict:
    return {"csrf_token": csrf_of(body), "base": "2", "revision": "1", "title": "Charities only",
            "categories": ["profit-ban", "accountability"], "rationale": "Narrower.", "text": REVISED,
            "citation_response": ["adcs-response", "nspcc-response"],
            "citation_quote": ["should not be predicated on a profit motive", "remain accountable"]}


def test_the_revise_form_is_prefilled_and_saving_makes_revision_2(web):
    page = html_of(web.get(f"{BASE}/amendments/profit-ban"))
    assert f'href="{BASE}/amendments/profit-ban/revise"' in page
    body = html_of(web.get(f"{BASE}/amendments/profit-ban/revise"))
    assert "not carried on for profit" in unescape(body) and 'name="revision" value="1"' in body
    assert 'value="profit-ban" checked' in body and "should not be predicated on a profit motive" in unescape(body)
    assert 'name="slug"' not in body and "Save revision 2" in body
    saved = web.post(f"{BASE}/amendments/profit-ban/revise", data=_form(body))
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{BASE}/amendments/profit-ban"
    after = unescape(html_of(web.get(saved.headers["location"])))
    assert "(revision 2)" in after and "Charities only" in after and 'id="citation-2"' in after
    assert "charity or a not-for-profit company" in after


def test_a_stale_revise_form_saves_nothing_and_says_why(web):
    body = html_of(web.get(f"{BASE}/amendments/profit-ban/revise"))
    assert web.post(f"{BASE}/amendments/profit-ban/revise", data=_form(body)).status_code == 303
    again = web.post(f"{BASE}/amendments/profit-ban/revise", data={**_form(body), "title": "Overwritten"})
    text = unescape(html_of(again, 409))
    assert "you have revision 1, it is at revision 2" in text and "The amendment was not revised" in text
    assert "Overwritten" not in unescape(html_of(web.get(f"{BASE}/amendments/profit-ban")))


def test_a_decided_amendment_has_no_revise_form(web):
    page = html_of(web.get(f"{BASE}/amendments/longer-citation"))
    assert "/revise" not in page
    assert "only a draft or proposed amendment" in html_of(web.get(f"{BASE}/amendments/longer-citation/revise"), 409)
