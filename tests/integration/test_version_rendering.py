"""A version's text is rendered once, when it is stored: a cold redline of two stored
versions (nothing in memory: another process) splices the stored rendering and gives
the bytes the redline rendered whole gives; ``regdraft verify`` checks each stored
rendering against a fresh one; a rendering of other versions (a bumped renderer) is
never read."""

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select

from regdraft.core import redline
from regdraft.core.redline import commonmark, html_redline
from regdraft.core.diffing import read_structure
from regdraft.core.text import normalise
from regdraft.services import comparisons, documents, rendering, renderings, structures
from regdraft.services.verify import verify
from regdraft.store.models import VersionRendering
from regdraft.web import views

from test_version_structure import REAL, _two_versions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_redline_fast_paths import _without_links  # noqa: E402  (a real text as cmark renders it)

LEGISLATION = Path(__file__).resolve().parents[1] / "fixtures" / "legislation"


@pytest.fixture
def forgetful():
    """A fresh process: nothing kept in memory."""
    for memory in (structures.MEMORY, renderings.MEMORY):
        memory.clear()
    comparisons.DIFFS.clear()
    yield
    for memory in (structures.MEMORY, renderings.MEMORY):
        memory.clear()


def _cold(session, document, old, new):
    for memory in (structures.MEMORY, renderings.MEMORY):
        memory.clear()
    comparisons.DIFFS.clear()
    return comparisons.compare_versions(session, document, old, new)


# Without its emphasis the EU regulation's Annex repeats a point, which a version refuses.
@pytest.mark.parametrize(("kind", "name", "links"), [(kind, name, links) for kind, name in REAL
                                                     for links in (True, False) if links or kind != "eu-act"])
def test_a_cold_redline_of_stored_versions_splices_and_gives_the_whole_rendering(
        session, forgetful, monkeypatch, kind, name, links):
    """With links, a text goes to markdown-it (nothing is spliced); without, to cmark."""
    if links:
        document, first, second = _two_versions(session, kind, name)
    else:
        text = _without_links(normalise((LEGISLATION / name).read_text()))
        document = documents.create_document(session, slug=f"cmark-{kind}", title=name, kind=kind, actor="t")
        documents.create_version(session, document, text=text, parent=None, author="a", actor="t")
        lines = text.split("\n")
        lines[len(lines) // 2] += " amended"
        second = documents.create_version(session, document, text="\n".join(lines), parent=1, author="a", actor="t")
        assert not commonmark.needs_markdown_it(second.text)
    assert session.exec(select(VersionRendering).where(VersionRendering.content_hash == second.content_hash)).one()
    comparison = _cold(session, document, 1, 2)
    assert comparison.rendering == redline.render_text(second.text, read_structure(second.text, kind))
    monkeypatch.setattr(html_redline, "SPLICED_CHARS", 0)
    spliced_html, used = html_redline._spliced_html, []
    monkeypatch.setattr(html_redline, "_spliced_html", lambda *args: used.append(spliced_html(*args)) or used[-1])
    spliced = rendering.render_utf8(comparison, "html")
    assert links or any(used)
    whole = rendering.render_utf8(
        replace(comparison, rendering_reader=None), "html")
    assert spliced == whole
    # The compare page's redline too.
    assert views.comparison_parts(comparison, side_by_side=False).body == views.comparison_parts(
        replace(comparison, rendering_reader=None), side_by_side=False).body
    backwards = _cold(session, document, 2, 1)
    assert rendering.render_utf8(backwards, "html") == rendering.render_utf8(
        replace(backwards, rendering_reader=None), "html")


def test_a_diff_that_changes_much_does_not_read_the_rendering(session, forgetful):
    document, _, second = _two_versions(session, "us-cfr", REAL[2][1])  # 290 kB
    comparison = _cold(session, document, 1, 2)
    assert comparison.rendering_to_splice() is comparison.rendering  # one word and one line changed
    lines = second.text.split("\n")
    rewritten = "\n".join(line + " amended" if line.strip() else line for line in lines)
    documents.create_version(session, document, text=rewritten, parent=2, author="a", actor="t")
    assert not redline.may_splice(_cold(session, document, 2, 3).diff)
    assert _cold(session, document, 2, 3).rendering_to_splice() is None


def test_a_rendering_is_stored_once_per_text_and_kind(session, forgetful):
    text = normalise((LEGISLATION / REAL[0][1]).read_text())
    for slug in ("one", "two"):
        document = documents.create_document(session, slug=slug, title=slug, kind="uk-si", actor="t")
        documents.create_version(session, document, text=text, parent=None, author="a", actor="t")
    assert len(session.exec(select(VersionRendering)).all()) == 1


def test_a_version_stored_before_renderings_were_kept_has_its_rendering_stored_on_first_redline(session, forgetful):
    document, first, second = _two_versions(session, "uk-si", REAL[0][1])
    for row in session.exec(select(VersionRendering)).all():
        session.delete(row)
    session.flush()
    comparison = _cold(session, document, 1, 2)
    assert comparison.rendering is not None
    (row,) = session.exec(select(VersionRendering)).all()
    assert row.content_hash == second.content_hash
    assert renderings.decode(row.data) == comparison.rendering


def test_a_rendering_of_another_renderer_version_is_not_read(session, forgetful, monkeypatch):
    document, _, second = _two_versions(session, "uk-si", REAL[0][1])
    monkeypatch.setattr(renderings, "RENDERER_VERSION", "bumped")
    key = renderings.key_of(second.content_hash, "uk-si")
    assert "bumped" in key[2]
    assert renderings.stored(session, second.content_hash, "uk-si") is None


def test_verify_checks_each_stored_rendering(session, forgetful):
    document, first, _ = _two_versions(session, "uk-si", REAL[0][1])
    assert verify(session).checked["renderings"] == 2
    row = session.exec(select(VersionRendering).where(VersionRendering.content_hash == first.content_hash)).one()
    kept = renderings.decode(row.data)
    row.data = renderings.encode(replace(kept, group_ids=("forged", *kept.group_ids[1:])))
    session.flush()
    assert verify(session).problems == [f"{document.slug}@1: its stored rendering is not what rendering its text gives"]
    row.data = row.data[:len(row.data) // 2]  # cut short
    session.flush()
    (problem,) = verify(session).problems
    assert problem.startswith(f"{document.slug}@1: its stored rendering cannot be read")
