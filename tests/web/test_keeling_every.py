"""The Keeling page's "every amendment" option (``every=1``): the API's default set
for the version, however many amendments it holds, cached like a named list; and the
limit on naming amendments one by one in the address."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from sqlmodel import Session

from regdraft.services import amendments as A
from regdraft.services import documents
from regdraft.store.engine import make_engine

from .conftest import DOC
from .test_pages import BASE, csrf_of, html_of

MANY = 81
"""One more than an address may name one by one."""


def shown_sets(body: str) -> tuple[list[str], list[str]]:
    """The amendments the page says it applied and withheld, in its order."""
    applied = re.search(r'<p class="summary">Applied: ([^.]*)\.', body).group(1)
    withheld = re.search(r"Withheld because they conflict:</strong> ([^.]*)\.", body)
    return ([] if applied == "none" else applied.split(", "),
            withheld.group(1).split(", ") if withheld else [])


def api_default_sets(client, doc: str, version: int) -> tuple[list[str], list[str]]:
    """What the API's schedule of the version applies and withholds when no amendments are named."""
    response = client.get(f"/api/documents/{doc}/versions/{version}/keeling.json", headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    return response.json()["applied"], response.json()["withheld"]


def test_every_amendment_is_the_api_default_set_on_each_version(reader):
    for version, expected in ((2, {"profit-ban", "not-for-profit", "ofsted-inspection"}),
                              (1, {"longer-citation"})):  # accepted, and made against version 1
        body = html_of(reader.get(f"{BASE}/keeling?version={version}&every=1"))
        applied, withheld = shown_sets(body)
        assert (applied, withheld) == api_default_sets(reader, DOC, version)
        assert set(applied + withheld) == expected
        assert f"made against version {version} that is not rejected or withdrawn: {len(expected)}." in body
    assert "version 1 (1 amendment made against it)" in body and "version 2 (3 amendments made against it)" in body
    assert 'name="every" value="1"' in body


def test_every_with_named_amendments_goes_to_the_address_of_every_amendment(reader):
    mixed = reader.get(f"{BASE}/keeling?version=2&amendment=profit-ban&every=1")
    assert mixed.status_code == 303 and mixed.headers["location"] == f"{BASE}/keeling?version=2&every=1"
    assert reader.get(f"{BASE}/keeling?every=1&amendment=x").headers["location"] == f"{BASE}/keeling?every=1"


def test_every_on_a_missing_version_or_an_unreadable_flag_is_an_error_page(reader):
    assert "has no version 9" in html_of(reader.get(f"{BASE}/keeling?version=9&every=1"), 404)
    assert "every" in html_of(reader.get(f"{BASE}/keeling?every=maybe"), 422)


def _many_amendments(database_url: str) -> list[str]:
    """A document of MANY regulations with one amendment to each, proposed in turn
    (apart from each other, so none conflict), and one rejected that no schedule shows."""
    text = "# Many\n\n" + "".join(f"### {n}. Rule {n}\n\nRule {n} applies.\n\n" for n in range(1, MANY + 2))
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            doc = documents.create_document(session, slug="many", title="Many", actor="t")
            documents.create_version(session, doc, text=text, parent=None, author="t", message="v1", actor="t")
            slugs = [f"rule-{n}" for n in range(MANY + 1, 0, -1)]  # proposed last to first: not in slug order
            for slug in slugs:
                n = slug.removeprefix("rule-")
                A.propose(session, doc, A.AmendmentInput(
                    slug=slug, title=f"Rule {n}", proposer="adcs", base=1, categories=["standards"],
                    new_text=text.replace(f"Rule {n} applies.", f"Rule {n} applies twice.")), actor="t")
            A.set_status(session, A.get_amendment(session, doc, slugs[0]), "rejected", actor="t", reason="Not needed.")
            session.commit()
    finally:
        engine.dispose()
    return slugs[1:]


def test_more_amendments_than_an_address_can_name_are_applied_through_every(web):
    standing = _many_amendments(web.database_url)
    body = html_of(web.get("/documents/many/keeling?every=1"))
    assert shown_sets(body) == (standing, []) == api_default_sets(web, "many", 1)
    assert body.count("inserted: </span> twice</ins>") == MANY and "version 1 (81 amendments made against it)" in body

    named = web.get("/documents/many/keeling?" + urlencode([("amendment", slug) for slug in standing]))
    message = html_of(named, 422)
    assert "names 81 amendments, and at most 80 can be named" in message
    assert "Every amendment of the version" in message and "every=1" in message


def test_every_is_cached_apart_from_a_named_list_until_the_store_changes(web, monkeypatch):
    from regdraft.services import rendering

    built: list[tuple[str, ...]] = []
    real = rendering.keeling_schedule
    monkeypatch.setattr(rendering, "keeling_schedule", lambda session, document, version, slugs, *links:
                        built.append(tuple(slugs)) or real(session, document, version, slugs, *links))
    every = f"{BASE}/keeling?version=2&every=1"
    first = html_of(web.get(every))
    assert html_of(web.get(every)) == first and len(built) == 1
    named = f"{BASE}/keeling?version=2&" + urlencode([("amendment", slug) for slug in built[0]])
    assert shown_sets(html_of(web.get(named))) == shown_sets(first)
    assert built == [built[0], built[0]]  # the same set, named: built under its own key

    token = csrf_of(html_of(web.get(f"{BASE}/amendments/ofsted-inspection")))
    rejected = web.post(f"{BASE}/amendments/ofsted-inspection/status",
                        data={"status": "rejected", "revision": "1", "reason": "Not needed.", "csrf_token": token})
    assert rejected.status_code == 303
    applied, withheld = shown_sets(html_of(web.get(every)))
    assert len(built) == 3 and "ofsted-inspection" not in built[-1]
    assert "ofsted-inspection" not in applied + withheld and (applied, withheld) == api_default_sets(web, DOC, 2)
