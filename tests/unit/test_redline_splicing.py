"""A redline that splices its new text's stored rendering (``redline.render_text``)
gives the bytes it gives rendered whole: on drawn texts of every kind and edits of
every kind, with notices, on the anchors' traps (moved, renumbered, inserted
provisions), and on real published texts of every kind (tests/fixtures/legislation/).
Also: where the merged text is cut before headings does not change the HTML, which
splicing relies on."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import redline
from regdraft.core.redline import html_redline
from regdraft.core.diffing import diff_texts, read_structure
from regdraft.core.text import normalise
from regdraft.core.traditions import KINDS

from test_redline_fast_paths import (FIXTURES, REAL_TEXTS, _TRAPS, _edited, _real_edits, _text,
                                                _without_links, edits, texts)


def _spliced_is_whole(old: str, new: str, kind: str, **options) -> tuple[bytes, int]:
    """The spliced redline (asserted equal to the whole one), and how many stored pieces it spliced."""
    diff = diff_texts(old, new, kind)
    rendering = redline.render_text(new, read_structure(new, kind))
    whole = redline.render_html_utf8(diff, **options)
    spliced_html = html_redline._spliced_html
    used = []
    # Every run of stored pieces, however short, is spliced: the traps stand at its edges.
    with mock.patch.object(html_redline, "_spliced_html", lambda *args: used.append(spliced_html(*args)) or used[-1]), \
            mock.patch.object(html_redline, "SPLICED_CHARS", 0):
        spliced = redline.render_html_utf8(diff, rendering=rendering, **options)
    assert spliced == whole
    return spliced[0], sum(body is not None for body in used)


@settings(max_examples=300, deadline=None)
@given(old=texts, changes=edits, kind=st.sampled_from(KINDS), piece_chars=st.sampled_from([40, 300, 8192]),
       notice=st.booleans(), notes=st.booleans())
def test_drawn_redlines_spliced_are_rendered_whole(old, changes, kind, piece_chars, notice, notes):
    old_text, new_text = _text(old), _text(_edited(old, changes))
    provisions = list(diff_texts(old_text, new_text, kind).provisions())
    notices = {provisions[len(provisions) // 2]: ["A conflict."]} if notice and provisions else None
    with mock.patch.object(html_redline, "PIECE_CHARS", piece_chars):
        _spliced_is_whole(old_text, new_text, kind, notices=notices, notes=notes)


@settings(max_examples=200, deadline=None)
@given(lines=texts, kind=st.sampled_from(KINDS), cuts=st.lists(st.integers(1, 400), min_size=1, max_size=8))
def test_where_the_text_is_cut_before_headings_does_not_change_the_html(lines, kind, cuts):
    text = _text(lines)
    diff = diff_texts(text, text.replace(" ", " amended ", 1), kind)
    whole = redline.render_html_utf8(diff)
    sizes = iter(cuts * 100)

    def pieces(text, size):  # cuts of drawn sizes, before headings after blank lines
        start = line = 0
        while start < len(text):
            cut = html_redline._HEADING_CUT.search(text, start + next(sizes))
            stop = cut.start() + 2 if cut else len(text)
            yield line, text[start:stop]
            line += text.count("\n", start, stop)
            start = stop

    with mock.patch.object(html_redline, "pieces_between_headings", pieces):
        assert redline.render_html_utf8(diff) == whole


_RENUMBERED = ("### 3. A\n\n(1) Three.\n\n(2) More three.\n\n### 4. B\n\n(1) Text four.\n\n### 5. C\n\n(1) Five.\n",
               "### 3. A\n\n(1) Three.\n\n(2) More three.\n\n### 5. B\n\n(1) Text four.\n\n### 6. C\n\n(1) Five.\n")
_INSERTED = ("### 3. A\n\n(1) Three.\n\n### 4. B\n\n(1) Text four.\n\n### 5. C\n\n(1) Five.\n",
             "### 3. A\n\n(1) Three.\n\n### 3A. New\n\n(1) New text.\n\n### 4. B\n\n(1) Text four.\n\n### 5. C\n\n(1) Five.\n")


@pytest.mark.parametrize("case", sorted(_TRAPS) + ["renumbered", "inserted"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("piece_chars", [10, 40, redline.PIECE_CHARS])
def test_the_traps_spliced_are_rendered_whole(case, kind, piece_chars, monkeypatch):
    old, new = {"renumbered": _RENUMBERED, "inserted": _INSERTED}.get(case) or _TRAPS[case]
    monkeypatch.setattr(html_redline, "PIECE_CHARS", piece_chars)
    _spliced_is_whole(old, new, kind)
    _spliced_is_whole(new, old, kind, notices={"reg-3": ["A conflict."], "reg-5": ["Another."]})


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
@pytest.mark.parametrize("links", [True, False])
def test_real_texts_spliced_are_rendered_whole(name, links):
    kind = REAL_TEXTS[name]
    old = normalise((FIXTURES / name).read_text(encoding="utf-8"))
    if not links:
        old = _without_links(old)
    for seed in range(3):
        new = _real_edits(old, seed)
        body, _used = _spliced_is_whole(old, new, kind)
        assert body.count(b" data-provision=") > 10
        _spliced_is_whole(new, old, kind, notices={"reg-2": ["A conflict."]})


@pytest.mark.parametrize("name", sorted(name for name in REAL_TEXTS if name.endswith(".md")))  # the .txt has no headings
def test_real_texts_with_one_word_changed_are_mostly_spliced(name):
    """Splicing is no dead branch: with a word changed, a real text that cmark renders
    takes some of its HTML from its stored rendering."""
    kind = REAL_TEXTS[name]
    old = _without_links(normalise((FIXTURES / name).read_text(encoding="utf-8")))
    middle = old.index(" ", len(old) // 2)
    new = old[:middle] + " amended" + old[middle:]
    body, used = _spliced_is_whole(old, new, kind)
    assert used > 0


def test_a_rendering_of_another_text_is_not_spliced():
    old, new = _INSERTED
    other = redline.render_text(old, read_structure(old, "uk-si"))
    diff = diff_texts(old, new, "uk-si")
    assert redline.render_html_utf8(diff, rendering=other) == redline.render_html_utf8(diff)
