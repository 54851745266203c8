"""A kept structure is the reading itself: decoded from the store it is what parsing the
text gives, and a diff given the structures is the diff that reads them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block
from regdraft.core.diffing import diff_texts, read_structure, unified_diff
from regdraft.core.history import Step, diff_steps
from regdraft.core.traditions import KINDS
from regdraft.services import structures
from regdraft.services.kept import KeptInMemory

# Units of each kind, their near misses and the lines that draw warnings (duplicates,
# gaps, quotations, front matter), so what is kept includes warnings and metadata.
_LINES = {
    "uk-si": ["## Part {n}: P", "## Schedule {n}: S", "### {n}. R", "### {n}A. Inserted", "(1) x", "(2) y",
              "- (a) y", "  - (i) z", "## Explanatory note", "Plain text “(3) quoted”.", "[F1 (3) x]"],
    "uk-act": ["## Part {n}: P", "### Chapter {n}: C", "### Cross heading", "### {n} Section", "(1) x",
               "- (a) y", "  - (i) z", "## Schedule {n}: S", "### {n}"],
    "us-cfr": ["# PART 100{n}—P", "## Subpart A—General", "### § 100{n}.{n} S.", "(a) x", "(1) y", "(i) z",
               "(A) w", "(*1*) v", "## Appendix A to Part 1005—F"],
    "eu-act": ["(1) Whereas", "## Chapter II: C", "### Section {n}: S", "### Article {n}: A", "1. para",
               "2. para", "- (a) point", "  - (i) sub", "## Annex I: X"],
}


@st.composite
def _texts(draw, kind: str) -> str:
    front = draw(st.sampled_from(["", "---\ntitle: T\nyear: 2024\n---\n"]))
    lines = [draw(st.sampled_from(_LINES[kind])).replace("{n}", str(draw(st.integers(1, 4))))
             for _ in range(draw(st.integers(0, 25)))]
    return front + "".join(line + draw(st.sampled_from(["\n", "\n\n"])) for line in lines)


def _round_trip(text: str, kind: str):
    fresh = read_structure(text, kind)
    return fresh, structures.decode(text, kind, structures.encode(fresh))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_decoded_structure_is_the_fresh_reading(kind, data):
    text = data.draw(_texts(kind))
    fresh, kept = _round_trip(text, kind)
    assert structures.same_reading(kept, fresh)
    assert kept == fresh
    assert [kept.at(i) for i in range(0, len(text) + 1, 7)] == [fresh.at(i) for i in range(0, len(text) + 1, 7)]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_diff_given_kept_structures_is_the_diff_that_reads_them(kind, data):
    old, new = data.draw(_texts(kind)), data.draw(_texts(kind))
    (_, old_kept), (_, new_kept) = _round_trip(old, kind), _round_trip(new, kind)
    assert diff_texts(old, new, kind, old_structure=old_kept, new_structure=new_kept) == diff_texts(old, new, kind)
    assert (unified_diff(old, new, kind=kind, old_structure=old_kept) == unified_diff(old, new, kind=kind))
    steps = [Step(new, "a")]
    assert diff_steps(old, steps, kind, base_structure=old_kept, last_structure=new_kept) == diff_steps(old, steps, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_the_bench_cases_diff_alike_with_kept_structures(kind):
    old = KIND_TEXTS[kind](60_000)
    # The moved block and the inserted regulation are cut at uk-si headings.
    moved = (move_block(old), insert_regulation(old)) if kind == "uk-si" else ()
    for new in (edit_lines(old, 0.01, seed=3)[0], edit_lines(old, 0.1, seed=4)[0], *moved):
        (_, old_kept), (_, new_kept) = _round_trip(old, kind), _round_trip(new, kind)
        assert diff_texts(old, new, kind, old_structure=old_kept, new_structure=new_kept) == diff_texts(old, new, kind)


def test_the_memory_lets_the_least_recently_used_go_within_its_bound():
    texts = [KIND_TEXTS["uk-si"](5_000, seed=s) for s in (1, 2, 3)]
    readings = [read_structure(t) for t in texts]
    weights = list(map(structures.weight, readings))
    memory = KeptInMemory(weights[0] + weights[1] + 10)
    for key, reading in enumerate(readings[:2]):
        memory.put(key, reading, weights[key])
    assert memory.get(0) is readings[0]  # 0 used last: 1 goes first
    memory.put(2, readings[2], weights[2])
    assert memory.get(1) is None and memory.get(0) is readings[0] and memory.get(2) is readings[2]
