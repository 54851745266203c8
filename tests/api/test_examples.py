"""The example requests in api/examples/ stay in step with the API: every request names
an operation of the OpenAPI document, and every JSON body matches its schema."""

from __future__ import annotations

import json
import re

import pytest

from regdraft.api import schemas
from regdraft.core.errors import InvalidText
from regdraft.api.openapi import openapi_text

from http_examples import ALL, EXAMPLES, Request
from sample_regulations import CATEGORIES


@pytest.fixture(scope="module")
def openapi() -> dict:
    return json.loads(openapi_text())


def _operation(openapi: dict, method: str, url: str) -> dict | None:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    path = "/" + path
    for template, operations in openapi["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    return None


def test_examples_exist():
    assert (EXAMPLES / "README.md").exists()
    assert len(ALL) >= 30
    assert {r.file for r in ALL} >= {"documents.http", "diffs.http", "amendments.http", "consultation.http",
                                     "errors.http"}


@pytest.mark.parametrize("request_", ALL, ids=[f"{r.file}:{r.method} {r.url.split('8000')[-1]}" for r in ALL])
def test_example_names_an_operation_and_its_body_fits(request_: Request, openapi):
    operation = _operation(openapi, request_.method, request_.url)
    if "about:blank" in request_.title:  # an example of a request the API has no route for
        assert operation is None
        return
    assert operation is not None, f"{request_.file}: no operation for {request_.method} {request_.url}"
    content = operation.get("requestBody", {}).get("content", {})
    if not request_.body:
        assert not operation.get("requestBody", {}).get("required"), f"{request_.title}: needs a body"
        return
    assert request_.headers.get("content-type") == "application/json"
    body = json.loads(request_.body)
    schema = content["application/json"]["schema"]
    ref = schema.get("$ref") or next(s["$ref"] for s in schema.get("anyOf", []) if "$ref" in s)
    model = getattr(schemas, ref.rsplit("/", 1)[-1])
    try:
        model.model_validate(body)
    except InvalidText:
        # The checks of texts (control characters, HTML) run as a body is read: an
        # example that shows them failing fails them here too.
        assert request_.title.startswith("422 invalid-text"), request_.title


ERRORS = [r for r in ALL if r.file == "errors.http"]


def test_error_examples_return_what_they_say(client):
    """Against a stand-in for the worked case (same slugs, two versions), each request
    in errors.http returns the status and problem type its title announces."""
    doc = "children-social-care-delegation"
    text = "# Regulations\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n"
    assert client.post("/api/documents", json={"slug": doc, "title": "Stand-in",
                                               "categories": CATEGORIES}).status_code == 201
    assert client.post(f"/api/documents/{doc}/versions", json={"text": text, "parent": None}).status_code == 201
    assert client.post(f"/api/documents/{doc}/versions",
                       json={"text": text + "\nMore.\n", "parent": 1}).status_code == 201
    assert client.put(f"/api/documents/{doc}/stakeholders/adcs", json={"name": "ADCS"}).status_code == 201
    assert client.post(f"/api/documents/{doc}/amendments", json={
        "slug": "profit-ban", "title": "Profit ban", "proposer": "adcs", "base": 2, "categories": ["profit-ban"],
        "new_text": text + "\nLess.\n"}).status_code == 201
    assert len(ERRORS) >= 8
    for request in ERRORS:
        status, code = re.match(r"(\d{3}) (about:blank|[\w-]+)", request.title).groups()
        path = "/" + request.url.split("://", 1)[-1].split("/", 1)[-1]
        # The files hold a placeholder token; the client already sends a real one.
        r = client.request(request.method, path, content=request.body.encode() or None,
                           headers={k: v for k, v in request.headers.items() if k != "authorization"})
        assert r.status_code == int(status), (request.title, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith(code), (request.title, r.json())
