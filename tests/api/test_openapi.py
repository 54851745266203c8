"""The committed OpenAPI document is the one the code generates, and it documents
every error as a problem."""

from __future__ import annotations

import json

from regdraft.api.openapi import openapi_text


def test_committed_openapi_is_current(repo_root):
    committed = (repo_root / "api" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_text(), "api/openapi.json is out of date: run `make openapi`"


def test_openapi_does_not_depend_on_settings(monkeypatch):
    before = openapi_text()
    monkeypatch.setenv("REGDRAFT_MAX_BODY_BYTES", "12")
    monkeypatch.setenv("REGDRAFT_DATABASE_URL", "postgresql://nowhere/none")
    assert openapi_text() == before
    assert before.endswith("}\n")


def test_every_error_response_is_a_problem():
    schema = json.loads(openapi_text())
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 25
    for path, method, op in operations:
        if not path.startswith("/api/"):
            continue
        responses = op["responses"]
        assert "422" in responses, (method, path)
        if "{doc}" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "put"):
            assert "413" in responses, (method, path)
        for code, response in responses.items():
            if code[0] in "45":
                [(media_type, content)] = response["content"].items()
                assert media_type == "application/problem+json", (method, path, code)
                assert content["schema"]["$ref"].split("/")[-1] in ("Problem", "ValidationProblem")
    assert "HTTPValidationError" not in schema["components"]["schemas"]
