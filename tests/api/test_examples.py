"""The example requests in api/examples/ stay in step with the API: every request names
an operation of the OpenAPI document, and every JSON body matches its schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from regdraft.api import schemas
from regdraft.api.openapi import openapi_text

EXAMPLES = Path(__file__).resolve().parents[2] / "api" / "examples"
_REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD) (\S+)$")


@dataclass
class Request:
    file: str
    title: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _requests(path: Path) -> list[Request]:
    text = path.read_text(encoding="utf-8")
    variables = dict(re.findall(r"^@(\w+) = (.*)$", text, re.MULTILINE))
    requests = []
    for block in re.split(r"^###", text, flags=re.MULTILINE)[1:]:
        title, _, rest = block.partition("\n")
        lines = [line for line in rest.split("\n") if not line.startswith("#")]
        while lines and not lines[0].strip():
            lines.pop(0)
        match = _REQUEST_LINE.match(lines[0]) if lines else None
        assert match, f"{path.name}: block {title.strip()!r} does not start with a request line"
        url = re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)], match.group(2))
        request = Request(path.name, title.strip(), match.group(1), url)
        body_lines = lines[1:]
        while body_lines and body_lines[0].strip():
            name, _, value = body_lines.pop(0).partition(":")
            request.headers[name.strip().lower()] = re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)],
                                                           value.strip())
        body = "\n".join(body_lines).strip()
        if body.startswith("< "):
            body = (path.parent / body[2:].strip()).read_text(encoding="utf-8")
        request.body = body
        requests.append(request)
    return requests


ALL = [r for path in sorted(EXAMPLES.glob("*.http")) for r in _requests(path)]


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
    model.model_validate(body)


ERRORS = [r for r in ALL if r.file == "errors.http"]


def test_error_examples_return_what_they_say(client):
    """Against a stand-in for the worked case (same slugs, two versions), each request
    in errors.http returns the status and problem type its title announces."""
    doc = "children-social-care-delegation"
    text = "# Regulations\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n"
    assert client.post("/api/documents", json={"slug": doc, "title": "Stand-in"}).status_code == 201
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
        r = client.request(request.method, path, content=request.body.encode() or None,
                           headers={k: v for k, v in request.headers.items()})
        assert r.status_code == int(status), (request.title, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith(code), (request.title, r.json())
