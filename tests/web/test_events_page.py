"""The event log as a page: newest first, filtered by actor, action (one or a family),
target and document, each target linked to its page, hostile text escaped."""

from __future__ import annotations

import re
from html import unescape

from .conftest import DOC
from .test_pages import csrf_of, html_of


def _actions(body: str) -> list[str]:
    return [unescape(a) for a in re.findall(r'<td data-label="Action"><a [^>]*><code>([^<]*)</code>', body)]


def test_the_log_is_newest_first_and_links_each_target(reader):
    body = html_of(reader.get("/events"))
    actions = _actions(body)
    assert actions[0] != "document.created" and actions[-1] == "document.created"
    assert f'href="/documents/{DOC}/amendments/profit-ban"' in body
    assert 'aria-current="page">Event log</a>' in body


def test_filters_by_action_family_actor_and_target(reader):
    accepted = html_of(reader.get("/events?action=amendment.accepted"))
    assert set(_actions(accepted)) == {"amendment.accepted"}
    family = _actions(html_of(reader.get("/events?action=amendment")))
    assert family and all(a.startswith("amendment.") for a in family) and "amendment.accepted" in family
    targeted = html_of(reader.get("/events?target=profit-ban"))
    targets = re.findall(r'<td data-label="Target">amendment <a href="[^"]*"><bdi>([^<]*)</bdi>', targeted)
    assert targets and {t.rsplit("/", 1)[-1] for t in targets} == {"profit-ban"}
    assert "0 events" in html_of(reader.get("/events?actor=nobody-at-all"))
    assert re.search(r"\d+ events", html_of(reader.get(f"/events?actor=t&document={DOC}")))
    assert reader.get("/events?document=no-such-document").status_code == 404


def test_a_new_change_is_on_top_with_its_actor(web):
    form = html_of(web.get(f"/documents/{DOC}/amendments/profit-ban"))
    r = web.post(f"/documents/{DOC}/amendments/profit-ban/status",
                 data={"csrf_token": csrf_of(form), "status": "rejected", "revision": "1",
                       "reason": 'Not now: a < b & "c" > d'})
    assert r.status_code == 303, r.text
    body = html_of(web.get("/events"))
    assert _actions(body)[0] == "amendment.rejected"
    assert "a < b" not in body and "a \\u003c b" not in body
    assert '&#34;reason&#34;: &#34;Not now: a &lt; b &amp; \\&#34;c\\&#34; &gt; d&#34;' in body


def test_pages_of_fifty(web):
    body = html_of(web.get("/events"))
    total = int(re.search(r"(\d+) events?", body).group(1))
    assert len(_actions(body)) == min(total, 50)
    if total > 50:
        assert 'rel="next" href="/events?offset=50"' in body
