import itertools
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import ADDED, CHANGED, REMOVED, diff_texts, unified_diff
from regdraft.core.patching import Op
from regdraft.core.structure import PREAMBLE

BASE = ("# Regs\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n\n"
        "### 3. Functions\n\nThe following functions—\n\n- (a) social services functions;\n"
        "- (b) the functions under section 10.\n\n### 4. Part 1\n\nA local authority’s functions.\n")


def test_changes_are_grouped_by_provision_with_words_inside():
    new = BASE.replace("social services functions", "social services functions, except child protection")
    new = new.replace("### 4. Part 1\n\nA local authority’s functions.\n", "")
    new += "### 5. Bodies\n\nA body carried on for profit may not.\n"
    d = diff_texts(BASE, new)
    summary = [(g.provision, g.status) for g in d.changes]
    assert ("reg-3-a", CHANGED) in summary
    assert ("reg-4", REMOVED) in summary or ("reg-5", CHANGED) in summary
    a = next(g for g in d.changes if g.provision == "reg-3-a")
    assert [(op.kind, op.text) for op in a.ops if op.kind != "equal"] == [("insert", ", except child protection")]
    assert d.old_text() == BASE and d.new_text() == new


def test_an_added_regulation_is_added_and_its_neighbour_unchanged():
    new = BASE + "\n### 5. Bodies\n\nA body carried on for profit may not.\n"
    d = diff_texts(BASE, new)
    assert [(g.provision, g.label, g.status) for g in d.changes] == [("reg-5", "regulation 5", ADDED)]
    assert d.stats()["added"] == 1 and d.stats()["inserted_words"] > 5


def test_unified_diff_names_the_provision_in_hunk_headers():
    new = BASE.replace("section 10", "section 10 or 12C")
    out = unified_diff(BASE, new, old_name="v1", new_name="v2")
    assert out.startswith("--- v1\n+++ v2\n")
    header = next(line for line in out.splitlines() if line.startswith("@@"))
    assert header.endswith("regulation 3(b)")
    assert "-- (b) the functions under section 10.\n+- (b) the functions under section 10 or 12C.\n" in out


@pytest.fixture(scope="module")
def long_regulation() -> str:
    from bench.corpus import regulation_text

    return regulation_text(80_000, seed=8)


@pytest.mark.parametrize("edit", ["one word", "1% of lines", "10% of lines", "moved block", "inserted regulation"])
def test_unified_diff_without_a_structure_labels_hunks_as_the_whole_reading(long_regulation, edit):
    # Without the old text's structure, only the stretches holding a hunk are read
    # (or the whole text, where the hunks are many): the labels must be the same.
    from bench.corpus import edit_lines, insert_regulation, move_block
    from bench.pipeline import one_word
    from regdraft.core.diffing import read_structure

    old = long_regulation
    new = {"one word": one_word, "1% of lines": lambda t: edit_lines(t, 0.01)[0],
           "10% of lines": lambda t: edit_lines(t, 0.10)[0], "moved block": move_block,
           "inserted regulation": insert_regulation}[edit](old)
    labelled = unified_diff(old, new)
    assert labelled == unified_diff(old, new, old_structure=read_structure(old))
    headers = [line for line in labelled.splitlines() if line.startswith("@@")]
    assert headers and all(header.rsplit("@@", 1)[1].strip() for header in headers), headers


fragment = st.sampled_from(["### 3. A\n\n", "### 4. B\n\n", "(1) The body must.\n\n", "- (a) profit;\n",
                            "- (b) not for profit;\n", "words and more words ", "\n", "regulation ", "é—“x”"])


@settings(max_examples=200, deadline=None)
@given(st.lists(fragment, max_size=20).map("".join), st.lists(fragment, max_size=20).map("".join))
def test_a_diff_rebuilds_both_texts(old, new):
    d = diff_texts(old, new)
    assert d.old_text() == old
    assert d.new_text() == new
    for g in d.groups:
        assert g.ops, g


@settings(max_examples=150, deadline=None)
@given(st.lists(fragment, max_size=15).map("".join),
       st.lists(st.lists(fragment, max_size=15).map("".join), min_size=1, max_size=4))
def test_an_attributed_diff_rebuilds_base_and_result_and_names_only_real_steps(base, texts):
    from regdraft.core.history import Step, diff_steps
    steps = [Step(text, f"step-{i}") for i, text in enumerate(texts)]
    d = diff_steps(base, steps)
    assert d.old_text() == base
    assert d.new_text() == texts[-1]
    sources = {op.source for g in d.groups for op in g.ops if op.kind != "equal"}
    assert sources <= {s.source for s in steps}
    assert all(op.source is None for g in d.groups for op in g.ops if op.kind == "equal")


def _plain_grouping(old: str, new: str, ops) -> list:
    """The grouping (of a reviewed diff) by definition: every op cut at every start and end of a provision,
    each piece given to ``Structure.at`` of where it stands (a deleted piece to its old
    provision only when the deletion took all of it, else to the new provision where the
    deletion stands), adjacent pieces of one provision grouped."""
    from regdraft.core.diffing.grouping import _finish, _move_blank_lines_into_new_provisions
    from regdraft.core.diffing.review import merged_ops
    from regdraft.core.structure import parse_structure

    old_structure, new_structure = parse_structure(old, strict=False), parse_structure(new, strict=False)

    def owner(structure, offset):
        hit = structure.at(offset)
        return (hit.id, hit.label) if hit else ("preamble", "the preamble")

    def cut(structure, start, text):
        cuts = sorted({b for p in structure.provisions for b in (p.start, p.end) if start < b < start + len(text)})
        bounds = [start, *cuts, start + len(text)]
        return [(a, text[a - start:b - start]) for a, b in zip(bounds, bounds[1:]) if b > a]

    pieces = []
    at_old = at_new = 0
    for op in ops:
        if op.kind == "delete":
            for start, text in cut(old_structure, at_old, op.text):
                provision = old_structure.get(owner(old_structure, start)[0])
                whole = provision is not None and at_old <= provision.start and provision.end <= at_old + len(op.text)
                key = owner(old_structure, start) if whole else owner(new_structure, min(at_new, max(len(new) - 1, 0)))
                pieces.append((key, Op("delete", text, op.source)))
            at_old += len(op.text)
        else:
            pieces += [(owner(new_structure, start), Op(op.kind, text, op.source))
                       for start, text in cut(new_structure, at_new, op.text)]
            at_new += len(op.text)
            at_old += len(op.text) if op.kind == "equal" else 0
    old_ids = frozenset(p.id for p in old_structure.provisions)
    groups = [_finish(key, merged_ops([op for _, op in run]), old_ids)
              for key, run in itertools.groupby(pieces, key=lambda piece: piece[0])]
    return _move_blank_lines_into_new_provisions(groups, old_ids)


_block = st.sampled_from(["## Part 1: General\n\n", "## Preamble\n\n", "## Schedule 1: Forms\n\n", "### 3. A\n\n",
                          "### 4. B\n\n", "### 4. B\n\n", "(1) The body must—\n\n", "(2) A body.\n\n",
                          "- (a) profit;\n", "- (b) not for profit;\n", "  - (i) head;\n", "1. First\n", "\n",
                          "Plain text.\n\n", "words and more words ", "regulation ", "é—“x”"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_block, max_size=25).map("".join), st.lists(_block, max_size=25).map("".join),
       st.lists(st.lists(_block, max_size=25).map("".join), max_size=3))
def test_the_grouping_equals_its_definition(old, new, between):
    """Pieces are attributed per stretch of one owner, and the unchanged provisions a long
    equal op covers are grouped in bulk: the groups are those of the plain definition, for
    plain diffs and for attributed ones (whose ops carry sources)."""
    from regdraft.core import diffing, history
    from regdraft.core.patching import diff_words

    ops = diff_words(old, new)
    assert _unrelocated(diffing.group_by_provision(old, new, ops)) == _plain_grouping(old, new, diffing.reviewed(ops))
    with mock.patch.object(history, "group_by_provision", wraps=diffing.group_by_provision) as grouping:
        steps = [history.Step(text, f"step-{i}") for i, text in enumerate([*between, new])]
        attributed = history.diff_steps(old, steps)
    ops = grouping.call_args.args[2]
    assert _unrelocated(attributed) == _plain_grouping(old, new, diffing.reviewed(ops))


def _unrelocated(diff) -> list:
    """The groups without the moves and renumberings found after grouping."""
    import dataclasses
    return [dataclasses.replace(g, relocation=None) for g in diff.groups]


@settings(max_examples=300, deadline=None)
@given(st.lists(_block, max_size=30).map("".join))
def test_owners_found_from_provision_starts_are_those_of_the_sweep(text):
    from regdraft.core.structure import parse_structure

    _owners_alike(parse_structure(text, strict=False))


def _owners_alike(structure) -> None:
    """The owners' table found from provision starts, where it is found so, is the
    sweep's, for the structure as parsed and as kept (whose table shares the reading's
    columns, its labels cut when asked for)."""
    from regdraft.core.diffing.owners import Owners
    from regdraft.services.structures import decode, encode

    swept = object.__new__(Owners)
    swept._sweep(structure)
    for read in (structure, decode(structure.text, structure.kind, encode(structure))):
        owners = object.__new__(Owners)
        if owners._each_provision_starts_one(read):
            columns = [name for name in Owners.__slots__ if name != "places"]
            assert [list(getattr(owners, name)) for name in columns] == [list(getattr(swept, name)) for name in columns]
            # Each stretch's place is its owner's among the reading's provisions (the sweep
            # does not say).
            ids = [p.id for p in read.provisions]
            assert [ids[i] if i >= 0 else PREAMBLE for i in owners.places] == list(owners.ids)
            assert swept.places is None
            assert [owners.labels[k] for k in range(len(owners.starts))] == list(swept.labels)
            assert [owners.key_at(at) for at in owners.starts] == [swept.key_at(at) for at in swept.starts]


REAL_TEXTS = {"uksi-2014-2407_as-made.legalize-uk.md": "uk-si", "ukpga-2019-24.md": "uk-act",
              "ukpga-1964-29.md": "uk-act", "ecfr-12-1005-2011.md": "us-cfr", "eu-32020R0111.md": "eu-act"}


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_a_real_texts_owners_found_from_provision_starts_are_those_of_the_sweep(name):
    """Real texts have text after a list that is its paragraph's again (ukpga-2019-24: three
    such points), where a stretch of the provision around it is put in."""
    from pathlib import Path

    from regdraft.core.diffing import read_structure

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "legislation" / name).read_text(encoding="utf-8")
    _owners_alike(read_structure(text, REAL_TEXTS[name]))


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["uk-si", "uk-act", "us-cfr", "eu-act"]), st.integers(2_000, 60_000), st.integers(0, 500),
       st.floats(0, 0.3))
def test_an_edited_bench_texts_owners_found_from_provision_starts_are_those_of_the_sweep(kind, size, seed, edited):
    """Edited lines break lists ("without delay - (ii) ..."): points inside provisions."""
    from bench.corpus import KIND_TEXTS, edit_lines
    from regdraft.core.diffing import read_structure

    _owners_alike(read_structure(edit_lines(KIND_TEXTS[kind](size, seed=seed), edited, seed=seed)[0], kind))


def test_grouping_and_reading_provisions_leave_the_collector_as_they_found_it():
    import gc

    from regdraft.core.diffing import group_by_provision
    from regdraft.core.errors import InvalidStructure
    from regdraft.core.patching import diff_words
    from regdraft.core.structure import parse_structure

    old, new = BASE, BASE.replace("section 10", "section 12")
    ops = diff_words(old, new)
    assert gc.isenabled()
    group_by_provision(old, new, ops)
    assert gc.isenabled()
    try:
        gc.disable()
        group_by_provision(old, new, ops)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(AttributeError):  # not ops: the grouping fails part way
        group_by_provision(old, new, [None])
    assert gc.isenabled()
    with pytest.raises(InvalidStructure):
        parse_structure(BASE + BASE)
    assert gc.isenabled()


def test_grouping_makes_no_cyclic_garbage_for_the_paused_collector_to_miss():
    """The collector is paused while provisions are read and a diff is grouped, which is
    free only because neither makes reference cycles: on either reader's path, nothing
    is left for a collection to find once the diff is let go."""
    import gc

    from bench.corpus import edit_lines, regulation_text
    from regdraft.core.diffing import group_by_provision
    from regdraft.core.patching import diff_words
    from regdraft.core.structure import scanner

    text = regulation_text(50_000, seed=3)
    fenced = text.replace("### 5.", "```\nA fence, read by markdown-it.\n```\n\n### 5.", 1)
    assert scanner.scanned(fenced, False) is None
    for old in (text, fenced):
        new, _ = edit_lines(old, 0.05)
        ops = diff_words(old, new)
        gc.collect()
        try:
            gc.disable()
            group_by_provision(old, new, ops)
            assert gc.collect() == 0
        finally:
            gc.enable()
