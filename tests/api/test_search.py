"""GET /api/search and ?q= on the amendment list, on the worked case (real texts:
SI 2014/2407 and the consultation's responses) and on documents changed through the
API, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import re

import pytest

from regdraft.files import load
from regdraft.store.engine import make_engine, session_scope

from .support import V1

CASE = "children-social-care-delegation"


@pytest.fixture
def case(client, settings, repo_root):
    """The worked case loaded from drafts/ and amendments/, as `regdraft load` does."""
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        load(session, repo_root, actor="loader")
    engine.dispose()
    return client


def search(client, q, **params):
    r = client.get("/api/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


def where(page):
    return [(hit["kind"], hit["target"]) for hit in page["items"]]


def test_one_search_finds_provisions_amendments_and_responses(case):
    page = search(case, "for profit", document=CASE, limit=50)
    found = where(page)
    assert ("provision", "reg-5") in found  # "A body corporate that is carried on for profit ..."
    assert ("amendment", "profit-ban") in found
    assert ("response", "barnardos") in found
    assert page["total"] == len(found)
    regulation_5 = next(hit for hit in page["items"] if hit["target"] == "reg-5")
    # Regulation 5 came in with version 2 and is still in the head.
    assert (regulation_5["version_from"], regulation_5["version_until"]) == (2, None)
    assert regulation_5["url"] == f"/documents/{CASE}#reg-5"
    assert regulation_5["label"] == "regulation 5"
    assert "<mark>profit</mark>" in regulation_5["snippet"]


def test_words_are_stemmed_and_phrases_kept_together(case):
    assert ("amendment", "ofsted-inspection") in where(search(case, "inspected", document=CASE))
    phrase = where(search(case, '"local authority"', document=CASE, kind="provision", limit=100))
    loose = where(search(case, "local authority", document=CASE, kind="provision", limit=100))
    assert phrase and set(phrase) <= set(loose)


def test_or_and_exclusion(case):
    either = {t for _, t in where(search(case, "Ofsted or pilot", document=CASE, kind="amendment", limit=50))}
    ofsted = {t for _, t in where(search(case, "Ofsted", document=CASE, kind="amendment", limit=50))}
    pilot = {t for _, t in where(search(case, "pilot", document=CASE, kind="amendment", limit=50))}
    assert either == ofsted | pilot and ofsted and pilot
    without = {t for _, t in where(search(case, "Ofsted -pilot", document=CASE, kind="amendment", limit=50))}
    assert without == ofsted - pilot


def test_filters_narrow_by_kind_stakeholder_category_status(case):
    responses = search(case, "profit", kind="response", limit=50)
    assert responses["items"] and {hit["kind"] for hit in responses["items"]} == {"response"}
    barnardos = search(case, "profit", stakeholder="barnardos", limit=50)
    assert where(barnardos) == [("response", "barnardos")]
    accepted = search(case, "profit", status="accepted", limit=50)
    assert where(accepted) == [("amendment", "profit-ban")] and accepted["items"][0]["status"] == "accepted"
    banned = search(case, "profit", category="profit-ban", limit=50)
    assert ("amendment", "profit-ban") in where(banned)
    assert all(kind == "amendment" for kind, _ in where(banned))


def test_version_filter_reads_the_text_of_that_version(case):
    # Regulation 5 (the for-profit ban) is not in the consultation draft.
    assert ("provision", "reg-5") not in where(search(case, "profit", document=CASE, version="1", limit=50))
    assert ("provision", "reg-5") in where(search(case, "profit", document=CASE, version="2", limit=50))
    assert ("provision", "reg-5") in where(search(case, "profit", document=CASE, version="head", limit=50))


def test_pages_cover_every_hit_once(case):
    whole = search(case, "children", document=CASE, limit=200)
    assert whole["total"] > 5
    pages = []
    for offset in range(0, whole["total"], 3):
        pages += where(search(case, "children", document=CASE, offset=offset, limit=3))
    assert pages == where(whole)


def test_the_amendment_list_takes_q(case):
    r = case.get(f"/api/documents/{CASE}/amendments", params={"q": "Ofsted"})
    assert r.status_code == 200
    slugs = [a["slug"] for a in r.json()["items"]]
    assert "ofsted-inspection" in slugs and r.json()["total"] == len(slugs)
    everything = case.get(f"/api/documents/{CASE}/amendments").json()["total"]
    assert len(slugs) < everything
    r = case.get(f"/api/documents/{CASE}/amendments", params={"q": "Ofsted", "status": "rejected"})
    assert all(a["status"] == "rejected" for a in r.json()["items"])


def test_the_index_follows_every_write(example):
    client = example.client
    assert search(client, "hovercraft")["total"] == 0
    r = example.propose("hovercraft", V1.replace("to any person.", "to any person with a hovercraft."))
    assert r.status_code == 201, r.text
    assert where(search(client, "hovercraft")) == [("amendment", "hovercraft")]
    # A new version: regulation 4's old words stay findable in the versions that had them.
    head = client.get(example.url("/versions")).json()["total"]
    text = client.get(example.url(f"/versions/{head}")).json()["text"]
    r = client.post(example.url("/versions"), json={
        "text": text.replace("before 1st July 2019", "before 1st July 2021"), "parent": head,
        "message": "later review"})
    assert r.status_code == 201, r.text
    old = search(client, "2019", document=example.doc, kind="provision")
    assert [(h["target"], h["version_from"], h["version_until"]) for h in old["items"]] == [("reg-4", 1, head + 1)]
    assert old["items"][0]["url"] == f"/documents/{example.doc}?version={head}#reg-4"
    assert search(client, "2019", document=example.doc, version="head")["total"] == 0
    assert search(client, "2019", document=example.doc, version=str(head))["total"] == 1
    assert where(search(client, "2021", version="head")) == [("provision", "reg-4")]
    r = client.put(example.url("/responses/nspcc-response"), json={
        "stakeholder": "nspcc", "title": "nspcc-response title", "date": "2014-06-05",
        "text": "Any delegation must be subject to inspection by Ofsted and by the zeppelin inspectorate."})
    assert r.status_code == 200, r.text
    assert where(search(client, "zeppelin")) == [("response", "nspcc-response")]


def test_hostile_text_is_escaped_in_snippets(example):
    # Raw HTML is refused on the way in (docs/security.md), and so are the private-use
    # characters that mark a match inside the index: a text cannot forge a match. What
    # remains, < & " ' >, comes out as text.
    forged = example.propose("forged", V1.replace("to any person.", "to any person \ue000forged\ue001."))
    assert forged.status_code == 422 and forged.json()["type"].endswith("/invalid-text"), forged.text
    r = example.propose("hostile", V1.replace("to any person.", "to any person a < b."),
                        rationale='Because quokka < 2 & "x" > \'y\' <3 stand in the words of this rationale')
    assert r.status_code == 201, r.text
    [hit] = search(example.client, "quokka")["items"]
    assert "&lt; 2 &amp; &quot;x&quot; &gt; &#x27;y&#x27;" in hit["snippet"]
    assert re.sub(r"</?mark>", "", hit["snippet"]).count("<") == 0
    assert hit["snippet"].count("<mark>") == hit["snippet"].count("</mark>") == 1
    assert "<mark>quokka</mark>" in hit["snippet"]
    assert search(example.client, "forged")["items"] == []


@pytest.mark.parametrize("params, field", [
    ({"q": "-only -excluded"}, "q"), ({"q": "!!! ???"}, "q"), ({"q": " ".join(f"w{i}" for i in range(17))}, "q"),
    ({"q": "x", "kind": "comment-thread"}, "kind"), ({"q": "x", "version": "latest"}, "version"),
    ({"q": "x", "category": "Not A Slug"}, "category"), ({"q": "x", "status": "pending"}, "status"),
])
def test_bad_queries_are_problems(client, params, field):
    r = client.get("/api/search", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


def test_unknown_document_or_stakeholder_is_404(client):
    assert client.get("/api/search", params={"q": "x", "document": "nope"}).status_code == 404
    assert client.get("/api/search", params={"q": "x", "stakeholder": "nope"}).status_code == 404


def test_query_syntax_characters_are_words_not_syntax(example):
    # FTS5 and tsquery operators in a query are searched for as text, never parsed.
    for q in ('NEAR(a b)', 'body:profit', 'a AND', '"unclosed', "profit & | ! <-> :*", "^x", "(profit"):
        r = example.client.get("/api/search", params={"q": q})
        assert r.status_code in (200, 422), (q, r.text)
    assert search(example.client, '"not-for-profit')["total"] >= 1


# Ranking at most MAX_RANKED matches --------------------------------------------------

def every_match_ranked(settings, q, document=None, kinds=()):
    """The hits as they were before a search's ranking was bounded: every match ranked
    (bm25 on SQLite, ts_rank_cd on PostgreSQL), best first, ties by row id; ``[(id, kind,
    target, version_from)]``."""
    from sqlalchemy import text

    from regdraft.services import documents
    from regdraft.services import search as service

    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            chosen = documents.get_document(session, document) if document else None
            connection = session.connection()
            columns = "si.id, si.kind, si.target, si.version_from"
            if connection.dialect.name == "sqlite":
                match = service._fts5_match(service.parse_query(q), service.Filters(document=chosen, kinds=kinds))
                rows = connection.execute(text(
                    f"SELECT {columns} FROM search_fts JOIN search_item si ON si.id = search_fts.rowid "
                    "WHERE search_fts MATCH :match ORDER BY search_fts.rank, si.id"), {"match": match}).all()
            else:
                rows = connection.execute(text(
                    f"SELECT {columns} FROM search_item si, websearch_to_tsquery('english', :q) AS q(q) "
                    "WHERE si.tsv @@ q.q AND (CAST(:document AS integer) IS NULL OR si.document_id = :document) "
                    "AND (cardinality(CAST(:kinds AS text[])) = 0 OR si.kind = ANY(CAST(:kinds AS text[]))) "
                    "ORDER BY ts_rank_cd(si.tsv, q.q) DESC, si.id"),
                    {"q": service.parse_query(q).websearch(), "document": chosen.id if chosen else None,
                     "kinds": list(kinds)}).all()
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def found(page):
    return [(hit["kind"], hit["target"], hit["version_from"]) for hit in page["items"]]


QUERIES = [("children", {"document": CASE}), ("local authority", {}), ('"local authority"', {"document": CASE}),
           ("for profit", {}), ("Ofsted or pilot", {"kind": "amendment"}), ("children -Ofsted", {"document": CASE}),
           ("profit", {"kind": "response"}), ("regulation", {"kind": "provision"})]


@pytest.mark.parametrize("q, params", QUERIES)
def test_fewer_matches_than_the_bound_are_ranked_and_counted_as_before(case, settings, q, params):
    expected = every_match_ranked(settings, q, params.get("document"), tuple(params.get("kind", "").split(",")
                                                                             if params.get("kind") else ()))
    assert 0 < len(expected) <= 200
    page = search(case, q, limit=200, **params)
    assert found(page) == [row[1:] for row in expected]
    assert page["total"] == len(expected) and page["total_exact"] is True


def test_more_matches_than_the_bound_rank_the_most_recent_and_say_the_total_is_a_lower_bound(
        case, settings, monkeypatch):
    from regdraft.services import search as service

    everything = every_match_ranked(settings, "children", CASE)
    bound = 7
    assert len(everything) > bound + 3
    monkeypatch.setattr(service, "MAX_RANKED", bound)
    whole = search(case, "children", document=CASE, limit=200)
    assert (whole["total"], whole["total_exact"]) == (bound, False)
    # The candidates are the most recently indexed matches, in the order a full ranking gives them.
    newest = {row[0] for row in sorted(everything)[-bound:]}
    assert found(whole) == [row[1:] for row in everything if row[0] in newest]
    # Page 2 continues page 1, every candidate once; past the bound there is nothing.
    pages = []
    for offset in range(0, bound, 3):
        page = search(case, "children", document=CASE, offset=offset, limit=3)
        assert (page["total"], page["total_exact"]) == (bound, False)
        pages += found(page)
    assert pages == found(whole) and len(set(pages)) == bound
    assert search(case, "children", document=CASE, offset=bound, limit=3)["items"] == []


def test_the_bound_itself_is_exact(case, settings, monkeypatch):
    from regdraft.services import search as service

    everything = every_match_ranked(settings, "children", CASE)
    monkeypatch.setattr(service, "MAX_RANKED", len(everything))
    page = search(case, "children", document=CASE, limit=200)
    assert found(page) == [row[1:] for row in everything]
    assert (page["total"], page["total_exact"]) == (len(everything), True)
    monkeypatch.setattr(service, "MAX_RANKED", len(everything) - 1)
    page = search(case, "children", document=CASE, limit=200)
    assert (page["total"], page["total_exact"]) == (len(everything) - 1, False)
    assert found(page) == [row[1:] for row in everything if row[0] != min(r[0] for r in everything)]
