"""The search index: what migration 0008 builds from stored rows is what the services
keep on write, on both backends."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import select as sqlmodel_select

from regdraft.files import load
from regdraft.services import documents, search
from regdraft.store.engine import downgrade, make_engine, migrate, session_scope
from regdraft.store.models import SearchItem


def _index(engine) -> list[tuple]:
    with session_scope(engine) as session:
        rows = session.execute(select(SearchItem.document_id, SearchItem.kind, SearchItem.target, SearchItem.label,
                                      SearchItem.version_from, SearchItem.version_until, SearchItem.amendment_id,
                                      SearchItem.response_id, SearchItem.stakeholder_id, SearchItem.body)).all()
        return sorted(tuple(row) for row in rows)


def _found(engine, q: str) -> list[tuple]:
    with session_scope(engine) as session:
        return sorted((h.kind, h.target, h.version_from, h.version_until)
                      for h in search.search(session, q, limit=200).hits)


def test_the_migration_backfills_what_writes_maintain(empty_database_url, repo_root):
    engine = make_engine(empty_database_url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            load(session, repo_root, actor="loader")
        kept, found = _index(engine), _found(engine, "local authority")
        assert found and any(kind == "provision" for kind, *_ in found)
        downgrade(engine, "0005_document_kind")
        migrate(engine)
        assert _index(engine) == kept
        assert _found(engine, "local authority") == found
    finally:
        engine.dispose()


def test_each_version_reads_back_from_its_runs(session, repo_root):
    """The rows of a version (those whose run holds it) are exactly its provisions'
    texts, and no provision has two rows for one version."""
    load(session, repo_root, actor="loader")
    document = documents.get_document(session, "children-social-care-delegation")
    rows = session.exec(sqlmodel_select(SearchItem).where(SearchItem.document_id == document.id,
                                                          SearchItem.kind == "provision")).all()
    versions = documents.list_versions(session, document)
    assert len(versions) == 3
    for version in versions:
        held = [r for r in rows if r.version_from <= version.number
                and (r.version_until is None or r.version_until > version.number)]
        assert {r.target: (r.label, r.body) for r in held} == search.provision_pieces(version.text, document.kind)
        assert len(held) == len({r.target for r in held})
    # Unchanged provisions are not indexed again for every version.
    assert len(rows) < sum(len(search.provision_pieces(v.text, document.kind)) for v in versions)
