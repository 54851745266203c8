"""The html redline's fast paths give the HTML its general paths give: anchors put in
by a lookup of each block's line (not a block at a time), marks and invisible
characters looked for only where a scan says they may be, marks turned into tags on
UTF-8. Checked on drawn regulation-shaped texts and edits of every kind, and on real
published texts of every kind (tests/fixtures/legislation/, see tests/fixtures/README.md)."""

from __future__ import annotations

import random
import re
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import redline
from regdraft.core.redline import anchoring, commonmark, html_redline, marking
from regdraft.core.diffing import diff_texts
from regdraft.core.text import normalise
from regdraft.core.traditions import KINDS

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "legislation"
REAL_TEXTS = {"uksi-2014-2407_as-made.legalize-uk.md": "uk-si", "uksi-2014-2407_as-made.txt": "uk-si", "ukpga-2019-24.md": "uk-act",
              "ukpga-1964-29.md": "uk-act", "ecfr-12-1005-2011.md": "us-cfr", "eu-32020R0111.md": "eu-act"}


def _general(diff, **options) -> bytes:
    """The redline with every fast path turned off: each piece's anchors a block at a
    time, the regexes run over every piece."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(anchoring.Anchors, "_apply_matched", lambda self, *args: None))
        stack.enter_context(mock.patch.object(html_redline, "may_hold_marks", lambda html: True))
        stack.enter_context(mock.patch.object(commonmark, "may_show_invisible", lambda markdown: True))
        return redline.render_html_utf8(diff, **options)[0]


def _assert_fast_is_general(diff, **options) -> bytes:
    fast = redline.render_html_utf8(diff, **options)[0]
    assert fast == _general(diff, **options)
    return fast


# Lines of the storage forms of every kind, and the traps of the anchors' fast path:
# loose list items (a paragraph on its item's line), ordered items, nested items,
# provisions without a block of their own, invisible characters and character
# references, private-use characters, emphasis.
_LINES = ["## Part 2: General", "### 3. Functions", "### 4 Delegation", "### Article 5: Scope", "## Chapter II: Rules",
          "# PART 1005—ELECTRONIC FUND TRANSFERS", "## Subpart A—General", "### § 1005.2 Definitions.",
          "## Schedule 1: Forms", "(1) The council may act.", "(2) The Secretary of State must—",
          "(a) A paragraph read as a block.", "1. A numbered paragraph.", "2. Another—",
          "- (a) an item;", "- (b) another item, where—", "  - (i) a head;", "  - (ii) another head.",
          "The text after a list.", "(12) Whereas a recital.", "Words with a right-to-left\u200fmark.",
          "A soft&shy;hyphen and a &#x200D; joiner.", "A private use \ue001 character.", "*Emphasis* and _this_.",
          "(3) Inserted paragraph—", "- (c) a third item.", "- - (a) nested on its item's line;",
          "- ### 9. A heading in an item", "---", "===", "    (5) indented, so code", "1. - (a) in a numbered item"]
_SEPARATORS = ["\n", "\n\n"]
texts = st.lists(st.tuples(st.sampled_from(_LINES), st.sampled_from(_SEPARATORS)), min_size=1, max_size=30)
edits = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["delete", "insert", "replace", "word", "move"]),
                           st.sampled_from(_LINES)), max_size=6)


def _text(lines: list[tuple[str, str]]) -> str:
    return normalise("".join(line + separator for line, separator in lines))


def _edited(lines: list[tuple[str, str]], changes: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    lines = list(lines)
    for index, action, line in changes:
        i = index % (len(lines) + 1)
        if action == "insert" or i == len(lines):
            lines.insert(i, (line, "\n\n"))
        elif action == "delete":
            del lines[i]
        elif action == "move":  # to the end: the same provision ids, removed here and inserted there
            lines.append(lines.pop(i))
        elif action == "replace":
            lines[i] = (line, lines[i][1])
        else:
            lines[i] = (lines[i][0].replace(" ", " amended ", 1), lines[i][1])
    return lines or [("Empty.", "\n")]


@settings(max_examples=300, deadline=None)
@given(old=texts, changes=edits, kind=st.sampled_from(KINDS), piece_chars=st.sampled_from([40, 300, 8192]),
       notice=st.booleans())
def test_drawn_redlines_are_the_same_by_the_fast_paths(old, changes, kind, piece_chars, notice):
    diff = diff_texts(_text(old), _text(_edited(old, changes)), kind)
    provisions = list(diff.provisions())
    notices = {provisions[len(provisions) // 2]: ["A conflict."]} if notice and provisions else None
    with mock.patch.object(html_redline, "PIECE_CHARS", piece_chars):
        _assert_fast_is_general(diff, notices=notices)


def _without_links(text: str) -> str:
    """A real text as cmark renders it (markdown-it renders links, footnotes, strong
    emphasis and quotes): links kept as their text, footnotes and emphasis dropped."""
    text = re.sub(r"^\[\^[^\]]*\]:.*$", "", text, flags=re.M)
    text = re.sub(r"\[\^[^\]]*\]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))
    return normalise(text.replace("*", "").replace("__", "").replace(">", "").replace("]:", "]"))


# Each a trap of the anchors' fast path, with the piece size that puts it at a piece's edge.
_TRAPS = {
    # The same provision ids twice, in different pieces: only the first carries its anchor.
    "moved regulation": ("### 3. A\n\n(1) Text three.\n\n### 4. B\n\n(1) Text four.\n\n### 5. C\n\n(1) Five.\n",
                         "### 4. B\n\n(1) Text four.\n\n### 5. C\n\n(1) Five.\n\n### 3. A\n\n(1) Text three.\n"),
    # A loose list: each item's paragraph starts on its item's line.
    "loose list": ("### 3. A\n\n(1) Text—\n\n- (a) one;\n\n- (b) two.\n\n### 4. B\n\n(1) Four.\n",
                   "### 3. A\n\n(1) Text—\n\n- (a) one, amended;\n\n- (b) two.\n\n### 4. B\n\n(1) Four.\n"),
    # Two anchorable blocks on one line.
    "nested on one line": ("### 3. T\n\n- - (a) one;\n- (b) two.\n", "### 3. T\n\n- - (a) one, amended;\n- (b) two.\n"),
    "heading in an item": ("### 3. T\n\n- ### 4. In an item\n- (b) two.\n",
                           "### 3. T\n\n- ### 4. In an item, amended\n- (b) two.\n"),
    # A heading that is no provision, owned by the provision before it, in the next piece.
    "heading owned from before": ("# PART 1\n\n## § 1.1 Scope.\n\nText.\n\n### A heading\n\nMore.\n",
                                  "# PART 1\n\n## § 1.1 Scope.\n\nText, amended.\n\n### A heading\n\nMore.\n"),
}


@pytest.mark.parametrize("trap", sorted(_TRAPS))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("piece_chars", [10, 40, redline.PIECE_CHARS])
def test_the_anchors_traps_are_the_same_by_the_fast_path(trap, kind, piece_chars, monkeypatch):
    old, new = _TRAPS[trap]
    monkeypatch.setattr(html_redline, "PIECE_CHARS", piece_chars)
    _assert_fast_is_general(diff_texts(old, new, kind))
    _assert_fast_is_general(diff_texts(new, old, kind), notices={"reg-3": ["A conflict."]})


def _real_edits(text: str, seed: int) -> str:
    """A word changed on one line in twelve, one block deleted and one moved."""
    rng = random.Random(seed)
    lines = text.split("\n")
    for i in range(0, len(lines), 12):
        if " " in lines[i]:
            lines[i] = lines[i].replace(" ", " amended ", 1)
    start = rng.randrange(len(lines) // 2)
    moved = lines[start:start + 5]
    del lines[start:start + 5]
    del lines[rng.randrange(len(lines)) // 2]
    at = rng.randrange(len(lines) // 2, len(lines))
    return normalise("\n".join(lines[:at] + moved + lines[at:]))


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
@pytest.mark.parametrize("piece_chars", [400, redline.PIECE_CHARS])
@pytest.mark.parametrize("links", [True, False])
def test_real_texts_redlines_are_the_same_by_the_fast_paths(name, piece_chars, links, monkeypatch):
    kind = REAL_TEXTS[name]
    old = normalise((FIXTURES / name).read_text(encoding="utf-8"))
    if not links:
        old = _without_links(old)
        assert not commonmark.needs_markdown_it(old)
    monkeypatch.setattr(html_redline, "PIECE_CHARS", piece_chars)
    for seed in range(3):
        body = _assert_fast_is_general(diff_texts(old, _real_edits(old, seed), kind))
        assert body.count(b" data-provision=") > 10


def test_the_fast_anchors_serve_the_usual_pieces(monkeypatch):
    """The fast path is no dead branch: on real texts that cmark renders, most pieces take it."""
    matched = anchoring.Anchors._apply_matched
    taken = []
    monkeypatch.setattr(anchoring.Anchors, "_apply_matched",
                        lambda self, *args: taken.append(matched(self, *args)) or taken[-1])
    monkeypatch.setattr(html_redline, "PIECE_CHARS", 400)
    for name, kind in REAL_TEXTS.items():
        old = _without_links(normalise((FIXTURES / name).read_text(encoding="utf-8")))
        redline.render_html_utf8(diff_texts(old, _real_edits(old, 1), kind))
    assert sum(result is not None for result in taken) > len(taken) / 2 > 20


marked = st.lists(st.one_of(st.sampled_from(["\ue000", "\ue001", "\ue002", "\ue003", "\ue01f", "\ue005", "\uf000"]),
                            st.builds(lambda n: marking._number(n), st.integers(0, 10 ** 6)),
                            st.text(max_size=5)), max_size=12).map("".join)


@given(text=marked)
def test_marks_are_read_alike_in_utf8(text):
    """The UTF-8 split finds the marks the str pattern finds, and reads their numbers alike."""
    expected, last = [], 0
    for match in marking.MARKER.finditer(text):
        expected += [text[last:match.start()], match.group()]
        last = match.end()
    expected.append(text[last:])
    encoded = text.encode("utf-8", "surrogatepass")
    parts = marking.MARK_UTF8.split(encoded)
    assert [part.decode("utf-8", "surrogatepass") for part in parts] == expected
    for mark, match in zip(parts[1::2], marking.MARKER.finditer(text)):
        if match[2] is not None:
            digits = "".join(str(ord(char) - 0xE010) for char in match[2])
            assert int(mark[3:-3][2::3].translate(marking.DIGITS_TO_ASCII)) == int(digits)
    if marking.MARKER.search(text):
        assert marking.may_hold_marks(encoded)
