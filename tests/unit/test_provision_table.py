"""A kept reading holds its provisions in columns (``core.provision_table``) and is stored
in that form (``services.structures``, encoding 2). Whatever reads a structure must read
the same provisions from the columns as from the parse: every one, every slice, each
lookup by id and offset, and the columns themselves; and the store must never read data
of another encoding as this one."""

import json
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import KIND_TEXTS, edit_lines
from regdraft.core.diffing import read_structure
from regdraft.core.provision_table import ProvisionTable
from regdraft.services import structures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "legislation"
REAL_TEXTS = {"uksi-2014-2407_as-made.legalize-uk.md": "uk-si", "ukpga-2019-24.md": "uk-act",
              "ukpga-1964-29.md": "uk-act", "ecfr-12-1005-2011.md": "us-cfr", "eu-32020R0111.md": "eu-act"}


def _read_both_ways(text, kind):
    parsed = read_structure(text, kind)
    return parsed, structures.decode(text, kind, structures.encode(parsed))


def _assert_alike(parsed, kept):
    provisions, table = parsed.provisions, kept.provisions
    assert isinstance(table, ProvisionTable)
    assert table == provisions and provisions == table and tuple(table) == provisions
    assert len(table) == len(provisions)
    assert [table[i] for i in range(-len(table), len(table))] == [provisions[i] for i in
                                                                  range(-len(provisions), len(provisions))]
    n = len(provisions)
    for first, stop in ((0, n), (1, n - 1), (n // 3, n // 2), (n, 0), (-3, n + 5)):
        assert table[first:stop] == provisions[first:stop]
    assert table[::2] == provisions[::2]
    assert [list(column) for column in kept.columns()] == [list(column) for column in parsed.columns()]
    assert list(kept.starts) == list(parsed.starts)
    fields = dict(zip(parsed.provisions[0]._fields, parsed.columns())) if provisions else {}
    for name, field in (("ids", "id"), ("labels", "label"), ("numbers", "number"), ("headings", "heading")):
        column = table.text_column(name)  # each value cut when asked for, as the owners' table reads labels
        values = list(fields.get(field, ()))
        assert len(column) == len(values) and list(column) == values
        assert [column[i] for i in range(-len(values), len(values))] == values + values
        assert column[n // 3:n // 2] == values[n // 3:n // 2] and column[::3] == values[::3]
        with pytest.raises(IndexError):
            column[len(values)]
    for p in provisions:
        assert kept.get(p.id) == parsed.get(p.id) and p.id in kept
        assert kept.ancestors(p) == parsed.ancestors(p)
    assert kept.get("no-such-provision") is None and "no-such-provision" not in kept
    length = len(parsed.text)
    step = max(1, length // 400)
    assert [kept.at(i) for i in range(0, length + 1, step)] == [parsed.at(i) for i in range(0, length + 1, step)]
    assert kept.touching(length // 4, length // 2) == parsed.touching(length // 4, length // 2)
    assert structures.same_reading(kept, parsed) and kept == parsed


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_a_real_texts_provisions_read_from_columns_are_the_parsed_ones(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    _assert_alike(*_read_both_ways(text, REAL_TEXTS[name]))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(KIND_TEXTS)), st.integers(200, 40_000), st.integers(0, 1000), st.floats(0, 0.3))
def test_a_generated_texts_provisions_read_from_columns_are_the_parsed_ones(kind, size, seed, edited):
    text = edit_lines(KIND_TEXTS[kind](size, seed=seed), edited, seed=seed)[0]
    _assert_alike(*_read_both_ways(text, kind))


def test_no_provisions_make_an_empty_table():
    parsed, kept = _read_both_ways("", "uk-si")
    assert len(kept.provisions) == len(parsed.provisions)
    assert kept.provisions == parsed.provisions and kept.get("reg-1") is None and kept.at(0) == parsed.at(0)


def test_a_structure_stored_in_another_encoding_is_refused_not_misread():
    text = (FIXTURES / "uksi-2014-2407_as-made.legalize-uk.md").read_text(encoding="utf-8")
    parsed = read_structure(text)
    # The first encoding: compressed JSON of every provision, warning and the front matter.
    first = zlib.compress(json.dumps([[list(p) for p in parsed.provisions], [], parsed.metadata]).encode())
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", first)
    header, _, columns = zlib.decompress(structures.encode(parsed)).partition(b"\0")
    later = zlib.compress(json.dumps({**json.loads(header), "encoding": "4"}).encode() + b"\0" + columns)
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", later)
    # Columns cut short are refused too, and a header that lacks what it must say.
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", zlib.compress(header + b"\0" + columns[:-4]))
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", zlib.compress(b'{"encoding": "3"}\0' + columns))


def test_a_kept_reading_holds_less_than_its_text():
    text = KIND_TEXTS["uk-si"](400_000, seed=3)
    _, kept = _read_both_ways(text, "uk-si")
    assert kept.provisions.held_bytes() < len(text)
