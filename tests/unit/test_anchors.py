import pytest

from regdraft.core.anchors import find_quote
from regdraft.core.errors import QuoteNotFound

RESPONSE = ("The ADCS response says these services “should not be predicated on a profit motive”.\n\n"
            "It adds that   councils\nshould keep ‘accountability’. It says the services should not be "
            "predicated on a profit motive again.")


def test_exact_quote_is_found_with_context():
    a = find_quote(RESPONSE, "should not be predicated on a profit motive")
    assert RESPONSE[a.start:a.end] == "should not be predicated on a profit motive"
    assert a.exact and a.prefix.endswith("services “") and a.suffix.startswith("”.")


def test_whitespace_and_quote_marks_may_differ():
    a = find_quote(RESPONSE, "councils should keep 'accountability'")
    assert RESPONSE[a.start:a.end] == "councils\nshould keep ‘accountability’"
    assert not a.exact


def test_other_differences_are_not_tolerated():
    for wrong in ("should not be predicated on profit", "Councils should keep", "accountable"):
        with pytest.raises(QuoteNotFound):
            find_quote(RESPONSE, wrong)


def test_context_picks_the_right_occurrence():
    first = find_quote(RESPONSE, "should not be predicated on a profit motive")
    second = find_quote(RESPONSE, "should not be predicated on a profit motive", prefix="It says the services ")
    assert second.start > first.start


def test_empty_quote_is_refused():
    with pytest.raises(QuoteNotFound, match="empty"):
        find_quote(RESPONSE, "  ")


def _find_by_the_old_definition(text, quote, prefix="", suffix=""):
    """find_quote as it was: the response folded character by character for each quote,
    every match weighed."""
    import re

    from regdraft.core import anchors

    out, where = [], []
    for match in re.finditer(r"\s+|\S", text):
        out.append(" " if match.group().isspace() else match.group().translate(anchors._FOLD))
        where.append(match.start())
    folded = "".join(out)
    wanted = re.sub(r"\s+", " ", quote.strip()).translate(anchors._FOLD)
    candidates, at = [], folded.find(wanted)
    while at != -1:
        candidates.append((where[at], where[at + len(wanted) - 1] + 1))
        at = folded.find(wanted, at + 1)
    if not candidates:
        return None

    def agreement(span):
        start, end = span
        return -((bool(prefix) and text[max(0, start - len(prefix)):start].endswith(prefix[-8:]))
                 + (bool(suffix) and text[end:end + len(suffix)].startswith(suffix[:8])))

    return min(candidates, key=agreement)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pieces = st.sampled_from(["a", "b", "ab", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "’", "'", "“", '"', "x y"])
texts = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=400)
@given(texts, texts, texts, texts)
def test_folding_once_finds_what_folding_per_quote_found(text, quote, prefix, suffix):
    from regdraft.core.anchors import FoldedText

    expected = _find_by_the_old_definition(text, quote, prefix, suffix) if quote.strip() else None
    try:
        anchor = FoldedText(text).find(quote, prefix=prefix, suffix=suffix)
    except QuoteNotFound:
        assert expected is None
    else:
        assert (anchor.start, anchor.end) == expected


def test_one_fold_serves_every_quote_of_a_text(monkeypatch):
    from regdraft.core import anchors

    folded = anchors.FoldedText(RESPONSE * 1000)
    calls = []
    real_sub = anchors._SPACE.sub
    monkeypatch.setattr(anchors, "_SPACE", type("Counted", (), {
        "sub": staticmethod(lambda repl, s: calls.append(len(s)) or real_sub(repl, s))})())
    for quote in ("councils should keep 'accountability'", "profit motive again", "The ADCS response"):
        folded.find(quote, prefix="It says ")
    assert max(calls) < 100  # only the quotes were folded again, never the 170 000-character text


@pytest.mark.parametrize("piece", [1, 4, 64])
@given(text=st.text(alphabet=st.sampled_from("ab ‘’“”\n\t\u2003."), max_size=200))
@settings(max_examples=60)
def test_a_text_folded_in_pieces_is_the_text_folded_whole(piece, text):
    from regdraft.core import anchors
    from regdraft.core import text as text_module

    whole = anchors._SPACE.sub(" ", text).translate(anchors._FOLD)
    original, text_module.PIECE = text_module.PIECE, piece
    try:
        assert anchors.FoldedText(text).folded == whole
    finally:
        text_module.PIECE = original


def test_every_character_the_text_policy_refuses_is_one_python_calls_unprintable():
    """The policy's fast path (a text all printable but for tabs and line ends holds
    nothing it refuses) rests on this, for every code point."""
    from regdraft.core import policy

    refused = policy._REFUSED.findall("".join(map(chr, range(0x110000))))
    assert len(refused) > 100_000
    assert not any(char.isprintable() for char in refused)
    assert policy.text_problem("a\u00a0b\u200bc") == (3, "contains the character U+200B ZERO WIDTH SPACE, which a text "
                                                          "may not hold")


def test_the_policys_fast_paths_agree_with_its_character_class_and_nesting_rule():
    from regdraft.core import policy

    for code in range(0x100):
        text = f"ab{chr(code)}c"
        assert (policy._refused(text) is None) == (policy._REFUSED.search(text) is None), hex(code)
    # The nesting check runs only where a line opens with a run long enough to nest too deep.
    just_too_deep = "- " * (policy.MAX_NESTING + 1) + "x"
    assert policy.text_problem("intro\n" + just_too_deep)[1].startswith(f"nests lists or quotes {policy.MAX_NESTING + 1}")
    assert policy.text_problem(just_too_deep) is not None
    assert policy.text_problem("  " * policy.MAX_NESTING + "- x") is not None
    assert policy.text_problem("- " * policy.MAX_NESTING + "x") is None
