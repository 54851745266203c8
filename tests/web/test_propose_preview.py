"""The propose page's choices before anything is stored: which version to amend, a
preview of the redline and hunk report, and any number of citations. Every button gives
the form back with what was typed; only Propose (and Save on the revise page) stores."""

from __future__ import annotations

import re
from html import unescape

from .conftest import DOC, HOSTILE, V1, V2
from .test_pages import assert_no_injected_markup, csrf_of, html_of
from .test_signin import as_

BASE = f"/documents/{DOC}"
EDITED = V2.replace("to any person.", "to a body that is not carried on for profit.")
QUOTES = [("adcs-response", "should not be predicated on a profit motive"),
          ("nspcc-response", "must remain accountable"),
          ("adcs-response", "inspection by Ofsted of any body"),
          ("nspcc-response", "Local authorities must remain accountable for children in care")]


def _form(token: str, *, base: str = "2", text: str = EDITED, citations=QUOTES[:2], **fields) -> dict:
    return {"csrf_token": token, "base": base, "title": "Bodies not for profit", "slug": "", "proposer": "nspcc",
            "categories": ["profit-ban"], "rationale": "As the consultation asked.", "text": text,
            "citation_response": [r for r, _ in citations], "citation_quote": [q for _, q in citations], **fields}


def _rows(body: str) -> list[tuple[str, str]]:
    """The citation rows the form shows: (the response chosen, the quote)."""
    rows = []
    for number in range(1, 100):
        select = re.search(rf'<select id="citation-response-{number}".*?</select>', body, re.S)
        if not select:
            return rows
        chosen = re.search(r'value="([^"]*)" selected', select.group())
        quote = re.search(rf'<textarea id="citation-quote-{number}"[^>]*>\n(.*?)</textarea>', body, re.S)
        rows.append((chosen.group(1) if chosen else "", unescape(quote.group(1))))
    return rows


def _amendments(web) -> int:
    return web.get(f"/api/documents/{DOC}/amendments").json()["total"]


def test_the_page_edits_the_version_chosen_and_the_head_by_default(reader):
    body = html_of(reader.get(f"{BASE}/propose"))
    assert 'name="base" value="2"' in body and '<option value="2" selected>version 2 (the head)' in body
    older = html_of(reader.get(f"{BASE}/propose?base=1"))
    text = re.search(r'<textarea id="text" name="text"[^>]*>\n(.*?)</textarea>', older, re.S).group(1)
    assert unescape(text) == V1 and 'name="base" value="1"' in older and '<option value="1" selected>' in older
    assert "no version 9" in html_of(reader.get(f"{BASE}/propose?base=9"), 404)
    html_of(reader.get(f"{BASE}/propose?base=first"), 422)


def test_preview_shows_the_redline_and_hunk_report_and_stores_nothing(web):
    before, events = _amendments(web), web.get("/api/events").json()["total"]
    body = html_of(web.post(f"{BASE}/propose", data=_form(csrf_of(html_of(web.get(f"{BASE}/propose"))),
                                                          action="preview")))
    assert_no_injected_markup(body)
    preview = body[body.index('id="preview"'):body.index('id="amendment-form"')]
    assert "Nothing is stored yet" in preview and "Hunk report on version 2" in preview
    assert '<span class="hunk-status">exact</span>' in preview and "regulation 3(2)" in preview
    assert re.search(r"<ins[^>]*>.*not carried on for profit", preview, re.S)
    assert 'form="amendment-form"' in preview  # its Propose button submits the form below
    # Everything typed is still in the form.
    assert 'value="Bodies not for profit"' in body and "As the consultation asked." in body
    assert _rows(body) == [*QUOTES[:2], ("", "")]
    assert _amendments(web) == before and web.get("/api/events").json()["total"] == events


def test_preview_on_an_older_base_shows_the_hunks_on_the_head_too(web):
    edited = V1.replace("to any person.", "to a body that is not carried on for profit.")
    body = html_of(web.post(f"{BASE}/propose", data=_form(csrf_of(html_of(web.get(f"{BASE}/propose?base=1"))),
                                                          base="1", text=edited, action="preview")))
    assert "On version 1 (its base)" in body and "On version 2 (the head)" in body
    assert "Hunk report on version 1" in body and "Hunk report on version 2" in body
    # Version 2 lengthened regulation 1: on the head, the hunk is found later than on its base.
    assert re.search(r"characters later than in its base", body)


def test_proposing_on_an_older_base_keeps_that_base(web):
    edited = V1.replace("to any person.", "to a body that is not carried on for profit.")
    token = csrf_of(html_of(web.get(f"{BASE}/propose?base=1")))
    done = web.post(f"{BASE}/propose", data=_form(token, base="1", text=edited))
    assert done.status_code == 303, done.text
    slug = done.headers["location"].rsplit("/", 1)[1]
    assert web.get(f"/api/documents/{DOC}/amendments/{slug}").json()["base"] == 1


def test_a_refused_preview_says_why_and_keeps_the_form(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    wrong = [("nspcc-response", "words nobody wrote")]
    body = html_of(web.post(f"{BASE}/propose", data=_form(token, citations=wrong, action="preview")), 422)
    assert "The amendment was not proposed" in body and 'id="preview"' not in body
    assert _rows(body) == [*wrong, ("", "")] and "not carried on for profit" in body
    taken = html_of(web.post(f"{BASE}/propose", data=_form(token, slug="profit-ban", action="preview")), 409)
    assert "already has an amendment 'profit-ban'" in unescape(taken)


def test_add_another_citation_keeps_everything_and_checks_nothing_yet(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    body = html_of(web.post(f"{BASE}/propose", data=_form(token, citations=QUOTES[:1], title="",
                                                          action="add-citation")))
    assert _rows(body) == [QUOTES[0], ("", "")] and "was not proposed" not in body
    again = html_of(web.post(f"{BASE}/propose", data=_form(token, citations=[QUOTES[0], ("", "")],
                                                           action="add-citation")))
    assert _rows(again) == [QUOTES[0], ("", ""), ("", "")]
    assert "not carried on for profit" in again
    # What comes back unchecked is still escaped.
    hostile = html_of(web.post(f"{BASE}/propose", data=_form(token, title=HOSTILE, rationale=HOSTILE,
                                                             citations=[("", HOSTILE)], action="add-citation")))
    assert_no_injected_markup(hostile)
    assert _rows(hostile) == [("", HOSTILE), ("", "")] and _amendments(web) == 4


def test_any_number_of_citations_are_proposed_in_order(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    done = web.post(f"{BASE}/propose", data=_form(token, citations=[*QUOTES, ("", "")], title="Four quotes"))
    assert done.status_code == 303, done.text
    stored = web.get(f"/api/documents/{DOC}/amendments/four-quotes").json()["citations"]
    assert [(c["response"], c["quote"]) for c in stored] == QUOTES
    page = html_of(web.get(done.headers["location"]))
    assert all(f'id="citation-{n}"' in page for n in range(1, 5))


def test_a_half_filled_citation_row_is_an_error_not_dropped(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    half = [QUOTES[0], ("", "a quote without its response")]
    body = unescape(html_of(web.post(f"{BASE}/propose", data=_form(token, citations=half)), 422))
    assert "citation 2: choose the response the words are quoted from" in body
    assert ("", "a quote without its response") in _rows(html_of(web.post(f"{BASE}/propose", data=_form(
        token, citations=half)), 422))
    too_many = [QUOTES[1]] * 21
    assert "at most 20" in html_of(web.post(f"{BASE}/propose", data=_form(token, citations=too_many)), 422)
    assert web.get(f"/api/documents/{DOC}/amendments/bodies-not-for-profit").status_code == 404


def test_the_revise_page_previews_and_adds_citations_too(web):
    body = html_of(web.get(f"{BASE}/amendments/profit-ban/revise"))
    form = {"csrf_token": csrf_of(body), "base": "2", "revision": "1", "title": "Charities only",
            "categories": ["profit-ban"], "rationale": "Narrower.",
            "text": V2.replace("to any person.", "to a registered charity."),
            "citation_response": [QUOTES[0][0], QUOTES[2][0]], "citation_quote": [QUOTES[0][1], QUOTES[2][1]]}
    previewed = html_of(web.post(f"{BASE}/amendments/profit-ban/revise", data={**form, "action": "preview"}))
    assert "what saving would store" in previewed and "registered charity" in previewed
    assert _rows(previewed) == [QUOTES[0], QUOTES[2], ("", "")]
    more = html_of(web.post(f"{BASE}/amendments/profit-ban/revise", data={**form, "action": "add-citation"}))
    assert _rows(more) == [QUOTES[0], QUOTES[2], ("", "")]  # the two filled, and one new row
    assert web.get(f"/api/documents/{DOC}/amendments/profit-ban").json()["revision"] == 1  # nothing saved


def test_previewing_needs_the_right_to_propose_for_that_proposer(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    as_(web, "reviewer")
    html_of(web.post(f"{BASE}/propose", data=_form(token, action="preview")), 403)
    as_(web, "stakeholder", "adcs")
    assert "only for that stakeholder" in html_of(web.post(f"{BASE}/propose", data=_form(token, action="preview")),
                                                  403)
    mine = html_of(web.post(f"{BASE}/propose", data=_form(token, proposer="adcs", citations=QUOTES[:1],
                                                          action="preview")))
    assert_no_injected_markup(mine)  # the proposer's hostile name, in the redline's titles, is escaped
    assert "Nothing is stored yet" in mine


def _form_buttons(body: str) -> list[str]:
    """The submit buttons of the amendment form, in document order: those inside it and
    those outside that name it."""
    start, end = body.index('id="amendment-form"'), body.index("</form>", body.index('id="amendment-form"'))
    return [m.group() for m in re.finditer(r'<button type="submit"[^>]*>', body)
            if start <= m.start() < end or 'form="amendment-form"' in m.group()]


def test_the_forms_default_button_is_preview_whatever_stands_above_it(web):
    """Enter in a field submits by the form's first submit button in document order
    (tests/e2e/test_propose_in_browser.py presses it): that is a Preview, before the
    preview's Propose button and Add another citation, on both pages and after a preview."""
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    previewed = html_of(web.post(f"{BASE}/propose", data=_form(token, action="preview")))
    for body in (html_of(web.get(f"{BASE}/propose")), html_of(web.get(f"{BASE}/amendments/profit-ban/revise")),
                 previewed):
        buttons = _form_buttons(body)
        assert 'value="preview"' in buttons[0] and " hidden" in buttons[0], buttons
        assert any('value="add-citation"' in b for b in buttons[1:])
    assert 'value="preview"' not in _form_buttons(previewed)[1]  # the preview's Propose comes next


def _text_of(body: str) -> str:
    return unescape(re.search(r'<textarea id="text" name="text"[^>]*>\n(.*?)</textarea>', body, re.S).group(1))


def test_switching_the_base_of_an_unedited_text_starts_from_the_new_version_and_keeps_the_rest(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    body = html_of(web.post(f"{BASE}/propose", data=_form(token, text=V2, action="switch-base", new_base="1")))
    assert _text_of(body) == V1 and 'name="base" value="1"' in body and 'id="switched"' not in body
    assert 'value="Bodies not for profit"' in body and _rows(body) == [*QUOTES[:2], ("", "")]


def test_switching_the_base_of_an_edited_text_carries_the_edit_onto_it_and_says_so(web):
    before = _amendments(web)
    token = csrf_of(html_of(web.get(f"{BASE}/propose?base=1")))
    edited = V1.replace("to any person.", "to a body that is not carried on for profit.")
    body = html_of(web.post(f"{BASE}/propose", data=_form(token, base="1", text=edited, action="switch-base",
                                                          new_base="2")))
    assert _text_of(body) == EDITED  # version 2 with the drafter's change
    assert 'name="base" value="2"' in body and '<option value="2" selected>' in body
    notice = unescape(body[body.index('id="switched"'):body.index("</p>", body.index('id="switched"'))])
    assert "Your edit of version 1 is carried onto version 2" in notice and "change 1 shifted" in notice
    assert 'value="Bodies not for profit"' in body and _amendments(web) == before
    # And back again: the edit goes with it.
    back = html_of(web.post(f"{BASE}/propose", data=_form(token, text=EDITED, action="switch-base", new_base="1")))
    assert _text_of(back) == edited


def test_an_edit_that_cannot_be_carried_onto_the_new_base_stays_as_typed(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose?base=1")))
    # Version 2 rewrote the sentence this edits.
    edited = V1.replace("the Example Regulations 2014.", "the Example Regulations 2015.")
    body = unescape(html_of(web.post(f"{BASE}/propose", data=_form(token, base="1", text=edited,
                                                                   action="switch-base", new_base="2")), 409))
    assert "cannot be carried onto version 2" in body and "kept as typed, on version 1" in body
    assert _text_of(body) == edited and 'name="base" value="1"' in body
    bad = html_of(web.post(f"{BASE}/propose", data=_form(token, action="switch-base", new_base="nine")), 422)
    assert _text_of(bad) == EDITED


def test_switching_the_base_of_a_hostile_text_escapes_it_or_says_what_is_wrong(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose?base=1")))
    scripted = V1.replace("to any person.", f"to any person. {HOSTILE}")
    body = html_of(web.post(f"{BASE}/propose", data=_form(token, base="1", text=scripted, title=HOSTILE,
                                                          action="switch-base", new_base="2")))
    assert_no_injected_markup(body)
    assert HOSTILE in _text_of(body) and 'name="base" value="2"' in body
    controlled = html_of(web.post(f"{BASE}/propose", data=_form(token, base="1", text=V1 + "\x07bell\n",
                                                                action="switch-base", new_base="2")), 422)
    assert 'name="base" value="1"' in controlled and "The amendment was not proposed" in controlled
