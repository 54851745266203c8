"""Amendments applied in turn expect each hunk where the earlier amendments' edits left
its place. ``CarriedPositions`` keeps the map those edits make instead of walking every
earlier edit for every hunk (which made a Keeling schedule grow with the square of its
amendments): it must give what walking them gives, position by position, and applying
amendments in turn must give what applying each with that walk gives."""

import random
import re
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.patching import CarriedPositions, applied_in_turn, apply_patch, applying, make_patch, parse_patch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "legislation"


def walked(position, edits):
    """The definition: each edit in turn moves what is at or after its end by the length
    it adds, and takes what is inside its replaced span to its start."""
    for start, removed, inserted in edits:
        if position >= start + removed:
            position += inserted - removed
        elif position > start:
            position = start
    return position


edit = st.tuples(st.integers(0, 300), st.integers(0, 40), st.integers(0, 40))


def _check_against_the_walk(edits, probes):
    carried, done = CarriedPositions(), []
    for each in edits:
        carried.add(each)
        done.append(each)
        for position in [*probes, each[0] - 1, each[0], each[0] + 1, each[0] + each[1], each[0] + each[2]]:
            assert carried.at(position) == walked(position, done), (position, done)


@settings(max_examples=300, deadline=None)
@given(st.lists(edit, max_size=120), st.lists(st.integers(-5, 400), min_size=1, max_size=20))
def test_carried_positions_are_the_walk_through_every_edit(edits, probes):
    _check_against_the_walk(edits, probes)


@settings(max_examples=200, deadline=None)
@given(st.lists(edit, max_size=80), st.lists(st.integers(-5, 400), min_size=1, max_size=10))
def test_the_map_holds_across_many_small_blocks(edits, probes):
    # Blocks of 4 knots: replaced spans and moves that run across many blocks.
    with mock.patch.object(applying, "_BLOCK", 4):
        _check_against_the_walk(edits, probes)


def _amendments(text, seed, count):
    """``count`` amendments of ``text``, each made against it: words replaced, a clause
    added, a paragraph deleted, some on the same words as another (so that they overlap
    and later ones fail or go fuzzy)."""
    rng = random.Random(seed)
    words = [m for m in re.finditer(r"\w{4,}", text)]
    paragraphs = [m for m in re.finditer(r"\n\n[^\n]+", text)]
    patches = []
    for _ in range(count):
        how = rng.random()
        if how < 0.6:
            m = rng.choice(words)
            new = text[:m.start()] + rng.choice(["duty", "functions of the Board", ""]) + text[m.end():]
        elif how < 0.85:
            m = rng.choice(words)
            new = text[:m.end()] + ", subject to regulation 4(2)," + text[m.end():]
        else:
            m = rng.choice(paragraphs)
            new = text[:m.start()] + text[m.end():]
        if new != text:  # "duty" replaced by "duty" is no amendment (its patch is empty)
            patches.append(parse_patch(make_patch(text, new)))
    return patches


def _one_at_a_time(patches, text, past_failures):
    """Each patch applied to the text the ones before made, its hunks expected where
    the walk through every earlier edit puts them."""
    edits = []
    for patch in patches:
        result = apply_patch(patch, text, carry=lambda at, done=tuple(edits): walked(at, done))
        yield result
        if result.text is None:
            if past_failures:
                continue
            return
        edits += result.edits
        text = result.text


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(FIXTURES.glob("*.md"))), st.integers(0, 10**6), st.integers(1, 60), st.booleans())
def test_amendments_applied_in_turn_are_what_applying_each_with_the_walk_gives(path, seed, count, past_failures):
    text = path.read_text()
    patches = _amendments(text, seed, count)
    assert list(applied_in_turn(patches, text, past_failures=past_failures)) == \
        list(_one_at_a_time(patches, text, past_failures))
