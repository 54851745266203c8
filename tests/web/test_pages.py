"""The reviewer pages through the real HTTP stack (TestClient): status codes, the
content each page must show, links between pages, the two forms, HTML error pages,
and escaping of the hostile text that tests/web/conftest.py puts in every field."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from .conftest import DOC, PROFIT_BAN, V2, _client

BASE = f"/documents/{DOC}"


def html_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


class _Elements(HTMLParser):
    """Every start tag and its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def assert_no_injected_markup(body: str) -> None:
    parser = _Elements()
    parser.feed(body)
    ids = [attrs["id"] for _, attrs in parser.tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})  # every link target is one place
    for tag, attrs in parser.tags:
        assert tag not in ("script", "style", "img", "iframe", "object"), (tag, attrs)
        # (inline style and handlers would be refused by the Content-Security-Policy too)
        assert not [name for name in attrs if name.startswith("on") or name == "style"], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            # As a browser reads an address: ASCII tabs and newlines anywhere, and
            # controls and spaces at either end, are dropped before the scheme is read.
            value = re.sub("[\t\n\r]", "", attrs.get(name) or "").strip(_C0_AND_SPACE).lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)


def csrf_of(body: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert match, "the form has no CSRF token"
    return match.group(1)


PAGES = ["/", BASE, f"{BASE}?version=1", f"{BASE}/compare", f"{BASE}/compare?from=1&to=2&view=side",
         f"{BASE}/compare?from=2&amendment=ofsted-inspection", f"{BASE}/amendments",
         f"{BASE}/amendments/profit-ban", f"{BASE}/amendments/longer-citation", f"{BASE}/responses/adcs-response",
         f"{BASE}/consultation", f"{BASE}/keeling", f"{BASE}/keeling?amendment=profit-ban", f"{BASE}/propose"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_complete_accessible_html_with_unique_ids_and_escapes_hostile_text(reader, path):
    response = reader.get(path)
    body = html_of(response)
    # No script runs but the server's own files, and the pages need none inline (below).
    assert response.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    assert body.startswith("<!DOCTYPE html>")
    for landmark in ("<header", "<nav", '<main id="main"', "<h1"):
        assert landmark in body
    assert 'href="#main"' in body  # skip link
    assert "/static/regdraft.css" in body and "http://" not in body.split("</head>")[0]
    assert_no_injected_markup(body)


def test_documents_page_counts_versions_and_amendments_by_status(reader):
    body = html_of(reader.get("/"))
    assert f'href="{BASE}"' in body and "Example Regulations" in body
    assert "version 2" in body
    assert f'href="{BASE}/amendments?status=proposed">3</a>' in body
    assert f'href="{BASE}/amendments?status=accepted">1</a>' in body


def test_document_page_has_provision_anchors_history_and_compare_control(reader):
    body = html_of(reader.get(BASE))
    for provision in ("reg-1", "reg-3-2", "reg-3-1-a"):
        assert f'id="{provision}"' in body
    assert "Text of version 2 (the head)" in body
    assert '<span data-kind="uk-si">UK statutory instrument</span>' in body
    assert f'<a href="{BASE}/amendments/longer-citation"><bdi>Longer citation</bdi></a>' in body  # the amendment behind v2
    assert "Consultation draft" in body and "DfE" in body
    assert f'action="{BASE}/compare"' in body and 'value="side"' in body
    old = html_of(reader.get(f"{BASE}?version=1"))
    assert "Text of version 1" in old and "the head" not in old.split("Text of version 1")[1][:30]


def test_compare_inline_labels_each_change_and_lists_changes_by_provision(reader):
    body = html_of(reader.get(f"{BASE}/compare?from=1&to=2"))
    assert re.search(r'<ins class="rd-ins"[^>]*data-amendment="longer-citation"[^>]*>'
                     r'<span class="vh">inserted: </span>', body)
    assert re.search(r'<del id="change-1" class="rd-del"[^>]*data-amendment="longer-citation"[^>]*>'
                     r'<span class="vh">deleted: </span>', body)
    links = re.findall(r'<a href="#(change-\d+)">regulation 1</a>', body)
    assert links and all(f'id="{target}"' in body for target in links)


def test_compare_side_by_side_aligns_provisions_and_links_the_changed_rows(reader):
    body = html_of(reader.get(f"{BASE}/compare?from=1&to=2&view=side"))
    rows = re.findall(r'<div class="side-row side-(\w+)" role="row" id="([^"]+)">', body)
    assert ("changed", "row-2-reg-1") in rows
    assert 'href="#row-2-reg-1"' in body
    old_cell, new_cell = re.search(r'id="row-2-reg-1">(.*?)</div>\s*<div class="side-new"[^>]*>(.*?)</div>',
                                   body, re.S).groups()
    assert "<del" in old_cell and "<ins" not in old_cell
    assert "<ins" in new_cell and "<del" not in new_cell


def test_compare_against_amendments_attributes_each_change(reader):
    body = html_of(reader.get(f"{BASE}/compare?from=2&amendment=profit-ban"))
    assert 'data-amendment="profit-ban"' in body
    assert "not carried on for profit" in body


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"profit-ban", "not-for-profit", "ofsted-inspection", "longer-citation"}),
    ("?category=profit-ban", {"profit-ban", "not-for-profit"}),
    ("?category=profit-ban&stakeholder=nspcc", {"not-for-profit"}),
    ("?status=accepted", {"longer-citation"}),
    ("?provision=reg-3-3", {"ofsted-inspection"}),
    ("?provision=reg-3-2&status=proposed&category=&stakeholder=", {"profit-ban", "not-for-profit"}),
    ("?stakeholder=nobody", set()),
])
def test_amendment_filters_combine_and_stay_in_the_address(reader, query, expected):
    body = html_of(reader.get(f"{BASE}/amendments{query}"))
    shown = set(re.findall(rf'<a href="{BASE}/amendments/([a-z0-9-]+)">', body))
    assert shown == expected
    for name, value in re.findall(r"(\w+)=([\w-]+)", query):
        if value != "nobody":
            assert re.search(rf'<select name="{name}">.*?<option (?:dir="auto" )?value="{value}" selected>', body, re.S)


def test_amendment_filter_with_unknown_status_is_a_422_page(reader):
    body = html_of(reader.get(f"{BASE}/amendments?status=maybe"), 422)
    assert "status &#39;maybe&#39; is not one of" in body


def test_amendment_page_shows_metadata_citations_previews_and_conflicts(reader):
    body = html_of(reader.get(f"{BASE}/amendments/profit-ban"))
    assert "Ban profit &lt;script&gt;" in body
    assert "<strong>Why</strong>" in body  # rationale rendered as Markdown
    assert "profit-ban</a>" in body and 'class="status status-proposed"' in body
    citation = re.search(r'<li id="citation-1">.*?<a href="([^"]+)" class="quote-link">', body, re.S).group(1)
    assert citation.startswith(f"{BASE}/responses/adcs-response#quote-")
    assert "Hunk report on version 2" in body and "exact" in body
    conflicts = body.split("Conflicts</h2>")[1].split("</section>")[0]
    assert f'<a href="{BASE}/amendments/not-for-profit">' in conflicts
    # ofsted-inspection inserts a paragraph after the words the ban rewords: its hunk does
    # not meet the ban's, but it does not apply after it.
    [inspection] = [item for item in conflicts.split("<li>") if "/amendments/ofsted-inspection" in item]
    assert "changes words close to it, in regulation 3(2), regulation 3(3): one does not apply after the other." \
        in " ".join(inspection.split())
    assert 'name="status" value="accepted"' in body and 'name="status" value="rejected"' in body


def test_amendment_on_an_older_base_previews_on_base_and_head_with_the_hunk_report(web):
    # Accepting profit-ban makes version 3, which rewrites the words ofsted-inspection's hunk
    # needs as context: on its base the hunk is exact, on the head it fails.
    page = html_of(web.get(f"{BASE}/amendments/profit-ban"))
    accepted = web.post(f"{BASE}/amendments/profit-ban/status",
                        data={"status": "accepted", "revision": "1", "csrf_token": csrf_of(page)})
    assert accepted.status_code == 303
    body = html_of(web.get(f"{BASE}/amendments/ofsted-inspection"))
    assert "On version 2 (its base)" in body and "On version 3 (the head)" in body
    assert_no_injected_markup(body)  # two previews of one text, still one place per id
    on_base, on_head = body.split("Hunk report on version 3")
    assert '<tr class="hunk-exact">' in on_base.split("Hunk report on version 2")[1]
    assert '<tr class="hunk-failed">' in on_head and "not found near offset" in on_head
    assert "Does not apply cleanly" in on_base.split("On version 3 (the head)")[1]


def test_citation_links_to_the_marked_quote_and_the_quote_links_back(reader):
    amendment = html_of(reader.get(f"{BASE}/amendments/ofsted-inspection"))
    hrefs = re.findall(r'<a href="([^"]+)" class="quote-link">', amendment)
    response = html_of(reader.get(f"{BASE}/responses/adcs-response"))
    for href in hrefs:
        anchor = href.split("#", 1)[1]
        assert re.search(rf'<mark class="quote" id="{anchor}">', response)
    # The quote shared by two amendments links to both citations.
    shared = re.search(r'<mark class="quote" id="quote-\d+-\d+">should not be predicated on a profit motive</mark>'
                       r' <sup class="cited-by">(.*?)</sup>', response).group(1)
    assert f'href="{BASE}/amendments/ofsted-inspection#citation-2"' in shared
    assert f'href="{BASE}/amendments/profit-ban#citation-1"' in shared
    assert "<h2>As reported</h2>" in response  # the response's Markdown is rendered
    assert "Community Care" in response and 'href="javascript' not in response  # unsafe source URL not linked


def test_consultation_overview_matrix_and_pressure(reader):
    body = html_of(reader.get(f"{BASE}/consultation"))
    matrix = body.split('<table class="matrix">')[1].split("</table>")[0]
    row = re.search(r"<th scope=\"row\"><bdi>NSPCC</bdi></th>(.*?)</tr>", matrix, re.S).group(1)
    assert f'{BASE}/amendments?stakeholder=nspcc&amp;category=accountability' in row
    pressure = body.split('<table class="pressure">')[1].split("</table>")[0]
    reg_3_2 = re.search(r'provision=reg-3-2">regulation 3\(2\)</a></th>\s*<td><meter[^>]*></meter> (\d+)</td>\s*<td>(\d+)</td>',
                        pressure, re.S)
    assert reg_3_2.groups() == ("2", "2")  # profit-ban and not-for-profit, both open


def test_keeling_schedule_withholds_conflicting_amendments_and_links_notes_to_quotes(reader):
    body = html_of(reader.get(f"{BASE}/keeling?amendment=profit-ban&amendment=not-for-profit"))
    assert "Withheld because they conflict" in body and 'class="rd-notice"' in body
    body = html_of(reader.get(f"{BASE}/keeling?amendment=profit-ban"))
    assert 'id="note-1"' in body and f'href="{BASE}/responses/adcs-response#quote-' in body
    assert '<span class="vh">inserted: </span>' in body


def test_propose_form_is_prefilled_with_the_head_text(reader):
    body = html_of(reader.get(f"{BASE}/propose"))
    textarea = re.search(r'<textarea id="text" name="text"[^>]*>\n(.*?)</textarea>', body, re.S).group(1)
    assert unescape(textarea) == V2
    assert 'name="base" value="2"' in body


def test_proposing_from_an_edited_text_creates_the_amendment_and_redirects(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    edited = V2.replace("1st July.", "1st September.").replace("\n", "\r\n")  # browsers send CRLF
    response = web.post(f"{BASE}/propose", data={
        "csrf_token": token, "base": "2", "title": "Later commencement", "slug": "", "proposer": "nspcc",
        "categories": ["consultation"], "rationale": "Time to prepare.", "text": edited,
        "citation_response": ["nspcc-response", ""], "citation_quote": ["remain accountable", ""]})
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/amendments/later-commencement"
    body = html_of(web.get(response.headers["location"]))
    assert "Later commencement" in body and "September" in body and 'id="citation-1"' in body


def test_a_refused_proposal_comes_back_with_what_was_typed_and_why(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    response = web.post(f"{BASE}/propose", data={
        "csrf_token": token, "base": "2", "title": 'No change "here" < 5', "proposer": "adcs",
        "categories": ["profit-ban"], "text": V2})
    body = html_of(response, 422)
    assert "nothing to amend" in body and 'value="No change &#34;here&#34; &lt; 5"' in body
    assert web.get(f"{BASE}/amendments/no-change-here-5").status_code == 404


def test_a_form_without_its_token_is_refused_and_changes_nothing(web):
    page = html_of(web.get(f"{BASE}/amendments/profit-ban"))
    refused = web.post(f"{BASE}/amendments/profit-ban/status", data={"status": "accepted", "revision": "1"})
    assert "did not come from a regdraft page" in html_of(refused, 403)
    forged = web.post(f"{BASE}/amendments/profit-ban/status",
                      data={"status": "accepted", "revision": "1", "csrf_token": csrf_of(page) + "x"})
    html_of(forged, 403)
    assert 'class="status status-proposed"' in html_of(web.get(f"{BASE}/amendments/profit-ban"))


def test_accepting_makes_the_next_version_and_rejecting_a_stale_revision_is_a_409_page(web):
    token = csrf_of(html_of(web.get(f"{BASE}/amendments/profit-ban")))
    accepted = web.post(f"{BASE}/amendments/profit-ban/status",
                        data={"status": "accepted", "revision": "1", "csrf_token": token})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"{BASE}/amendments/profit-ban"
    body = html_of(web.get(f"{BASE}/amendments/profit-ban"))
    assert 'class="status status-accepted"' in body and "version 3</a>" in body
    assert "not carried on for profit" in html_of(web.get(BASE)).split("Text of version 3")[1]
    stale = web.post(f"{BASE}/amendments/not-for-profit/status",
                     data={"status": "rejected", "revision": "7", "csrf_token": token})
    assert "you have revision 7" in html_of(stale, 409)
    rejected = web.post(f"{BASE}/amendments/not-for-profit/status",
                        data={"status": "rejected", "revision": "1", "reason": "Not needed.", "csrf_token": token})
    assert rejected.status_code == 303
    assert 'class="status status-rejected"' in html_of(web.get(f"{BASE}/amendments/not-for-profit"))


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/documents/nope", 404, "no document &#39;nope&#39;"),
    (f"{BASE}/amendments/nope", 404, "has no amendment"),
    (f"{BASE}/responses/nope", 404, "has no response"),
    (f"{BASE}?version=abc", 422, "version"),
    (f"{BASE}?version=9", 404, "has no version 9"),
    (f"{BASE}?version=99999999999999999999", 422, "version"),
    (f"{BASE}/compare?from=1&to=99", 404, "has no version 99"),
    (f"{BASE}/compare?view=sideways", 422, "view"),
    (f"{BASE}/keeling?amendment=nope", 404, "has no amendment"),
    ("/no/such/page", 404, "Not Found"),
])
def test_bad_addresses_get_an_html_error_page_with_the_status(reader, path, status, words):
    body = html_of(reader.get(path), status)
    assert f"Error {status}" in body and words in body


def test_form_numbers_out_of_range_are_422_pages(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    for base in ("", "0", "99999999999999999999", "²"):
        body = html_of(web.post(f"{BASE}/propose", data={"csrf_token": token, "base": base, "title": "T",
                                                         "proposer": "adcs", "categories": ["consultation"],
                                                         "text": V2 + "More.\n"}), 422)
        assert "is not a number from 1" in body
    stale = web.post(f"{BASE}/amendments/profit-ban/status",
                     data={"status": "accepted", "revision": "99999999999999999999", "csrf_token": token})
    assert "is not a number from 1" in html_of(stale, 422)


def test_wrong_method_and_wrong_content_type_are_error_pages(web):
    html_of(web.get(f"{BASE}/amendments/profit-ban/status"), 405)
    html_of(web.post(f"{BASE}/propose", content=b"{}", headers={"Content-Type": "application/json"}), 415)
    html_of(web.post(f"{BASE}/propose", content=b"title=%ff", headers={
        "Content-Type": "application/x-www-form-urlencoded"}), 400)


def test_the_api_and_its_contract_are_unchanged(reader):
    problem = reader.get("/api/documents/nope", headers={"Accept": "application/json"})
    assert problem.status_code == 404 and problem.headers["content-type"] == "application/problem+json"
    unknown = reader.get("/api/no/such/route")
    assert unknown.headers["content-type"] == "application/problem+json"
    assert reader.get("/health").json() == {"status": "ok"}
    assert reader.get("/docs").status_code == 200
    paths = reader.get("/openapi.json").json()["paths"]
    assert not any(path == "/" or path.startswith("/documents") for path in paths)


def test_the_api_docs_run_no_inline_script(reader):
    docs = reader.get("/docs")
    assert re.findall(r"<script[^>]*>", docs.text) == [
        '<script src="/static/swagger-ui-bundle.js">', '<script src="/static/api-docs.js">']
    policy = docs.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe-inline" not in policy
    start = reader.get("/static/api-docs.js")
    assert start.headers["content-type"].startswith("text/javascript") and "SwaggerUIBundle(" in start.text
    assert reader.get("/static/../routes.py").status_code == 404 and reader.get("/static/nothing.js").status_code == 404


def test_the_api_docs_load_only_same_origin_assets_and_they_are_served(reader):
    docs = reader.get("/docs")
    addresses = re.findall(r'(?:src|href)="([^"]*)"', docs.text)
    assert set(addresses) == {"/static/swagger-ui.css", "/static/swagger-ui-bundle.js", "/static/api-docs.js",
                              "/openapi.json"}
    bundle, css = reader.get("/static/swagger-ui-bundle.js"), reader.get("/static/swagger-ui.css")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    # Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes), with the layout api-docs.js asks for.
    assert "class BaseLayout" in bundle.text and re.search(r'"5\.\d+\.\d+"', bundle.text)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    # Its stylesheet fetches nothing from elsewhere (the SVG namespace is a name, not a fetch).
    assert ".swagger-ui" in css.text and set(re.findall(r"https?://[^\\\"')\s]*", css.text)) <= {
        "http://www.w3.org/2000/svg"}
    assert reader.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_stylesheet_is_served_with_print_and_narrow_screen_rules(reader):
    css = reader.get("/static/regdraft.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@media print" in css.text and "@media (max-width" in css.text
    assert "line-through" in css.text and "underline" in css.text


def test_profit_ban_text_is_what_the_page_shows_after_acceptance(web):
    token = csrf_of(html_of(web.get(f"{BASE}/amendments/profit-ban")))
    web.post(f"{BASE}/amendments/profit-ban/status", data={"status": "accepted", "revision": "1", "csrf_token": token})
    assert web.get(f"/api/documents/{DOC}/versions/3/text").text == PROFIT_BAN


def test_compare_and_keeling_parts_are_built_once_until_the_store_changes(web, monkeypatch):
    """The schedule until the document changes; the compare page's main part until
    what it shows changes (a write elsewhere in the document keeps it)."""
    from regdraft.services import rendering
    from regdraft.web import views

    builds: list[str] = []

    def counted(module, name: str) -> None:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *args, **kwargs: builds.append(name) or real(*args, **kwargs))

    counted(views, "comparison_parts")
    counted(rendering, "keeling_schedule")
    compare, keeling = f"{BASE}/compare?from=1&to=2", f"{BASE}/keeling?amendment=profit-ban"
    first = [html_of(web.get(compare)), html_of(web.get(keeling))]
    assert [html_of(web.get(compare)), html_of(web.get(keeling))] == first
    assert builds == ["comparison_parts", "keeling_schedule"]
    assert html_of(web.get(f"{compare}&view=side")) != first[0]  # another view is other parts
    assert builds[-1] == "comparison_parts"

    token = csrf_of(html_of(web.get(f"{BASE}/amendments/not-for-profit")))
    rejected = web.post(f"{BASE}/amendments/not-for-profit/status",
                        data={"status": "rejected", "revision": "1", "reason": "Not needed.", "csrf_token": token})
    assert rejected.status_code == 303
    builds.clear()
    assert 'value="not-for-profit"' not in html_of(web.get(keeling))  # no longer offered
    assert builds == ["keeling_schedule"]  # the schedule is built again from the changed store
    assert html_of(web.get(compare)) == first[0] and builds == ["keeling_schedule"]  # versions 1 and 2 unchanged


def test_importing_a_file_from_the_page_creates_the_document_and_shows_the_report(web):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "text" / "uksi-2014-2407_as-made.txt"
    body = html_of(web.get("/import"))
    assert 'enctype="multipart/form-data"' in body and '<a href="/import" aria-current="page">Import</a>' in body
    response = web.post("/import", data={"csrf_token": csrf_of(body), "document": "cypa-import", "kind": "",
                                         "format": ""},
                        files={"file": ("si.txt", fixture.read_bytes(), "text/plain")})
    result = html_of(response, 201)
    assert_no_injected_markup(result)
    assert '<a href="/documents/cypa-import">' in result and "version 1" in result
    assert "read as text: 1 preamble, 5 regulations, 2 sub-paragraphs, 2 sections" in result
    assert "### 5. Provision as to bodies corporate" in web.get("/api/documents/cypa-import/versions/1/text").text


def test_a_hostile_upload_comes_back_with_why_and_imports_nothing(web):
    token = csrf_of(html_of(web.get("/import")))
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>'
    body = html_of(web.post("/import", data={"csrf_token": token, "document": "bomb"},
                            files={"file": ("bomb.xml", bomb, "application/xml")}), 422)
    assert "Nothing was imported" in body and "declares a DTD or entities" in body
    assert web.get("/documents/bomb").status_code == 404
    refused = web.post("/import", data={"document": "no-token"}, files={"file": ("a.txt", b"1. Text.", "text/plain")})
    html_of(refused, 403)


def test_the_import_page_is_for_those_who_may_create_documents(web):
    web.cookies.clear()  # signed out
    assert "sign in first" in html_of(web.get("/import"), 401)
    assert '<a href="/import"' not in html_of(web.get("/"))


def test_an_empty_document_from_the_import_page(web):
    token = csrf_of(html_of(web.get("/import")))
    response = web.post("/new", data={"csrf_token": token, "new_slug": "draft-act", "new_title": "The Draft Act 2027",
                                      "new_kind": "uk-act"})
    assert response.status_code == 303 and response.headers["location"] == "/documents/draft-act"
    assert "The Draft Act 2027" in html_of(web.get("/documents/draft-act"))
    assert web.get("/api/documents/draft-act").json()["kind"] == "uk-act"
    taken = web.post("/new", data={"csrf_token": token, "new_slug": "draft-act", "new_title": "Again"})
    assert "already exists" in html_of(taken, 409) and 'value="Again"' in taken.text


def test_user_text_is_isolated_so_it_cannot_reorder_the_page_around_it(reader):
    """Names, titles and texts in <bdi> or dir="auto": a right-to-left name, or a mark the
    text policy keeps, stays inside its own box (docs/security.md)."""
    amendment = html_of(reader.get(f"{BASE}/amendments/profit-ban"))
    assert "<h1><bdi>Ban profit &lt;script&gt;" in amendment and '<div dir="auto" class="rationale">' in amendment
    assert re.search(r"<dd><a [^>]*><bdi>ADCS &lt;script&gt;", amendment)
    assert '<article dir="auto" class="response-text">' in html_of(reader.get(f"{BASE}/responses/adcs-response"))
    assert '<article dir="auto" class="legal-text">' in html_of(reader.get(BASE))
    assert '<th scope="row"><bdi>ADCS &lt;script&gt;' in html_of(reader.get(f"{BASE}/consultation"))


def test_a_kept_compare_page_is_made_around_for_each_reader(web, copy_database, _web_template, tmp_path):
    """The admin's request keeps the main part; another browser, signed out, is served
    it with its own page around it: no admin's controls, nor the admin's CSRF token; and the
    main part is what a fresh process makes (the page itself, apart from the reader)."""
    from regdraft.web import guard

    compare = f"{BASE}/compare?from=1&to=2"
    admin_page = html_of(web.get(compare))
    assert "Sign out" in admin_page
    web.cookies.delete(guard.SESSION_COOKIE)
    web.cookies.delete(guard.CSRF_COOKIE)
    anonymous = html_of(web.get(compare))
    assert "Sign out" not in anonymous and csrf_of(admin_page) not in anonymous
    main = re.search(r"<main[^>]*>.*</main>", anonymous, re.S).group()
    assert main == re.search(r"<main[^>]*>.*</main>", admin_page, re.S).group()
    fresh_folder = tmp_path / "fresh"
    fresh_folder.mkdir()
    with _client(copy_database, _web_template, fresh_folder) as fresh:  # nothing kept there
        assert re.search(r"<main[^>]*>.*</main>", html_of(fresh.get(compare)), re.S).group() == main


def test_compare_names_a_direct_edit_apart_from_an_amendment_of_its_name(web):
    """Version 3 is a direct edit; an amendment called "version-3" makes version 4. The
    compare page's marks and its list of changes say which is which."""
    from regdraft.services import amendments as A
    from regdraft.services import documents
    from regdraft.store.engine import make_engine, session_scope

    signed = V2 + "\n## Signed\n\nA minister.\n"
    engine = make_engine(web.database_url)
    try:
        with session_scope(engine) as session:
            doc = documents.get_document(session, DOC)
            documents.create_version(session, doc, text=signed, parent=2, author="DfE", message="Signed",
                                     actor="t")
            A.propose(session, doc, A.AmendmentInput(
                slug="version-3", title="Amendment version-3", proposer="adcs", base=3, categories=["standards"],
                rationale="Because.", new_text=signed.replace("A minister.", "A minister of state."),
                citations=[]), actor="t")
            A.accept(session, A.get_amendment(session, doc, "version-3"), actor="t")
    finally:
        engine.dispose()
    body = html_of(web.get(f"{BASE}/compare?from=1&to=4"))
    assert re.search(r'<ins [^>]*data-version="3" title="Inserted in the signed by a direct edit of version 3"', body)
    assert re.search(r'<ins [^>]*data-amendment="version-3" title="Inserted in the signed by Amendment version-3',
                     body)
    sources = re.findall(r'<span class="source">\(([^)]*)\)</span>', body)
    assert set(sources) == {"longer-citation", "a direct edit of version 3", "version-3"}
