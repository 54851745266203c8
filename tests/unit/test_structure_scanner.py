"""The drafting-format scanner finds exactly the provisions markdown-it does, on every
text it accepts, and accepts the texts regdraft actually holds."""

from pathlib import Path

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from bench.corpus import edit_lines, insert_regulation, move_block, regulation_text, renumbered
from regdraft.core.errors import InvalidStructure
from regdraft.core.structure import builder, markdown, parse_structure, parsing, scanner
from regdraft.core.traditions import tradition

ROOT = Path(__file__).resolve().parents[2]
WORKED_CASE = sorted((ROOT / "drafts" / "children-social-care-delegation" / "versions").glob("*.md"))


def _with_markdown_it(text: str, strict: bool = False):
    return markdown.read_with_markdown_it(text, strict, 10**9)


def _assert_scanned_like_markdown_it(text: str) -> None:
    scanned = scanner.scanned(text, False)
    assert scanned is not None, "the scanner declined"
    assert scanned == _with_markdown_it(text)


# Lines of the drafting format and its near misses; indentation and the blank lines
# between them are drawn separately, so items nest, lists go loose, paragraphs continue
# lazily and blocks get interrupted in every combination.
_LINES = [
    "## Part 1: General", "## Schedule 1: Forms", "## Schedule", "## Explanatory note", "# The Regulations",
    "#### Minor heading", "### 3. Heading", "### 3A. Inserted", "### 1. Para", "### 2.", "### 4. Closed ##",
    "### About C#", "###", "(1) The authority may—", "(2) A body.", "(2A) Inserted.", "(a) lettered text",
    "(i) roman text", "(A) capital", "Plain text.", "“(3)” quoted", "2019 was a year", "1.5 metres", "-dash",
    "- (a) first;", "- (b) second—", "- (i) head;", "- (ii) head.", "-   (c) wide gap", "- plain item",
    "-", "- ", "* (d) star", "+ (e) plus", "1. Numbered", "2. Numbered", "1) Paren", "01. Zero", "3.",
    "> Quoted note.", "> (1) A quoted paragraph.", "> *Bold* note", ">No space", "(1)  trailing  ", "(1)\u00a0nbsp",
    "- (a)", "-  (b) two spaces", "1.    (c) four spaces", "1234567890. too long to be a number", "#", "(B)",
    "[F1 (3) Substituted text.]", "[Omitted]", "- [F2 (c) item]", "[ (4) spaced", "[F3 ### 5. not a heading]",
]
# Outside the modelled subset: the scanner must decline these, or get them right.
_OTHER_LINES = ["```", "<div>", "[ref]: /url", "---", "***", "=", "--", "> > nested", "\tTabbed",
                "- > quote in item", "- # heading in item", "1. - nested on one line", ">", "-     five spaces",
                "\u00a0(1) no-break space", "~~~", "<!-- comment -->", "(1) x \r"]
# Indentation moves from line to line as list items nest and unnest (far enough in, a
# block is code, which the scanner declines); headings and quotes are never indented
# (the scanner declines those too).
_INDENT_STEPS = [-8, -4, -2, -2, -1, 0, 0, 0, 0, 1, 2, 2, 3, 4]
_SEPARATORS = ["\n", "\n", "\n\n", "\n\n", "\n\n\n", "\n  \n"]


@st.composite
def _drafts(draw) -> str:
    pool = _LINES + (_OTHER_LINES if draw(st.integers(0, 3)) == 0 else [])
    text, indent = "", 0
    for _ in range(draw(st.integers(0, 30))):
        line = draw(st.sampled_from(pool))
        indent = 0 if line[0] in "#>" else max(0, indent + draw(st.sampled_from(_INDENT_STEPS)))
        text += " " * indent + line + draw(st.sampled_from(_SEPARATORS))
    return text + draw(st.sampled_from(["", "", "   ", "end without a newline"]))


@settings(max_examples=1500, deadline=None)
@given(_drafts())
@example("### 1. A\n\n(1) x\n-\n")  # a setext underline: declined, not misread
@example("- (a) x\n\n-\n\n\n  (b) y\n")
@example("## Schedule 1: Forms\n1. - nested on one line\n")  # not a paragraph "1. - nested"
def test_whenever_the_scanner_accepts_a_text_it_finds_what_markdown_it_finds(text):
    scanned = scanner.scanned(text, False)
    event("scanned" if scanned is not None else "declined")
    if scanned is not None:
        assert scanned == _with_markdown_it(text)


@settings(max_examples=300, deadline=None)
@given(_drafts())
def test_strict_reading_fails_or_succeeds_as_markdown_it_does(text):
    # A text without a heading line is read line by line, as published (a short
    # unnumbered line heads the unit after it), and one with front matter has metadata:
    # neither is Markdown for the two readers to agree on.
    markdown = bool(parsing.HEADING_LINE.search(text)) and not text.startswith("---")
    event("markdown" if markdown else "read line by line")
    if not markdown:
        return
    try:
        expected = _with_markdown_it(text, strict=True)
    except InvalidStructure as error:
        with pytest.raises(InvalidStructure) as raised:
            parse_structure(text)
        assert raised.value.args == error.args
    else:
        # A strict reading also refuses what it warns about.
        assert parse_structure(text, strict=False).provisions == expected


_REG = "### 3. Heading\n\n"


@pytest.mark.parametrize("text", [
    # Lazy continuation: a line that cannot interrupt a paragraph continues it.
    _REG + "- (a) first\n(2) continues (a), not a paragraph\n",
    _REG + "(1) Lead\n2. an ordered list must start at 1 to interrupt\n",
    _REG + "(1) Lead\n1. starting at 1 it interrupts\n",
    _REG + "(1) Lead\n01) so does 01\n",
    _REG + "(1) Lead\n* \n- an empty item does not interrupt\n",
    _REG + "- (a) item\n  1. nested, starting anywhere\n  4. and going on\n",
    _REG + "(1) Lead\n    - (a) four columns in: continuation\n",
    # The special case: a marker four columns past the list but left of the item's text.
    "- a\n - b\n  - c\n   - d\n    - e\n",
    # Where list items end: blank lines between items, loose lists, the last item.
    _REG + "(1) Lead—\n\n- (a) one;\n\n- (b) two;\n  - (i) head;\n\n  - (ii) head.\n\n\n(2) Next.\n",
    _REG + "- (a) one\n\n  continued in (a)\n\n  - (i) head\n\n    continued in (i)\n(x) lazy\n\n(2) out\n",
    _REG + "- (a) last item, then the end",
    _REG + "- (a) last item, then blank lines\n\n\n",
    _REG + "- (a) last item, then spaces\n   ",
    # List items whose first line is empty.
    _REG + "-\n  (a) text on the next line\n",
    _REG + "-\n(a) not in the item\n",
    _REG + "-\n\n  (a) one blank line ends an empty item\n",
    _REG + "-\n\n- (b) and the list goes on\n",
    _REG + "-\n\n\n- (b) two blank lines end the list\n",
    _REG + "- (a) x\n -\n\n  - (ii) y\n",
    _REG + "-",
    # Content columns: one to four spaces after the marker.
    _REG + "-   (a) wide\n    - (i) nested at the content column\n   - (ii) left of it: a sibling of (a)\n",
    _REG + "1.  (a) ordered\n    - (i) nested\n",
    # Ordered items in schedules, numbered as written.
    "## Schedule 1: Forms\n\n1. First\n2. Second\n\n   (1) inside 2\n\n01. Zero-padded\n\n(1) after the list\n",
    "## Schedule 2\n\n### 1. Inspection\n\n(1) A provider.\n\n- (a) x\n",
    # Quotes, headings with closing hashes, no trailing newline.
    "> (1) quoted\n> second line\n\n### 1. A ##\n\n> (1) a quoted paragraph counts\n",
    "### 7. C# \n\n### 8.  #\n\n## Part 2 ##\n\n(1) x",
    "\n\n   \n### 1. Leading blank lines\n",
    "",
    "   ",
    # Consolidated legislation's amendment markers open lines; with no definition in
    # the text a "[" starts plain text, in a paragraph or an item.
    _REG + "[F1 (1) A substituted paragraph.]\n\n(2) Kept.\n\n- [F2 (a) an item;]\n- (b) [F3 text]\n[Omitted]\n",
])
def test_the_scanner_reads_each_subtlety_as_markdown_it_does(text):
    _assert_scanned_like_markdown_it(text)


@pytest.mark.parametrize("text", [
    _REG + "```\n- (a) in a fence\n```\n",
    _REG + "<div>\n\n(1) html\n</div>\n",
    _REG + "(1)\tTabbed\n",
    _REG + "(1) Setext\n-\n",
    _REG + "(1) Setext\n===\n",
    _REG + "- (a) item\n  -\n",  # a setext underline inside the item
    _REG + "    (1) indented code\n",
    _REG + "- (a) x\n\n      (1) code inside the item\n",
    _REG + "---\n",
    _REG + "[ref]: /url\n",
    _REG + "[F1 (1) amended text.]\n\nSee [the note].\n\n[the note]: /notes\n",  # a definition makes "[" a risk
    _REG + "> > nested quote\n",
    _REG + "> quote\nlazy line\n",
    _REG + "- > quote in an item\n",
    _REG + "- - two markers on a line\n",
    _REG + "-     five spaces after the marker\n",
    _REG + "(1) Windows\r\n",
    _REG + "\u00a0(1) begins with a no-break space\n",
    _REG + "".join("  " * depth + f"- ({depth}) deep\n" for depth in range(10)),
])
def test_the_scanner_declines_what_it_does_not_model(text):
    assert scanner.scanned(text, False) is None
    assert parse_structure(text, strict=False).provisions == _with_markdown_it(text)


@pytest.mark.parametrize("path", WORKED_CASE, ids=lambda path: path.name)
def test_the_worked_case_is_read_by_the_scanner(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    _assert_scanned_like_markdown_it(text)
    expected = _with_markdown_it(text, strict=True)

    def markdown_it_is_not_needed(*args):
        raise AssertionError("parse_structure fell back to markdown-it")

    monkeypatch.setattr(parsing, "read_with_markdown_it", markdown_it_is_not_needed)
    assert parse_structure(text).provisions == expected


def test_benchmark_texts_and_their_edits_are_read_by_the_scanner():
    text = regulation_text(50_000, seed=7)
    for version in (text, edit_lines(text, 0.1)[0], insert_regulation(text), move_block(text), renumbered(text)[0]):
        _assert_scanned_like_markdown_it(version)


def test_a_duplicate_found_by_the_scanner_is_reported_as_markdown_it_reports_it():
    text = _REG + "(1) A.\n\n(1) B.\n"
    with pytest.raises(InvalidStructure, match="lines 3 and 5"):
        parse_structure(text)


def test_the_scanner_matches_markdown_it_with_every_rule_on(monkeypatch):
    """The scanner is compared above with markdown-it reading with the rules that cannot
    fire switched off; switching them off is itself checked in test_structure.py, and here
    once more for a text that uses none of them."""
    text = (ROOT / "docs" / "drafting-format.md").read_text(encoding="utf-8").split("```markdown\n")[1].split("```")[0]
    scanned = scanner.scanned(text, False)
    monkeypatch.setattr(markdown, "_rules_that_cannot_fire", lambda text: frozenset())
    assert scanned == _with_markdown_it(text)


# Lines of the other kinds' conventions: the fast paths the scanner takes for labelled
# blocks, ordered items and quotations must give what markdown-it's reading gives, for
# every tradition's builder.
_KIND_LINES = {
    "uk-act": ["### 1 Section", "### Chapter 2: C", "### Cross heading", "## Schedule 2: S", "### Part 1: SP",
               "“(4A) quoted", "(4B) still quoted.”"],
    "us-cfr": ["# PART 1005—P", "## Subpart A—General", "### § 1005.2 Definitions.", "(a)(1) two at once",
               "(*1*) italic", "## Appendix A to Part 1005—Forms", "### A-1—Model", "## Supplement I to Part 1005—I",
               "### Section 1005.2 Definitions", "#### 2(a) Access", "##### Paragraph 2(b)(2)", "i. roman comment",
               "ii. second", "A. capital comment", "### Appendix A—Forms"],
    "eu-act": ["## Title I: T", "## Chapter II: C", "### Section 1: S", "### Article 3: A", "### Article 4",
               "## Annex I: X", "## ANNEX", "(12) Whereas", "> ‘(1) quoted point", "- (2) still quoted’;",
               "HAVE ADOPTED THIS REGULATION:"],
}


@st.composite
def _kind_drafts(draw, kind: str) -> str:
    pool = _LINES + _KIND_LINES[kind]
    text, indent = "", 0
    for _ in range(draw(st.integers(0, 30))):
        line = draw(st.sampled_from(pool))
        indent = 0 if line[0] in "#>" else max(0, indent + draw(st.sampled_from(_INDENT_STEPS)))
        text += " " * indent + line + draw(st.sampled_from(_SEPARATORS))
    return text


@pytest.mark.parametrize("kind", sorted(_KIND_LINES))
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_the_scanner_reads_every_kind_as_markdown_it_does(kind, data):
    text = data.draw(_kind_drafts(kind))
    t = tradition(kind)
    scanned = scanner.scanned(text, False, builder.Builder(False, t))
    if scanned is not None:
        assert scanned == markdown.read_with_markdown_it(text, False, 10**9, builder.Builder(False, t))
