"""Fixtures for the HTTP contract tests: an app on a fresh, migrated database (SQLite and
PostgreSQL, from ``fresh_database_url`` in tests/conftest.py) and a small document
built through the API itself.

``client`` sends an admin token (named ``ADMIN``) on every request, so tests that are
not about authorization need not think about it; ``issue_token`` makes others."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from regdraft.api.app import create_app
from regdraft.services import tokens
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope

from .support import ADCS_TEXT, ADMIN, CATEGORIES, DOC, NSPCC_TEXT, PROFIT_BAN_TEXT, V1, V2


@pytest.fixture
def settings(fresh_database_url: str) -> Settings:
    return Settings(database_url=fresh_database_url, max_body_bytes=64 * 1024)


@pytest.fixture
def issue_token(settings: Settings):
    """``issue_token(role, stakeholder=None, name=None)`` → a bearer secret, made as
    ``regdraft token create`` makes it."""
    engine = make_engine(settings.database_url)

    def issue(role: str, stakeholder: str | None = None, name: str | None = None) -> str:
        with session_scope(engine) as session:
            return tokens.create_token(session, role=role, stakeholder=stakeholder, name=name, actor="tests").secret

    yield issue
    engine.dispose()


@pytest.fixture
def client(settings: Settings, issue_token):
    admin = issue_token("admin", name=ADMIN)
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {admin}"}) as c:
        yield c


@dataclass
class Example:
    client: TestClient
    doc: str = DOC

    def url(self, path: str = "") -> str:
        return f"/api/documents/{self.doc}{path}"

    def propose(self, slug: str, new_text: str, *, base: int = 1, categories=("profit-ban",), citations=(),
                status: str = "proposed", proposer: str = "adcs", **extra):
        body = {"slug": slug, "title": f"Amendment {slug}", "proposer": proposer, "base": base,
                "categories": list(categories), "rationale": "Because.", "new_text": new_text,
                "citations": list(citations), "status": status, **extra}
        if extra.get("patch_text") is not None:
            body.pop("new_text")
        return self.client.post(self.url("/amendments"), json=body)


@pytest.fixture
def example(client: TestClient) -> Example:
    """Document with versions 1 and 2, stakeholders adcs and nspcc, one response each."""
    ex = Example(client)
    r = client.post("/api/documents", json={"slug": DOC, "title": "Example delegation regulations",
                                            "description": "A small test document.", "categories": CATEGORIES})
    assert r.status_code == 201, r.text
    r = client.post(ex.url("/versions"), json={"text": V1, "parent": None, "message": "Consultation draft"})
    assert r.status_code == 201, r.text
    r = client.post(ex.url("/versions"), json={"text": V2, "parent": 1, "message": "Longer citation"})
    assert r.status_code == 201, r.text
    for slug, name in (("adcs", "Association of Directors of Children's Services"), ("nspcc", "NSPCC")):
        r = client.put(ex.url(f"/stakeholders/{slug}"), json={"name": name, "kind": "charity"})
        assert r.status_code == 201, r.text
    for slug, stakeholder, text in (("adcs-response", "adcs", ADCS_TEXT), ("nspcc-response", "nspcc", NSPCC_TEXT)):
        r = client.put(ex.url(f"/responses/{slug}"), json={"stakeholder": stakeholder, "title": f"{slug} title",
                                                           "text": text, "date": "2014-06-05"})
        assert r.status_code == 201, r.text
    return ex


@pytest.fixture
def profit_ban(example: Example) -> dict:
    r = example.propose("profit-ban", PROFIT_BAN_TEXT,
                        citations=[{"response": "adcs-response",
                                    "quote": "a profit motive has no place in the delivery of children's social care"}])
    assert r.status_code == 201, r.text
    return r.json()
