"""Documents and versions over HTTP, error bodies included."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from regdraft.api.app import create_app
from regdraft.settings import Settings
from regdraft.store.engine import make_engine
from .support import ADMIN, DOC, V1, V2, problem


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "regdraft"


def test_create_app_builds_no_engine_until_started(fresh_database_url):
    app = create_app(Settings(database_url=fresh_database_url))
    assert app.state.database._engine is None
    with TestClient(app):
        assert app.state.database._engine is not None
    assert app.state.database._engine is None  # disposed at shutdown


def test_apps_in_one_process_answer_each_from_its_own_database(example, _template_database, copy_database,
                                                                tmp_path):
    # Later apps share the routes the first one built (api/app.py): nothing of an app may
    # stay in them.
    (tmp_path / "other").mkdir()
    with copy_database(_template_database, tmp_path / "other") as other_url:
        with TestClient(create_app(Settings(database_url=other_url))) as other:
            for _ in range(2):
                assert [d["slug"] for d in example.client.get("/api/documents").json()["items"]] == [DOC]
                assert other.get("/api/documents").json()["items"] == []
                assert example.client.get(f"/documents/{DOC}").status_code == 200
                assert other.get(f"/documents/{DOC}").status_code == 404


def test_document_round_trip(example):
    r = example.client.get(example.url())
    assert r.status_code == 200
    body = r.json()
    assert body["slug"] == DOC
    assert body["versions"] == 2
    assert body["head"] == {"number": 2, "content_hash": hashlib.sha256(V2.encode()).hexdigest()}
    assert body["amendments"] == {"draft": 0, "proposed": 0, "accepted": 0, "rejected": 0, "withdrawn": 0,
                                   "fallen": 0}


def test_create_document_sets_location(client):
    r = client.post("/api/documents", json={"slug": "a-doc", "title": "A document"})
    assert r.status_code == 201
    assert r.headers["location"] == "/api/documents/a-doc"
    assert r.json()["head"] is None and r.json()["versions"] == 0


def test_list_documents_paginates(client):
    for i in range(3):
        assert client.post("/api/documents", json={"slug": f"doc-{i}", "title": f"Document {i}"}).status_code == 201
    r = client.get("/api/documents", params={"offset": 1, "limit": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3 and body["offset"] == 1 and body["limit"] == 1
    assert [d["slug"] for d in body["items"]] == ["doc-1"]


def test_limit_over_200_is_a_validation_problem(client):
    body = problem(client.get("/api/documents", params={"limit": 201}), 422, "validation-error")
    assert body["errors"][0]["loc"] == ["query", "limit"]
    assert "200" in body["errors"][0]["msg"]


def test_unknown_document_is_404_problem(client):
    body = problem(client.get("/api/documents/no-such-doc"), 404, "not-found")
    assert body["document"] == "no-such-doc"
    assert "no-such-doc" in body["detail"]


def test_unknown_route_is_problem_too(client):
    problem(client.get("/api/nothing-here"), 404, "about:blank")
    problem(client.delete("/api/documents"), 405, "about:blank")


def test_invalid_document_slug_is_422_with_field(client):
    body = problem(client.post("/api/documents", json={"slug": "Not A Slug", "title": "x"}), 422, "invalid-input")
    assert body["field"] == "document slug"
    assert "Not A Slug" in body["detail"]


def test_duplicate_document_is_409(client):
    assert client.post("/api/documents", json={"slug": "dup", "title": "x"}).status_code == 201
    body = problem(client.post("/api/documents", json={"slug": "dup", "title": "x"}), 409, "already-exists")
    assert body["document"] == "dup"


def test_missing_field_is_validation_problem_with_loc(client):
    body = problem(client.post("/api/documents", json={"slug": "x"}), 422, "validation-error")
    assert {"loc": ["body", "title"], "msg": "Field required", "type": "missing"} in body["errors"]


def test_malformed_json_is_validation_problem(client):
    r = client.post("/api/documents", content=b"{not json", headers={"content-type": "application/json"})
    body = problem(r, 422, "validation-error")
    assert body["errors"][0]["loc"][0] == "body"


# Versions --------------------------------------------------------------------------

def test_versions_list_and_get(example):
    r = example.client.get(example.url("/versions"))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2
    assert [(v["number"], v["parent"]) for v in body["items"]] == [(1, None), (2, 1)]
    assert body["items"][0]["author"] == ADMIN  # the actor, when no author is given
    assert body["items"][1]["message"] == "Longer citation"

    r = example.client.get(example.url("/versions/1"))
    assert r.status_code == 200
    v1 = r.json()
    assert v1["text"] == V1
    assert v1["content_hash"] == hashlib.sha256(V1.encode()).hexdigest()
    provisions = {p["id"]: p for p in v1["provisions"]}
    assert provisions["reg-3-2"]["label"] == "regulation 3(2)"
    assert provisions["reg-3-2"]["kind"] == "paragraph"
    assert provisions["reg-3-1-a"]["label"] == "regulation 3(1)(a)"
    p = provisions["reg-3-2"]
    assert V1[p["start"]:p["end"]].startswith("(2) A local authority may delegate")


def test_version_text_is_markdown(example):
    r = example.client.get(example.url("/versions/2/text"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert r.text == V2


def test_unknown_version_is_404_problem(example):
    body = problem(example.client.get(example.url("/versions/9")), 404, "not-found")
    assert body["version"] == 9 and body["document"] == example.doc
    problem(example.client.get(example.url("/versions/9/text")), 404, "not-found")


def test_non_numeric_version_is_validation_problem(example):
    body = problem(example.client.get(example.url("/versions/two")), 422, "validation-error")
    assert body["errors"][0]["loc"] == ["path", "n"]


def test_stale_parent_is_409_with_head(example):
    r = example.client.post(example.url("/versions"), json={"text": V1 + "\nMore.\n", "parent": 1})
    body = problem(r, 409, "stale-parent")
    assert body["head"] == 2
    assert body["head_hash"] == hashlib.sha256(V2.encode()).hexdigest()
    # Nothing was written.
    assert example.client.get(example.url()).json()["versions"] == 2


@pytest.mark.parametrize("parent, words", [(99, "has no version 99; the head is version 2"),
                                           (None, "has versions already; the head is version 2"),
                                           (1, "version 1 is not the head of")])
def test_a_parent_that_is_no_version_is_named_as_such(example, parent, words):
    body = problem(example.client.post(example.url("/versions"), json={"text": V2 + "\nMore.\n", "parent": parent}),
                   409, "stale-parent")
    assert words in body["detail"] and body["head"] == 2 and "None" not in body["detail"]
    assert example.client.get(example.url()).json()["versions"] == 2


def test_new_version_is_normalised_and_located(example):
    r = example.client.post(example.url("/versions"), json={"text": V2.replace("\n", "\r\n") + "\n\n", "parent": 2,
                                                            "author": "Someone", "message": "CRLF"})
    assert r.status_code == 201
    assert r.headers["location"] == f"/api/documents/{example.doc}/versions/3"
    assert r.json()["content_hash"] == hashlib.sha256(V2.encode()).hexdigest()
    assert r.json()["author"] == "Someone"


def test_nul_byte_in_text_is_422(example):
    r = example.client.post(example.url("/versions"), json={"text": "# T\n\nbad \u0000 byte\n", "parent": 2})
    body = problem(r, 422, "invalid-text")
    assert body["offset"] == 9
    assert "U+0000" in body["detail"]


def test_duplicate_provisions_are_422(example):
    text = V2 + "\n### 3. Again\n\nDuplicate.\n"
    body = problem(example.client.post(example.url("/versions"), json={"text": text, "parent": 2}), 422,
                   "invalid-structure")
    assert body["provision"] == "reg-3"


def test_oversized_body_is_413_problem(example):
    r = example.client.post(example.url("/versions"), json={"text": V2 + "x" * 70_000, "parent": 2})
    body = problem(r, 413, "payload-too-large")
    assert body["limit"] == 64 * 1024
    assert example.client.get(example.url()).json()["versions"] == 2


def test_oversized_chunked_body_is_413(example):
    def chunks():
        for _ in range(20):
            yield b"x" * 4096

    r = example.client.post(example.url("/versions"), content=chunks(), headers={"content-type": "application/json"})
    problem(r, 413, "payload-too-large")


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)  # a SQLite locking question
def test_reads_do_not_wait_for_a_sqlite_writer(example, settings):
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as writer:
            writer.exec_driver_sql("INSERT INTO stakeholder (slug, name, kind) VALUES ('busy', 'Busy', '')")
            # The writer holds the write lock (BEGIN IMMEDIATE) until it commits; a read
            # that waited for it would give up after the busy timeout with a 503.
            r = example.client.get(example.url())
            assert r.status_code == 200
            writer.rollback()
    finally:
        engine.dispose()


def test_racing_constraint_and_unexpected_errors_are_problems(fresh_database_url):
    from sqlalchemy.exc import IntegrityError

    app = create_app(Settings(database_url=fresh_database_url))

    @app.get("/boom/integrity")
    def integrity():
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: document.slug"))

    @app.get("/boom/unexpected")
    def unexpected():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        body = problem(c.get("/boom/integrity"), 409, "conflict")
        assert "UNIQUE" not in body["detail"]
        body = problem(c.get("/boom/unexpected"), 500, "internal-error")
        assert "secret" not in body["detail"]


def test_a_failed_commit_is_an_error_response_and_nothing_is_kept(client, monkeypatch):
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    def failing_commit(self):
        raise IntegrityError("COMMIT", {}, Exception("deferred constraint"))

    with monkeypatch.context() as m:
        m.setattr(Session, "commit", failing_commit)
        problem(client.post("/api/documents", json={"slug": "never", "title": "Never"}), 409, "conflict")
    problem(client.get("/api/documents/never"), 404, "not-found")


def test_a_document_declares_its_kind(client):
    r = client.post("/api/documents", json={"slug": "an-act", "title": "An Act", "kind": "uk-act", "strict": True})
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["strict"]) == ("uk-act", True)
    listed = client.get("/api/documents").json()["items"]
    assert [(d["slug"], d["kind"]) for d in listed] == [("an-act", "uk-act")]


def test_a_document_is_an_si_unless_it_says_otherwise(client):
    r = client.post("/api/documents", json={"slug": "an-si", "title": "An SI"})
    assert (r.json()["kind"], r.json()["strict"]) == ("uk-si", False)


def test_an_unknown_kind_is_refused(client):
    body = problem(client.post("/api/documents", json={"slug": "x", "title": "X", "kind": "uk-bill"}),
                   422, "validation-error")
    assert "kind" in str(body)
    assert client.get("/api/documents").json()["total"] == 0
