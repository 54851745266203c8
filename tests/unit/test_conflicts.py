from regdraft.core.amendments import analyse
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.conflicts import (CONTEXT, OVERLAP, SAME_PROVISION, AmendmentChanges, ChangeSpan, conflict,
                                     find_conflicts)
from regdraft.core.errors import PatchDoesNotApply
from regdraft.core.patching import applied_in_turn, make_patch, parse_patch
from regdraft.core.text import content_hash

import pytest

BASE = ("### 3. Functions\n\nThe following functions—\n\n- (a) social services functions;\n"
        "- (b) the functions under section 10.\n\n### 4. Part 1\n\nA local authority’s functions.\n")


def _changes(name, new, base=BASE):
    analysis = analyse(base, make_patch(base, new))
    spans = tuple(ChangeSpan(h.hunk.start, h.hunk.end, tuple((r.id, r.label) for r in h.provisions),
                             (h.hunk.context_start, h.hunk.context_start + len(h.hunk.before)))
                  for h in analysis.hunks)
    return AmendmentChanges(name, content_hash(base), spans)


def test_two_insertions_at_the_same_place_overlap():
    ban = _changes("ban", BASE + "\n### 5. Bodies\n\nNo body carried on for profit.\n")
    nfp = _changes("nfp", BASE + "\n### 5. Not for profit\n\nOnly not-for-profit bodies or local authorities.\n")
    (pair,) = find_conflicts([ban, nfp])
    assert (pair.first, pair.second, pair.kind) == ("ban", "nfp", OVERLAP)
    assert pair.provisions == (("reg-5", "regulation 5"),)


def test_same_provision_different_words_conflict_by_provision():
    a = _changes("a", BASE.replace("social services functions", "social work functions"))
    b = _changes("b", BASE.replace("- (b) the functions under section 10.", "- (b) the functions under section 11."))
    c = _changes("c", BASE.replace("The following functions—", "The following functions, and no others—"))
    assert find_conflicts([a, b, c]) == []
    d = _changes("d", BASE.replace("social services functions;", "social services functions other than child protection;"))
    (pair,) = find_conflicts([a, d])
    assert pair.provisions == (("reg-3-a", "regulation 3(a)"),)
    assert pair.kind in (OVERLAP, SAME_PROVISION)


def test_different_bases_compare_by_provision_only():
    a = _changes("a", BASE.replace("section 10", "section 12"))
    later = BASE + "\n### 5. New\n\nText.\n"
    b = _changes("b", later.replace("section 10", "section 17A"), base=later)
    (pair,) = find_conflicts([a, b])
    assert pair.kind == SAME_PROVISION and pair.provisions == (("reg-3-b", "regulation 3(b)"),)


def test_analyse_refuses_a_patch_made_for_another_base():
    other = BASE.replace("Functions", "Relevant care functions")
    patch = make_patch(other, other.replace("section 10", "section 12"))
    with pytest.raises(PatchDoesNotApply) as err:
        analyse(BASE, patch)
    assert err.value.extra["hunks"][0]["status"] in ("shifted", "fuzzy", "failed")


def test_an_amendment_built_on_another_does_not_conflict_with_it():
    ban_text = BASE + "\n### 5. Bodies\n\nNo body carried on for profit may discharge the functions.\n"
    ban = _changes("ban", ban_text)
    # Proposed later against the version the ban produced: it edits the ban's own words.
    record = _changes("record", ban_text.replace("carried on for profit", "carried on for profit, or with no record,"),
                      base=ban_text)
    (pair,) = find_conflicts([ban, record])
    assert pair.provisions == (("reg-5", "regulation 5"),)
    built = AmendmentChanges(record.amendment, record.base_hash, record.spans, built_on=frozenset({"ban"}))
    assert find_conflicts([ban, built]) == []
    assert find_conflicts([built, ban]) == []


def test_a_change_to_the_words_another_hunk_looks_for_is_a_conflict_only_if_they_do_not_combine():
    sentence = "A local authority’s functions.\n"
    texts = {"wales": BASE.replace(sentence, sentence.replace("functions.", "functions in Wales.")),
             "appended": BASE.replace(sentence, sentence + "\n### 5. Bodies\n\nText.\n")}
    wales, appended = (_changes(name, text) for name, text in texts.items())
    asked = []

    def do_not_combine(first, second):
        asked.append((first, second))
        patches = [parse_patch(make_patch(BASE, texts[name])) for name in (first, second)]
        return any(r.text is None for order in (patches, patches[::-1]) for r in applied_in_turn(order, BASE))

    (pair,) = find_conflicts([wales, appended], do_not_combine)
    assert (pair.first, pair.second, pair.kind) == ("wales", "appended", CONTEXT)
    assert [pid for pid, _ in pair.provisions] == ["reg-4", "reg-5"]
    assert asked == [("wales", "appended")]
    assert find_conflicts([wales, appended], lambda first, second: False) == []  # they combine: no conflict
    # Far apart, nobody is asked.
    far = _changes("far", BASE.replace("social services functions", "social work functions"))
    asked.clear()
    assert find_conflicts([far, appended], do_not_combine) == [] and asked == []


def _span(draw_ints, provisions):
    start, length, before, after = draw_ints
    return ChangeSpan(start, start + length, provisions, (start - before, start + length + after))


spans = st.builds(_span, st.tuples(st.integers(0, 80), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)),
                  st.lists(st.sampled_from([("reg-1", "regulation 1"), ("reg-2", "regulation 2"),
                                            ("reg-3", "regulation 3")]), max_size=2, unique=True).map(tuple))
amendment_sets = st.lists(st.tuples(st.sampled_from(["v1", "v2"]), st.lists(spans, min_size=1, max_size=3),
                                    st.booleans()), max_size=12)


@settings(max_examples=300, deadline=None)
@given(amendment_sets)
def test_only_pairs_that_cannot_meet_are_left_unexamined(drawn):
    """The pairs the reaches and provisions pick out give every conflict that examining
    each pair gives (two hundred amendments are twenty thousand pairs)."""
    amendments = [AmendmentChanges(f"a{i}", base, tuple(found), frozenset({"a0"}) if built_on_first else frozenset())
                  for i, (base, found, built_on_first) in enumerate(drawn)]

    def do_not_combine(first, second):
        return (int(first[1:]) + int(second[1:])) % 2 == 0

    every_pair = [conflict(a, b, do_not_combine) for a, b in combinations(amendments, 2)]
    assert find_conflicts(amendments, do_not_combine) == [pair for pair in every_pair if pair is not None]
