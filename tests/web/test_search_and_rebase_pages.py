"""The search box on every page, the search page, and a stale amendment rebased from its
page, through the real HTTP stack, on the page tests' consultation (hostile text in every field)."""

from __future__ import annotations

import re

import pytest

from .conftest import DOC
from .test_pages import PAGES, assert_no_injected_markup, html_of

SEARCHES = ["/search", "/search?q=profit", f"/search?q=alert&document={DOC}", "/search?q=script+img&kind=amendment",
            "/search?q=profit&kind=response&stakeholder=adcs", "/search?q=functions&version=1"]


@pytest.mark.parametrize("path", PAGES + SEARCHES)
def test_every_page_has_a_search_box_without_script(reader, path):
    body = html_of(reader.get(path))
    form = re.search(r'<form method="get" action="/search" role="search"[^>]*>(.*?)</form>', body, re.S)
    assert form and 'name="q"' in form.group(1)
    if path.startswith("/documents/"):  # on a document's pages it searches that document
        assert f'name="document" value="{DOC}"' in form.group(1)
    assert "<script" not in body
    assert_no_injected_markup(body)


def test_hits_link_to_the_place_and_mark_the_words(reader):
    body = html_of(reader.get("/search", params={"q": "Ofsted", "document": DOC}))
    links = re.findall(r'<li>\s*<a href="([^"]+)">', body)
    assert f"/documents/{DOC}/responses/adcs-response" in links
    assert any(link.startswith(f"/documents/{DOC}/amendments/") for link in links)
    assert "<mark>Ofsted</mark>" in body
    for link in links:  # every hit's link is a page that exists
        assert reader.get(link.split("#")[0]).status_code == 200


def test_hostile_text_found_by_search_stays_text(reader):
    body = html_of(reader.get("/search", params={"q": "alert onerror"}))
    assert re.search(r"<mark>alert</mark>", body) and "&lt;img src=x onerror=" in body
    assert_no_injected_markup(body)


def test_a_bad_search_is_a_422_page(reader):
    body = html_of(reader.get("/search", params={"q": "-nothing"}), status=422)
    assert "give at least one word" in body


def test_the_amendments_page_filters_by_words(reader):
    body = html_of(reader.get(f"/documents/{DOC}/amendments", params={"q": "Ofsted"}))
    chosen = re.findall(r'name="amendment" value="([^"]+)"', body)
    assert "ofsted-inspection" in chosen and "profit-ban" not in chosen


def test_a_stale_amendment_shows_why_and_can_be_rebased_from_its_page(web):
    from regdraft.services import documents
    from regdraft.store.engine import session_scope

    from .test_pages import csrf_of

    # A version 3 that moves the text along: every open amendment is on version 2.
    with session_scope(web.app.state.database.engine) as session:
        document = documents.get_document(session, DOC)
        head = documents.head(session, document)
        documents.create_version(session, document, text=head.text.replace("# The Example", "# The Example Draft", 1),
                                 parent=head.number, author="DfE", actor="t")
    listing = html_of(web.get(f"/documents/{DOC}/amendments"))
    assert listing.count("stale (not rebased)") == 3
    body = html_of(web.get(f"/documents/{DOC}/amendments/ofsted-inspection"))
    assert "Stale: proposed against version 2, the head is version 3" in body and "Not rebased yet" in body
    form = body.split('class="rebase no-print"')[1]
    revision = re.search(r'name="revision" value="(\d+)"', form).group(1)
    r = web.post(f"/documents/{DOC}/amendments/ofsted-inspection/rebase",
                 data={"csrf_token": csrf_of(body), "revision": revision}, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = html_of(web.get(f"/documents/{DOC}/amendments/ofsted-inspection"))
    assert "Stale:" not in after  # rebased: on the head now
    assert "version 3" in re.search(r"<dt>Base</dt><dd>(.*?)</dd>", after, re.S).group(1)
    assert html_of(web.get(f"/documents/{DOC}/amendments")).count("stale (not rebased)") == 2
    assert_no_injected_markup(after)


def test_a_search_with_more_hits_than_are_ranked_says_more_than(reader, monkeypatch):
    from regdraft.services import search

    def hits_of(body):
        return re.findall(r"<li>\s*<a href=", re.search(r'<ol class="hits".*?</ol>', body, re.S).group())

    exact = html_of(reader.get("/search", params={"q": "profit"}))
    hits = len(hits_of(exact))
    assert hits > 2 and f">{hits} hits.<" in exact
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    body = html_of(reader.get("/search", params={"q": "profit"}))
    assert ">More than 2 hits. Only the 2 most recently written are ranked" in body
    assert len(hits_of(body)) == 2
