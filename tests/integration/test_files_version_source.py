"""An imported version's source (its format, point in time, metadata, the source's
provision ids beside regdraft's, the import's report) goes out with ``regdraft export``
as ``drafts/<doc>/sources/NNNN.json`` and comes back with ``regdraft load``: exported,
loaded into another database and exported again, the files are the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from regdraft.core.errors import InvalidFile
from regdraft.files import export, load, read_tree
from regdraft.services import documents, imports
from regdraft.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
# A revised SI: a point in time, FRBR-like metadata, 16 amendment annotations, CLML ids.
REVISED = ROOT / "tests" / "fixtures" / "clml" / "uksi-2005-263-2013-04-01.xml"
SLUG = "elv"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def exported(session, tmp_path) -> Path:
    imports.import_file(session, REVISED.read_bytes(), document_slug=SLUG, actor="importer")
    session.flush()
    out = tmp_path / "out"
    export(session, out, documents=[SLUG])
    return out


def test_the_source_is_exported_beside_the_version(session, exported):
    written = json.loads((exported / f"drafts/{SLUG}/sources/0001.json").read_text(encoding="utf-8"))
    stored = imports.source_of(session, documents.get_version(session, documents.get_document(session, SLUG), 1))
    assert written["format"] == "clml" and written["point_in_time"] == "2013-04-01"
    assert written["metadata"] == json.loads(stored.source_metadata)
    assert [tuple(pair) for pair in written["source_ids"]][:2] == [tuple(p) for p in json.loads(stored.source_ids)][:2]
    assert ["regulation-3-1", "reg-3-1"] in written["source_ids"]
    assert written["report"]["annotations"] == 16


def test_export_load_export_keeps_the_source_byte_for_byte(exported, fresh_database_url, tmp_path):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            report = load(session, exported, actor="loader")
            assert report.versions.created == 1
            session.commit()
        with Session(engine) as session:
            version = documents.get_version(session, documents.get_document(session, SLUG), 1)
            source = imports.source_of(session, version)
            assert source is not None and source.format == "clml" and source.point_in_time == "2013-04-01"
            assert not load(session, exported, actor="loader").changed  # a second load changes nothing
            again = tmp_path / "again"
            export(session, again, documents=[SLUG])
        assert _tree(again) == _tree(exported)
    finally:
        engine.dispose()


def test_a_version_loaded_without_its_source_gains_it_from_a_later_load(exported, fresh_database_url, tmp_path):
    sources = exported / f"drafts/{SLUG}/sources"
    kept = tmp_path / "kept"
    sources.rename(kept)
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            load(session, exported, actor="loader")
            version = documents.get_version(session, documents.get_document(session, SLUG), 1)
            assert imports.source_of(session, version) is None
            kept.rename(sources)
            report = load(session, exported, actor="loader")
            assert (report.versions.created, report.versions.updated) == (0, 1)
            assert imports.source_of(session, version).format == "clml"
    finally:
        engine.dispose()


def test_a_stored_source_cannot_change(exported, session):
    assert not load(session, exported, actor="loader").changed  # the import stored what the file says
    path = exported / f"drafts/{SLUG}/sources/0001.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"regulation-3-1"', '"regulation-3-9"', 1),
                    encoding="utf-8")
    with pytest.raises(InvalidFile, match="source cannot change"):
        load(session, exported, actor="loader")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("0001.json", "{not json", "is not JSON"),
    ("0001.json", '{"format": "clml"}', "must be an object of"),
    ("0001.json", '{"format": "rtf", "point_in_time": "", "metadata": {}, "report": {}, "source_ids": []}',
     "is not one regdraft reads"),
    ("0001.json", '{"format": "akn", "point_in_time": "", "metadata": {}, "report": {}, "source_ids": [["a"]]}',
     "pairs of strings"),
    ("0009.json", '{"format": "akn", "point_in_time": "", "metadata": {}, "report": {}, "source_ids": []}',
     "is not listed"),
    ("notes.txt", "x", "holds NNNN.json files"),
])
def test_a_bad_source_file_is_refused_before_anything_is_written(exported, name, content, message):
    (exported / f"drafts/{SLUG}/sources" / name).write_text(content, encoding="utf-8")
    with pytest.raises(InvalidFile, match=message):
        read_tree(exported)
