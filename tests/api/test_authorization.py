"""Who may do what over HTTP: the whole matrix of role × endpoint, one cell at a time,
plus how tokens are sent and refused.

Each role walks every cell on its own fresh example document. A cell is one request
whose outcome depends only on the role (the targets are made beforehand, one per
cell, so an earlier cell's success cannot change a later one's). A refused cell must
also change nothing: the event log, which every change appends to, keeps its length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .support import ADCS_TEXT, CATEGORIES, INTERPRETATION_TEXT, NSPCC_TEXT, PROFIT_BAN_TEXT, V1, problem, tracked_replacement

ROLES = ("anonymous", "reader", "stakeholder", "drafter", "reviewer", "admin")
# The stakeholder token speaks for adcs; nspcc is "another stakeholder".
OWN, OTHER = "adcs", "nspcc"
REVIEW_TEXT = V1.replace("before 1st July 2019", "before 1st July 2018")


def expect(ok: int, allowed: tuple[str, ...]) -> dict[str, int]:
    """``ok`` for the roles in ``allowed``, 401 for anonymous, 403 for the rest."""
    return {role: ok if role in allowed else 401 if role == "anonymous" else 403 for role in ROLES}


EVERYONE = ROLES
EDITORS = ("drafter", "admin")
OWNERS = ("stakeholder", "drafter", "admin")
DECIDERS = ("reviewer", "admin")


@dataclass(frozen=True)
class Cell:
    name: str
    send: Callable  # (example, headers) -> response
    outcome: dict[str, int]
    # Amendments to make (as admin, on version 2) before the role walks the row:
    # (slug, proposer, new text).
    needs: tuple[tuple[str, str, str], ...] = ()
    # Made (as admin: ``example.admin``) just before the cell is sent; what it returns is ``example.prepared``.
    prepare: Callable | None = None


def _amend(slug: str, *, proposer: str = OWN, citations=(), text: str = PROFIT_BAN_TEXT) -> dict:
    return {"slug": slug, "title": f"Amendment {slug}", "proposer": proposer, "base": 2,
            "categories": ["profit-ban"], "new_text": text.replace("These Regulations may be cited as the Example "
                                                                   "Regulations 2014.", _V2_CITATION),
            "citations": list(citations)}


# V2's regulation 1 (support.V2), so texts made from V1 apply to version 2 exactly.
_V2_CITATION = ("These Regulations may be cited as the Example (Relevant Care Functions) (England) Regulations "
                "2014 and come into force on 1st July 2014.")


def _from_word(ex, headers: dict) -> object:
    """Version 2 exported as Word, "any person" replaced under Track Changes by the
    proposer's stakeholder (Word's user name), sent back as an amendment."""
    edited = tracked_replacement(ex.client.get(ex.url("/versions/2/export.docx")).content, "any person", "a charity",
                                 "Association of Directors of Children's Services")
    return ex.client.post(ex.url("/word-amendments"), params={"slug": "cell-word", "categories": "profit-ban"},
                          content=edited, headers={**headers, "Content-Type": "application/octet-stream"})


def _preview(slug: str, **amendment):
    def send(ex, headers: dict):
        before = _events(ex)
        r = ex.client.post(ex.url("/amendments/preview"), json=_amend(slug, **amendment), headers=headers)
        assert _events(ex) == before, f"previewing {slug} wrote an event"
        return r
    return send


def _status(slug: str, status: str):
    return lambda ex, h: ex.client.post(ex.url(f"/amendments/{slug}/status"),
                                        json={"status": status, "reason": f"Decided: {status}."}, headers=h)


SIGNED_IN = ROLES[1:]
CITED = "cited-c"
"""The one amendment made with a citation (of the other stakeholder's response)."""


def _comment_by_admin(ex, **target) -> int:
    r = ex.client.post(ex.url("/comments"), json={"body": "Made first.", **target}, headers=ex.admin)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _on_provision(ex) -> int:
    return _comment_by_admin(ex, target="provision", version=2, provision="reg-4", quote="review these Regulations")


def _draft(slug: str, proposer: str):
    def prepare(ex):
        r = ex.client.post(ex.url("/amendments"), json={**_amend(slug, proposer=proposer), "status": "draft"},
                           headers=ex.admin)
        assert r.status_code == 201, r.text
    return prepare


def _comment_on(**target):
    return lambda ex, h: ex.client.post(ex.url("/comments"), json={"body": "What of this?", **target}, headers=h)


COMMENT_CELLS = [
    Cell("comment on a provision", _comment_on(target="provision", version=2, provision="reg-3-2", quote="any person"),
         expect(201, SIGNED_IN)),
    Cell("comment on its own draft", _comment_on(target="amendment", amendment="own-draft-c"),
         expect(201, SIGNED_IN), prepare=_draft("own-draft-c", OWN)),
    Cell("comment on another's draft", _comment_on(target="amendment", amendment="other-draft-c"),
         expect(201, ("reader", "drafter", "reviewer", "admin")), prepare=_draft("other-draft-c", OTHER)),
    Cell("comment on another's proposed amendment's citation", _comment_on(
        target="citation", amendment=CITED, citation=1), expect(201, SIGNED_IN),
        needs=((CITED, OTHER, PROFIT_BAN_TEXT),)),
    Cell("comment on another's response passage", _comment_on(
        target="response", response="nspcc-response", quote="inspection by Ofsted"), expect(201, SIGNED_IN)),
    Cell("reply to a comment", lambda ex, h: ex.client.post(ex.url("/comments"), json={
        "body": "A reply.", "reply_to": ex.prepared}, headers=h), expect(201, SIGNED_IN), prepare=_on_provision),
    Cell("edit another's comment", lambda ex, h: ex.client.patch(ex.url(f"/comments/{ex.prepared}"), json={
        "body": "Changed."}, headers=h), expect(200, ()), prepare=_on_provision),
    Cell("hide a comment", lambda ex, h: ex.client.post(ex.url(f"/comments/{ex.prepared}/hide"), json={
        "reason": "Off topic."}, headers=h), expect(200, DECIDERS), prepare=_on_provision),
    Cell("re-attach a comment", lambda ex, h: ex.client.post(ex.url(f"/comments/{ex.prepared}/reattach"), json={
        "provision": "reg-4", "quote": "The Secretary of State"}, headers=h), expect(200, DECIDERS),
        prepare=_on_provision),
]

def _revise(slug: str):
    body = {"title": f"Revised {slug}", "categories": ["accountability"],
            "new_text": _amend(slug, text=INTERPRETATION_TEXT)["new_text"]}
    return lambda ex, h: ex.client.put(ex.url(f"/amendments/{slug}"), json=body, headers={**h, "If-Match": '"1"'})


CELLS = [
    Cell("read a document", lambda ex, h: ex.client.get(ex.url(), headers=h), expect(200, EVERYONE)),
    Cell("read the event log", lambda ex, h: ex.client.get("/api/events", headers=h), expect(200, EVERYONE)),
    Cell("apply amendments (a read)", lambda ex, h: ex.client.post(
        ex.url("/apply"), json={"version": 2, "amendments": ["cell-read"]}, headers=h), expect(200, EVERYONE),
        needs=(("cell-read", OWN, PROFIT_BAN_TEXT),)),
    Cell("create a document", lambda ex, h: ex.client.post(
        "/api/documents", json={"slug": "another-document", "title": "Another"}, headers=h), expect(201, EDITORS)),
    Cell("add a stakeholder", lambda ex, h: ex.client.put(
        ex.url("/stakeholders/new-body"), json={"name": "New body"}, headers=h), expect(201, EDITORS)),
    Cell("add its own response", lambda ex, h: ex.client.put(
        ex.url("/responses/adcs-second"), json={"stakeholder": OWN, "title": "Second", "text": ADCS_TEXT},
        headers=h), expect(201, OWNERS)),
    Cell("add another's response", lambda ex, h: ex.client.put(
        ex.url("/responses/nspcc-second"), json={"stakeholder": OTHER, "title": "Second", "text": ADCS_TEXT},
        headers=h), expect(201, EDITORS)),
    Cell("take over another's response", lambda ex, h: ex.client.put(
        ex.url("/responses/nspcc-response"), json={"stakeholder": OWN, "title": "Mine now", "text": NSPCC_TEXT},
        headers=h), expect(200, EDITORS)),
    Cell("propose its own, citing its own response", lambda ex, h: ex.client.post(
        ex.url("/amendments"), json=_amend("cell-own", citations=[
            {"response": "adcs-response", "quote": "a profit motive has no place"}]), headers=h),
        expect(201, OWNERS)),
    Cell("propose for another stakeholder", lambda ex, h: ex.client.post(
        ex.url("/amendments"), json=_amend("cell-other", proposer=OTHER), headers=h), expect(201, EDITORS)),
    Cell("propose its own, citing another's response", lambda ex, h: ex.client.post(
        ex.url("/amendments"), json=_amend("cell-cites-other", citations=[
            {"response": "nspcc-response", "quote": "subject to inspection by Ofsted"}]), headers=h),
        expect(201, EDITORS)),
    Cell("propose its own from a Word file", _from_word, expect(201, OWNERS)),
    # A preview needs what proposing needs, and stores nothing (the events stay as they were).
    Cell("preview its own, citing its own response", _preview("preview-own", citations=[
        {"response": "adcs-response", "quote": "a profit motive has no place"}]), expect(200, OWNERS)),
    Cell("preview for another stakeholder", _preview("preview-other", proposer=OTHER), expect(200, EDITORS)),
    Cell("preview its own, citing another's response", _preview("preview-cites-other", citations=[
        {"response": "nspcc-response", "quote": "subject to inspection by Ofsted"}]), expect(200, EDITORS)),
    Cell("revise its own", _revise("own-revise"), expect(200, OWNERS), needs=(("own-revise", OWN, PROFIT_BAN_TEXT),)),
    Cell("revise another's", _revise("other-revise"), expect(200, EDITORS),
         needs=(("other-revise", OTHER, PROFIT_BAN_TEXT),)),
    Cell("set the document's categories", lambda ex, h: ex.client.put(
        ex.url("/categories"), json={"categories": [*CATEGORIES, {"slug": "housing", "title": "Housing"}]},
        headers=h), expect(200, EDITORS)),
    Cell("withdraw its own", _status("own-withdraw", "withdrawn"), expect(200, OWNERS),
         needs=(("own-withdraw", OWN, PROFIT_BAN_TEXT),)),
    Cell("move its own back to draft", _status("own-draft", "draft"), expect(200, OWNERS),
         needs=(("own-draft", OWN, PROFIT_BAN_TEXT),)),
    Cell("withdraw another's", _status("other-withdraw", "withdrawn"), expect(200, EDITORS),
         needs=(("other-withdraw", OTHER, PROFIT_BAN_TEXT),)),
    Cell("reject", _status("to-reject", "rejected"), expect(200, DECIDERS),
         needs=(("to-reject", OWN, PROFIT_BAN_TEXT),)),
    Cell("accept (status)", _status("to-accept", "accepted"), expect(200, DECIDERS),
         needs=(("to-accept", OTHER, INTERPRETATION_TEXT),)),
    Cell("accept", lambda ex, h: ex.client.post(ex.url("/amendments/accept-me/accept"), headers=h),
         expect(201, DECIDERS), needs=(("accept-me", OWN, PROFIT_BAN_TEXT),)),
    Cell("decide several (reject)", lambda ex, h: ex.client.post(ex.url("/decisions"), json={"decisions": [
        {"amendment": "bulk-reject", "status": "rejected", "reason": "Not needed."}]}, headers=h),
        expect(200, DECIDERS), needs=(("bulk-reject", OWN, PROFIT_BAN_TEXT),)),
    Cell("withdraw its own, in bulk", lambda ex, h: ex.client.post(ex.url("/decisions"), json={"decisions": [
        {"amendment": "bulk-withdraw", "status": "withdrawn", "reason": "Ours to withdraw."}]}, headers=h),
        expect(200, OWNERS), needs=(("bulk-withdraw", OWN, PROFIT_BAN_TEXT),)),
    Cell("say which amendments make one fall", lambda ex, h: ex.client.put(
        ex.url("/amendments/to-fall/falls-if"), json={"amendments": ["cell-read"]}, headers=h),
        expect(200, ("drafter", "reviewer", "admin")), needs=(("to-fall", OTHER, PROFIT_BAN_TEXT),)),
    Cell("rebase its own", lambda ex, h: ex.client.post(ex.url("/amendments/own-rebase/rebase"), headers=h),
         expect(200, OWNERS), needs=(("own-rebase", OWN, PROFIT_BAN_TEXT),)),
    Cell("rebase another's", lambda ex, h: ex.client.post(ex.url("/amendments/other-rebase/rebase"), headers=h),
         expect(200, EDITORS), needs=(("other-rebase", OTHER, PROFIT_BAN_TEXT),)),
    Cell("rebase a set naming another's", lambda ex, h: ex.client.post(
        ex.url("/rebase"), json={"amendments": ["own-rebase", "other-rebase"]}, headers=h), expect(200, EDITORS)),
    Cell("rebase all it may", lambda ex, h: ex.client.post(ex.url("/rebase"), headers=h), expect(200, OWNERS)),
    # Nothing waits for confirmation: the roles that may confirm learn that (409).
    Cell("confirm a rebase of its own", lambda ex, h: ex.client.post(
        ex.url("/amendments/own-rebase/rebase/confirm"), headers=h), expect(409, OWNERS)),
    *COMMENT_CELLS,  # before the cells that add versions, so every role comments on the same head
    Cell("add a version", lambda ex, h: ex.client.post(
        ex.url("/versions"), json={"text": REVIEW_TEXT, "parent": ex.client.get(ex.url()).json()["head"]["number"]},
        headers=h), expect(201, EDITORS)),
    Cell("import a file as a document", lambda ex, h: ex.client.post(
        "/api/documents/import", params={"document": "imported-document"}, content=REVIEW_TEXT.encode(),
        headers={**h, "Content-Type": "text/plain"}), expect(201, EDITORS)),
    Cell("import a file as a version", lambda ex, h: ex.client.post(
        "/api/documents/import", params={"document": ex.doc, "as_version": "true"}, content=REVIEW_TEXT.encode(),
        headers={**h, "Content-Type": "text/plain"}), expect(201, EDITORS)),
]


def _events(example) -> int:
    return example.client.get("/api/events", params={"limit": 1}).json()["total"]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(example, issue_token, role):
    for slug, proposer, text in (need for cell in CELLS for need in cell.needs):
        cites = [{"response": "nspcc-response", "quote": "subject to inspection by Ofsted"}] if slug == CITED else []
        r = example.client.post(example.url("/amendments"), json=_amend(slug, proposer=proposer, text=text,
                                                                       citations=cites))
        assert r.status_code == 201, r.text
    example.admin = {"Authorization": example.client.headers["Authorization"]}
    if role == "anonymous":
        example.client.headers.pop("Authorization")  # the client's admin token
        headers = {}
    else:
        secret = issue_token(role, stakeholder=OWN if role == "stakeholder" else None, name=f"{role}-token")
        headers = {"Authorization": f"Bearer {secret}"}

    outcomes, wrong = {}, []
    for cell in CELLS:
        example.prepared = cell.prepare(example) if cell.prepare else None
        before = _events(example)
        response = cell.send(example, headers)
        outcomes[cell.name] = response.status_code
        if response.status_code != cell.outcome[role]:
            wrong.append(f"{cell.name}: {response.status_code} (wanted {cell.outcome[role]}) {response.text[:200]}")
        elif response.status_code in (401, 403):
            body = problem(response, response.status_code,
                           "unauthenticated" if response.status_code == 401 else "forbidden")
            assert body["detail"]
            assert _events(example) == before, f"{cell.name}: a refused request changed something"
    assert not wrong, "\n".join(wrong)
    assert len(outcomes) == len(CELLS)


def test_the_matrix_walks_every_write_route(client):
    """Every route that changes something is a row of the matrix (so a new write route
    cannot go unchecked)."""
    writes = {(path, method.upper()) for path, operations in client.app.openapi()["paths"].items()
              for method in operations if method in ("post", "put", "patch", "delete")}
    reads_by_post = {("/api/documents/{doc}/apply", "POST")}
    covered = {("/api/documents", "POST"), ("/api/documents/{doc}/versions", "POST"),
               ("/api/documents/{doc}/stakeholders/{slug}", "PUT"), ("/api/documents/{doc}/responses/{slug}", "PUT"),
               ("/api/documents/{doc}/amendments", "POST"), ("/api/documents/{doc}/amendments/preview", "POST"),
               ("/api/documents/{doc}/amendments/{slug}/status", "POST"),
               ("/api/documents/{doc}/amendments/{slug}/accept", "POST"), ("/api/documents/import", "POST"),
               ("/api/documents/{doc}/decisions", "POST"), ("/api/documents/{doc}/amendments/{slug}/falls-if", "PUT"),
               ("/api/documents/{doc}/word-amendments", "POST"), ("/api/documents/{doc}/rebase", "POST"),
               ("/api/documents/{doc}/amendments/{slug}/rebase", "POST"),
               ("/api/documents/{doc}/amendments/{slug}/rebase/confirm", "POST"),
               ("/api/documents/{doc}/comments", "POST"), ("/api/documents/{doc}/comments/{comment}", "PATCH"),
               ("/api/documents/{doc}/comments/{comment}/hide", "POST"),
               ("/api/documents/{doc}/comments/{comment}/reattach", "POST"),
               ("/api/documents/{doc}/amendments/{slug}", "PUT"), ("/api/documents/{doc}/categories", "PUT")}
    assert writes - reads_by_post == covered


# Tokens: how they are sent, and which are refused ------------------------------------

def test_a_token_in_the_query_string_is_refused_even_a_valid_one(client, issue_token):
    secret = issue_token("reader")
    for name in ("access_token", "token", "api_key"):
        body = problem(client.get("/api/documents", params={name: secret}), 401, "unauthenticated")
        assert "query string" in body["detail"]


@pytest.mark.parametrize("header", ["Bearer rdt_not-a-real-token", "Bearer", "Basic YWRtaW46YWRtaW4=",
                                    "rdt_missing-scheme", "Bearer not-even-our-prefix"])
def test_bad_authorization_headers_are_401_on_reads_too(client, header):
    r = client.get("/api/documents", headers={"Authorization": header})
    problem(r, 401, "unauthenticated")
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_two_authorization_headers_are_a_400_whichever_comes_first(settings, issue_token):
    """One proxy may read the first header and another the last: neither is taken."""
    from fastapi.testclient import TestClient

    from regdraft.api.app import create_app

    admin, reader = issue_token("admin"), issue_token("reader")
    with TestClient(create_app(settings)) as anonymous:
        for first, second in ((reader, admin), (admin, reader), (admin, admin)):
            headers = [("Authorization", f"Bearer {first}"), ("Authorization", f"Bearer {second}")]
            body = problem(anonymous.post("/api/documents", json={"slug": "twice", "title": "T"}, headers=headers),
                           400, "malformed-request")
            assert "2 times" in body["detail"]
            problem(anonymous.get("/api/documents", headers=headers), 400, "malformed-request")
        assert anonymous.get("/api/documents/twice").status_code == 404


def test_a_revoked_token_is_refused(client, issue_token, settings):
    from regdraft.services import tokens
    from regdraft.store.engine import make_engine, session_scope

    secret = issue_token("drafter", name="leaving")
    create = {"slug": "by-leaver", "title": "By a leaver"}
    assert client.post("/api/documents", json=create, headers={"Authorization": f"Bearer {secret}"}).status_code == 201
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        tokens.revoke_token(session, "leaving", actor="tests")
    engine.dispose()
    again = client.post("/api/documents", json={**create, "slug": "again"},
                        headers={"Authorization": f"Bearer {secret}"})
    problem(again, 401, "unauthenticated")


def test_the_token_name_is_the_actor_and_the_secret_is_not_stored(example, issue_token, settings):
    from sqlalchemy import text

    from regdraft.store.engine import make_engine

    secret = issue_token("stakeholder", stakeholder=OWN, name="adcs-policy-team")
    r = example.client.post(example.url("/amendments"), json=_amend("by-adcs"),
                            headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 201, r.text
    events = example.client.get("/api/events", params={"limit": 200}).json()["items"]
    assert events[-1]["action"] == "amendment.proposed" and events[-1]["actor"] == "adcs-policy-team"
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_hash FROM token WHERE name = 'adcs-policy-team'")).scalar_one()
        dump = "\n".join(str(row) for table in ("token", "event")
                         for row in connection.execute(text(f"SELECT * FROM {table}")))
    engine.dispose()
    assert stored != secret and secret not in dump and secret[4:] not in dump
