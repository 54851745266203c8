"""A database that cannot be reached or written (PostgreSQL stopped mid-run, an
immutable SQLite file or WAL) answers 503 with Retry-After and a problem body, on reads
and writes alike, and nothing is acknowledged that was not stored.

The failures are the driver's own errors, raised where the driver raises them (a
statement, a commit), with the messages SQLite and PostgreSQL give."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from .support import problem

FAILURES = {
    "sqlite": ["attempt to write a readonly database", "disk I/O error", "unable to open database file"],
    "postgresql": ["server closed the connection unexpectedly", "connection to server failed: Connection refused",
                   "terminating connection due to administrator command"],
}


def _failing(engine, message: str, *, when=lambda statement: True):
    def fail(conn, cursor, statement, parameters, context, executemany):
        if when(statement):
            raise engine.dialect.dbapi.OperationalError(message)
    event.listen(engine, "before_cursor_execute", fail)
    return lambda: event.remove(engine, "before_cursor_execute", fail)


def _engine(client):
    return client.app.state.database.engine


@pytest.mark.parametrize("which", range(3))
def test_a_database_that_fails_every_statement_answers_503_to_reads_and_writes(example, which):
    engine = _engine(example.client)
    message = FAILURES[engine.dialect.name][which]
    restore = _failing(engine, message)
    try:
        for r in (example.client.get(example.url("/amendments")),
                  example.client.post("/api/documents", json={"slug": "while-down", "title": "While down"})):
            body = problem(r, 503, "storage-unavailable")
            assert r.headers["retry-after"] == "5" and "nothing was done" in body["detail"]
    finally:
        restore()
    problem(example.client.get("/api/documents/while-down"), 404, "not-found")


def test_a_write_refused_by_read_only_storage_is_503_and_nothing_is_stored(example):
    engine = _engine(example.client)
    message = FAILURES[engine.dialect.name][0]
    restore = _failing(engine, message, when=lambda statement: statement.lstrip().upper().startswith("INSERT"))
    try:
        r = example.client.put(example.url("/stakeholders/ncb"), json={"name": "National Children's Bureau"})
        problem(r, 503, "storage-unavailable")
        assert example.client.get(example.url("/versions")).status_code == 200  # reads still answer
    finally:
        restore()
    problem(example.client.get(example.url("/stakeholders/ncb")), 404, "not-found")


def test_a_commit_that_fails_is_503_not_an_acknowledged_change(example, monkeypatch):
    engine = _engine(example.client)
    message = FAILURES[engine.dialect.name][1]

    def failing_commit(dbapi_connection):
        raise engine.dialect.dbapi.OperationalError(message)

    monkeypatch.setattr(engine.dialect, "do_commit", failing_commit)
    r = example.client.post("/api/documents", json={"slug": "never-committed", "title": "Never committed"})
    problem(r, 503, "storage-unavailable")
    monkeypatch.undo()
    problem(example.client.get("/api/documents/never-committed"), 404, "not-found")


def test_every_route_documents_the_503(client):
    paths = client.app.openapi()["paths"]
    assert all("503" in operation["responses"] for item in paths.values() for operation in item.values()
               if isinstance(operation, dict) and "responses" in operation and operation.get("tags") != ["health"])
