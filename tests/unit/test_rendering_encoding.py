"""A stored rendering (``services.renderings``, encoding 2: binary columns, the ids
joined, the pieces' columns and their HTML back to back) reads back as the rendering it was made of, its pieces'
HTML views of the row rather than copies; a row of another encoding, or cut short, is
refused; and its ids, held as one string, read as the tuple of them."""

from __future__ import annotations

import json

import pytest

from regdraft.core import redline
from regdraft.core.diffing import read_structure
from regdraft.core.text import normalise
from regdraft.services import renderings

from test_redline_fast_paths import FIXTURES, _without_links


@pytest.fixture(scope="module")
def rendering() -> redline.TextRendering:
    # (without its links: a text with links goes to markdown-it, whose pieces are never spliced)
    text = _without_links(normalise((FIXTURES / "ukpga-2019-24.md").read_text()))
    return redline.render_text(text, read_structure(text, "uk-act"))


def test_a_stored_rendering_reads_back_as_it_was_made_and_splices_views_of_its_row(rendering):
    data = renderings.encode(rendering)
    read = renderings.decode(data)
    assert read == rendering and renderings.encode(read) == data
    spliced = [piece.html for piece in read.pieces if piece.html is not None]
    assert spliced == [piece.html for piece in rendering.pieces if piece.html is not None]
    assert read.pieces.html.obj is data and all(html.obj is data for html in spliced)
    assert list(read.pieces) == list(rendering.pieces)
    assert list(read.group_ids) == list(rendering.group_ids) and read.group_lines == rendering.group_lines


def test_a_row_of_another_encoding_or_cut_short_is_refused(rendering):
    data = renderings.encode(rendering)
    old = json.dumps({"encoding": "1", "length": 1, "lines": [], "ids": [], "private_use": False, "pieces": []})
    for damaged in (old.encode() + b"\0", data[:len(data) - 1], data + b"x", data[:40], b"no header"):
        with pytest.raises(ValueError):
            renderings.decode(damaged)


def test_joined_ids_read_as_their_tuple():
    values = ("reg-1", "", "reg-1-a", "sch-1-para-2", "\u00e9")
    ids = redline.JoinedIds(values)
    assert len(ids) == len(values) and tuple(ids) == values and ids[-1] == values[-1]
    assert all(ids[a:b] == list(values[a:b]) for a in range(6) for b in range(6))
    assert ids == redline.JoinedIds(values) and ids != redline.JoinedIds(values[:-1])
    assert all(ids.holds_at(a, list(values[a:b])) for a in range(6) for b in range(a, 6))
    assert not any(ids.holds_at(0, wrong) for wrong in (["reg-1r", "eg-1-a"], ["reg-", "1"], ["reg-1", "", "reg-1-b"],
                                                         [*values, "x"]))
