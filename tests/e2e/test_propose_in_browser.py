"""The propose page's choices in a real browser (chromium, as tests/e2e/test_pages_in_browser.py
drives it, on SQLite and on PostgreSQL): a drafter picks an older version to amend, edits
it, adds a second citation row without losing what was typed, previews the redline with
the hunk reports on its base and on the head (nothing stored), and proposes it from the
preview; then adds a stakeholder and its response from the consultation page and cites
it. No page script is involved: every step is a plain form. Screenshots go to
``test-artifacts/screenshots/<backend>/propose-*.png``.

The worked case is served by its own server here (the fixtures are the other module's,
module-scoped), so these steps change nothing the other module's tests read."""

from __future__ import annotations

import re

import pytest

from test_pages_in_browser import BASE, admin_session, browser, page, shoot, shots, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

REG_5 = "A body corporate that is carried on for profit may not be a party"
EDITED_REG_5 = "A body corporate that is carried on for profit, or is controlled by such a body, may not be a party"
OFSTED = "any external providers being subject to inspection by Ofsted"
UNISON = "lacked a democratic mandate"


def test_choosing_the_base_adding_a_citation_previewing_and_proposing(page, shoot):
    page.goto(f"{BASE}/propose")
    assert page.locator("#choose-base option:checked").inner_text() == "version 3 (the head)"
    page.select_option("#choose-base", "2")
    page.get_by_role("button", name="Edit this version").click()
    page.wait_for_selector("input[name=base][value='2']", state="attached")
    assert page.locator("#switched").count() == 0  # nothing was edited: the text starts again from version 2
    text = page.locator("textarea#text")
    head = text.input_value()
    assert REG_5 in head and "Made: 9th September 2014" not in head  # version 2's text, not the head's
    text.fill(head.replace(REG_5, EDITED_REG_5))
    page.fill("#title", "Bar bodies controlled by profit-making ones")
    page.select_option("#proposer", "adcs")
    page.get_by_label("profit-ban").check()
    page.fill("#rationale", "Otherwise a for-profit parent could act through a subsidiary.")
    page.select_option("#citation-response-1", "adcs")
    page.fill("#citation-quote-1", OFSTED)
    assert page.locator("#citation-response-2").count() == 0

    page.get_by_role("button", name="Add another citation").click()
    page.wait_for_selector("#citation-response-2")
    # Everything typed came back: the edited text, the fields, the first citation.
    assert EDITED_REG_5 in page.locator("textarea#text").input_value()
    assert page.locator("#title").input_value() == "Bar bodies controlled by profit-making ones"
    assert page.locator("#citation-quote-1").input_value() == OFSTED
    assert page.locator("#citation-response-1 option:checked").get_attribute("value") == "adcs"
    page.select_option("#citation-response-2", "unison")
    page.fill("#citation-quote-2", UNISON)

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert "Nothing is stored yet" in preview.inner_text()
    reports = preview.locator("table.hunks")
    assert reports.count() == 2  # on its base, version 2, and on the head, version 3
    assert "Hunk report on version 2" in reports.nth(0).inner_text()
    assert reports.nth(0).locator(".hunk-status").all_inner_texts() == ["exact"]
    on_head = reports.nth(1)
    assert "Hunk report on version 3" in on_head.inner_text() and "regulation 5" in on_head.inner_text()
    assert on_head.locator(".hunk-status").all_inner_texts() == ["shifted"]
    assert "controlled by such a body" in preview.locator("ins.rd-ins").first.inner_text()
    assert page.locator("#citation-quote-2").input_value() == UNISON
    shoot(page, "propose-preview-1280")
    page.set_viewport_size({"width": 320, "height": 900})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the preview is {overflow} px wider than a 320 px window"
    shoot(page, "propose-preview-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    preview.get_by_role("button", name="Propose").click()
    page.wait_for_url(f"**{BASE}/amendments/bar-bodies-controlled-by-profit-making-ones")
    assert page.locator(".status").first.inner_text() == "proposed"
    assert page.locator("#citation-1").count() == 1 and page.locator("#citation-2").count() == 1
    assert UNISON in page.locator("#citation-2").inner_text()
    assert page.get_by_role("heading", name=re.compile(r"On version 2 \(its base\)")).count() == 1
    shoot(page, "propose-proposed-1280")


def test_adding_a_stakeholder_and_its_response_and_citing_it(page, shoot):
    page.goto(f"{BASE}/consultation")
    page.get_by_role("link", name="Add a stakeholder").click()
    page.fill("#name", "Local Government Association")
    page.fill("#kind", "local government")
    page.get_by_role("button", name="Add the stakeholder").click()
    page.wait_for_url(f"**{BASE}/consultation#stakeholder-local-government-association")
    assert page.locator("#stakeholder-local-government-association").is_visible()
    page.get_by_role("link", name="Add a response").click()
    page.select_option("#stakeholder", "local-government-association")
    page.fill("#title", "LGA response")
    page.fill("#text", "Councils should decide for themselves <b>how</b> to deliver children's services.")
    page.get_by_role("button", name="Add the response").click()
    # Raw HTML is refused, and the text comes back to be corrected.
    assert "The response was not added" in page.locator("#error").inner_text()
    assert "<b>how</b>" in page.locator("#text").input_value()
    page.fill("#text", "Councils should decide for themselves how to deliver children's services.")
    page.get_by_role("button", name="Add the response").click()
    page.wait_for_url(f"**{BASE}/responses/lga-response")
    assert "decide for themselves" in page.locator("main").inner_text()
    shoot(page, "response-added-1280")
    page.goto(f"{BASE}/propose")
    assert page.locator("#citation-response-1 option[value='lga-response']").count() == 1


def test_the_adding_pages_fit_a_phone(page, shoot):
    page.set_viewport_size({"width": 320, "height": 900})
    for name, path in {"add-version": f"{BASE}/add-version", "add-stakeholder": f"{BASE}/consultation/add-stakeholder",
                       "add-response": f"{BASE}/consultation/add-response"}.items():
        assert page.goto(path).status == 200, name
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} is {overflow} px wider than a 320 px window"
        shoot(page, f"{name}-320")


def test_enter_in_a_field_previews_and_never_adds_a_citation_row(page, shoot):
    """Enter in a text field submits the form by its default button: Preview (stores
    nothing), not Add another citation, nor the preview's own Propose button."""
    page.goto(f"{BASE}/propose")
    text = page.locator("textarea#text")
    text.fill(text.input_value().replace(REG_5, EDITED_REG_5))
    page.select_option("#proposer", "adcs")
    page.get_by_label("profit-ban").check()
    page.select_option("#citation-response-1", "adcs")
    page.fill("#citation-quote-1", OFSTED)
    page.fill("#title", "Enter previews")
    page.locator("#title").press("Enter")
    page.locator("#preview").wait_for()
    assert page.url.endswith(f"{BASE}/propose")  # the form again, nothing proposed
    assert page.locator("#citation-response-2").count() == 0 or \
        page.locator("#citation-response-2 option:checked").get_attribute("value") == ""
    rows = page.locator(".citation-row").count()
    assert page.locator("#citation-quote-1").input_value() == OFSTED
    shoot(page, "propose-enter-previews-1280")
    # Now the preview's Propose button stands above the form: Enter still previews.
    page.fill("#slug", "enter-previews")
    page.locator("#slug").press("Enter")
    page.locator("#preview").wait_for()
    assert page.url.endswith(f"{BASE}/propose") and page.locator(".citation-row").count() == rows
    assert page.locator("#slug").input_value() == "enter-previews"
    assert page.goto(f"{BASE}/amendments/enter-previews").status == 404


def test_switching_the_base_keeps_the_edit_and_says_where_it_goes(page, shoot):
    page.goto(f"{BASE}/propose?base=2")
    text = page.locator("textarea#text")
    text.fill(text.input_value().replace(REG_5, EDITED_REG_5))
    page.fill("#title", "Typed before switching")
    page.select_option("#choose-base", "3")
    page.get_by_role("button", name="Edit this version").click()
    notice = page.locator("#switched")
    notice.wait_for()
    assert "Your edit of version 2 is carried onto version 3" in notice.inner_text()
    assert page.locator("input[name=base]").get_attribute("value") == "3"
    carried = page.locator("textarea#text").input_value()
    assert EDITED_REG_5 in carried and "Made: 9th September 2014" in carried  # version 3's text, with the edit
    assert page.locator("#title").input_value() == "Typed before switching"
    shoot(page, "propose-switched-base-1280")
    page.select_option("#proposer", "adcs")
    page.get_by_label("profit-ban").check()
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert preview.locator("table.hunks").count() == 1 and "Hunk report on version 3" in preview.inner_text()
