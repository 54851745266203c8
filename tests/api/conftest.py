"""Fixtures for the HTTP contract tests: an app on a fresh, migrated database (SQLite and
PostgreSQL, from ``fresh_database_url`` in tests/conftest.py) and a small document
built through the API itself.

The small document (``example``) is built through the API once per backend, in a
template that each test using it copies (its nine requests took a test's setup
longer than most tests take).

``client`` sends an admin token (named ``ADMIN``) on every request, so tests that are
not about authorization need not think about it; ``issue_token`` makes others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from regdraft.api.app import create_app
from regdraft.services import tokens
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope

from .support import ADCS_TEXT, ADMIN, CATEGORIES, DOC, NSPCC_TEXT, PROFIT_BAN_TEXT, V1, V2


def _settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_body_bytes=64 * 1024)


@pytest.fixture
def settings(fresh_database_url: str) -> Settings:
    return _settings(fresh_database_url)


@dataclass(frozen=True)
class ExampleTemplate:
    url: str
    admin_secret: str  # of the token named ADMIN that built it, which a test's client sends


def _uses_example(request: pytest.FixtureRequest) -> bool:
    return "example" in request.fixturenames


@pytest.fixture
def fresh_database_url(request: pytest.FixtureRequest, _template_database: str, copy_database,
                       tmp_path: Path) -> Iterator[str]:
    """A new database of this test's own: a copy of the example's template for a test
    that uses ``example``, else of the migrated template."""
    template = request.getfixturevalue("_example_template").url if _uses_example(request) else _template_database
    with copy_database(template, tmp_path) as url:
        yield url


@contextmanager
def _token_issuer(settings: Settings) -> Iterator[Callable[..., str]]:
    engine = make_engine(settings.database_url)

    def issue(role: str, stakeholder: str | None = None, name: str | None = None) -> str:
        with session_scope(engine) as session:
            return tokens.create_token(session, role=role, stakeholder=stakeholder, name=name, actor="tests").secret

    try:
        yield issue
    finally:
        engine.dispose()


@pytest.fixture
def issue_token(settings: Settings):
    """``issue_token(role, stakeholder=None, name=None)`` → a bearer secret, made as
    ``regdraft token create`` makes it."""
    with _token_issuer(settings) as issue:
        yield issue


@contextmanager
def _admin_client(settings: Settings, admin_secret: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {admin_secret}"}) as c:
        yield c


@pytest.fixture
def client(request: pytest.FixtureRequest, settings: Settings, issue_token):
    # In a copy of the example's template the token named ADMIN is there already.
    admin = (request.getfixturevalue("_example_template").admin_secret if _uses_example(request)
             else issue_token("admin", name=ADMIN))
    with _admin_client(settings, admin) as c:
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


@pytest.fixture(scope="session")
def _example_template(_template_database: str, copy_database, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[ExampleTemplate]:
    """A migrated database holding the example, built through the API by an admin token
    named ``ADMIN`` (as a test's own client would), then left idle to be copied."""
    with copy_database(_template_database, tmp_path_factory.mktemp("example-template")) as url:
        settings = _settings(url)
        with _token_issuer(settings) as issue:
            admin = issue("admin", name=ADMIN)
        with _admin_client(settings, admin) as c:
            _build_example(c)
        yield ExampleTemplate(url, admin)


@pytest.fixture
def example(client: TestClient) -> Example:
    """Document with versions 1 and 2, stakeholders adcs and nspcc, one response each
    (copied from ``_example_template``: see ``fresh_database_url``)."""
    return Example(client)


def _build_example(client: TestClient) -> None:
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


@pytest.fixture
def profit_ban(example: Example) -> dict:
    r = example.propose("profit-ban", PROFIT_BAN_TEXT,
                        citations=[{"response": "adcs-response",
                                    "quote": "a profit motive has no place in the delivery of children's social care"}])
    assert r.status_code == 201, r.text
    return r.json()
