"""The main job end to end: the worked case loaded from drafts/ and amendments/ into a
fresh database (SQLite and PostgreSQL), served by a real uvicorn process, and every
example request in api/examples/ sent to it over loopback."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from http_examples import ALL
from live import create_token, live_server

ROOT = Path(__file__).resolve().parents[2]
DOC = "children-social-care-delegation"


@pytest.fixture(scope="module")
def server(_template_database: str, copy_database, tmp_path_factory: pytest.TempPathFactory):
    """One load and one server per backend, for both tests: the first only reads, and
    the second's example requests are made to the case as loaded."""
    folder = tmp_path_factory.mktemp("worked-case")
    with copy_database(_template_database, folder) as database_url:
        with live_server(database_url, ROOT, folder / "server.log") as base:
            with httpx.Client(base_url=base, timeout=30) as client:
                client.admin_token = create_token(database_url, "admin")
                yield client


def test_the_service_serves_the_worked_case(server: httpx.Client):
    assert server.get("/docs").headers["content-type"].startswith("text/html")
    document = server.get(f"/api/documents/{DOC}").json()
    assert document["head"]["number"] == 3
    versions = server.get(f"/api/documents/{DOC}/versions").json()
    assert [v["produced_by"] for v in versions["items"]] == [None, "profit-ban", None]
    listed = server.get(f"/api/documents/{DOC}/amendments", params={"limit": 100}).json()["items"]
    assert len(listed) >= 10
    assert {a["slug"]: a["status"] for a in listed}["profit-ban"] == "accepted"
    conflicts = server.get(f"/api/documents/{DOC}/conflicts").json()
    pairs = {frozenset((c["first"], c["second"])) for c in conflicts["conflicts"]}
    assert {frozenset(("evaluated-pilots", "innovation-fund-pilot")),
            frozenset(("ofsted-inspection", "statutory-standards"))} <= pairs
    # uvicorn sends a HEAD's headers, the GET's length among them, and no body.
    keeling = f"/api/documents/{DOC}/versions/1/keeling.html"
    head, got = server.head(keeling), server.get(keeling)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(got.content)) and head.headers["etag"] == got.headers["etag"]


# The example files in the order a reader would try them: reads, then writes, then errors.
ORDER = ["documents.http", "diffs.http", "renderings.http", "consultation.http", "amendments.http", "errors.http"]


def test_every_example_request_does_what_it_says_on_the_worked_case(server: httpx.Client):
    requests = sorted(ALL, key=lambda r: ORDER.index(r.file))
    assert {r.file for r in requests} == set(ORDER)
    for request in requests:
        path = "/" + request.url.split("://", 1)[-1].split("/", 1)[-1]
        headers = dict(request.headers)
        if "authorization" in headers:  # the files hold a placeholder for the reader's own token
            headers["authorization"] = f"Bearer {server.admin_token}"
        r = server.request(request.method, path, content=request.body.encode() or None, headers=headers)
        expected = re.match(r"(\d{3}) ", request.title)
        if expected:
            assert r.status_code == int(expected.group(1)), (request.file, request.title, r.text)
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert r.status_code < 400, (request.file, request.title, r.status_code, r.text)
