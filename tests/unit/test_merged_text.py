"""The merged text read piece by piece (``commonmark.MergedText``, which the html redline
reads instead of joining it) answers as the joined text does: its slices, its line
ends, the cuts before headings, and whether it needs markdown-it, on drawn pieces made
of the characters the markdown-it checks read, split anywhere, some of them ranges of
a shared text."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.redline import commonmark, html_redline

# Every character some check of ``_needs_markdown_it`` reads, and a few it does not.
_CHARACTERS = " \n\\-+*_~]([:1290.)#a\u2014\u00e9\t<"
texts = st.text(alphabet=_CHARACTERS, max_size=40)


@st.composite
def merged_texts(draw) -> tuple[str, list[str | range], str]:
    """A text, and the same text as parts (strings, or ranges of one source it is cut
    from) and that source."""
    text = draw(texts.filter(lambda t: "\t" not in t and "<" not in t) if draw(st.booleans()) else texts)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    parts: list[str | range] = []
    source = "x" * 3 + text  # ranges read a text that holds more than the pieces
    for start, end in zip([0, *cuts], [*cuts, len(text)]):
        parts.append(range(start + 3, end + 3) if draw(st.booleans()) else text[start:end])
    return text, parts, source


# How a merged text is joined (``_DENSE_PART``) and how its check joins short parts
# (``_SHORT_PART``, ``_JOINED_PART``): as shipped (the drawn texts' parts are short, so
# the text is joined whole); read piece by piece, every part where it is; read piece by
# piece, short parts joined into strings of a few characters, long ones where they are.
JOININGS = [pytest.param(None, id="as-shipped"), pytest.param((0, -1, 0), id="none-joined"),
            pytest.param((0, 3, 8), id="small-joins")]


def joining(sizes: tuple[int, int, int] | None):
    dense, short, joined = sizes or (commonmark._DENSE_PART, commonmark._SHORT_PART, commonmark._JOINED_PART)
    return mock.patch.multiple(commonmark, _DENSE_PART=dense, _SHORT_PART=short, _JOINED_PART=joined)


@pytest.mark.parametrize("sizes", JOININGS)
@settings(max_examples=150, deadline=None)
@given(merged=merged_texts())
def test_a_merged_text_needs_markdown_it_where_it_joined_does(sizes, merged):
    text, parts, source = merged
    with joining(sizes):
        assert commonmark.MergedText(parts, source).needs_markdown_it == commonmark.needs_markdown_it(text)
        if not commonmark.needs_markdown_it(source):  # its ranges' own text is known not to need it
            clean = commonmark.MergedText(parts, source, source_clean=True)
            assert clean.needs_markdown_it == commonmark.needs_markdown_it(text)


@pytest.mark.parametrize("sizes", JOININGS[:2])
@settings(max_examples=60, deadline=None)
@given(merged=merged_texts(), data=st.data())
def test_a_merged_text_reads_as_it_joined_does(sizes, merged, data):
    text, parts, source = merged
    with joining(sizes):
        pieces = commonmark.MergedText(parts, source)
    start = data.draw(st.integers(0, len(text)))
    stop = data.draw(st.integers(start, len(text)))
    assert len(pieces) == len(text)
    assert pieces[start:stop] == text[start:stop]
    assert pieces.count("\n", start, stop) == text.count("\n", start, stop)
    for at in range(1, len(text)):
        assert (html_redline._HEADING_CUT.match(pieces[max(at - 2, 0):at + 8]) is None) == (
            html_redline._HEADING_CUT.match(text, at - 2) is None)


@pytest.mark.parametrize("sizes", JOININGS)
def test_the_checks_across_pieces_find_what_spans_them(sizes):
    # Each is found only where two pieces meet: a backslash and spaces before a line
    # end, an empty list item, a link's bracket, a tilde fence, emphasis by a dash.
    for left, right in (("a \\", "  \nb"), ("a\\ ", "\n"), ("a\n -", " \nb"), ("a\n 1", "2.\n"), ("[a]", "(b)"),
                        ("~", "~~"), ("*", "\u2014"), ("a \\ ", ""), ("", "- \n")):
        text = left + right
        with joining(sizes):
            assert commonmark.MergedText([left, right], "").needs_markdown_it, text
        assert commonmark.needs_markdown_it(text), text
