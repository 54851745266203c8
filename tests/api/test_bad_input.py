"""Bad input: each request below gets a 4xx problem document that says what was wrong
(never a 500), and the database is exactly as it was (every table hashed before and
after). The requests are sent with the admin token, so nothing is refused for want of
a role: each is refused for what it carries."""

from __future__ import annotations

import asyncio
import json

import pytest

from db_state import table_digests
from regdraft.api.limits import BodySizeLimit
from regdraft.core.patching import make_patch

from .support import ADCS_TEXT, PROFIT_BAN_TEXT, V1, V2, problem

SCRIPT = "<script>alert(document.cookie)</script>"
HUNDRED_MB = 100 * 1024 * 1024


def _amendment(**fields) -> dict:
    return {"slug": "bad", "title": "Bad", "proposer": "adcs", "base": 1, "categories": ["profit-ban"],
            "new_text": PROFIT_BAN_TEXT, **fields}


def _raw(body: bytes) -> dict:
    return {"content": body, "headers": {"Content-Type": "application/json"}}


# (what, method, path under the document or absolute, request keywords, status, problem code)
CASES = [
    ("malformed patch text", "POST", "/amendments",
     {"json": _amendment(new_text=None, patch_text="@@ this is not @@\n+a patch\n")},
     422, "invalid-patch"),
    ("a patch made for another base", "POST", "/amendments",
     {"json": _amendment(new_text=None, patch_text=make_patch(V2, V2.replace("come into force", "start")))},
     409, "patch-does-not-apply"),
    ("invalid UTF-8 in the body", "POST", "/amendments", _raw(b'{"slug": "bad", "title": "\xff\xfe"}'),
     400, "about:blank"),
    ("a lone surrogate (invalid UTF-16 in JSON)", "POST", "/versions",
     _raw(json.dumps({"text": "# T\n\nbroken \ud800 text\n", "parent": 2}).encode()), 422, "invalid-text"),
    ("a NUL byte in version text", "POST", "/versions", {"json": {"text": "# T\n\nNUL \u0000 here\n", "parent": 2}},
     422, "invalid-text"),
    ("a NUL byte in an amendment's new text", "POST", "/amendments",
     {"json": _amendment(new_text=V1.replace("any person", "any\u0000person"))}, 422, "invalid-text"),
    ("a NUL byte in a title", "POST", "/amendments", {"json": _amendment(title="Bad\u0000title")},
     422, "invalid-text"),
    ("a NUL byte in a response", "PUT", "/responses/adcs-response",
     {"json": {"stakeholder": "adcs", "title": "T", "text": "A\u0000B"}}, 422, "invalid-text"),
    ("10 000-level nested lists in a version", "POST", "/versions",
     {"json": {"text": "# T\n\n### 1. Deep\n\n" + "- " * 10_000 + "x\n", "parent": 2}}, 422, "invalid-text"),
    ("10 000-level nested lists in JSON", "POST", "/amendments",
     _raw(b'{"slug": "bad", "categories": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"), 400, "about:blank"),
    ("an unknown document", "GET", "/api/documents/no-such-document", {}, 404, "not-found"),
    ("an unknown version", "GET", "/versions/99", {}, 404, "not-found"),
    ("an unknown amendment", "POST", "/amendments/no-such-amendment/accept", {}, 404, "not-found"),
    ("an unknown proposer", "POST", "/amendments", {"json": _amendment(proposer="nobody")}, 404, "not-found"),
    ("an unknown cited response", "POST", "/amendments",
     {"json": _amendment(citations=[{"response": "nobody-response", "quote": "profit"}])}, 404, "not-found"),
    ("an unknown base version", "POST", "/amendments", {"json": _amendment(base=42)}, 404, "not-found"),
    ("a number too large to store", "GET", "/diff?from=1&to=99999999999999999999999", {}, 422, "validation-error"),
    ("a duplicate document slug", "POST", "/api/documents", {"json": {"slug": "example-delegation", "title": "T"}},
     409, "already-exists"),
    ("a duplicate amendment slug", "POST", "/amendments", {"json": _amendment(slug="profit-ban")},
     409, "already-exists"),
    ("path traversal in a document slug (exported as a folder name)", "POST", "/api/documents",
     {"json": {"slug": "../../etc", "title": "T"}}, 422, "invalid-input"),
    ("path traversal in an amendment slug (exported as a file name)", "POST", "/amendments",
     {"json": _amendment(slug="../../../tmp/evil")}, 422, "invalid-input"),
    ("dots in a stakeholder slug", "PUT", "/stakeholders/..evil", {"json": {"name": "N"}},
     422, "invalid-input"),
    ("a dot-dot response slug", "PUT", "/responses/..evil", {"json": {"stakeholder": "adcs", "title": "T",
                                                                  "text": ADCS_TEXT}}, 422, "invalid-input"),
    ("a quote that is not in the response", "POST", "/amendments",
     {"json": _amendment(citations=[{"response": "adcs-response", "quote": "profit is the whole point"}])},
     422, "quote-not-found"),
    ("a javascript: URL for a response", "PUT", "/responses/adcs-response",
     {"json": {"stakeholder": "adcs", "title": "T", "text": ADCS_TEXT, "url": "javascript:alert(1)"}},
     422, "invalid-text"),
]

# Script injection, in every text field of every body.
SCRIPT_CASES = [
    *[("POST", "/api/documents", {"slug": "scripted", "title": "T", **{name: SCRIPT}}, name)
      for name in ("title", "description", "notice")],
    *[("POST", "/versions", {"text": V2, "parent": 2, "message": "m", **{name: value}}, name)
      for name, value in (("text", V2 + f"\n{SCRIPT}\n"), ("message", SCRIPT), ("author", SCRIPT))],
    *[("POST", "/amendments", _amendment(**{name: value}), name)
      for name, value in (("title", SCRIPT), ("rationale", f"Because {SCRIPT}"), ("slug", SCRIPT),
                          ("proposer", SCRIPT), ("new_text", PROFIT_BAN_TEXT + SCRIPT + "\n"))],
    ("POST", "/amendments", _amendment(citations=[{"response": "adcs-response", "quote": SCRIPT}]), "quote"),
    ("POST", "/amendments", _amendment(citations=[{"response": SCRIPT, "quote": "profit"}]), "response"),
    ("POST", "/amendments", _amendment(categories=[SCRIPT]), "categories"),
    *[("PUT", "/stakeholders/adcs", {"name": "N", **{name: SCRIPT}}, name) for name in ("name", "kind")],
    *[("PUT", "/responses/adcs-response", {"stakeholder": "adcs", "title": "T", "text": ADCS_TEXT, **{name: value}},
       name)
      for name, value in (("title", SCRIPT), ("text", ADCS_TEXT + SCRIPT), ("source", SCRIPT),
                          ("date", SCRIPT), ("stance", SCRIPT), ("provenance", SCRIPT), ("stakeholder", SCRIPT),
                          ("url", f"https://example.org/{SCRIPT}"))],
    ("POST", "/amendments/profit-ban/status", {"status": SCRIPT}, "status"),
    ("POST", "/apply", {"version": 1, "amendments": [SCRIPT]}, "amendments"),
]


def _send(example, method: str, path: str, **request):
    url = path if path.startswith("/api/") else example.url(path)
    return example.client.request(method, url, **request)


def test_each_bad_input_is_a_problem_and_changes_nothing(example, profit_ban, settings):
    before = table_digests(settings.database_url)
    wrong = []
    for what, method, path, request, status, code in CASES:
        response = _send(example, method, path, **request)
        if response.status_code != status:
            wrong.append(f"{what}: {response.status_code}, wanted {status}: {response.text[:300]}")
            continue
        body = problem(response, status, code)
        assert len(body["detail"]) > 10, what
        assert table_digests(settings.database_url) == before, f"{what}: the database changed"
    assert not wrong, "\n".join(wrong)


def test_script_in_any_text_field_is_refused_and_changes_nothing(example, profit_ban, settings):
    before = table_digests(settings.database_url)
    wrong = []
    for method, path, body, field in SCRIPT_CASES:
        response = _send(example, method, path, json=body)
        if response.status_code // 100 != 4 or not response.headers["content-type"].startswith(
                "application/problem+json"):
            wrong.append(f"{method} {path} with script in {field}: {response.status_code} {response.text[:200]}")
            continue
    assert not wrong, "\n".join(wrong)
    assert table_digests(settings.database_url) == before


def test_html_is_named_in_the_problem(example):
    body = problem(example.client.post("/api/documents", json={"slug": "x", "title": f"A {SCRIPT}"}), 422,
                   "invalid-text")
    assert body["field"] == "title" and body["offset"] == 2 and "HTML" in body["detail"]


def test_a_declared_100_mb_body_is_refused_before_it_is_read(example, settings):
    before = table_digests(settings.database_url)
    body = problem(example.client.post(example.url("/versions"), content=b"{}",
                                       headers={"Content-Type": "application/json",
                                                "Content-Length": str(HUNDRED_MB)}), 413, "payload-too-large")
    assert body["limit"] == settings.max_body_bytes
    assert table_digests(settings.database_url) == before


def test_a_streamed_100_mb_body_is_cut_off_at_the_limit():
    """A chunked body with no length: the middleware reads up to the limit and stops
    there, so the other 99.9 MB are never read, let alone held in memory."""
    limit, chunk = 64 * 1024, b"x" * (1024 * 1024)
    pulled, sent = [], []

    async def receive():
        pulled.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": sum(pulled) < HUNDRED_MB}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("the app must not see an oversized body")

    scope = {"type": "http", "method": "POST", "path": "/api/documents", "headers": []}
    asyncio.run(BodySizeLimit(app, max_body_bytes=limit)(scope, receive, send))
    assert len(pulled) == 1  # one chunk was enough to pass the limit
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["limit"] == limit


@pytest.mark.parametrize("slug", ["..", "a/b", "a\\b", "CON", "x" * 81, "Upper", "-lead", "trail-", "a--b", " sp"])
def test_slugs_that_could_escape_or_collide_as_file_names_are_refused(client, slug):
    problem(client.post("/api/documents", json={"slug": slug, "title": "T"}), 422, "invalid-input")
