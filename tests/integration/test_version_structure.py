"""A version's structure is read once, when it is stored: later readings, in this
process or another, take it from memory or the store and parse nothing, and give what
a fresh reading gives."""

import dataclasses
from pathlib import Path

import pytest
from sqlmodel import select

from regdraft.core.diffing import grouping
from regdraft.core.diffing import diff_texts, read_structure, unified_diff
from regdraft.core.history import Step, diff_steps, version_source
from regdraft.core.stretches import Stretches
from regdraft.core.text import normalise
from regdraft.services import comparisons, documents, structures
from regdraft.services.verify import verify
from regdraft.store.models import VersionStructure

LEGISLATION = Path(__file__).resolve().parents[1] / "fixtures" / "legislation"
REAL = [("uk-si", "uksi-2014-2407_as-made.legalize-uk.md"), ("uk-act", "ukpga-2019-24.md"),
        ("us-cfr", "ecfr-12-1005-2011.md"), ("eu-act", "eu-32020R0111.md")]


def _two_versions(session, kind: str, name: str):
    text = normalise((LEGISLATION / name).read_text())
    document = documents.create_document(session, slug=f"real-{kind}", title=name, kind=kind, actor="t")
    first = documents.create_version(session, document, text=text, parent=None, author="a", actor="t")
    # A later version: a word changed in the middle and a line added at the end.
    middle = text.index(" the ", len(text) // 2)
    edited = text[:middle] + " that " + text[middle + 5:] + "\nA closing line.\n"
    second = documents.create_version(session, document, text=edited, parent=1, author="a", actor="t")
    return document, first, second


@pytest.fixture
def forgetful(monkeypatch):
    """A fresh process: nothing kept in memory, no structure nor diff (the other
    backend's run of a test kept the diff of the same texts), and nothing parsed
    unless allowed."""
    structures.MEMORY.clear()
    comparisons.DIFFS.clear()
    yield
    structures.MEMORY.clear()


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parsed a text whose structure is stored")
    monkeypatch.setattr(structures, "read_structure", refuse)
    monkeypatch.setattr(grouping, "parse_structure", refuse)


@pytest.mark.parametrize(("kind", "name"), REAL)
def test_a_diff_of_two_stored_versions_parses_nothing_and_gives_the_whole_computation(
        session, forgetful, monkeypatch, kind, name):
    document, first, second = _two_versions(session, kind, name)
    expected = diff_steps(first.text, [Step(second.text, version_source(2))], kind)
    expected_unified = unified_diff(first.text, second.text, old_name=f"{document.slug}@1",
                                    new_name=f"{document.slug}@2", kind=kind)
    structures.MEMORY.clear()  # another process: only the store has the readings
    _no_parsing(monkeypatch)
    comparison = comparisons.compare_versions(session, document, 1, 2)
    assert comparison.diff == expected
    assert comparison.unified() == expected_unified
    assert len(structures.MEMORY) == 2  # both kept in memory now


@pytest.mark.parametrize(("kind", "name"), REAL)
def test_the_stored_reading_is_the_fresh_reading(session, forgetful, kind, name):
    document, first, _ = _two_versions(session, kind, name)
    kept = structures.stored(session, first.content_hash, kind, first.text)
    assert kept is not None and structures.same_reading(kept, read_structure(first.text, kind))
    assert kept.provisions  # a real text has provisions to keep


def test_the_same_text_is_stored_once_per_kind(session, forgetful):
    text = normalise((LEGISLATION / "uksi-2014-2407_as-made.legalize-uk.md").read_text())
    for slug, kind in (("a", "uk-si"), ("b", "uk-si"), ("c", "uk-act")):
        document = documents.create_document(session, slug=slug, title=slug, kind=kind, actor="t")
        documents.create_version(session, document, text=text, parent=None, author="a", actor="t")
    rows = session.exec(select(VersionStructure.kind)).all()
    assert sorted(rows) == ["uk-act", "uk-si"]


def test_a_version_stored_before_structures_were_kept_is_read_when_asked_for(session, forgetful):
    document, first, second = _two_versions(session, "uk-si", REAL[0][1])
    for row in session.exec(select(VersionStructure)).all():
        session.delete(row)
    session.flush()
    structures.MEMORY.clear()
    assert comparisons.compare_versions(session, document, 2, 1).diff == diff_texts(second.text, first.text)


def test_verify_finds_a_stored_structure_that_is_not_the_texts_reading(session, forgetful):
    document, first, _ = _two_versions(session, "uk-si", REAL[0][1])
    assert verify(session).checked["structures"] == 2
    row = session.exec(select(VersionStructure).where(VersionStructure.content_hash == first.content_hash)).one()
    damaged = read_structure(first.text)
    row.data = structures.encode(type(damaged)(damaged.text, damaged.provisions[1:], damaged.warnings, damaged.kind,
                                               damaged.metadata))
    session.flush()
    problems = verify(session).problems
    assert problems == [f"{document.slug}@1: its stored structure is not what reading its text gives"]


def test_a_damaged_stored_structure_is_named_by_verify_and_read_again_from_the_text(session, forgetful):
    document, first, _ = _two_versions(session, "uk-si", REAL[0][1])
    row = session.exec(select(VersionStructure).where(VersionStructure.content_hash == first.content_hash)).one()
    row.data = row.data[:len(row.data) // 2]  # cut short: it no longer decompresses
    session.flush()
    (problem,) = verify(session).problems
    assert problem.startswith(f"{document.slug}@1: its stored structure cannot be read")
    structures.MEMORY.clear()
    kept = documents.version_structure(session, document, documents.get_version(session, document, 1))
    assert structures.same_reading(kept, read_structure(first.text))


def test_a_strict_document_still_refuses_every_warning(session, forgetful):
    from regdraft.core.errors import InvalidStructure
    document = documents.create_document(session, slug="strict", title="S", strict=True, actor="t")
    text = "### 1. A\n\n(1) x\n\n### 3. C\n\n(1) y\n"  # regulation 3 follows 1: a gap
    documents.structure_of(document, text)  # already kept: the refusal must not depend on it
    with pytest.raises(InvalidStructure, match="line 5, regulation 3"):
        documents.create_version(session, document, text=text, parent=None, author="a", actor="t")
    assert not session.exec(select(VersionStructure)).all()


def test_a_version_stored_before_structures_were_kept_has_its_reading_stored_on_first_read(
        session, forgetful, monkeypatch):
    document, first, second = _two_versions(session, "uk-si", REAL[0][1])
    session.execute(VersionStructure.__table__.delete())  # as before migration 0010
    structures.MEMORY.clear()
    first_read = documents.version_structure(session, document, first)
    kept = structures.stored(session, first.content_hash, "uk-si", first.text)
    assert kept is not None and structures.same_reading(kept, first_read)
    assert structures.stored(session, second.content_hash, "uk-si", second.text) is None  # not read yet
    structures.MEMORY.clear()  # another process: the first version is no longer parsed
    _no_parsing(monkeypatch)
    assert structures.same_reading(documents.version_structure(session, document, first), first_read)


def test_verify_finds_stored_stretches_that_are_not_the_texts(session, forgetful):
    document, first, _ = _two_versions(session, "uk-si", REAL[0][1])
    row = session.exec(select(VersionStructure).where(VersionStructure.content_hash == first.content_hash)).one()
    kept = structures.decode(first.text, "uk-si", row.data)
    assert kept.stretches is not None and structures.same_reading(kept, read_structure(first.text))
    hashes = kept.stretches.hashes
    swapped = hashes[16:32] + hashes[:16] + hashes[32:]  # two stretches' hashes in each other's place
    row.data = structures.encode(dataclasses.replace(kept, stretches=Stretches(kept.stretches.bounds, swapped)))
    session.flush()
    assert verify(session).problems == [f"{document.slug}@1: its stored structure is not what reading its text gives"]
