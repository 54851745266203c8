"""The patch engine: round trips, upstream compatibility and honest hunk reports."""

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.errors import InvalidPatch
from regdraft.core.patching import HunkStatus, applied_in_turn, apply_patch, diff_words, make_patch, parse_patch, upstream_apply

WORDS = ["regulation", "local", "authority", "profit", "body", "(1)", "(a)", "—", "“the Act”", "may", "not",
         "### 3.", "functions", "children", "\n", "\n\n", " ", ", ", ".", "é", "🙂"]
legal_text = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)


@settings(max_examples=150, deadline=None)
@given(a=legal_text | any_text, b=legal_text | any_text)
def test_patch_made_from_a_to_b_applied_to_a_gives_b(a, b):
    if a == b:
        return
    patch = parse_patch(make_patch(a, b))
    result = apply_patch(patch, a)
    assert result.text == b
    assert result.exact
    assert upstream_apply(patch.text, a) == (b, [True] * len(upstream_apply(patch.text, a)[1]))


@settings(max_examples=150, deadline=None)
@given(a=legal_text | any_text, b=legal_text | any_text)
def test_word_diff_rebuilds_both_texts(a, b):
    ops = diff_words(a, b)
    assert "".join(op.text for op in ops if op.kind != "insert") == a
    assert "".join(op.text for op in ops if op.kind != "delete") == b


def test_patch_is_deterministic_and_word_aligned():
    a = "A body corporate that is carried on for profit may not be a party.\n"
    b = "A body corporate that is carried on not for profit may be a party.\n"
    assert make_patch(a, b) == make_patch(a, b)
    inserted = [op.text for op in diff_words(a, b) if op.kind != "equal"]
    assert all(t.strip() in {"not", ""} for t in inserted)


def test_a_moved_regulation_is_one_deletion_and_one_insertion():
    regulations = [f"### {n}. Heading {n}\n\nThe text of regulation {n} says something about item {n}.\n\n"
                   for n in range(1, 9)]
    a = "".join(regulations)
    b = "".join(regulations[:2] + regulations[3:6] + regulations[2:3] + regulations[6:])
    changes = [op for op in diff_words(a, b) if op.kind != "equal"]
    assert sorted(op.kind for op in changes) == ["delete", "insert"]
    assert all("regulation 3 says something about item 3." in op.text for op in changes)


def _doc(n=6):
    return "".join(f"### {i}. Heading {i}\n\nThe text of regulation {i} says something about item {i}.\n\n"
                   for i in range(1, n + 1))


def test_hunks_know_their_place_in_the_base():
    a = _doc()
    b = a.replace("item 2.", "item two.").replace("regulation 5 says", "regulation 5 now says")
    patch = parse_patch(make_patch(a, b))
    assert len(patch.hunks) == 2
    first, second = patch.hunks
    assert a[first.start:first.end] == "2" and first.inserted == "two"
    assert a[second.start:second.end] == "" and second.inserted.strip() == "now"
    assert b[second.new_start:second.new_end] == second.inserted


def test_apply_onto_moved_text_reports_shift():
    a = _doc()
    b = a.replace("item 4.", "item four.")
    patch = parse_patch(make_patch(a, b))
    later = "### 0. Preliminary\n\nA new regulation at the start.\n\n" + a
    result = apply_patch(patch, later)
    assert result.text == "### 0. Preliminary\n\nA new regulation at the start.\n\n" + b
    (hunk,) = result.hunks
    assert hunk.status is HunkStatus.SHIFTED
    assert hunk.shift == len("### 0. Preliminary\n\nA new regulation at the start.\n\n")


def test_apply_with_changed_context_is_fuzzy():
    a = _doc()
    b = a.replace("about item 4.", "about item 4, and nothing else.")
    patch = parse_patch(make_patch(a, b))
    later = a.replace("### 5. Heading 5", "### 5. Heading Five")
    result = apply_patch(patch, later)
    assert [h.status for h in result.hunks] == [HunkStatus.FUZZY]
    assert "about item 4, and nothing else." in result.text


def test_failed_hunk_is_never_dropped_silently():
    a = _doc()
    b = a.replace("item 3.", "item three.").replace("item 5.", "item five.")
    patch = parse_patch(make_patch(a, b))
    later = a.replace("### 5. Heading 5\n\nThe text of regulation 5 says something about item 5.\n\n",
                      "### 5. Revoked\n\nRevoked entirely by the Secretary of State in a later draft.\n\n")
    result = apply_patch(patch, later)
    assert [h.status for h in result.hunks] == [HunkStatus.EXACT, HunkStatus.FAILED]
    assert result.text is None and not result.ok
    assert result.hunks[1].found_at is None and result.hunks[1].expected_at > 0
    partial = apply_patch(patch, later, partial=True)
    assert "item three." in partial.text and "item five." not in partial.text


def test_patch_text_is_standard_for_upstream():
    a = _doc()
    b = a.replace("Heading 3", "Functions to be treated as relevant care functions")
    text = make_patch(a, b)
    upstream = diff_match_patch()
    patched, results = upstream.patch_apply(upstream.patch_fromText(text), a)
    assert patched == b and all(results)


@pytest.mark.parametrize("bad, where", [
    ("", "empty"),
    ("hello\n", "line 1"),
    ("@@ -1,3 +1,4 @@\n x\n?y\n", "line 3"),
    ("@@ -x,3 +1,4 @@\n", "malformed"),
])
def test_malformed_patch_text_is_refused_with_where(bad, where):
    with pytest.raises(InvalidPatch, match=where):
        parse_patch(bad)


def test_hunk_whose_context_reaches_the_end_applies_when_text_is_appended():
    a = "### 1. Heading\n\nThe text says something about item 1.\n"
    b = a.replace("item 1.", "item one.")
    patch = parse_patch(make_patch(a, b))
    appended = "\n### 2. More\n\nA regulation added after the last one.\n"
    result = apply_patch(patch, a + appended)
    assert result.text == b + appended
    assert [h.status for h in result.hunks] == [HunkStatus.EXACT]
    prepended = "### 0. First\n\nA regulation added before.\n\n"
    result = apply_patch(patch, prepended + a)
    assert result.text == prepended + b
    assert result.hunks[0].status is HunkStatus.SHIFTED and result.hunks[0].shift == len(prepended)


# Words used at most once, so every hunk's context is unique in the base; the extra text
# shares no character with them, so it cannot hold a copy of any context either.
_distinct_words = st.lists(st.sampled_from(WORDS), min_size=2, max_size=16, unique=True)
_extra_text = st.text("QZXJ\n ", max_size=30)


@settings(max_examples=150, deadline=None)
@given(words=_distinct_words, cut=st.integers(1, 15), new_tail=legal_text, pre=_extra_text, post=_extra_text)
def test_hunk_at_an_edge_applies_with_text_appended_or_prepended(words, cut, new_tail, pre, post):
    cut = min(cut, len(words) - 1)
    body, tail = " ".join(words[:cut]), " ".join(words[cut:])
    a = body + "\n" + tail
    for b in (body + "\n" + new_tail, new_tail + "\n" + tail):  # changed at the end, at the start
        if a == b:
            continue
        patch = parse_patch(make_patch(a, b))
        result = apply_patch(patch, pre + a + post)
        assert result.text == pre + b + post, [h.as_dict() for h in result.hunks]


def test_fuzzy_placement_prefers_the_most_similar_context_to_the_nearest_place():
    a = "### 1. Fees\n\nThe council must publish the fee for each inspection of a provider.\n"
    b = a.replace("for each inspection", "for every inspection")
    patch = parse_patch(make_patch(a, b))
    assert "the fee for " in patch.text and " inspection " in patch.text  # the context, 12 characters a side
    # Both places keep the words beside the edit; the nearer one differs more around them.
    near = "(1) The council must publish X fee for each inspector, by hand.\n"
    far = "(2) The council must publish any fee for each inspection of a provider.\n"
    result = apply_patch(patch, near + "\n" + far)
    assert [h.status for h in result.hunks] == [HunkStatus.FUZZY]
    assert result.text == near + "\n" + far.replace("for each", "for every")


def test_two_equally_good_fuzzy_places_fail_rather_than_guess():
    a = "### 1. Fees\n\nThe council must publish the fee for each inspection of a provider.\n"
    b = a.replace("for each inspection", "for every inspection")
    patch = parse_patch(make_patch(a, b))
    twice = ("(1) The council must publish any fee for each inspection of a provider.\n"
             "(2) The council must publish all fee for each inspection of a provider.\n")
    result = apply_patch(patch, twice)
    assert result.text is None and [h.status for h in result.hunks] == [HunkStatus.FAILED]


def test_patches_against_one_base_applied_in_turn_are_each_exact():
    base = "### 1. One\n\nFirst words here.\n\n### 2. Two\n\nSecond words here.\n\n### 3. Three\n\nThird words.\n"
    insert_early = make_patch(base, base.replace("First words here.", "First words here, and a long new clause."))
    change_late = make_patch(base, base.replace("Third words.", "Third and last words."))
    results = list(applied_in_turn([parse_patch(insert_early), parse_patch(change_late)], base))
    assert [h.status for r in results for h in r.hunks] == [HunkStatus.EXACT, HunkStatus.EXACT]
    assert results[-1].text == base.replace("First words here.", "First words here, and a long new clause.") \
        .replace("Third words.", "Third and last words.")
    # Applied alone to the text the first one made, the second is (rightly) shifted.
    (alone,) = apply_patch(parse_patch(change_late), results[0].text).hunks
    assert (alone.status, alone.shift) == (HunkStatus.SHIFTED, len(", and a long new clause"))


def test_applying_in_turn_stops_at_the_first_patch_that_fails():
    base = "### 1. One\n\nFirst words here.\n"
    other = "### 9. Nine\n\nNothing alike at all.\n"
    fits = make_patch(base, base.replace("First", "Opening"))
    foreign = make_patch(other, other.replace("Nothing", "Something"))
    results = list(applied_in_turn([parse_patch(fits), parse_patch(foreign), parse_patch(fits)], base))
    assert len(results) == 2
    assert results[0].text is not None and results[1].text is None


@settings(max_examples=200, deadline=None)
@given(base=legal_text, target=legal_text, drift=legal_text, at=st.integers(min_value=0))
def test_the_changed_span_holds_every_change_the_application_made(base, target, drift, at):
    """Applied to a text that moved on from the patch's base (some hunks exact, some
    shifted, fuzzy or failed), the result differs from that text only in the span."""
    if base == target:
        return
    at %= len(base) + 1
    moved_on = base[:at] + drift + base[at:]
    result = apply_patch(parse_patch(make_patch(base, target)), moved_on, partial=True)
    if result.changed is None:
        assert result.text == moved_on and not any(h.applied for h in result.hunks)
        return
    start, old_end, new_end = result.changed
    assert 0 <= start <= old_end <= len(moved_on) and start <= new_end <= len(result.text)
    assert result.text[:start] == moved_on[:start]
    assert result.text[new_end:] == moved_on[old_end:]
    assert len(result.text) - new_end == len(moved_on) - old_end
