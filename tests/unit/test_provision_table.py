"""A kept reading holds its provisions in columns (``core.provision_table``) and is stored
in that form (``services.structures``, encoding 2). Whatever reads a structure must read
the same provisions from the columns as from the parse: every one, every slice, each
lookup by id and offset, and the columns themselves; and the store must never read data
of another encoding as this one."""

import json
import zlib
from pathlib import Path

import pytest
import zstandard
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
        # The kind read from its column alone is the provision's (a duplicate id's
        # first provision's, as ``get`` finds it).
        assert kept.kind_of(p.id) == parsed.kind_of(p.id) == parsed.get(p.id).kind
        assert kept.ancestors(p) == parsed.ancestors(p)
    assert kept.get("no-such-provision") is None and "no-such-provision" not in kept
    assert kept.kind_of("no-such-provision") is None and parsed.kind_of("no-such-provision") is None
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
    header, _, columns = zstandard.decompress(structures.encode(parsed)).partition(b"\0")
    later = zstandard.compress(json.dumps({**json.loads(header), "encoding": "4"}).encode() + b"\0" + columns)
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", later)
    # Columns cut short are refused too, and a header that lacks what it must say.
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", zstandard.compress(header + b"\0" + columns[:-4]))
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", zstandard.compress(b'{"encoding": "3"}\0' + columns))
    # The columns of encoding 2 were compressed with zlib; migration 0015 dropped them.
    with pytest.raises(ValueError):
        structures.decode(text, "uk-si", zlib.compress(zstandard.decompress(structures.encode(parsed))))


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_a_stored_reading_is_a_zstd_frame_and_damaged_data_is_refused(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    parsed = read_structure(text, REAL_TEXTS[name])
    stored = structures.encode(parsed)
    assert stored[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert structures.same_reading(structures.decode(text, REAL_TEXTS[name], stored), parsed)
    for damaged in (stored[:len(stored) // 2], stored[:4] + b"\0" * 20, b""):
        with pytest.raises(ValueError):
            structures.decode(text, REAL_TEXTS[name], damaged)


def test_a_kept_reading_holds_less_than_its_text():
    text = KIND_TEXTS["uk-si"](400_000, seed=3)
    _, kept = _read_both_ways(text, "uk-si")
    assert kept.provisions.held_bytes() < len(text)



def _last_places(ids):
    return {identifier: i for i, identifier in enumerate(ids)}


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_an_id_searched_for_in_the_joined_ids_is_found_where_the_index_has_it(name):
    """A kept reading's first lookups by id search its joined ids instead of indexing
    every id: each id, and each start of one ("reg-1" in "reg-1-2", "sec-1" in "sec-10"),
    is found where the index by id has it, or found missing; a search given less room
    than it needs says that it did not finish."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    table = _read_both_ways(text, REAL_TEXTS[name])[1].provisions
    places = _last_places(table.id_list())
    whole = len(table.ids)
    for identifier in places:
        for probe in {identifier, identifier[:-1], identifier[:len(identifier) // 2], identifier + "-1"}:
            found, place, passed = table.search(probe, whole)
            assert (found, place) == (True, places.get(probe)) and 0 < passed <= whole, probe
            if place is not None:
                assert table.search(probe, passed) == (True, place, passed)
                assert table.search(probe, passed - len(probe))[0] is (passed - len(probe) >= whole)
    assert table.search("", 5) == (True, None, 0)


def test_lookups_by_id_search_until_they_have_passed_four_columns_then_index():
    text = "\n\n".join(f"### {n}. Heading\n\n(1) Text {n}." for n in range(1, 40))
    parsed = read_structure(text, "uk-si")
    kept = structures.decode(text, "uk-si", structures.encode(parsed))
    table = kept.provisions
    assert kept.get("reg-39-1") == parsed.get("reg-39-1") and kept.get("reg-1") == parsed.get("reg-1")
    assert getattr(table, "_index", None) is None  # found by searching
    lookups = 2
    while getattr(table, "_index", None) is None:
        assert kept.get("reg-1") == parsed.get("reg-1") and "reg-1" in kept and "reg-40" not in kept
        lookups += 3
    assert lookups < 20 and table._searched <= 4 * len(table.ids) + len(table.ids)
    assert [kept.get(p.id) for p in parsed.provisions] == list(parsed.provisions)
    assert kept.get("reg-40") is None and kept._places() is table.id_index()


@given(st.lists(st.sampled_from(["a", "a-1", "a-10", "b", "ba", "a-1-a"]), min_size=1, max_size=30))
def test_with_ids_used_twice_a_lookup_finds_the_last_as_the_index_does(ids):
    from regdraft.core.structure import Provision, Structure

    text = "x" * len(ids)
    places = _last_places(ids)
    for probe in ("a", "a-1", "a-10", "b", "ba", "a-1-a", "c", "-1", "1"):
        table = ProvisionTable.of(Provision(identifier, identifier, "regulation", "1", None, i, i + 1, 1)
                                  for i, identifier in enumerate(ids))
        assert table.search(probe, len(table.ids))[:2] == (True, places.get(probe))
        assert table.place_of(probe) == places.get(probe)
        assert Structure(text, table).get(probe) == Structure(text, tuple(table)).get(probe)
