"""A small consultation for the page tests, built through the services once per backend
(SQLite and PostgreSQL, following ``db_backend``) in a copy of the migrated template,
and copied in turn for each test that changes it (``web``: a test may propose and
accept freely) and for each module's tests that only read (``reader``).

Hostile text sits in every field a user controls (titles, names, rationale, response
text, quotes, a response's address that a browser reads as ``javascript:``), so every
page test is also an escaping test. The doors (API, forms, loader) refuse such text
now (tests/integration/test_hostile_input.py); it is stored here through the services,
as a database made before the text policy may hold it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from regdraft.api.app import create_app
from regdraft.services import amendments as A
from regdraft.services import documents, tokens
from sample_regulations import CATEGORIES
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope
from regdraft.web import guard

DOC = "example"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'

V1 = """\
# The Example (Relevant Care Functions) Regulations 2014

### 1. Citation

These Regulations may be cited as the Example Regulations 2014.

### 2. Interpretation

In these Regulations "the Act" means the Children and Young Persons Act 2008.

### 3. Delegation

(1) The following functions are relevant care functions—

- (a) social services functions relating to children;
- (b) functions under section 10 of the Children Act 2004.

(2) A local authority may delegate a relevant care function to any person.
"""
V2 = V1.replace("cited as the Example Regulations 2014.",
                "cited as the Example (Relevant Care Functions) Regulations 2014 and come into force on 1st July.")

ADCS_RESPONSE = f"""\
## As reported

The Association says child protection “should not be predicated on a profit motive”.

It asks for inspection by Ofsted of any body to which a function is delegated. {HOSTILE}
"""
NSPCC_RESPONSE = "Local authorities must remain accountable for children in care.\n"

PROFIT_BAN = V2.replace("to any person.", "to a body that is not carried on for profit.")
NOT_FOR_PROFIT = V2.replace("to any person.", "to a not-for-profit body or another local authority.")
INSPECTION = V2.replace("to any person.\n", "to any person.\n\n(3) A body to which a function is delegated is "
                                           "subject to inspection by Ofsted.\n")


def build(session: Session) -> None:
    doc = documents.create_document(session, slug=DOC, title="Example Regulations", actor="t",
                                    description="A small example.", notice=f"Test notice {HOSTILE}")
    documents.set_categories(session, doc, [documents.Category(c["slug"], c["title"]) for c in CATEGORIES],
                             actor="t")
    documents.create_version(session, doc, text=V1, parent=None, author="DfE", message="Consultation draft",
                             actor="t")
    adcs = documents.upsert_stakeholder(session, slug="adcs", name=f"ADCS {HOSTILE}", kind="professional body",
                                        actor="t")
    nspcc = documents.upsert_stakeholder(session, slug="nspcc", name="NSPCC", kind="charity", actor="t")
    documents.set_document_stakeholders(session, doc, [adcs, nspcc], actor="t")
    documents.put_response(session, doc, slug="adcs-response", stakeholder=adcs, text=ADCS_RESPONSE,
                           title="ADCS response", source="Community Care", url="java\tscript:alert(1)",
                           date="2014-06-05", stance="Opposed to profit", provenance="As reported.", actor="t")
    documents.put_response(session, doc, slug="nspcc-response", stakeholder=nspcc, text=NSPCC_RESPONSE,
                           title="NSPCC response", url="https://example.org/nspcc", actor="t")

    def propose(slug, text, base, categories, citations=(), proposer="adcs", title=None, rationale="Because."):
        A.propose(session, doc, A.AmendmentInput(
            slug=slug, title=title or f"Amendment {slug}", proposer=proposer, base=base, categories=list(categories),
            rationale=rationale, new_text=text, citations=[A.CitationInput(*c) for c in citations]), actor="t")

    # Accepted on version 1: it produced version 2.
    propose("longer-citation", V2, 1, ["standards"], proposer="nspcc", title="Longer citation")
    A.accept(session, A.get_amendment(session, doc, "longer-citation"), actor="t")
    propose("profit-ban", PROFIT_BAN, 2, ["profit-ban"],
            [("adcs-response", "should not be predicated on a profit motive")],
            title=f"Ban profit {HOSTILE}", rationale=f"**Why**: {HOSTILE} [click](javascript:alert(1))")
    propose("not-for-profit", NOT_FOR_PROFIT, 2, ["profit-ban", "accountability"],
            [("nspcc-response", "must remain accountable")], proposer="nspcc")
    propose("ofsted-inspection", INSPECTION, 2, ["inspection-duty"],
            [("adcs-response", "inspection by Ofsted of any body"),
             ("adcs-response", "should not be predicated on a profit motive")])


@pytest.fixture(scope="session")
def _web_template(_template_database: str, copy_database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the example consultation, which the tests' databases are copied from."""
    with copy_database(_template_database, tmp_path_factory.mktemp("web-template")) as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                build(session)
                session.commit()
        finally:
            engine.dispose()  # a copy of it needs it idle
        yield url


def sign_in_token(database_url: str, role: str = "admin", stakeholder: str | None = None) -> str:
    """A new API token, as ``regdraft token create`` makes it, for a page session."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return tokens.create_token(session, role=role, stakeholder=stakeholder, actor="t").secret
    finally:
        engine.dispose()


@contextmanager
def _client(copy_database, template: str, folder: Path) -> Iterator[TestClient]:
    """A client on a copy of ``template``, signed in as an admin (tests of who may do
    what sign in otherwise)."""
    with copy_database(template, folder) as url:
        client = TestClient(create_app(Settings(database_url=url)), headers={"Accept": "text/html"},
                            follow_redirects=False)
        client.cookies.set(guard.SESSION_COOKIE, sign_in_token(url))
        client.database_url = url
        with client:
            yield client


@pytest.fixture
def web(_web_template: str, copy_database, tmp_path: Path):
    """A TestClient on this test's own copy of the example consultation: for tests that change it."""
    with _client(copy_database, _web_template, tmp_path) as client:
        yield client


@pytest.fixture(scope="module")
def reader(_web_template: str, copy_database, tmp_path_factory: pytest.TempPathFactory):
    """A TestClient shared by a module's tests that only read."""
    with _client(copy_database, _web_template, tmp_path_factory.mktemp("web-reader")) as client:
        yield client
