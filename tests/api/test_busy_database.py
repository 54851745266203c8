"""A write that cannot get the database (SQLite's lock held by another process past the
busy timeout) is a 503 problem with Retry-After, and nothing is written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from regdraft.api.app import create_app
from regdraft.store import engine as engine_module

from .support import problem


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)  # PostgreSQL locks rows, not the database
def test_a_write_that_cannot_get_the_database_is_503_and_changes_nothing(settings, issue_token, monkeypatch):
    admin = issue_token("admin")
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)  # not 5 s of waiting in a test
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {admin}"}) as client:
        other_process = engine_module.make_engine(settings.database_url)
        try:
            with other_process.connect() as writer:
                # The other writer holds the write lock (BEGIN IMMEDIATE) until it ends.
                writer.exec_driver_sql("INSERT INTO stakeholder (slug, name, kind) VALUES ('busy', 'Busy', '')")
                r = client.post("/api/documents", json={"slug": "while-busy", "title": "While busy"})
                body = problem(r, 503, "busy")
                assert r.headers["retry-after"] == "1" and "try again" in body["detail"]
                writer.rollback()
        finally:
            other_process.dispose()
        problem(client.get("/api/documents/while-busy"), 404, "not-found")
        assert client.post("/api/documents", json={"slug": "while-busy", "title": "Again"}).status_code == 201
