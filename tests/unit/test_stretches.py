"""A version's stretches, kept with its stored reading: they are the cuts and texts the
alignment makes of the text itself, and a diff of two readings that keep them is the
diff of the two readings without them, on real texts (tests/fixtures) edited, moved
and renumbered, and when two stretches' hashes are forged equal."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import alignment
from regdraft.core.diffing import diff_texts, owner_points, read_structure
from regdraft.core.diffing.owners import Owners
from regdraft.core.stretches import HASH_SIZE, Stretches, stretch_hash, stretch_key, stretches_of
from regdraft.services import structures
from test_alignment import REAL, _edited


def _kept(text: str, kind: str):
    """The reading as a stored version has it: decoded from its encoding."""
    return structures.decode(text, kind, structures.encode(read_structure(text, kind)))


def _with_stretches(structure):
    return dataclasses.replace(structure, stretches=stretches_of(structure.starts, structure.text))


@st.composite
def _changed(draw):
    """A real text edited on some lines, with a provision's lines moved elsewhere or a
    regulation's number changed as well (or not)."""
    kind, old, new = draw(_edited())
    lines = new.split("\n")
    action = draw(st.sampled_from(["none", "move", "renumber"]))
    if action == "move":
        first = draw(st.integers(0, len(lines) - 1))
        block = lines[first:first + draw(st.integers(1, 12))]
        del lines[first:first + len(block)]
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = block
    elif action == "renumber":
        numbered = [i for i, line in enumerate(lines) if line.startswith("### ")]
        if numbered:
            i = draw(st.sampled_from(numbered))
            lines[i] = lines[i].replace("### ", "### 9", 1)
    return kind, old, "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(REAL)))
def test_the_stretches_are_the_cuts_and_texts_the_alignment_makes(kind):
    text = REAL[kind]
    structure = read_structure(text, kind)
    kept = stretches_of(structure.starts, text)
    cuts = alignment._cuts(structure, text, 0, len(text))
    assert list(kept.bounds) == cuts
    assert kept.hashes == b"".join(stretch_hash(text[a:b]) for a, b in zip(cuts, cuts[1:]))
    assert kept.keys(0, len(cuts) - 1) == [stretch_key(text[a:b]) for a, b in zip(cuts, cuts[1:])]
    assert len(kept.hashes) == HASH_SIZE * (len(cuts) - 1)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(REAL)), st.floats(0, 1), st.floats(0, 1))
def test_a_regions_stored_cuts_and_keys_are_those_of_its_own_stretches(kind, a, b):
    text = REAL[kind]
    structure = read_structure(text, kind)
    start, end = sorted((int(a * len(text)), int(b * len(text))))
    cuts, keys = alignment._stored_cuts(stretches_of(structure.starts, text), text, start, end)
    assert cuts == alignment._cuts(structure, text, start, end)
    assert keys == [stretch_key(text[a:b]) for a, b in zip(cuts, cuts[1:])]


@settings(max_examples=120, deadline=None)
@given(_changed())
def test_the_alignment_of_two_stored_readings_is_the_alignment_of_the_texts(case):
    kind, old, new = case
    old_read, new_read = read_structure(old, kind), read_structure(new, kind)
    old_kept, new_kept = _kept(old, kind), _kept(new, kind)
    assert old_kept.stretches is not None and new_kept.stretches is not None
    assert alignment.aligned_ops(old, new, old_kept, new_kept) == alignment.aligned_ops(old, new, old_read, new_read)
    assert (diff_texts(old, new, kind, old_structure=old_kept, new_structure=new_kept)
            == diff_texts(old, new, kind, old_structure=old_read, new_structure=new_read))


def test_the_benchs_cases_align_alike_from_stored_readings():
    from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block

    for kind in ("uk-si", "us-cfr"):
        old = KIND_TEXTS[kind](200_000, 200_000)
        cases = [edit_lines(old, 0.01)[0], edit_lines(old, 0.1)[0]]
        if kind == "uk-si":
            cases += [move_block(old), insert_regulation(old)]
        for new in cases:
            expected = alignment.aligned_ops(old, new, read_structure(old, kind), read_structure(new, kind))
            assert alignment.aligned_ops(old, new, _kept(old, kind), _kept(new, kind)) == expected


def test_two_stretches_of_one_forged_hash_are_told_apart_by_their_texts():
    old = REAL["uk-si"]
    new = old.replace("local authority", "council", 3)
    old_read, new_read = read_structure(old), read_structure(new)
    old_kept, new_kept = _with_stretches(old_read), _with_stretches(new_read)
    # Every stretch of the new text given one hash, the first old stretch's: the hashes
    # say that every new stretch is that old one.
    forged = old_kept.stretches.hashes[:HASH_SIZE] * (len(new_kept.stretches.bounds) - 1)
    new_forged = dataclasses.replace(new_kept, stretches=Stretches(new_kept.stretches.bounds, forged))
    assert alignment.aligned_ops(old, new, old_kept, new_forged) == alignment.aligned_ops(old, new, old_read, new_read)


def test_a_stored_reading_keeps_its_stretches_and_a_reading_out_of_order_keeps_none():
    text = REAL["us-cfr"]
    kept = _kept(text, "us-cfr")
    assert kept.stretches == stretches_of(read_structure(text, "us-cfr").starts, text)
    assert structures.same_reading(kept, read_structure(text, "us-cfr"))
    assert stretches_of([5, 3], "abc\nde\nf") is None


def _table(owners):
    return (list(owners.starts), list(owners.ids), [owners.labels[k] for k in range(len(owners.starts))],
            list(owners.span_starts), list(owners.span_ends))


@settings(max_examples=40, deadline=None)
@given(_changed())
def test_a_stored_readings_owner_points_give_the_owners_table_of_its_structure(case):
    kind, _, text = case
    kept, read = _kept(text, kind), read_structure(text, kind)
    assert kept.stretches.owner_points == owner_points(read)
    assert _table(Owners(kept)) == _table(Owners(read))


def test_owner_points_are_kept_where_a_text_has_some_and_found_again_for_a_row_without_them():
    text = REAL["uk-act"]
    kept = _kept(text, "uk-act")
    assert kept.stretches.owner_points  # the text after a list, under its subsection
    # A row stored before the points were kept: the same reading, its points found again.
    unknown = dataclasses.replace(kept, stretches=dataclasses.replace(kept.stretches, owner_points=None))
    assert structures.same_reading(unknown, read_structure(text, "uk-act"))
    assert structures.stretches_of_reading(unknown) == kept.stretches
    assert _table(Owners(unknown)) == _table(Owners(kept))
