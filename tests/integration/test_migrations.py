"""The migrations build exactly the schema models.py declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import regdraft.store.models  # noqa: F401  (registers the tables)
from regdraft.services.events import generation
from regdraft.store.models import Document
from regdraft.store.engine import (alembic_config, current_revision, downgrade, make_engine, migrate,
                                   packaged_heads)

MODEL_TABLES = set(SQLModel.metadata.tables)


def _outside_models(name: str, type_: str) -> bool:
    """The search index's own objects (migration 0008): SQLite's FTS5 table with its
    shadow tables, PostgreSQL's generated tsvector column."""
    return ((type_ == "table" and name.startswith("search_fts")) or (type_ == "column" and name == "tsv")
            or (type_ == "index" and name == "ix_search_item_tsv"))


def schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, type_, parent: not _outside_models(name, type_)})
        return compare_metadata(context, SQLModel.metadata)


def tables(engine: Engine) -> set[str]:
    return {t for t in inspect(engine).get_table_names() if not _outside_models(t, "table")} - {"alembic_version"}


@pytest.fixture
def empty_engine(empty_database_url: str):
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


def test_one_head_and_it_is_the_initial_revision_or_later():
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    assert "0001_initial" in {rev.revision for rev in script.walk_revisions()}


def test_upgrade_from_empty_matches_models(empty_engine: Engine):
    assert tables(empty_engine) == set()
    migrate(empty_engine)
    assert current_revision(empty_engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert tables(empty_engine) == MODEL_TABLES
    assert schema_differences(empty_engine) == []


def test_migrate_twice_is_a_no_op(empty_engine: Engine):
    migrate(empty_engine)
    migrate(empty_engine)
    assert schema_differences(empty_engine) == []


def test_the_packaged_heads_read_from_the_files_are_alembics():
    assert packaged_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_database_at_head_is_left_without_alembic_and_one_behind_is_upgraded(empty_engine: Engine, monkeypatch):
    import alembic.command

    migrate(empty_engine)
    head = current_revision(empty_engine)
    real_upgrade = alembic.command.upgrade
    upgrades = []

    def counted_upgrade(config, revision):
        upgrades.append(revision)
        real_upgrade(config, revision)

    monkeypatch.setattr(alembic.command, "upgrade", counted_upgrade)
    migrate(empty_engine)
    assert upgrades == []
    downgrade(empty_engine, "-1")
    assert current_revision(empty_engine) != head
    migrate(empty_engine)
    assert upgrades == ["head"] and current_revision(empty_engine) == head
    assert schema_differences(empty_engine) == []


def test_downgrade_to_base_then_upgrade_again(empty_engine: Engine):
    migrate(empty_engine)
    downgrade(empty_engine, "base")
    assert tables(empty_engine) == set()
    assert current_revision(empty_engine) is None
    migrate(empty_engine)
    assert tables(empty_engine) == MODEL_TABLES
    assert schema_differences(empty_engine) == []


def test_version_amendment_foreign_key_cycle_is_in_place(empty_engine: Engine):
    migrate(empty_engine)
    inspector = inspect(empty_engine)
    version_fks = {(tuple(fk["constrained_columns"]), fk["referred_table"]) for fk in inspector.get_foreign_keys("version")}
    assert (("produced_by_id",), "amendment") in version_fks
    assert (("parent_id",), "version") in version_fks
    amendment_fks = {(tuple(fk["constrained_columns"]), fk["referred_table"]) for fk in inspector.get_foreign_keys("amendment")}
    assert (("base_version_id",), "version") in amendment_fks
    names = {fk["name"] for fk in inspector.get_foreign_keys("version")}
    assert "fk_version_produced_by" in names


def test_session_engine_is_at_head(engine: Engine):
    assert schema_differences(engine) == []


def test_comparison_notices_a_drifted_schema(empty_engine: Engine):
    """Guard against the checks above passing vacuously."""
    migrate(empty_engine)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_version_content_hash")
    differences = schema_differences(empty_engine)
    assert any(diff[0] == "add_index" and diff[1].name == "ix_version_content_hash" for diff in differences), differences


def _log(engine: Engine, count: int, document_id: int | None = None) -> None:
    with engine.begin() as connection:
        for n in range(count):
            connection.execute(text("INSERT INTO event (at, actor, action, target_type, target, document_id, detail) "
                                    "VALUES (CURRENT_TIMESTAMP, 'old', 'test.old', 'test', :n, :d, '{}')"),
                               {"n": str(n), "d": document_id})


def test_the_generation_counters_start_where_the_store_was(empty_engine: Engine):
    """0003 starts the counter at the events already logged; 0004 keeps it as the
    store-wide part and starts each document's own at zero, so no document's
    generation is below what the store's was."""
    migrate(empty_engine, "0002_tokens_and_audit")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO document (slug, title, description, notice, created_at) "
                                "VALUES ('doc', 'Doc', '', '', CURRENT_TIMESTAMP)"))
        document_id = connection.execute(text("SELECT id FROM document")).scalar_one()
    _log(empty_engine, 3)
    migrate(empty_engine, "0003_generation_counter")
    _log(empty_engine, 2, document_id)  # moves the store's counter (once on PostgreSQL: one transaction)
    with empty_engine.connect() as connection:
        store = connection.execute(text("SELECT value FROM generation")).scalar_one()
    assert store >= 4
    migrate(empty_engine)
    with Session(empty_engine) as session:
        assert generation(session, session.get(Document, document_id)) == store
    _log(empty_engine, 1, document_id)
    with Session(empty_engine) as session:
        assert generation(session, session.get(Document, document_id)) == store + 1


def test_documents_made_before_categories_keep_the_list_that_was_fixed(empty_engine: Engine):
    """0012 gives every existing document the 2014 consultation's categories (the list that
    was fixed in code), so what was accepted before is accepted after; a later document
    declares its own."""
    migrate(empty_engine, "0010_version_structure")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO document (slug, title, description, notice, created_at) "
                                "VALUES ('old', 'Old', '', '', CURRENT_TIMESTAMP)"))
    migrate(empty_engine)
    from regdraft.services import documents
    with Session(empty_engine) as session:
        old = documents.get_document(session, "old")
        assert [c.slug for c in documents.categories(session, old)] == [
            "profit-ban", "scoped-pilot", "inspection-duty", "accountability", "standards", "contracts",
            "cross-boundary", "consultation", "review"]
        assert documents.categories(session, old)[0].title == "Profit-making bodies barred"
    downgrade(empty_engine, "0010_version_structure")
    assert "document_category" not in tables(empty_engine)


_REGULATION = "### 1. One\n\n(1) First words.\n\n(2) Second words.\n"


def _one_version_then_downgraded(engine: Engine, revision: str) -> tuple[str, str]:
    """A version of a short regulation stored at the head, then the store downgraded to
    ``revision`` (which drops its reading's row): the text and its content hash."""
    from regdraft.services import documents
    from regdraft.store.models import Version

    migrate(engine)
    with Session(engine) as session:
        document = documents.create_document(session, slug="old", title="Old", actor="test")
        documents.create_version(session, document, text=_REGULATION, parent=None, author="test", actor="test")
        session.commit()
        stored_hash = session.exec(select(Version.content_hash)).one()
    downgrade(engine, revision)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM version_structure")).scalar() == 0
    return _REGULATION, stored_hash


def test_structures_stored_as_json_are_dropped_and_stored_again_in_columns(empty_engine: Engine):
    """0014: a reading stored in the first encoding (JSON, keyed by the parser's version
    alone) is never read as the new one: its row goes, and the version's first read
    stores its reading again, in columns, which is what parsing the text gives."""
    from regdraft.core.diffing import read_structure
    from regdraft.services import documents, structures
    from regdraft.store.models import VersionStructure

    regulation, stored_hash = _one_version_then_downgraded(empty_engine, "0013_token_person")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO version_structure (content_hash, kind, parser_version, data) "
                                "VALUES (:h, 'uk-si', '3', :d)"), {"h": stored_hash, "d": b"x\x01 not columns"})
    migrate(empty_engine)
    with Session(empty_engine) as session:
        assert [row.parser_version for row in session.exec(select(VersionStructure)).all()] == []
        structures.MEMORY.clear()
        document = documents.get_document(session, "old")
        kept = documents.version_structure(session, document, documents.get_version(session, document, 1))
        assert structures.same_reading(kept, read_structure(regulation))
        session.commit()
        (row,) = session.exec(select(VersionStructure)).all()
        assert row.parser_version == structures.key_of(stored_hash, "uk-si")[2]
        assert structures.same_reading(structures.decode(regulation, "uk-si", row.data), read_structure(regulation))



def test_structures_stored_without_their_stretches_are_dropped_and_stored_again_with_them(empty_engine: Engine):
    """0015: a reading stored in encoding 2 (the columns without the text's stretches)
    is never read as encoding 3: its row goes, and the version's first read stores its
    reading again with its stretches; other rows stay."""
    from regdraft.core.diffing import read_structure
    from regdraft.services import documents, structures
    from regdraft.store.models import VersionStructure

    regulation, stored_hash = _one_version_then_downgraded(empty_engine, "0014_structure_columns")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO version_structure (content_hash, kind, parser_version, data) "
                                "VALUES (:h, 'uk-si', '5.2', :d), (:h, 'uk-act', '5.12', :d)"),
                           {"h": stored_hash, "d": b"columns of encoding 2"})
    migrate(empty_engine)
    with Session(empty_engine) as session:
        assert [row.parser_version for row in session.exec(select(VersionStructure)).all()] == ["5.12"]
        structures.MEMORY.clear()
        document = documents.get_document(session, "old")
        kept = documents.version_structure(session, document, documents.get_version(session, document, 1))
        assert kept.stretches == structures.stretches_of_reading(read_structure(regulation))
        session.commit()
        row = session.exec(select(VersionStructure).where(VersionStructure.kind == "uk-si")).one()
        assert row.parser_version == structures.key_of(stored_hash, "uk-si")[2]
        assert structures.decode(regulation, "uk-si", row.data).stretches == kept.stretches
