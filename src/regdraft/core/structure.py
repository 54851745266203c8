"""Provisions: the numbered units of a regulation, found in its CommonMark blocks.

The convention is written down in ``docs/drafting-format.md``. In short: level-2
headings open Parts, schedules and other sections; ``### 3. Heading`` opens a
regulation; a block starting ``(1)`` is a paragraph; list items starting ``(a)`` are
sub-paragraphs, and list items nested under those are heads. Nesting, not spelling,
decides whether ``(i)`` is a letter or a roman numeral.

Every provision has a stable id (``reg-3-2-a``), a label (``regulation 3(2)(a)``) and
a span of character offsets; spans nest, so :meth:`Structure.at` can map any offset
to the innermost provision.
"""

from __future__ import annotations

import bisect
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim

from regdraft.core.errors import InvalidStructure
from regdraft.core.traditions import DEFAULT_KIND, KINDS

PREAMBLE = "preamble"

_REGULATION = re.compile(r"^(\d+[A-Z]*)\.(?:\s+(.*))?$")
_PART = re.compile(r"^Part\s+(\d+[A-Z]*)\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_SCHEDULE = re.compile(r"^Schedule(?:\s+(\d+[A-Z]*))?\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_LABEL_BODY = r"\((?P<{}>[0-9]+[A-Z]*|[a-z]+|[A-Z]+)\)(?=\s|$)"
_LABEL = re.compile("^" + _LABEL_BODY.format("label"))
_SLUG = re.compile(r"[^a-z0-9]+")

# Levels only order units against each other when spans are closed.
_SECTION, _REG, _PARA = 1, 2, 3


class Provision(NamedTuple):
    """A numbered unit of the text.

    A named tuple, not a dataclass: a long regulation has tens of thousands of
    provisions, and a tuple is made at C speed and takes a third of the memory of an
    object with a ``__dict__``."""

    id: str
    """Stable, lower-case id: ``reg-3-2-a``, ``sch-1-para-2``, ``part-2``, ``preamble``."""
    label: str
    """How a drafter names it: ``regulation 3(2)(a)``, ``paragraph 2 of Schedule 1``."""
    kind: str
    """``preamble``, ``part``, ``schedule``, ``section``, ``regulation``, ``paragraph``,
    ``sub-paragraph``, ``head``, ``schedule-paragraph``, ``schedule-sub-paragraph``, or
    ``item`` (anything nested below a head)."""
    number: str
    """Its own number as written (``3``, ``2A``, ``a``, ``ii``); empty for sections."""
    parent: str | None
    start: int
    end: int
    line: int
    """1-based line where it starts."""
    heading: str = ""


@dataclass(frozen=True)
class Structure:
    """The provisions of one text, in document order (parents before children)."""

    text: str = field(repr=False)
    provisions: tuple[Provision, ...] = ()
    _starts: tuple[int, ...] = field(repr=False, compare=False, default=())
    _by_id: dict = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(p.start for p in self.provisions))
        object.__setattr__(self, "_by_id", {p.id: p for p in self.provisions})

    def get(self, provision_id: str) -> Provision | None:
        return self._by_id.get(provision_id)

    def __contains__(self, provision_id: object) -> bool:
        return provision_id in self._by_id

    def at(self, offset: int) -> Provision | None:
        """The innermost provision whose span holds ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            p = self.provisions[i]
            if p.start <= offset < p.end or (offset == p.end == len(self.text) and p.start < p.end):
                return p
            i -= 1
        return None

    def ancestors(self, provision: Provision) -> list[Provision]:
        chain = []
        while provision.parent is not None:
            provision = self._by_id[provision.parent]
            chain.append(provision)
        return chain

    def _words_end(self, provision: Provision) -> int:
        """Where the provision's last word ends (its span also holds the blank lines after it)."""
        end = provision.end
        while end > provision.start and self.text[end - 1].isspace():
            end -= 1
        return end

    def touching(self, start: int, end: int) -> list[Provision]:
        """The provisions a change of ``text[start:end]`` touches, outermost where a
        whole provision lies inside the range; for an empty range, the one at ``start``."""
        if start >= end:
            hit = self.at(start)
            return [hit] if hit else []
        covered = {p.id for p in self.provisions if start <= p.start and self._words_end(p) <= end}
        cuts = sorted({start} | {b for p in self.provisions for b in (p.start, p.end) if start < b < end})
        result: list[Provision] = []
        for cut in cuts:
            hit = self.at(cut)
            if hit is None:
                continue
            outer = [a for a in self.ancestors(hit) if a.id in covered]
            if outer:
                hit = outer[-1]
            if hit not in result:
                result.append(hit)
        return result


def parse_structure(text: str, *, kind: str = DEFAULT_KIND, strict: bool = True,
                    chunk_bytes: int = 65536) -> Structure:
    """Find the provisions of ``text``, a document of ``kind`` (``core.traditions.KINDS``).

    With ``strict`` a duplicate id raises :class:`InvalidStructure` naming both lines;
    without it (for texts in the middle of being amended, where two amendments may
    each add a regulation 5) the later one is given the id ``reg-5~2``.
    ``chunk_bytes`` only bounds memory (see :func:`_block_tokens`); it never changes
    the result.

    Texts written in the drafting format are read by :func:`_scanned`, a line scanner
    for the part of CommonMark the format uses; any other text, and any text where the
    scanner is unsure, is read by markdown-it. Both give the same provisions.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of document {kind!r}")
    with collector_paused():
        try:
            provisions = _scanned(text, strict)
        except InvalidStructure:
            # The scan may have stopped at a duplicate before reaching a line it declines
            # (a setext underline can turn an earlier paragraph into a heading), so the
            # error is markdown-it's to give.
            provisions = None
        if provisions is None:
            provisions = _read_with_markdown_it(text, strict, chunk_bytes)
        return Structure(text, provisions)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while provisions are read or a diff is
    grouped, and resumed after, however that ends (left off if it was off).

    Both make a few objects per provision (hundreds of thousands for 5 MB), all kept
    until the result is made or let go together, and none in a reference cycle
    (tested, on both readers' paths): a collection in the middle finds nothing to
    free, but walks every one of them, over and over as they age (at 5 MB, 160 ms of
    a 1.3 s diff pipeline). Paused, they are walked once, after. Only cycles made
    meanwhile by other threads wait, for as long as the reading takes; nothing else
    about the collector changes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- Reading with markdown-it ------------------------------------------------------

# A heading at the start of a line after a blank line closes every open block (list,
# quote, paragraph, indented code), so a text can be read in pieces cut there, unless
# fences or HTML blocks, which a heading does not close, occur at all.
_CUT = re.compile(r"\n\n(?=#{1,6} )")
_UNSPLITTABLE = re.compile(r"^ {0,3}(?:```|~~~|<)", re.M)


def pieces_between_headings(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``text`` in consecutive pieces of at least ``size`` characters (the last may be
    shorter), each cut just before a heading that follows a blank line, with the 0-based
    line each starts at. The caller makes sure nothing in ``text`` runs across such a
    heading (no fences or HTML blocks)."""
    start = line = 0
    while start < len(text):
        cut = _CUT.search(text, start + size)
        stop = cut.start() + 2 if cut else len(text)
        yield line, text[start:stop]
        line += text.count("\n", start, stop)
        start = stop


def _block_tokens(text: str, chunk_bytes: int):
    """markdown-it's block tokens of ``text``, in lists of about ``chunk_bytes``
    characters, with line maps counted from the start of the whole text. A long text's
    tokens all at once would take 25 times its size in memory."""
    parser = _parser(_rules_that_cannot_fire(text))
    if len(text) <= chunk_bytes or _UNSPLITTABLE.search(text):
        yield parser.parse(text)
        return
    for line, piece in pieces_between_headings(text, chunk_bytes):
        tokens = parser.parse(piece)
        if line:
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + line, token.map[1] + line]
        yield tokens


# What must occur somewhere in a text for each block rule to fire on it (also inside
# list items and quotes, so nothing is anchored to the start of a line). markdown-it
# tries every rule on every line; a regulation uses few of them, and switching off the
# others makes reading it a fifth faster with the same tokens.
_RULE_NEEDS = {
    "code": re.compile(r" {4}|\t"),  # four columns of indentation, after any container marker
    "fence": re.compile(r"```|~~~"),
    "blockquote": re.compile(r">"),
    "hr": re.compile(r"([*_-])[ \t]*\1[ \t]*\1"),
    "reference": re.compile(r"\["),
    "html_block": re.compile(r"<"),
    "lheading": re.compile(r"(?:^|[ \t>])(?:=+|-+)[ \t]*$", re.M),
}


def _rules_that_cannot_fire(text: str) -> frozenset[str]:
    return frozenset(rule for rule, needs in _RULE_NEEDS.items() if not needs.search(text))


@lru_cache(maxsize=16)
def _parser(switched_off: frozenset[str] = frozenset()) -> MarkdownIt:
    # Only block tokens matter here (an inline token's ``content`` is set by the block
    # parser); skipping inline parsing makes a long text a third faster to read.
    return MarkdownIt("commonmark").disable(["inline", "text_join", *sorted(switched_off)])


_NEWLINE = re.compile(r"\n")


def _read_with_markdown_it(text: str, strict: bool, chunk_bytes: int) -> tuple[Provision, ...]:
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    n_lines = len(line_starts)

    def offset(line: int) -> int:
        return line_starts[line] if line < n_lines else len(text)

    build = _Builder(strict)
    for tokens in _block_tokens(text, chunk_bytes):
        list_depth = 0
        for i, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "heading_open" and tok.tag in ("h2", "h3"):
                line = tok.map[0]
                build.heading(int(tok.tag[1]), tokens[i + 1].content, line, offset(line))
            elif tok.type == "paragraph_open" and list_depth == 0:
                line = tok.map[0]
                build.paragraph(_label(tokens[i + 1].content), line, offset(line))
            elif tok.type == "list_item_open":
                line, end_line = tok.map
                # The item's own text is the inline token of its first block.
                inline = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None
                build.list_item(list_depth, tok.info, _label(inline.content) if inline is not None else None,
                                line, offset(line), end_line, offset(end_line))
    return build.provisions(n_lines, len(text))


def _label(content: str) -> str | None:
    match = _LABEL.match(content)
    return match.group(1) if match else None


# --- Reading with the drafting-format scanner --------------------------------------
#
# The scanner reads the block structure markdown-it would find, for texts built from
# ATX headings, paragraphs, bullet and ordered lists (nested by indentation, tight or
# loose, with lazy continuation lines) and one-paragraph block quotes. One regular
# expression matches a block at a time (its first line, the lines that continue its
# paragraph, and the blank lines after it), so Python runs once per block, not per
# line. A text using anything else (tabs, fences, HTML, references, thematic breaks,
# setext headings, indented code, nested quotes, ...) is declined and read by
# markdown-it; so is anything the scanner meets that it does not model exactly.

# The start of the text of a paragraph or list item: not whitespace (which
# markdown-it's trim would strip before the label), and nothing that could start
# another kind of block (ATX heading, quote, HTML, fence, bullet, and a link reference
# definition where the text has one) or make one (a thematic break, a setext underline).
def _safe(brackets: bool) -> str:
    return r"""(?!
    [-*+](?:[ ]|$) | ```|~~~ | =+[ ]*$ | -+[ ]*$
  | \*(?:[ ]*\*){2,}[ ]*$ | _(?:[ ]*_){2,}[ ]*$ | -(?:[ ]*-){2,}[ ]*$
)[^\s\#><""" + ("" if brackets else r"\[") + "]"


_MARKER = r"[-*+]|[0-9]{1,9}[.)]"
_NOT_ORDERED = r"(?![0-9]{1,9}[.)](?:[ ]|$))"


def _optional_label(name: str) -> str:
    return "(?:" + _LABEL_BODY.format(name) + ")?"


def _block(brackets: bool) -> re.Pattern:
    safe = _safe(brackets)
    # Lines that continue a paragraph whatever holds it: not blank, not a list marker
    # (whether that interrupts depends on where the paragraph is, so a block of its own
    # decides), and starting like text.
    continuation = rf"(?:\n(?![ ]*(?:{_MARKER})(?:[ ]|$))[ ]*{safe}[^\n]*)*"
    return re.compile(rf"""
    ^(?:
        (?P<hashes>\#{{1,6}})(?:[ ](?P<heading>[^\n]*))?$
      | >[ ]?{_NOT_ORDERED}(?={safe}){_optional_label("quoted")}[^\n]*
        (?:\n>[ ]?{_NOT_ORDERED}{safe}[^\n]*)*(?=\n?\Z|\n[ ]*$)
      | (?P<indent>[ ]*)(?P<marker>{_MARKER})
        (?:(?P<gap>[ ]{{1,4}}){_NOT_ORDERED}(?={safe}){_optional_label("item")}[^\n]*{continuation}
          | [ ]*$)
      | (?P<lead>[ ]*)(?!(?:{_MARKER})(?:[ ]|$))(?={safe}){_optional_label("text")}[^\n]*{continuation}
    )
    (?P<blanks>(?:\n[ ]*$)*)\n?
""", re.M | re.X)


# A line may start with "[" (consolidated legislation's "[F1 ...]" amendment markers,
# "[Omitted]") wherever it cannot open a link reference definition, which needs "]:".
_BLOCK, _BLOCK_WITH_BRACKETS = _block(brackets=False), _block(brackets=True)
_LEADING_BLANKS = re.compile(r"(?:[ ]*\n)*(?:[ ]*\Z)?")
# Characters markdown-it reads differently from the scanner (tab stops, line endings it
# normalises, NUL it replaces).
_UNMODELLED = ("\t", "\r", "\0", "\x0b", "\x0c")
# markdown-it stops nesting at 20 levels; a list item's content sits two levels deeper
# than its list.
_MAX_LIST_DEPTH = 8
_OUTDENTED_FROM_EVERYTHING = 1 << 30


def _scanned(text: str, strict: bool, build: _Builder | None = None) -> tuple[Provision, ...] | None:
    """The provisions of ``text`` as markdown-it would find them, or ``None`` where the
    text uses Markdown the scanner does not model. ``build`` may come already holding
    the section a stretch of a longer text stands in (see :class:`StretchReader`)."""
    if any(c in text for c in _UNMODELLED):
        return None
    n_lines = text.count("\n") + 1
    # markdown-it has no line for an empty or spaces-only tail after the last newline.
    tail = text.rfind("\n") + 1
    if tail == len(text) or not text[tail:].strip(" "):
        eof_line, eof = n_lines - 1, tail
    else:
        eof_line, eof = n_lines, len(text)

    if build is None:
        build = _Builder(strict)
    pos = _LEADING_BLANKS.match(text).end()
    line = text.count("\n", 0, pos)
    # Open list items, innermost last: [content column, the list's own indent, unit].
    items: list[list] = []
    # (content column, list indent) of the paragraph the next line may continue.
    paragraph: tuple[int, int] | None = None
    # A list item whose first line is empty: its text is the next line's, if it holds it.
    pending: tuple | None = None
    block = _BLOCK if "]:" in text else _BLOCK_WITH_BRACKETS
    for m in block.finditer(text, pos):
        start = m.start()
        if start != pos:
            return None
        pos = m.end()
        first = line
        line += text.count("\n", start, pos)
        hashes, heading, quoted, indent, marker, gap, item_label, lead, text_label, blanks = m.groups()

        if pending is not None:
            depth, info, item_line, item_start = pending
            inside = lead is not None and len(lead) >= items[-1][0]
            items[-1][2] = build.list_item(depth, info, text_label if inside else None, item_line, item_start)
            pending = None

        if paragraph is not None:
            if lead is not None:
                continues = True
            elif marker is not None:
                continues = _continues(paragraph, len(indent), marker, gap is None)
                if continues is None:
                    return None
            else:
                continues = False  # a heading or a quote
            if continues:
                if blanks:
                    paragraph = None
                continue
            paragraph = None

        # A new block at ``first``: it closes the list items it is outdented from.
        column = len(lead if lead is not None else indent or "")
        while items and column < items[-1][0]:
            unit = items.pop()[2]
            if unit is not None:
                unit.close(first, start)
        container = items[-1][0] if items else 0
        if column - container >= 4:
            return None  # indented code
        if hashes is not None:
            if len(hashes) in (2, 3):
                build.heading(len(hashes), _atx_heading_content(heading or ""), first, start)
        elif lead is not None:
            if not items:
                build.paragraph(text_label, first, start)
            if not blanks:
                paragraph = (items[-1][0], items[-1][1]) if items else (0, -1)
        elif marker is None:  # a quote: one paragraph, followed by a blank line
            build.paragraph(quoted, first, start)
        else:
            depth = len(items) + 1
            if depth > _MAX_LIST_DEPTH:
                return None
            info = marker[:-1] if marker[-1] in ".)" else ""
            if gap is not None:
                content = column + len(marker) + len(gap)
                items.append([content, container, build.list_item(depth, info, item_label, first, start)])
                if not blanks:
                    paragraph = (content, container)
            elif not blanks and pos < len(text):
                items.append([column + len(marker) + 1, container, None])
                pending = (depth, info, first, start)
            else:
                # markdown-it ends an empty item two lines on when the next is blank.
                unit = build.list_item(depth, info, None, first, start)
                if first + 2 >= eof_line:
                    unit_end = (eof_line, eof)
                elif blanks.count("\n") >= 2:  # and its list with it
                    unit_end = (first + 2, text.find("\n", text.find("\n", start) + 1) + 1)
                else:  # the next line ends it, and may be the list's next item
                    items.append([_OUTDENTED_FROM_EVERYTHING, container, unit])
                    continue
                if unit is not None:
                    unit.close(*unit_end)
    if pos != len(text):
        return None
    for _, _, unit in items:
        if unit is not None:
            unit.close(eof_line, eof)
    return build.provisions(n_lines, len(text))


def _continues(paragraph: tuple[int, int], column: int, marker: str, empty: bool) -> bool | None:
    """Whether a list-marker line right after a paragraph line continues the paragraph
    lazily rather than starting a list item (markdown-it's paragraph, setext heading
    and list rules); ``None`` for a setext underline, which the scanner declines."""
    container, list_indent = paragraph
    if column - container > 3:
        return True
    if column >= container:
        if empty:
            return None if marker == "-" else True
        return marker[-1] in ".)" and int(marker[:-1]) != 1  # only a list starting at 1 interrupts
    return list_indent >= 0 and column - list_indent >= 4


def _atx_heading_content(after_hashes: str) -> str:
    """markdown-it's heading content: the closing run of ``#`` is dropped when a space
    stands before it."""
    content = after_hashes.rstrip(" ")
    unclosed = content.rstrip("#")
    if len(unclosed) < len(content) and unclosed.endswith(" "):
        content = unclosed
    return mdTrim(content)


# --- Building provisions from blocks -----------------------------------------------

class _Open:
    """A provision being built: its end is fixed by what follows it. Its first nine
    fields become the provision's own, once it is closed."""

    __slots__ = ("id", "label", "kind", "number", "parent", "start", "end", "line", "heading",
                 "base_label", "suffix", "level", "end_line")

    def __init__(self, id: str, label: str, suffix: str, kind: str, number: str, parent: str | None, level: int,
                 line: int, start: int, end_line: int | None = None, end: int | None = None,
                 heading: str = "") -> None:
        self.id, self.label, self.kind, self.number, self.parent = id, label + suffix, kind, number, parent
        self.start, self.end, self.line, self.heading = start, end, line + 1, heading
        self.base_label, self.suffix, self.level, self.end_line = label, suffix, level, end_line

    def close(self, line: int, start: int) -> None:
        self.end_line = line
        self.end = start


class _Builder:
    """Provisions from the blocks of a text in document order, as either reader finds
    them: headings, paragraphs outside lists and list items, each with its 0-based line
    and the offset where that line starts. A unit is closed by the next one at its own
    or a higher level; a list item's end is its block's end."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.built: list[_Open] = []
        self.stack: list[_Open] = []
        self.seen: dict[str, _Open] = {}

    def heading(self, level: int, content: str, line: int, start: int) -> None:
        content = content.strip()
        if level == 2:
            self._close_until(line, start, _SECTION)
            self._open(_section(content, line, start))
        else:
            unit = _regulation_or_schedule_paragraph(content, line, start,
                                                     self._innermost(("schedule", "part", "section")))
            if unit is not None:
                self._close_until(line, start, _REG)
                unit.parent = self.stack[-1].id if self.stack else None
                self._open(unit)

    def paragraph(self, label: str | None, line: int, start: int) -> None:
        if label is None or not label[0].isdigit():
            return
        holder = self._innermost(("regulation", "schedule-paragraph"))
        if holder is not None:
            self._close_until(line, start, _PARA)
            kind = "paragraph" if holder.kind == "regulation" else "schedule-sub-paragraph"
            self._open(_child(holder, label, kind, line, start, _PARA))

    def list_item(self, depth: int, info: str, label: str | None, line: int, start: int,
                  end_line: int | None = None, end: int | None = None) -> _Open | None:
        """An item's end may instead be given later, by closing the returned unit before
        any block at or above its depth."""
        self._close_until(line, start, _PARA + depth)
        if not self.stack:
            return None
        parent = self.stack[-1]
        kind = parent.kind
        if info and kind == "schedule" and depth == 1:
            unit = _schedule_paragraph(parent, info, line, start, end_line, end)
        elif label is None or kind not in _CHILD_KIND:
            return None
        else:
            unit = _child(parent, label, _CHILD_KIND[kind], line, start, _PARA + depth, end_line, end)
        self._open(unit)
        return unit

    def provisions(self, n_lines: int, text_length: int) -> tuple[Provision, ...]:
        self._close_until(n_lines, text_length, 0)
        built, self.built = self.built, []
        self.seen.clear()
        provisions: list[Provision] = []
        first_start = built[0].start if built else text_length
        if first_start > 0 or not built:
            provisions.append(Provision(PREAMBLE, "the preamble", "preamble", "", None, 0, first_start, 1))
        # Each unit is let go as its provision is made, so a long text's units and
        # provisions are not all held at once.
        make, append = Provision._make, provisions.append
        for i, unit in enumerate(built):
            built[i] = None
            append(make((unit.id, unit.label, unit.kind, unit.number, unit.parent, unit.start, unit.end, unit.line,
                         unit.heading)))
        return tuple(provisions)

    def _close_until(self, line: int, start: int, level: int) -> None:
        stack = self.stack
        while stack:
            top = stack[-1]
            if top.end_line is not None:
                if top.end_line > line:
                    break
            elif top.level >= level:
                top.close(line, start)
            else:
                break
            stack.pop()

    def _open(self, unit: _Open) -> None:
        seen = self.seen
        if unit.id in seen:
            first = seen[unit.id]
            if self.strict:
                raise InvalidStructure(
                    f"duplicate provision {unit.label!r}: lines {first.line} and {unit.line}",
                    provision=unit.id, lines=[first.line, unit.line])
            n = 2
            while f"{unit.id}~{n}" in seen:
                n += 1
            unit.id = f"{unit.id}~{n}"
        seen[unit.id] = unit
        self.built.append(unit)
        self.stack.append(unit)

    def _innermost(self, kinds: tuple[str, ...]) -> _Open | None:
        for unit in reversed(self.stack):
            if unit.kind in kinds:
                return unit
        return None


def _section(content: str, line: int, start: int) -> _Open:
    if m := _PART.match(content):
        number = m.group(1)
        return _Open(f"part-{number.lower()}", f"Part {number}", "", "part", number, None, _SECTION, line, start,
                     heading=m.group(2))
    if m := _SCHEDULE.match(content):
        number = m.group(1)
        if number:
            return _Open(f"sch-{number.lower()}", f"Schedule {number}", "", "schedule", number, None, _SECTION,
                         line, start, heading=m.group(2))
        return _Open("sch", "the Schedule", "", "schedule", "", None, _SECTION, line, start, heading=m.group(2))
    slug = _SLUG.sub("-", content.lower()).strip("-") or "section"
    label = "the " + (content[:1].lower() + content[1:] if content else "section")
    return _Open(slug, label, "", "section", "", None, _SECTION, line, start, heading=content)


def _regulation_or_schedule_paragraph(content: str, line: int, start: int, container: _Open | None) -> _Open | None:
    m = _REGULATION.match(content)
    if m is None:
        return None
    number, heading = m.group(1), m.group(2) or ""
    if container is not None and container.kind == "schedule":
        return _schedule_paragraph(container, number, line, start, None, None, heading)
    return _Open(f"reg-{number.lower()}", f"regulation {number}", "", "regulation", number, None, _REG, line, start,
                 heading=heading)


def _schedule_paragraph(schedule: _Open, number: str, line: int, start: int, end_line: int | None, end: int | None,
                        heading: str = "") -> _Open:
    schedule_id = schedule.id
    return _Open(f"{schedule_id}-para-{number.lower()}", f"paragraph {number}", f" of {schedule.base_label}",
                 "schedule-paragraph", number, schedule_id, _REG, line, start, end_line, end, heading)


def _child(parent: _Open, number: str, kind: str, line: int, start: int, level: int, end_line: int | None = None,
           end: int | None = None) -> _Open:
    parent_id = parent.id
    return _Open(f"{parent_id}-{number.lower()}", f"{parent.base_label}({number})", parent.suffix, kind, number,
                 parent_id, level, line, start, end_line, end)


_CHILD_KIND = {"regulation": "sub-paragraph", "paragraph": "sub-paragraph", "schedule-paragraph": "sub-paragraph",
               "schedule-sub-paragraph": "sub-paragraph", "sub-paragraph": "head", "head": "item"}


# --- Reading only the stretch around a range ----------------------------------------
#
# Proposing an amendment asks which provisions each of its hunks touches: a few places
# in a text of megabytes, whose provisions depend on far less than the whole text. A
# heading at the start of a line after a blank line closes every Markdown block (the
# cut of pieces_between_headings); in the builder, a level-2 heading closes every unit,
# and a ``### N.`` heading (a regulation or a schedule paragraph) every unit below its
# level-2 section. So the provisions between two such headings depend only on that
# stretch, on where it starts, on the level-2 section holding it (which decides that
# ``### 3.`` in a schedule is a schedule paragraph), and on the ids before it (a
# duplicate is given ``~2``). Where all of that can be known from a text's heading
# lines alone (its outline), a stretch is read by the scanner as a text of its own,
# with the builder already holding the section. That is the whole text's reading,
# whichever reader reads the whole: the scanner reads a text as markdown-it does (its
# property test), and markdown-it reads a piece cut there as it does within the whole
# text (which _block_tokens relies on).

# Lines starting with "#": in a text with an outline, its headings are among them.
_HASH_LINE_BODY = re.compile(r"(#+)([^\n]*)")
_HASH_LINE = re.compile(r"\n(#+)([^\n]*)")
# A line of dashes, at any indentation or in a quote: as a setext underline it would
# make a level-2 heading that no line starting "##" shows.
_DASH_LINE = re.compile(r"\n[ >]*-+[ ]*$", re.M)
# A top-level ordered list item: directly under a schedule, a schedule paragraph,
# whose id no heading line shows.
_ORDERED_ITEM = re.compile(r"\n[ ]{0,3}[0-9]{1,9}[.)](?:[ ]|$)", re.M)
# Every id that is not a heading's starts with a regulation's or a schedule's id; a
# section whose id starts so may be a duplicate of one no heading line shows.
_BELOW_HEADINGS = ("reg-", "sch-")
_SECTION_KINDS = ("part", "schedule", "section")


class _Outline(NamedTuple):
    cuts: list[int]
    """Where a stretch may start or end: each level-2 heading and each ``### N.``
    heading that follows a blank line."""
    cut_lines: list[int]
    """The 0-based line of each cut."""
    sections: list[int]
    """Where each level-2 heading starts."""
    section_lines: list[int]
    section_contents: list[str]
    """Each level-2 heading's content, as the readers give it to the builder."""


def _outline(text: str) -> _Outline | None:
    """The outline of a text whose level-2 and level-3 headings are exactly its lines
    starting ``## `` and ``### ``, as both readers find them, and whose units' ids are
    unique and all known from those lines; ``None`` for any other text."""
    if not _plain_lines(text, 0, len(text)):
        return None
    outline = _Outline([], [], [], [], [])
    ids: set[str] = set()
    section: _Open | None = None
    schedule_start: int | None = None  # of the schedule whose first paragraph is still to come
    hashes = line = counted_to = 0
    for start, run, rest in _hash_lines(text):
        hashes += len(run) + rest.count("#")
        if len(run) not in (2, 3) or rest[:1] not in ("", " "):
            continue
        content = _atx_heading_content(rest[1:]).strip()
        if len(run) == 2:
            unit = _section(content, 0, start)
            if unit.kind == "section" and unit.id.startswith(_BELOW_HEADINGS):
                return None
        else:
            unit = _regulation_or_schedule_paragraph(content, 0, start, section)
            if unit is None:
                continue
        if unit.id in ids:
            return None
        ids.add(unit.id)
        if schedule_start is not None:
            if _ORDERED_ITEM.search(text, schedule_start, start):
                return None
            schedule_start = None
        line += text.count("\n", counted_to, start)
        counted_to = start
        if len(run) == 2:
            section = unit
            outline.sections.append(start)
            outline.section_lines.append(line)
            outline.section_contents.append(content)
            if unit.kind == "schedule":
                schedule_start = start
        if rest[:1] == " " and start >= 2 and text.startswith("\n\n", start - 2):
            outline.cuts.append(start)
            outline.cut_lines.append(line)
    if schedule_start is not None and _ORDERED_ITEM.search(text, schedule_start):
        return None
    # A "#" anywhere else may be a heading in a list item or a quote.
    if hashes != text.count("#"):
        return None
    return outline


# A consultation proposes many amendments to one version: its outline is read once (an
# amended text's is mostly the version's moved along, and is not kept).
_remembered_outline = lru_cache(maxsize=2)(_outline)


def _plain_lines(text: str, start: int, end: int) -> bool:
    """Whether the lines between ``start`` (a line start) and ``end`` (a line end or the
    end of the text) hold nothing that would make an outline miss a heading: characters
    the scanner does not model, blocks that a heading does not close (fences, HTML
    blocks, link reference definitions, whose titles run over lines), a line of dashes."""
    if any(text.find(c, start, end) >= 0 for c in _UNMODELLED):
        return False
    if text.find("]", start, end) >= 0 and text.find("]:", start, end) >= 0:
        return False
    if any(text.find(c, start, end) >= 0 for c in "<`~") and _UNSPLITTABLE.search(text, start, end):
        return False
    return not _DASH_LINE.search(text, max(start - 1, 0), end)


def _edited_outline(outline: _Outline, old: str, new: str, changed: tuple[int, int, int] | None) -> _Outline | None:
    """The outline of ``new``, which is ``old`` changed only between ``changed[0]`` and
    ``changed[2]`` (``changed[1]`` in ``old``; see ``ApplyResult.changed``), when the
    changed lines and the line either side of them hold no "#" and nothing else an
    outline looks for: then every heading, and the blank line before it, is where it
    was, moved along. ``None`` when the change may have altered the outline."""
    if changed is None:
        return outline
    start, old_end, new_end = changed
    around = _start_of_line_before(new, start)
    old_stop, new_stop = _end_of_line_after(old, old_end), _end_of_line_after(new, new_end)
    if old.find("#", around, old_stop) >= 0 or new.find("#", around, new_stop) >= 0:
        return None
    if not _plain_lines(new, around, new_stop) or _ORDERED_ITEM.search(new, max(around - 1, 0), new_stop):
        return None
    moved, lines_moved = new_end - old_end, new.count("\n", start, new_end) - old.count("\n", start, old_end)
    kept_cuts, kept_sections = bisect.bisect_left(outline.cuts, around), bisect.bisect_left(outline.sections, around)

    def along(positions: list[int], kept: int, by: int) -> list[int]:
        return positions[:kept] + [p + by for p in positions[kept:]]

    return _Outline(along(outline.cuts, kept_cuts, moved), along(outline.cut_lines, kept_cuts, lines_moved),
                    along(outline.sections, kept_sections, moved),
                    along(outline.section_lines, kept_sections, lines_moved), outline.section_contents)


def _start_of_line_before(text: str, offset: int) -> int:
    """Where the line before the one holding ``offset`` starts (0 at the first line)."""
    start = text.rfind("\n", 0, offset) + 1
    return text.rfind("\n", 0, start - 1) + 1 if start else 0


def _end_of_line_after(text: str, offset: int) -> int:
    """Where the line after the one holding ``offset`` ends, its newline included (the
    end of the text if there is none)."""
    end = text.find("\n", offset)
    if end >= 0:
        end = text.find("\n", end + 1)
    return end + 1 if end >= 0 else len(text)


def _hash_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """Each line starting with "#": where it starts, its run of "#", and the rest."""
    if first := _HASH_LINE_BODY.match(text):
        yield 0, first.group(1), first.group(2)
    for m in _HASH_LINE.finditer(text):
        yield m.start() + 1, m.group(1), m.group(2)


class StretchReader:
    """The provisions around a range of one text, read from the stretch between the
    headings before and after the range rather than from the whole text.

    For any offset or range within ``start..end`` (both ends included), the
    :class:`Structure` that :meth:`structure_around` gives answers ``touching``, ``at``
    and ``ancestors`` exactly as ``parse_structure(text, strict=False)`` does, with the
    same provisions field by field. It holds the provisions that start in the stretch
    and the section holding it (the preamble only if the stretch starts the text). A
    text whose stretches cannot be read alone (see :func:`_outline`), or a stretch the
    scanner declines, is read whole, once.

    ``edited_from`` and ``changed`` say that ``text`` is another reader's text changed
    only between ``changed[0]`` and ``changed[2]`` (``changed[1]`` in the other; as
    ``ApplyResult.changed`` says): where the change cannot have moved a heading, the
    outline is the other's, moved along, and ``text`` is not read for it. A text
    edited from one that is read whole is read whole too (an amendment seldom takes
    away what stopped the other being read in stretches).
    """

    def __init__(self, text: str, edited_from: StretchReader | None = None,
                 changed: tuple[int, int, int] | None = None) -> None:
        self.text = text
        if edited_from is None:
            self._outline = _remembered_outline(text)
        elif edited_from._outline is None:
            self._outline = None
        else:
            moved_along = _edited_outline(edited_from._outline, edited_from.text, text, changed)
            self._outline = moved_along if moved_along is not None else _outline(text)
        self._whole: Structure | None = None

    def structure_around(self, start: int, end: int) -> Structure:
        outline = self._outline
        if outline is None:
            return self._read_whole()
        text, cuts, sections = self.text, outline.cuts, outline.sections
        i = bisect.bisect_right(cuts, start) - 1
        first, line = (cuts[i], outline.cut_lines[i]) if i >= 0 else (0, 0)
        j = bisect.bisect_right(cuts, end)
        stop = cuts[j] if j < len(cuts) else len(text)
        build = _Builder(strict=False)
        k = bisect.bisect_right(sections, first) - 1
        if k >= 0 and sections[k] != first:
            # Offsets and lines are the stretch's own until the end: the section's are negative.
            build.heading(2, outline.section_contents[k], outline.section_lines[k] - line, sections[k] - first)
        found = _scanned(text[first:stop], False, build)
        if found is None:
            return self._read_whole()
        provisions = list(found)
        if first:
            provisions = [p._replace(start=p.start + first, end=p.end + first, line=p.line + line) for p in provisions]
        # The stretch closes the section open at its end; the text closes it at the next
        # level-2 heading.
        for n in range(len(provisions) - 1, -1, -1):
            if provisions[n].kind in _SECTION_KINDS:
                following = bisect.bisect_left(sections, stop)
                provisions[n] = provisions[n]._replace(
                    end=sections[following] if following < len(sections) else len(text))
                break
        return Structure(text, tuple(provisions))

    def _read_whole(self) -> Structure:
        if self._whole is None:
            self._whole = parse_structure(self.text, strict=False)
        return self._whole


_ID_PART = re.compile(r"(\d+)([a-z]*)|([a-z]+)")


def id_order_key(provision_id: str) -> tuple:
    """Sorts provision ids as a drafter numbers them: ``reg-2`` < ``reg-2a`` <
    ``reg-3`` < ``reg-3-a`` < ``reg-10`` (not as strings, where ``reg-10`` < ``reg-2``)."""
    return tuple((0, word, 0, "") if word else (1, "", int(number), suffix)
                 for number, suffix, word in _ID_PART.findall(provision_id))
