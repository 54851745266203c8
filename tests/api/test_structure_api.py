"""A version's structure over HTTP: what creating it found, and the units and warnings
of a stored version, read as the document's kind (on real published texts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from regdraft.core.structure import parse_structure
from regdraft.core.structure_report import structure_report
from regdraft.core.text import normalise
from regdraft.services import structures
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope
from regdraft.store.models import VersionStructure

from .support import problem

FIXTURES = Path(__file__).parents[1] / "fixtures" / "legislation"
ACT = normalise((FIXTURES / "ukpga-2019-24.md").read_text(encoding="utf-8"))  # Wild Animals in Circuses Act 2019
CFR = normalise((FIXTURES / "ecfr-12-1005-2011.md").read_text(encoding="utf-8"))
# The real part with § 1005.3(b) taken out: (c) after (a) is a gap.
_B = CFR.index("\n(b)", CFR.index("### § 1005.3"))
CFR_GAP = CFR[:_B] + CFR[CFR.index("\n(c)", _B):]


@pytest.fixture
def settings(fresh_database_url: str) -> Settings:
    # The CFR part is 294 KB: more than the other API tests' 64 KB body limit.
    return Settings(database_url=fresh_database_url, max_body_bytes=1024 * 1024)


def _document(client, slug: str, kind: str, strict: bool = False) -> str:
    r = client.post("/api/documents", json={"slug": slug, "title": slug, "kind": kind, "strict": strict})
    assert r.status_code == 201, r.text
    return f"/api/documents/{slug}"


def test_creating_a_version_reports_the_units_it_was_read_as(client):
    url = _document(client, "circuses", "uk-act")
    r = client.post(f"{url}/versions", json={"text": ACT, "parent": None})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["counts"]["section"] == 4 and body["counts"]["schedule-paragraph"] == 12
    assert body["warnings"] == []


def test_a_stored_versions_structure_is_the_structure_commands(client):
    url = _document(client, "reg-e", "us-cfr")
    assert client.post(f"{url}/versions", json={"text": CFR, "parent": None}).status_code == 201
    body = client.get(f"{url}/versions/1/structure").json()
    assert body == structure_report(parse_structure(CFR, kind="us-cfr", strict=False))
    assert body["kind"] == "us-cfr"
    labels = {u["id"]: u["label"] for u in body["units"]}
    assert labels["s1005-2-a-1"] == "§ 1005.2(a)(1)"
    # § 1005.19 does not exist in this edition of the part: the CFR numbers so, no warning.
    assert body["warnings"] == []
    assert client.post(f"{url}/versions", json={"text": CFR_GAP, "parent": 1}).status_code == 201
    body = client.get(f"{url}/versions/2/structure").json()
    assert [(w["code"], w["provision_id"]) for w in body["warnings"]] == [("numbering-gap", "s1005-3-c")]


def test_the_same_text_read_as_another_kind_gives_other_labels(client):
    si, act = _document(client, "as-si", "uk-si"), _document(client, "as-act", "uk-act")
    text = "# Example\n\n### 1 Citation\n\n(1) This may be cited.\n\n### 2 Extent\n\n(1) It extends.\n"
    for url in (si, act):
        assert client.post(f"{url}/versions", json={"text": text, "parent": None}).status_code == 201
    act_labels = [u["label"] for u in client.get(f"{act}/versions/1/structure").json()["units"]]
    si_labels = [u["label"] for u in client.get(f"{si}/versions/1/structure").json()["units"]]
    assert "section 2(1)" in act_labels and "section 2(1)" not in si_labels


def test_a_strict_document_refuses_a_version_with_warnings_naming_line_and_unit(client):
    url = _document(client, "strict-reg-e", "us-cfr", strict=True)
    body = problem(client.post(f"{url}/versions", json={"text": CFR_GAP, "parent": None}), 422,
                   "invalid-structure")
    assert "§ 1005.3(c) follows § 1005.3(a)" in body["detail"]
    assert body["lines"] == [CFR_GAP.count("\n", 0, _B + 1) + 1]
    assert client.get(f"{url}/versions").json()["total"] == 0


def test_the_version_routes_read_the_kept_structure_and_a_get_stores_one_found_missing(client, settings, monkeypatch):
    """Creating a version reads and keeps its structure once; the create route's counts
    and the structure endpoint take that reading (nothing parsed again, even in another
    process). A version stored before structures were kept is parsed on its first GET,
    and its reading stored beside the GET's reading transaction."""
    url = _document(client, "kept", "us-cfr")
    created = client.post(f"{url}/versions", json={"text": CFR, "parent": None})
    assert created.status_code == 201
    structures.MEMORY.clear()
    real_read = structures.read_structure
    monkeypatch.setattr(structures, "read_structure", _refuse)
    before = client.get(f"{url}/versions/1/structure").json()
    assert before["units"] and created.json()["counts"]
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            session.execute(VersionStructure.__table__.delete())  # as before migration 0010
        structures.MEMORY.clear()
        monkeypatch.setattr(structures, "read_structure", real_read)
        assert client.get(f"{url}/versions/1/structure").json() == before
        with session_scope(engine) as session:
            assert len(session.exec(select(VersionStructure)).all()) == 1
    finally:
        engine.dispose()
    structures.MEMORY.clear()
    monkeypatch.setattr(structures, "read_structure", _refuse)
    assert client.get(f"{url}/versions/1/structure").json() == before


def _refuse(*args, **kwargs):
    raise AssertionError("parsed a text whose structure is kept")
