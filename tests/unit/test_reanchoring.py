"""Re-anchoring comments' quotes in a new text (core/reanchoring.py): on the worked
case's real versions (SI 2014/2407, OGL v3.0) and, by Hypothesis, on random edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from regdraft.core.errors import QuoteNotFound
from regdraft.core.reanchoring import DEFAULT_THRESHOLD, Placed, anchor_in, reanchor

VERSIONS = Path(__file__).resolve().parents[2] / "drafts" / "children-social-care-delegation" / "versions"
V1, V2, V3 = ((VERSIONS / f"000{n}.md").read_text(encoding="utf-8") for n in (1, 2, 3))


def test_quotes_in_untouched_provisions_stay_exact_across_the_real_versions():
    """Version 2 inserts regulation 5; version 3 rewrites the preamble. Every quote of
    regulations 1 to 4 is exact in each, carried as far as the preamble changed."""
    quotes = ["A local authority’s functions under Part 1 of the Act", "the Children and Young Persons Act 2008",
              "social services functions not falling within section 1(2) of the Act"]
    placed = [anchor_in(V1, q, start=V1.index("### 2.")) for q in quotes]
    in_v2 = reanchor(V1, V2, placed)
    in_v3 = reanchor(V2, V3, [Placed(p.quote, r.start, r.end, r.prefix, r.suffix) for p, r in zip(placed, in_v2)])
    for p, two, three in zip(placed, in_v2, in_v3):
        assert (two.state, three.state) == ("exact", "exact")
        assert V2[two.start:two.end] == V3[three.start:three.end] == p.quote
        assert three.start - two.start == len(V3.split("### 1.")[0]) - len(V2.split("### 1.")[0])  # carried


def test_a_rewritten_quote_is_fuzzy_with_its_score_or_orphaned_below_the_threshold():
    quote = "DRAFT STATUTORY INSTRUMENTS"
    placed = anchor_in(V2, quote)
    (gone,) = reanchor(V2, V3, [placed])
    assert gone.state == "orphaned" and gone.start is None and gone.score < DEFAULT_THRESHOLD
    retyped = V2.replace(quote, "DRAFT STATUTORY INSTRUMENT")
    (fuzzy,) = reanchor(V2, retyped, [placed])
    assert fuzzy.state == "fuzzy" and fuzzy.found == "DRAFT STATUTORY INSTRUMENT" and fuzzy.score >= 0.9
    (strict,) = reanchor(V2, retyped, [placed], threshold=0.99)
    assert strict.state == "orphaned" and strict.score == fuzzy.score


def test_a_quote_cut_and_placed_elsewhere_has_moved():
    regulation_2 = V1[V1.index("### 2."):V1.index("### 3.")]
    moved_text = V1.replace(regulation_2, "") + "\n" + regulation_2
    placed = anchor_in(V1, "“the Act” means the Children and Young Persons Act 2008")
    (result,) = reanchor(V1, moved_text, [placed])
    assert result.state == "moved" and moved_text[result.start:result.end] == placed.quote


def test_a_common_quote_does_not_move_to_a_look_alike_without_its_context():
    old = "(1) The body may act.\n\n(2) The authority may act.\n\n(3) The council may act.\n"
    placed = anchor_in(old, "may act", start=old.index("(2)"))
    new = old.replace("(2) The authority may act.\n\n", "(2) The authority must not.\n\n")
    (result,) = reanchor(old, new, [placed])
    assert result.state != "moved" and result.state in ("fuzzy", "orphaned")
    if result.state == "fuzzy":
        assert new[result.start:result.end] != "may act"


def test_anchoring_keeps_the_texts_own_characters_and_stays_inside_the_span():
    text = "(1) It is ‘the Act’.\n\n(2) It is ‘the Act’ again.\n"
    placed = anchor_in(text, "It is 'the Act'", start=text.index("(2)"))
    assert placed.quote == "It is ‘the Act’" and placed.start == text.index("(2)") + 4
    with pytest.raises(QuoteNotFound):
        anchor_in(text, "again", start=0, end=text.index("(2)"))


def test_the_threshold_must_be_a_proportion():
    with pytest.raises(ValueError):
        reanchor("a", "b", [], threshold=0)


# The property -------------------------------------------------------------------

WORDS = ["the", "authority", "may", "delegate", "a", "function", "to", "any", "person", "body", "(1)", "(2)",
         "not-for-profit", "care", "children", "must", "not", "Ofsted", "“Act”", "’s"]
texts = st.lists(st.sampled_from(WORDS), min_size=8, max_size=60).map(" ".join)


@st.composite
def edited(draw):
    """A text, a quote anchored in it, and the text after 1-4 random edits (inserting,
    deleting or replacing words, or moving a stretch), which may touch the quote or not."""
    text = draw(texts)
    words = text.split(" ")
    first = draw(st.integers(0, len(words) - 1))
    last = draw(st.integers(first + 1, min(len(words), first + 6)))
    start = len(" ".join(words[:first])) + (1 if first else 0)
    quote = " ".join(words[first:last])
    placed = Placed(quote, start, start + len(quote), text[max(0, start - 32):start],
                    text[start + len(quote):start + len(quote) + 32])
    assert text[placed.start:placed.end] == quote
    new = text
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(new)))
        until = draw(st.integers(at, min(len(new), at + 40)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "move", "respace"]))
        piece = draw(texts) if kind in ("insert", "replace") else ""
        if kind == "insert":
            new = new[:at] + piece + " " + new[at:]
        elif kind == "delete":
            new = new[:at] + new[until:]
        elif kind == "replace":
            new = new[:at] + piece + new[until:]
        elif kind == "move":
            new = new[:at] + new[until:] + " " + new[at:until]
        else:
            new = new[:at] + new[at:until].replace(" ", "  ") + new[until:]
    return text, placed, new


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited(), st.sampled_from([0.5, 0.7, DEFAULT_THRESHOLD, 0.95]))
def test_never_exact_or_moved_where_the_text_differs_and_fuzzy_below_the_threshold_is_orphaned(case, threshold):
    old, placed, new = case
    (result,) = reanchor(old, new, [placed], threshold=threshold)
    if result.state in ("exact", "moved"):
        assert new[result.start:result.end] == placed.quote
        assert result.score == 1.0
    elif result.state == "fuzzy":
        assert result.score >= threshold
        assert new[result.start:result.end] == result.found
    else:
        assert result.state == "orphaned" and result.start is None
        assert result.score < threshold
    if result.state == "fuzzy":
        # Above its score, the same match is orphaned, never attached.
        assume(result.score < 1)
        (stricter,) = reanchor(old, new, [placed], threshold=min(1.0, result.score + 0.001))
        assert stricter.state == "orphaned"


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_a_quote_no_edit_touches_is_exact_where_the_edits_carried_it(text, data):
    words = text.split(" ")
    first = data.draw(st.integers(1, len(words) - 2))
    start = len(" ".join(words[:first])) + 1
    quote = words[first]
    placed = Placed(quote, start, start + len(quote), text[max(0, start - 32):start], "")
    # Words the text has none of, so no diff can take them for the text's own.
    inserted = st.lists(st.sampled_from(["Zephyr", "quorum", "Vellum"]), min_size=1, max_size=8).map(" ".join)
    before, after = data.draw(inserted), data.draw(inserted)
    new = text[:start - 1].replace(" ", " " + before + " ", 1) + " " + quote + " " + after + text[start + len(quote):]
    (result,) = reanchor(text, new, [placed])
    assert result.state == "exact" and new[result.start:result.end] == quote
