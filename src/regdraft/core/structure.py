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
from typing import TYPE_CHECKING, Iterator, NamedTuple, Sequence
from functools import lru_cache
from operator import attrgetter

from regdraft.core.errors import InvalidStructure
from regdraft.core.traditions import (DEFAULT_KIND, NUMBERING, Headed, Level, Tradition, cross_heading_id,
                                      cross_heading_label, definition_id, id_number, section_label, slug,
                                      subdivision_base, tradition, unit_id, unit_label)

if TYPE_CHECKING:  # markdown-it reads only what the block scanner declines: imported then
    from markdown_it import MarkdownIt

    from regdraft.core.stretches import Stretches

PREAMBLE = "preamble"
PARSER_VERSION = "5"  # 5: EU subparagraphs, Annex Parts, "Chapter 1"; an SI Schedule's Parts; markup
"""Names what :func:`parse_structure` reads from a text: bump it with any change to its
output, so structures kept by content hash (``services.structures``) are read again."""
_DEFAULT = tradition(DEFAULT_KIND)

# What the scanner's block pattern marks as a block's possible label (it only has to be
# the same on every block, whichever reader reads it: the builder reads the text itself).
_LABEL_BODY = r"\((?P<{}>[0-9]+[A-Z]*|[a-z]+|[A-Z]+)\)(?=\s|$)"


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


class StructureWarning(NamedTuple):
    """Something in a text that looks wrong for its kind, found while reading it."""

    code: str
    """``no-units``, ``duplicate``, ``numbering-gap``, ``numbering-order``,
    ``quoted-text``, ``amendment-marker``, ``unknown-label``, ``markup``."""
    message: str
    """One line, naming the unit and what the convention expects."""
    line: int
    """1-based."""
    provision_id: str | None


@dataclass(frozen=True)
class Structure:
    """The provisions of one text, in document order (parents before children)."""

    text: str = field(repr=False)
    provisions: Sequence[Provision] = ()
    """A tuple as parsed; a kept reading's are a ``core.provision_table.ProvisionTable``."""
    warnings: tuple[StructureWarning, ...] = ()
    kind: str = DEFAULT_KIND
    metadata: dict = field(default_factory=dict, compare=False)
    """The text's YAML front matter, key by key (read as plain strings)."""
    stretches: Stretches | None = field(default=None, repr=False, compare=False)
    """Where the alignment cuts the text and a hash of each piece
    (``core.stretches``), if kept with the reading (a stored version's are)."""
    _starts: Sequence[int] = field(init=False, repr=False, compare=False, default=())
    _by_id: dict | None = field(init=False, repr=False, compare=False, default=None)
    """Each id's place in ``provisions``, made on the first lookup by id (a kept
    reading's lookups are its table's: :meth:`ProvisionTable.place_of`)."""

    def __post_init__(self) -> None:
        # Kept readings hold their provisions in columns (``core.provision_table``),
        # whose starts are already a column.
        starts = getattr(self.provisions, "starts", None)
        object.__setattr__(self, "_starts", tuple(p.start for p in self.provisions) if starts is None else starts)

    def _places(self) -> dict:
        places = self._by_id
        if places is None:
            index = getattr(self.provisions, "id_index", None)  # a kept reading's, shared
            # Built whole, then set: another thread may look up meanwhile (the last of an id wins).
            places = index() if index is not None else {p.id: i for i, p in enumerate(self.provisions)}
            object.__setattr__(self, "_by_id", places)
        return places

    def refuse(self, codes: tuple[str, ...]) -> Structure:
        """This structure, or :class:`InvalidStructure` for its first warning with one of
        ``codes`` (a document that is not strict still refuses duplicate numbers)."""
        for warning in self.warnings:
            if warning.code in codes:
                # A duplicate's error names the number twice used (reg-3), not the ~2 given to the second.
                provision = warning.provision_id.split("~", 1)[0] if warning.provision_id else None
                raise InvalidStructure(warning.message, provision=provision, lines=[warning.line], code=warning.code)
        return self

    @property
    def starts(self) -> Sequence[int]:
        """Where each provision starts, in order."""
        return self._starts

    def columns(self) -> tuple[Sequence, ...]:
        """The provisions' fields, one sequence each, in the order of :class:`Provision`'s
        (``zip(*provisions)``, without making each provision of a kept reading)."""
        columns = getattr(self.provisions, "columns", None)
        if columns is not None:
            return columns()
        return tuple(zip(*self.provisions)) or ((),) * len(Provision._fields)

    def _place(self, provision_id: str) -> int | None:
        # A kept reading finds a few ids without indexing them all (ProvisionTable.place_of).
        place_of = getattr(self.provisions, "place_of", None)
        return place_of(provision_id) if place_of is not None else self._places().get(provision_id)

    def get(self, provision_id: str) -> Provision | None:
        place = self._place(provision_id)
        return None if place is None else self.provisions[place]

    def kind_of(self, provision_id: str) -> str | None:
        """``get(provision_id).kind``, without making the provision of a kept reading
        (a JSON diff asks it of each change)."""
        place = self._place(provision_id)
        if place is None:
            return None
        kind_at = getattr(self.provisions, "kind_at", None)
        return kind_at(place) if kind_at is not None else self.provisions[place].kind

    def __contains__(self, provision_id: object) -> bool:
        return isinstance(provision_id, str) and self._place(provision_id) is not None

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
            provision = self.provisions[self._places()[provision.parent]]
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


def parse_structure(text: str, *, kind: str = DEFAULT_KIND, strict: bool = True, chunk_bytes: int = 65536) -> Structure:
    """Find the provisions of ``text``, a document of ``kind`` (see
    :mod:`regdraft.core.traditions`).

    Whatever looks wrong is given in ``warnings``; with ``strict`` a warning raises
    :class:`InvalidStructure` naming its line and unit (a duplicate id names both
    lines). Without it (for texts in the middle of being amended, where two amendments
    may each add a regulation 5) a later duplicate is given the id ``reg-5~2``.
    ``chunk_bytes`` only bounds memory (see :func:`_block_tokens`); it never changes
    the result.

    Texts written in the drafting format are read by :func:`_scanned`, a line scanner
    for the part of CommonMark the format uses; any other Markdown text, and any text
    where the scanner is unsure, is read by markdown-it. Both give the same provisions.
    A text with no Markdown heading at all (one pasted as published) is read line by
    line (:func:`_read_lines`). YAML front matter is metadata, and a form feed is a space.
    """
    traditions = tradition(kind)
    metadata, readable = _without_front_matter(text)
    if "\x0c" in readable:
        readable = readable.replace("\x0c", " ")
    with collector_paused():
        build = _Builder(strict, traditions)
        if _MARKUP.match(readable):
            # Legislation.gov.uk's XML (or any markup) read as text would give a unit per
            # tag line; it is no text of the kind at all, and is said so once.
            provisions = build.provisions(readable.count("\n") + 1, len(readable))
            warnings = (StructureWarning("markup", "the text is XML or HTML markup, not a text in the drafting format: "
                                         "read the file with `regdraft import FILE` (CLML, Akoma Ntoso, eCFR)", 1,
                                         None),)
        elif not _HEADING_LINE.search(readable):
            provisions = _read_lines(readable, build)
        else:
            try:
                provisions = _scanned(readable, strict, build)
            except InvalidStructure:
                # The scan may have stopped at a duplicate before reaching a line it declines
                # (a setext underline can turn an earlier paragraph into a heading), so the
                # error is markdown-it's to give.
                provisions = None
            if provisions is None:
                build = _Builder(strict, traditions)
                provisions = _read_with_markdown_it(readable, strict, chunk_bytes, build)
        if not _MARKUP.match(readable):
            warnings = _checked(readable, provisions, build, traditions)
    if strict and warnings:
        first = warnings[0]
        at = f"line {first.line}" + (f", {_label_of(provisions, first.provision_id)}" if first.provision_id else "")
        raise InvalidStructure(f"{at}: {first.message}", provision=first.provision_id, lines=[first.line],
                               code=first.code)
    return Structure(text, provisions, warnings, kind, metadata)


def _label_of(provisions: tuple[Provision, ...], provision_id: str) -> str:
    return next((p.label for p in provisions if p.id == provision_id), provision_id)


# Front matter: "---" on the first line, key: value lines, "---" (or "...") closing it.
_FRONT_MATTER = re.compile(r"---[ ]*\n(?P<body>(?:.*\n)*?)(?:---|\.\.\.)[ ]*(?:\n|\Z)")
_FRONT_MATTER_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ ]*(?P<value>.*)$", re.M)
# A text that is markup from its first character to its last: an XML file (``<?xml``,
# ``<Legislation …>``) or an HTML page, given where a text is expected.
_MARKUP = re.compile(r"\A\s*<(?:\?xml\b|!DOCTYPE\b|[A-Za-z][\w.:-]*[\s/>])[\s\S]*</[\w.:-]+>\s*\Z")
# A Markdown heading: a text without one is read line by line.
_HEADING_LINE = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]|$)", re.M)


def _without_front_matter(text: str) -> tuple[dict, str]:
    """The front matter's keys and values, and the text with the front matter blanked
    (its lines kept, as empty lines, so offsets and line numbers stay the text's)."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return {}, text
    metadata = {k.group("key"): k.group("value").strip().strip('"') for k in _FRONT_MATTER_KEY.finditer(m.group("body"))}
    blank = re.sub(r"[^\n]", " ", m.group())
    return metadata, blank + text[m.end():]


def markdown_start(text: str) -> int | None:
    """Where the Markdown of ``text`` starts, past its YAML front matter (0 if it has
    none); ``None`` for a text with no Markdown heading there, which is read line by line."""
    m = _FRONT_MATTER.match(text)
    start = m.end() if m else 0
    return start if _HEADING_LINE.search(text, start) else None


# --- Reading a text without Markdown ---------------------------------------------

_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<content>\S[^\n]*)$", re.M)


def _read_lines(text: str, build: _Builder) -> tuple[Provision, ...]:
    """A text as published (no Markdown headings): each line a block, its indentation
    its depth, a heading where its words are a unit's."""
    line = counted = 0
    for m in _LINE.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        indent = m.group("indent").expandtabs(4)
        build.line(m.group("content").rstrip(), len(indent), line, m.start())
    return build.provisions(text.count("\n") + 1, len(text))


# --- Checks on what was read ------------------------------------------------------

# A text this long is expected to have numbered units.
_NO_UNITS_OVER = 3000
_AMENDMENT_MARKER = re.compile(r"\[F[0-9]+")


def _checked(text: str, provisions: tuple[Provision, ...], build: _Builder,
             traditions: Tradition) -> tuple[StructureWarning, ...]:
    warnings = [*build.warnings, *build.numbering]
    if len(text) > _NO_UNITS_OVER and not any(p[3] for p in provisions):  # p.number
        body = traditions.unit(traditions.body)
        warnings.append(StructureWarning(
            "no-units", f"no {body.kind}s found in {len(text)} characters: a {traditions.name} numbers them "
            f"as headings such as “### {traditions.example_heading}”", 1, None))
    if "[F" in text:
        structure = Structure(text, provisions)
        marked: set[str] = set()
        for m in _AMENDMENT_MARKER.finditer(text):
            hit = structure.at(m.start())
            if hit is not None and hit.id not in marked:
                marked.add(hit.id)
                warnings.append(StructureWarning(
                    "amendment-marker", f"consolidation marker {m.group()} in {hit.label}: read past, the text "
                    "keeps it", text.count("\n", 0, m.start()) + 1, hit.id))
    warnings.sort(key=lambda w: w.line)
    return tuple(warnings)


def _numbering_warning(before: Provision, provision: Provision) -> StructureWarning | None:
    """A jump (4 then 6) or a step back (6 then 5) from ``before`` to ``provision``, two
    units numbered in one run: units whose ids differ only by their own number
    (regulations across the text, a schedule's paragraphs across its Parts, a
    paragraph's sub-paragraphs)."""
    step = _step(before[3], provision[3])  # their numbers
    if step is None or 0 <= step <= 1:
        return None
    if step < 0:
        return StructureWarning("numbering-order", f"{provision.label} comes after {before.label}", provision.line,
                                provision.id)
    return StructureWarning("numbering-gap", f"{provision.label} follows {before.label}: {step - 1} missing between "
                            "them", provision.line, provision.id)


@lru_cache(maxsize=4096)
def _step(before: str, number: str) -> int | None:
    """How far ``number`` is past ``before`` (1 for the next, 0 for an inserted 2A after
    2, negative for a step back); ``None`` when they are not numbered alike. Letters
    that are roman numerals too are letters where they follow as letters (c, d; h, i)."""
    if "." in before or "." in number:  # a CFR section: § 1005.2 after § 1005.1, within one part
        head_a, _, before = before.rpartition(".")
        head_b, _, number = number.rpartition(".")
        if head_a != head_b:
            return None
    steps = {}
    for style in ("arabic", "lower", "roman", "upper", "upper-roman"):
        a, b = number_value(style, before), number_value(style, number)
        if a is not None and b is not None:
            if b[0] == a[0]:
                steps[style] = 0 if b[1] > a[1] else -1
            elif b[0] < a[0]:
                steps[style] = -1
            else:
                steps[style] = 1 if b[1] and b[0] == a[0] + 1 else b[0] - a[0]
    for style in ("arabic", "upper"):
        if style in steps and (style != "upper" or "upper-roman" not in steps or steps[style] == 1):
            return steps[style]
    if steps.get("lower") == 1 or "roman" not in steps:
        return steps.get("lower", steps.get("upper-roman"))
    return steps["roman"]


# --- Reading with markdown-it ------------------------------------------------------

# A heading at the start of a line after a blank line closes every open block (list,
# quote, paragraph, indented code), so a text can be read in pieces cut there, unless
# fences or HTML blocks, which a heading does not close, occur at all.
_CUT = re.compile(r"\n\n(?=#{1,6} )")
_UNSPLITTABLE = re.compile(r"^ {0,3}(?:```|~~~|<)", re.M)


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
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join", *sorted(switched_off)])


_NEWLINE = re.compile(r"\n")

COMMONMARK_TRIM = ("\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                   "\u2028\u2029\u202f\u205f\u3000")
"""What markdown-it strips from a heading's content (its ``mdTrim``), spelt out so that
the block scanner, which reads most texts alone, does not import markdown-it."""


def _read_with_markdown_it(text: str, strict: bool, chunk_bytes: int,
                           build: _Builder | None = None) -> tuple[Provision, ...]:
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    n_lines = len(line_starts)

    def offset(line: int) -> int:
        return line_starts[line] if line < n_lines else len(text)

    if build is None:
        build = _Builder(strict)
    for tokens in _block_tokens(text, chunk_bytes):
        list_depth = quote_depth = 0
        for i, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "blockquote_open":
                quote_depth += 1
            elif tok.type == "blockquote_close":
                quote_depth -= 1
            elif tok.type == "heading_open" and not quote_depth:
                line = tok.map[0]
                build.heading(int(tok.tag[1]), tokens[i + 1].content, line, offset(line))
            elif tok.type == "paragraph_open" and list_depth == 0:
                line = tok.map[0]
                build.paragraph(_first_line(tokens[i + 1].content), line, offset(line), quoted=quote_depth > 0)
            elif tok.type == "list_item_open" and not quote_depth:
                line, end_line = tok.map
                # The item's own text is the inline token of its first block.
                inline = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None
                build.list_item(list_depth, tok.info, _first_line(inline.content) if inline is not None else None,
                                line, offset(line), end_line, offset(end_line))
            elif tok.type == "code_block" and list_depth == 0 and not quote_depth:
                # Indented text (a CFR paragraph set in four spaces) is read line by line,
                # as a text without Markdown is.
                for k, code_line in enumerate(tok.content.split("\n")):
                    if code_line.strip():
                        line = tok.map[0] + k
                        build.paragraph(code_line.strip(), line, offset(line))
    return build.provisions(n_lines, len(text))


def _first_line(content: str) -> str:
    return content.partition("\n")[0].rstrip()


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
            items[-1][2] = build.list_item(depth, info, _line_from(text, m.end("lead")) if inside else None,
                                           item_line, item_start)
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
            build.heading(len(hashes), _atx_heading_content(heading or ""), first, start)
        elif lead is not None:
            if not items:
                if text_label is not None and not build.quoting:
                    build.labelled_paragraph(text_label, first, start)
                else:
                    build.paragraph(_line_from(text, m.end("lead")), first, start)
            if not blanks:
                paragraph = (items[-1][0], items[-1][1]) if items else (0, -1)
        elif marker is None:  # a quote: one paragraph, followed by a blank line
            build.paragraph(_line_from(text, start + (2 if text.startswith("> ", start) else 1)), first, start,
                            quoted=True)
        else:
            depth = len(items) + 1
            if depth > _MAX_LIST_DEPTH:
                return None
            info = marker[:-1] if marker[-1] in ".)" else ""
            if gap is not None:
                content = column + len(marker) + len(gap)
                unit = _NEEDS_TEXT
                if not build.quoting:
                    if item_label is not None and not info:
                        unit = build.labelled_item(depth, item_label, first, start)
                    elif info and text[m.end("gap")] not in _MAY_OPEN_A_QUOTATION:
                        unit = build.numbered_item(depth, info, first, start)
                if unit is _NEEDS_TEXT:
                    unit = build.list_item(depth, info, _line_from(text, m.end("gap")), first, start)
                items.append([content, container, unit])
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


def _line_from(text: str, start: int) -> str:
    """The rest of the line from ``start``, as markdown-it gives a block's first line."""
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)].rstrip()


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
    return content.strip(COMMONMARK_TRIM)


# --- Building provisions from blocks -----------------------------------------------
#
# The builder knows no tradition of its own: which headings open which units, how
# subdivisions are numbered, and how ids and labels are spelt are the tradition's data
# (regdraft.core.traditions). Both block readers give it the same events in the same
# order (headings, paragraphs, list items, each with the first line of its text), so
# whatever it makes of them, they agree.

# Levels order units against each other when spans are closed: a headed unit has its
# tradition's rank (1 outermost); subdivisions, recitals and list items sit below all
# of them, a list item one lower for each list it is nested in.
_CHAIN = 10
_INTRODUCES_A_LIST = ("—", "–")  # how UK drafting ends the words before a list
_DEFINITION_LINE = re.compile(r"[“\"][^”\"()]{1,80}[”\"]")  # “appeal”, in the context of …, includes—
_DEFINITION = _CHAIN - 1  # a definition: inside its section, around the paragraphs it holds

# One subdivision number between brackets, in any tradition's styles (an inserted
# number keeps its letters: (2A), (aa)); italic CFR numbers are written (*1*).
_ONE_LABEL = r"\((?:[0-9]+[A-Z]*|[a-z]+|[A-Z]+|\*[0-9]+\*|\*[ivxlcdm]+\*)\)"
_LABELS = re.compile(rf"(?:\*\*)?(?P<labels>(?:{_ONE_LABEL})+)(?:\*\*)?(?=\s|$|[—–])")
_EACH_LABEL = re.compile(r"\(([^()]+)\)")
# A numbered block: "5. Text" (a line of a text without headings, an EU paragraph),
# the older SI style "5.—(1) Text", never "1.5 metres".
_NUMBERED = re.compile(r"(?:\*\*)?(?P<number>[0-9]+[A-Z]*)\.(?:\*\*)?(?:\s*[—–]\s*(?=\()|\s+|$)")
# A lettered block "ii. …", "A. …": a CFR comment's paragraphs.
_LETTERED = re.compile(r"(?:\*\*)?(?P<number>[ivxlc]+|[A-Z])\.(?:\*\*)?\s+")
# Quoted text: a block opening with a quotation mark before a label or a number is text
# an amending provision inserts, not a unit of the host.
_OPENING_QUOTE = re.compile(r"[“‘\"]\s*(?:\(|[0-9]+[A-Z]*\.?(?:\s|$))")
_MAY_OPEN_A_QUOTATION = ("“", "‘", '"', "[")  # a marker may stand before the quotation mark


_ITEM_FORM = ("item", "-", "(", ")")  # a subdivision of a holder without levels
_NO_SHAPE = ((), (), ())
_NEEDS_TEXT = object()  # what the builder answers where only the block's text can decide
# Provision._make without its length check: the builder always gives nine fields.
_new_provision = tuple.__new__
_new_open = object.__new__
_PROVISION_FIELDS = attrgetter(*Provision._fields)  # a unit's first nine fields, as its provision's
# A subdivision's number as its label and its id spell it (``*1*``: ``1``, ``1``; ``2A``:
# ``2A``, ``2a``), for the numbers met (1, 2, a, b, i: few, met over and over).
_NUMBER_FORMS: dict[str, tuple[str, str]] = {}


def _number_forms(number: str) -> tuple[str, str]:
    forms = (number.strip("*") if "*" in number else number), id_number(number)
    if len(_NUMBER_FORMS) < 4096:
        _NUMBER_FORMS[number] = forms
    return forms


class _Open:
    """A provision being built: its end is fixed by what follows it. Its first nine
    fields become the provision's own, once it is closed."""

    __slots__ = ("id", "label", "kind", "number", "parent", "start", "end", "line", "heading",
                 "base_label", "own_label", "suffix", "level", "end_line", "index", "holder", "up", "alternative",
                 "run", "follows", "owner")

    def __init__(self, id: str, label: str, suffix: str, kind: str, number: str, parent: _Open | None, level: int,
                 line: int, start: int, end_line: int | None = None, end: int | None = None,
                 heading: str = "", index: int = -1, holder: bool = False) -> None:
        self.id, self.label, self.kind, self.number = id, label + suffix, kind, number
        self.parent = parent.id if parent is not None else None
        self.start, self.end, self.line, self.heading = start, end, line + 1, heading
        self.base_label, self.suffix, self.level, self.end_line = label, suffix, level, end_line
        # Its label as a container's, even where its subdivisions are cited around it
        # (an Annex: base_label "point ", own_label "the Annex", for "Part I of the Annex").
        self.own_label = label
        self.index, self.holder, self.up = index, holder, parent
        # A subdivision's holder (the innermost holder above it); None for a headed unit.
        self.owner: _Open | None = None
        # Where a subdivision read as a letter would go were it a roman numeral: (i) after (h).
        self.alternative: tuple[_Open, int] | None = None
        # What a subdivision's id has before its own number (its parent's id and "-"): the
        # run of units numbered one after another that it is checked in (None: read off the id).
        self.run: str | None = None
        # Whether it was placed as the next after the unit made before it, in the same run:
        # its numbering needs no check.
        self.follows = False

    def close(self, line: int, start: int) -> None:
        self.end_line = line
        self.end = start


class _Builder:
    """Provisions from the blocks of a text in document order, as either reader finds
    them: headings, paragraphs and list items, each with the first line of its text,
    its 0-based line and the offset where that line starts. A unit is closed by the
    next one at its own or a higher level; a list item's end is its block's end.

    What looks wrong is kept as :class:`StructureWarning` s (``warnings``); only a
    duplicate id under ``strict`` is refused at once, naming both lines."""

    def __init__(self, strict: bool, tradition: Tradition = _DEFAULT) -> None:
        self.strict = strict
        self.t = tradition
        self.marker = re.compile(tradition.marker) if tradition.marker else None
        self.plain_headings = re.compile(tradition.plain_headings) if tradition.plain_headings else None
        self.annotation_lines = re.compile(tradition.annotation_lines) if tradition.annotation_lines else None
        # Each headed unit with its compiled words and the names of any groups beyond
        # number and heading (an appendix's part).
        self.headed = [(unit, unit.pattern, tuple(set(unit.pattern.groupindex) - {"number", "heading"}))
                       for unit in tradition.headed]
        self.extra_groups = {unit.kind: extra for unit, _, extra in self.headed}
        # A numbered unit's id and label templates and suffix where it has no container.
        self.uncontained = {unit.kind: (unit.id, unit.label, unit.suffix.format(container=""))
                            for unit in tradition.headed}
        self.styles = {kind: tuple(level.numbering for level in levels) for kind, levels in tradition.levels.items()}
        # Each holder's levels as the builder spells them: (kind, id before the number,
        # label before and after it).
        # Whether any holder numbers blocks "ii." or "A." (read only where one does).
        self.lettered_dots = any(level.written == "dot" and level.numbering != ("arabic",)
                                 for levels in tradition.levels.values() for level in levels)
        self.forms = {kind: tuple((level.kind, level.id_form.partition("{number}")[0],
                                   *level.cited.split("{number}")) for level in levels)
                      for kind, levels in tradition.levels.items()}
        # The three, by holder kind, as the innermost loop takes them.
        self.shapes = {kind: (levels, self.styles[kind], self.forms[kind]) for kind, levels in tradition.levels.items()}
        self.defines = tradition.definitions is not None
        self.built: list[_Open] = []
        self.stack: list[_Open] = []
        self.seen: dict[str, _Open] = {}
        self.warnings: list[StructureWarning] = []
        # An unnumbered heading that may be the heading of the unit that follows it
        # (legislation.gov.uk puts a section's title on a line of its own above its number).
        self.pending: tuple[str, int, int] | None = None
        # A holder opened without words of its own, which the next unnumbered heading names
        # (an EU "Article 3" with its title on the next line).
        self.unnamed: _Open | None = None
        self.quoting = 0  # the balance of quotation marks in quoted text being read
        self.last: _Open | None = None  # the last subdivision made
        # Set by words introducing a list of their own: the next subdivision starts a run.
        self.list_introduced = False
        # In a text without Markdown: whether the last labelled line introduced a list,
        # whether the line before was unlabelled, and whether the labels read now are a
        # definition's limbs (see _plain_words).
        self.introduced = self.unlabelled = self.limbs = False
        self.alternative: tuple[_Open, int] | None = None  # for the subdivision being placed
        self.body_started = False  # whether a headed unit has opened (recitals come before)
        self.sparse = frozenset(unit.kind for unit in tradition.headed if unit.sparse)
        self.numbering: list[StructureWarning] = []  # jumps and steps back, found by provisions()

    # Headings ----------------------------------------------------------------------

    def heading(self, level: int, content: str, line: int, start: int) -> None:
        content = content.strip()
        self.quoting = 0
        found = self._headed(content, level)
        if found is None:
            self._unnumbered_heading(level, content, line, start)
            return
        unit, m = found
        pending, self.pending = self.pending, None
        heading = (m.group("heading") or "").strip()
        if pending is not None:
            if unit.holds and unit.titled and not heading:  # its own title, on the line above: it starts there
                heading, line, start = pending
            else:
                self._cross_heading(*pending)
        self.unnamed = None
        opened = self._open_headed(unit, m, heading, line, start)
        if unit.holds and not heading:
            self.unnamed = opened

    def _headed(self, content: str, level: int) -> tuple[Headed, re.Match] | None:
        words = self._past_marker(content)
        for unit, pattern, _ in self.headed:
            if unit.holds and level == 1 and unit.rank > 1:
                continue  # a level-1 heading is a title or a whole part, never a numbered holder
            m = pattern.match(words)
            if m is None:
                continue
            if unit.within and not unit.within_optional and self._innermost(unit.within) is None:
                continue
            if unit.not_within and self._innermost(unit.not_within) is not None:
                continue
            return unit, m
        return None

    def _past_marker(self, content: str) -> str:
        if self.marker is not None and (m := self.marker.match(content)):
            return content[m.end():].lstrip()
        return content

    def _unnumbered_heading(self, level: int, content: str, line: int, start: int) -> None:
        if level == 1:
            return  # the title
        if level == 2:
            self._drop_pending()
            self.unnamed = None
            self._close_until(line, start, 1)
            unit = _Open(slug(content) or "section", section_label(content), "", self.t.unnumbered, "", None, 1,
                         line, start, heading=content)
            self._open(unit)
            return
        if self.unnamed is not None:
            self.unnamed.heading, self.unnamed = content, None
            return
        self._drop_pending()
        self.pending = (content, line, start)

    def _drop_pending(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._cross_heading(*pending)

    def _cross_heading(self, content: str, line: int, start: int) -> None:
        """An unnumbered heading that names no unit: a cross-heading where the tradition
        has them, otherwise words inside the unit before it."""
        if not self.t.cross_heading:
            return
        rank = self.t.cross_heading_rank
        self._close_until(line, start, rank)
        container = self.stack[-1] if self.stack else None
        unit = _Open(cross_heading_id(content, container.id if container else ""),
                     cross_heading_label(content, container.own_label if container else ""), "",
                     self.t.cross_heading, "", container, rank, line, start, heading=content)
        self._open(unit)

    def _open_headed(self, unit: Headed, m: re.Match, heading: str, line: int, start: int) -> _Open:
        self.body_started = True
        self.introduced = self.unlabelled = self.limbs = False
        self._close_until(line, start, unit.rank)
        groups = m.groupdict()
        number = groups.get("number") or ""
        extra_groups = self.extra_groups[unit.kind]
        if not unit.within and not extra_groups and number:  # a regulation, a section: no container
            id_template, label_template, suffix = self.uncontained[unit.kind]
            label = label_template.format(number=number, container="")
            unit_key = id_template.format(number=id_number(number), container="")
        else:
            extra = {k: groups[k] for k in extra_groups if groups[k] is not None}
            container = self._innermost(unit.within) if unit.within else None
            container_id = container.id if container else ""
            container_label = container.own_label if container else ""
            label = unit_label(unit, number, container_label, **extra)
            suffix = unit.suffix.format(container=container_label)
            unit_key = unit_id(unit, number, container_id, **extra)
        opened = _Open(unit_key, label, suffix, unit.kind, number, self.stack[-1] if self.stack else None,
                       unit.rank, line, start, heading=heading, holder=unit.holds)
        if unit.subdivisions_cited:  # its subdivisions are cited around its label (point 1 of Annex I)
            opened.base_label, opened.suffix = subdivision_base(unit, label, suffix)
        self._open(opened)
        if unit.holds:
            self.last = None  # the subdivisions of the holder before are not weighed for its own
        return opened

    # Blocks ------------------------------------------------------------------------

    def paragraph(self, content: str | None, line: int, start: int, depth: int = 0, quoted: bool = False) -> None:
        """A block outside lists (or, in a text without Markdown headings, a line, with
        its indentation as ``depth``)."""
        if content is None:
            return
        self.unnamed = None
        if quoted:
            self._drop_pending()
            self._hold_quotation()
            self._quoted(content, line)
            # A block quote opening a quotation it does not close: the quotation runs on
            # through the blocks after it (an amending Annex's replacement text).
            opens, closes = self._quote_balance(content)
            if self.quoting or content[:1] in self.t.quotes[::2]:
                self.quoting = max(self.quoting + opens - closes, 0)
            return
        if self._in_quotation(content, line):
            self._drop_pending()
            self._hold_quotation()
            return
        words = self._past_marker(content)
        numbered = _NUMBERED.match(words)
        if numbered is not None:
            opened = self._numbered(numbered.group("number"), line, start, depth)
            self._drop_pending()
            if opened is None:
                return
            words = words[numbered.end():]
        else:
            self._drop_pending()
            if self.lettered_dots and (lettered := _LETTERED.match(words)) is not None:
                holder = self._innermost_holder()
                if holder is not None and self._dot_level(holder) is not None:
                    self._subdivisions(f"({lettered.group('number')})", depth, line, start)
                    return
        m = _LABELS.match(words)
        if m is None:
            if self.t.definitions is not None and (term := self.t.definitions.pattern.match(words)):
                self._definition(term.group("term"), line, start)
            elif words.endswith(_INTRODUCES_A_LIST) and self.last is not None and depth < self.last.level - _CHAIN:
                self._list_of_its_own()
            elif numbered is None:
                self._run_on_over_words()
            return
        if self.t.recital is not None and not self.body_started:
            self._recital(m.group("labels"), line, start)
            return
        self._subdivisions(m.group("labels"), depth, line, start)

    def _list_of_its_own(self) -> None:
        """Words of the unit above the last subdivision introduce a list of their own
        ("(b) into the Senior Courts, / then, if that enactment has been repealed— /
        (i) …", s. 137 of the Senior Courts Act 1981, where legislation.gov.uk numbers
        them section-137-i): the list after them is that unit's, so its (i) is not a
        first roman numeral inside the (b) before, nor a gap after (b)."""
        self.last, self.list_introduced = None, True

    def _plain_words(self, words: str) -> bool:
        """Whether a line of a text without Markdown is words where its label would make
        it a unit; and what a line tells of the lines after it. Without indentation a
        list's owner is told by the words before it: an unlabelled line ending "—" after
        a subdivision that introduced nothing opens a list of its own (s. 137); after a
        definition ("“appeal” … includes—") or an entry of an unlabelled list ("section
        152(1) and Schedule 5, so far as they amend—", s. 153(4)(c)) the limbs are its
        words, until a label continues a numbering already open ("(2)" after "(1)")."""
        labels = _LABELS.match(words)
        if labels is None:
            if words.endswith(_INTRODUCES_A_LIST):
                if self.unlabelled or _DEFINITION_LINE.match(words):
                    self.limbs = True  # an entry of an unlabelled list, or a definition
                elif not self.introduced and self.last is not None:
                    self._list_of_its_own()
            self.unlabelled = True
            return False
        self.introduced, self.unlabelled = words.endswith(_INTRODUCES_A_LIST), False
        if not self.limbs:
            return False
        number = _EACH_LABEL.match(labels.group("labels")).group(1)
        holder = self._innermost_holder()
        unit, levels = self.last, self.t.levels.get(holder.kind, ()) if holder is not None else ()
        while unit is not None and not unit.holder and levels:
            if _follows(levels[unit.index].numbering, unit.number, number):
                self.limbs = False
                return False
            unit = unit.up
        return True

    def line(self, content: str, indent: int, line: int, start: int) -> None:
        """A line of a text without Markdown headings: a heading where its words are a
        unit's (``PART 2``, ``Article 3``, ``§ 1005.2 Definitions.``), a heading of the
        unit that follows where it is short and unnumbered, or a block."""
        bare = content[2:] if content[:2] in ("- ", "* ", "+ ") else content
        if self.annotation_lines is not None and self.annotation_lines.match(bare):
            self._drop_pending()
            return  # words of the provision above, which runs on over them
        words = self._past_marker(bare)
        found = self._headed(words, 2)
        if found is not None and found[0].holds and (
                words[:1].islower() or words[:1].isdigit() and not words.rstrip(".").isdigit()
                and (self.plain_headings is None or not self.plain_headings.match(words))):
            # "5. Text" is a block of regulation 5, "2014 No. 2407" no heading at all, nor
            # "paragraph 1 of Schedule 4." (an entry of a list).
            found = None
        if found is not None and _heading_like(bare):
            self.heading(2 if found[0].rank == 1 else 3, bare, line, start)
            if not found[0].holds and not (found[1].group("heading") or "").strip():
                self.unnamed = self.stack[-1]  # "PART VI", its title on the next line
            return
        if (_NUMBERED.match(self._past_marker(bare)) is None and _LABELS.match(self._past_marker(bare)) is None
                and _heading_like(bare) and not bare.rstrip("]").endswith(".")):
            if self.unnamed is not None and not self.unnamed.holder:
                self.unnamed.heading, self.unnamed = bare, None
            elif self.built and bare.isupper() and len(bare.split()) <= 4:
                self.heading(2, bare.capitalize(), line, start)  # EXPLANATORY NOTE
            else:
                self._drop_pending()
                self.pending = (bare, line, start)
            return
        if self._plain_words(words):
            self._drop_pending()
            return
        self.paragraph(bare, line, start, depth=indent)

    def list_item(self, depth: int, info: str, content: str | None, line: int, start: int,
                  end_line: int | None = None, end: int | None = None) -> _Open | None:
        """An item's end may instead be given later, by closing the returned unit before
        any block at or above its depth."""
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if content is not None and self._in_quotation(content, line):
            self._hold_quotation()
            return None
        self._close_until(line, start, _CHAIN + depth)
        if self.t.recital is not None and not self.body_started and depth == 1:
            m = _LABELS.match(content or "")
            if m is not None:  # "Whereas: - (1) …", which runs on to the next recital or unit
                self._recital(m.group("labels"), line, start)
                return None
        if not self.stack:
            return None
        parent = self.stack[-1]
        if info and depth == 1 and parent.kind in self.t.schedules and self.t.schedule_paragraph:
            unit = self._schedule_paragraph(parent, info, line, start, end_line, end)
            self._open(unit)
            return unit
        if info and parent.holder and self._dot_level(parent) is not None:
            return self._subdivisions(f"({info})", depth, line, start, end_line, end)
        if info and depth == 1 and (holder := self._innermost_holder()) is not None \
                and self._dot_level(holder) is not None:
            # An ordered item of a list at the top is a block "2. …" that follows the
            # subdivisions of the one before (a CFR comment after comment 1.ii).
            return self._subdivisions(f"({info})", 0, line, start, end_line, end)
        words = self._past_marker(content) if content is not None else ""
        m = _LABELS.match(words)
        if m is None:
            return None
        return self._subdivisions(m.group("labels"), depth, line, start, end_line, end)

    # What paragraph and list_item make of a block, or a bullet item, whose text starts
    # with one label "(2) " outside any quotation: the scanner's common case, read from
    # the label its block pattern found rather than from the text again.

    def labelled_paragraph(self, number: str, line: int, start: int) -> None:
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if self.t.recital is not None and not self.body_started:
            self._recital(f"({number})", line, start)
            return
        self._subdivision(number, 0, line, start, None, None, False)

    def labelled_item(self, depth: int, number: str, line: int, start: int) -> _Open | None:
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if self.t.recital is not None and not self.body_started and depth == 1:
            self._close_until(line, start, _CHAIN + depth)
            self._recital(f"({number})", line, start)
            return None
        return self._subdivision(number, depth, line, start, None, None, False)  # which closes the stack

    def numbered_item(self, depth: int, info: str, line: int, start: int) -> _Open | None:
        """An ordered item ``2. …`` whose text opens no quotation, where what list_item
        makes of it does not depend on its text (an EU paragraph, a schedule's
        paragraph); ``_NEEDS_TEXT`` where it does."""
        if self.t.recital is not None and not self.body_started and depth == 1:
            return _NEEDS_TEXT
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        self._close_until(line, start, _CHAIN + depth)
        if not self.stack:
            return None
        parent = self.stack[-1]
        if depth == 1 and parent.kind in self.t.schedules and self.t.schedule_paragraph:
            unit = self._schedule_paragraph(parent, info, line, start, None, None)
            self._open(unit)
            return unit
        if parent.holder and self._dot_level(parent) is not None:
            return self._subdivision(info, depth, line, start, None, None, False)
        if depth == 1 and (holder := self._innermost_holder()) is not None and self._dot_level(holder) is not None:
            return self._subdivision(info, 0, line, start, None, None, False)
        return _NEEDS_TEXT

    def _quoted(self, content: str, line: int) -> None:
        if _LABELS.match(self._past_marker(content)) or _NUMBERED.match(content):
            self._warn("quoted-text", f"quoted text “{_clip(content)}” is read as part of the provision quoting it",
                       line)

    def _in_quotation(self, content: str, line: int) -> bool:
        """Whether the block is (or opens) text quoted by an amending provision."""
        if not self.quoting and content[:1] not in _MAY_OPEN_A_QUOTATION:
            return False
        opens, closes = self._quote_balance(content)
        if self.quoting > 0:
            self.quoting = max(self.quoting + opens - closes, 0)
            return True
        if _OPENING_QUOTE.match(self._past_marker(content)):
            self._quoted(content.lstrip("“‘\" "), line)
            self.quoting = max(opens - closes, 0)
            return True
        return False

    def _hold_quotation(self) -> None:
        """Quoted text belongs to the provision quoting it: the subdivision made last,
        where it is the last unit made and its block (a list item) has ended, runs on
        over the quotation."""
        self._run_last_on()

    def _run_on_over_words(self) -> None:
        """An EU paragraph ``2. …`` or Annex point (an ordered list item, which Markdown
        ends at the next block) runs on over the unnumbered blocks after it, its
        subparagraphs, as a UK ``(2)`` block does (Article 3(2) of Regulation (EU) No
        319/2014; its “d = v + a + h 1 − e” in Article 5(1))."""
        last = self.last
        holder = last.up if last is not None else None
        if holder is None or not holder.holder or (level := self._dot_level(holder)) is None:
            return
        if self.t.levels[holder.kind].index(level) == last.index:
            self._run_last_on()

    def _run_last_on(self) -> None:
        last = self.last
        if last is not None and last.end_line is not None and self.built and self.built[-1] is last:
            if self.stack and self.stack[-1] is last:  # markdown-it gave its end with it
                # and its holders' that end with it ("- (a) x;" "  - (i) z;"): they run on
                # too, so no unit ends before a subdivision inside it.
                end = last.end
                for unit in reversed(self.stack):
                    if unit.end is None or unit.end > end:
                        break
                    unit.end_line = unit.end = None
            else:
                self._reopened(last)

    def _quote_balance(self, content: str) -> tuple[int, int]:
        """How many quotations ``content`` opens and closes, in the tradition's marks."""
        quotes = self.t.quotes
        return (sum(content.count(mark) for mark in quotes[::2]), sum(content.count(mark) for mark in quotes[1::2]))

    def _numbered(self, number: str, line: int, start: int, depth: int) -> _Open | None:
        """A block ``5. …`` or ``5.—(1) …``: a paragraph of a holder whose paragraphs are
        written so (an EU Article's), a schedule's paragraph, or a main unit."""
        holder = self._innermost_holder()
        if holder is not None and self._dot_level(holder) is not None:
            return self._subdivisions(f"({number})", depth, line, start)
        schedule = self._innermost(self.t.schedules) if self.t.schedules else None
        if schedule is not None:
            self._drop_pending()
            self._close_until(line, start, self.t.unit(self.t.schedule_paragraph).rank)
            unit = self._schedule_paragraph(schedule, number, line, start, None, None)
            self._open(unit)
            return unit
        body = self.t.unit(self.t.body)
        m = body.pattern.match(number)
        if m is None:
            return None
        heading = ""
        if self.pending is not None:  # its heading, on the line above: the unit starts there
            (heading, line, start), self.pending = self.pending, None
        return self._open_headed(body, m, heading, line, start)

    def _recital(self, labels: str, line: int, start: int) -> None:
        number = _EACH_LABEL.match(labels).group(1)
        self._close_until(line, start, _CHAIN)
        unit = _Open(self.t.recital_id.format(number=id_number(number)),
                     self.t.recital_label.format(number=number), "", self.t.recital.kind, number, None, _CHAIN,
                     line, start)
        self._open(unit)

    def _schedule_paragraph(self, schedule: _Open, number: str, line: int, start: int, end_line: int | None,
                            end: int | None, heading: str = "") -> _Open:
        unit = self.t.unit(self.t.schedule_paragraph)
        label = unit_label(unit, number, schedule.base_label)
        return _Open(unit_id(unit, number, schedule.id), label, unit.suffix.format(container=schedule.base_label),
                     unit.kind, number, schedule, unit.rank, line, start, end_line, end, heading, holder=True)

    def _definition(self, term: str, line: int, start: int) -> None:
        """A definition that is a unit (:attr:`Tradition.definitions`): it closes the
        definition or subdivisions before it, and holds the numbered paragraphs after it."""
        d = self.t.definitions
        self._close_until(line, start, _DEFINITION)
        container = self._innermost(d.within)
        if container is None:
            return
        term = term.strip()
        unit = _Open(definition_id(d, term, container.id), d.label.format(term=term, container=container.base_label),
                     "", d.kind, "", container, _DEFINITION, line, start, heading=term, holder=True)
        unit.base_label, unit.suffix = d.subdivision, d.suffix.format(term=term, container=container.base_label)
        self._open(unit)
        self.last = None

    def _leaves_definition(self, number: str, line: int, start: int) -> None:
        """Close the open definition where ``number`` is one of its container's own (a
        ``(b)`` after the definitions), not the next of the definition's paragraphs."""
        definition = self._innermost_holder()
        if self.t.definitions is None or definition is None or definition.kind != self.t.definitions.kind:
            return
        if not _fits(self.styles[definition.up.kind][0], number) or number == "i":
            return
        levels = self.t.levels[definition.kind]
        unit = self.last
        while unit is not None and unit is not definition:  # the definition's own (ii) after (i)
            if _follows(levels[unit.index].numbering, unit.number, number):
                return
            unit = unit.up
        self._close_until(line, start, _DEFINITION)
        self.last = None

    # Subdivisions ------------------------------------------------------------------

    def _subdivisions(self, labels: str, depth: int, line: int, start: int, end_line: int | None = None,
                      end: int | None = None) -> _Open | None:
        """The units a label, or a run of them (``(a)(1)``), opens at once; the innermost
        is given the block's end."""
        numbers = _EACH_LABEL.findall(labels) if labels.count("(") > 1 else (labels[1:-1],)
        unit = None
        for k, number in enumerate(numbers):
            last = k == len(numbers) - 1
            unit = self._subdivision(number, depth, line, start, end_line if last else None, end if last else None,
                                     chained=k > 0)
            if unit is None:
                return None
        return unit

    def _subdivision(self, number: str, depth: int, line: int, start: int, end_line: int | None, end: int | None,
                     chained: bool) -> _Open | None:
        # The builder's innermost loop (once a subdivision, tens of thousands in a long
        # text): the stack closed and the holder found here rather than by calls. The
        # stack is closed first: closing never reaches a holder (its level is below
        # _CHAIN), so the holder found after is the one before.
        if self.defines and not chained:
            self._leaves_definition(number, line, start)
        stack = self.stack
        level = _CHAIN + depth
        if not chained:
            while stack:
                top = stack[-1]
                if top.end_line is not None:
                    if top.end_line > line:
                        break
                elif top.level >= level:
                    top.end_line, top.end = line, start
                else:
                    break
                stack.pop()
        if not stack:
            return None
        top = stack[-1]  # a subdivision, its holder, or a unit no subdivision is in
        if top.holder:
            holder = top
        elif top.level < _CHAIN:
            return None
        elif (holder := top.owner) is None:  # not a subdivision (a recital): the holder below it, if any
            holder = next((unit for unit in reversed(stack) if unit.holder or unit.level < _CHAIN), None)
            if holder is None or not holder.holder:
                return None
        follows = False
        holder_kind = holder.kind
        levels, styles, forms = self.shapes.get(holder_kind, _NO_SHAPE)
        if chained:
            parent, index = stack[-1], None
        else:
            # _placed's answer, sooner, where the last subdivision is the only one to weigh:
            parent, last = stack[-1], self.last
            if last is parent:  # the first subdivision inside the last one
                index = None
            elif last is None:  # the first in its holder, or of a list of its own
                index = None
                follows, self.list_introduced = self.list_introduced, False
            elif last.alternative is not None:
                parent, index = self._placed(number, holder, levels, depth)
                follows, self.list_introduced = self.list_introduced, False
            elif (after_last := _follows(styles[last.index], last.number, number)) and last.up is parent:
                index = last.index  # the next after the last one
                follows = "~" not in last.id
            elif (deeper := _deeper_level(styles, number, last.index)) is not None and _starts(styles[deeper], number):
                if last.up is parent:
                    parent, index = self._reopened(last), deeper  # the first of a level below it
                else:
                    parent, index = self._placed(number, holder, levels, depth)
                    follows, self.list_introduced = self.list_introduced, False
            elif not after_last and (up := last.up) is not parent and up.up is parent and up.alternative is None \
                    and _follows(styles[up.index], up.number, number):
                # What _placed would find, sooner: the next after the unit the last one is in
                # ((2) after (1)(a)(b)), in order.
                index = up.index
                follows = "~" not in up.id
            else:
                parent, index = self._placed(number, holder, levels, depth)
                follows, self.list_introduced = self.list_introduced, False
        if index is None:
            index = _deeper_level(styles, number, parent.index if parent is not holder else -1)
            if index is None:
                if parent is holder or depth == 0:
                    self._warn("unknown-label",
                               f"({number}) is not a number {holder.label} is divided by in a {self.t.name}",
                               line, holder.id)
                    return None
                index = min(parent.index + 1, len(levels) - 1) if levels else 0
        kind, id_form, before, after = forms[index] if levels else _ITEM_FORM
        bare, spelled = _NUMBER_FORMS.get(number) or _number_forms(number)
        run = parent.id + id_form
        # The unit's fields set here, not by _Open(): tens of thousands of them in a long
        # text. A subdivision has no suffix of its own: its holder's is its label's end.
        unit = _new_open(_Open)
        unit.id = run + spelled
        unit.base_label = unit.own_label = label = parent.base_label + before + bare + after
        unit.label = label + holder.suffix
        unit.kind = kind
        unit.number = bare
        unit.parent = parent.id
        unit.up = parent
        unit.level = level
        unit.start = start
        unit.end = end
        unit.line = line + 1
        unit.end_line = end_line
        unit.heading = ""
        unit.index = index
        unit.holder = False
        unit.owner = holder
        unit.run = run
        unit.follows = follows
        unit.alternative = self.alternative
        if self.alternative is not None:
            self.alternative = None
        if self.seen.setdefault(unit.id, unit) is unit:
            self.built.append(unit)
            stack.append(unit)
        else:
            self._open(unit)
        self.last = unit
        return unit

    def _placed(self, number: str, holder: _Open, levels: tuple[Level, ...], depth: int) -> tuple[_Open, int | None]:
        """Where a subdivision goes: after the one it follows in its numbering, inside
        the one before it where its numbering starts a deeper level (``(a)`` after
        ``(1)``, written at the same depth), or else where list nesting put it."""
        parent = self.stack[-1]
        trail: list[_Open] = []  # the last subdivision and its ancestors, below ``parent``
        unit = self.last
        while unit is not None and unit is not parent and unit is not holder:
            trail.append(unit)
            unit = unit.up
        if unit is not parent or not levels:
            return parent, None
        if trail and trail[0].alternative is not None and trail[0].number == "i" and _ROMAN.fullmatch(number) \
                and number != "i" and not _follows(levels[trail[0].index].numbering, "h", number):
            # (ii) after an (i) read as the letter after (h): that (i) was the first roman numeral.
            self._renest(trail[0], *trail[0].alternative)
            return self._reopened(trail[0].up), trail[0].index
        for k, candidate in enumerate(trail):
            if _follows(levels[candidate.index].numbering, candidate.number, number):
                return self._reopened(candidate.up), candidate.index
            deeper = _deeper_level(self.styles[holder.kind], number, candidate.index)
            if deeper is not None and _starts(levels[deeper].numbering, number):
                # (i) after (h) is the next letter, not a first roman numeral.
                letter = next((c for c in trail[k + 1:]
                               if _follows(levels[c.index].numbering, c.number, number)), None)
                if letter is not None:
                    self.alternative = (candidate, deeper)
                    return self._reopened(letter.up), letter.index
                return self._reopened(candidate), deeper
        for candidate in trail:
            if _fits(levels[candidate.index].numbering, number):
                return self._reopened(candidate.up), candidate.index
        return parent, None

    def _renest(self, unit: _Open, parent: _Open, index: int) -> None:
        """``unit`` (which has no subdivisions yet) moved inside ``parent`` at ``index``."""
        del self.seen[unit.id]
        kind, id_form, before, after = self.forms[self._innermost_holder().kind][index]
        unit.run = parent.id + id_form
        unit.id, unit.parent, unit.up, unit.index = unit.run + id_number(unit.number), parent.id, parent, index
        unit.base_label = unit.own_label = parent.base_label + before + unit.number + after
        unit.label = unit.base_label + (parent if parent.holder else parent.owner).suffix
        unit.kind, unit.alternative = kind, None
        self.seen.setdefault(unit.id, unit)
        self._reopened(parent)

    def _reopened(self, unit: _Open) -> _Open:
        """``unit`` open again, with its ancestors, for a subdivision that its numbering
        puts inside it though the text closed it."""
        chain = []
        while unit is not None and unit not in self.stack:
            chain.append(unit)
            unit = unit.up
        for again in reversed(chain):
            again.end_line = again.end = None
            self.stack.append(again)
        return self.stack[-1]

    def _dot_level(self, holder: _Open) -> Level | None:
        levels = self.t.levels.get(holder.kind, ())
        return levels[0] if levels and levels[0].written == "dot" else None

    # Results -----------------------------------------------------------------------

    def provisions(self, n_lines: int, text_length: int) -> tuple[Provision, ...]:
        self._drop_pending()
        self._close_until(n_lines, text_length, 0)
        built, self.built = self.built, []
        self.seen.clear()
        provisions: list[Provision] = []
        first_start = built[0].start if built else text_length
        if first_start > 0 or not built:
            provisions.append(Provision(PREAMBLE, "the preamble", "preamble", "", None, 0, first_start, 1))
        # Each unit is let go as its provision is made, so a long text's units and
        # provisions are not all held at once.
        append = provisions.append
        # The numbering is checked as the provisions are made (see _numbering_warning).
        runs: dict[tuple[str, str], Provision] = {}
        sparse = self.sparse
        fields = _PROVISION_FIELDS
        for i, unit in enumerate(built):
            built[i] = None
            provision = _new_provision(Provision, fields(unit))
            append(provision)
            if unit.follows:  # the next after the one before (a subdivision, never a duplicate): in order
                runs[(unit.kind, unit.run)] = provision
                continue
            number = unit.number
            if not number or unit.kind in sparse:
                continue
            run, provision_id = unit.run, unit.id
            if run is None or "~" in provision_id:
                own = id_number(number)
                if not provision_id.endswith(own):
                    continue  # a duplicate's "~2"
                run = provision_id[:-len(own)]
            key = (unit.kind, run)
            before = runs.get(key)
            runs[key] = provision
            if before is not None:
                warning = _numbering_warning(before, provision)
                if warning is not None:
                    self.numbering.append(warning)
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
            unit.follows = False  # a duplicate is not in the run of the one before it
            self._warn("duplicate", f"duplicate provision {unit.label!r}: lines {first.line} and {unit.line}",
                       unit.line - 1, unit.id)
        seen[unit.id] = unit
        self.built.append(unit)
        self.stack.append(unit)

    def _innermost(self, kinds: tuple[str, ...]) -> _Open | None:
        for unit in reversed(self.stack):
            if unit.kind in kinds:
                return unit
        return None

    def _innermost_holder(self) -> _Open | None:
        for unit in reversed(self.stack):
            if unit.holder:
                return unit
            if unit.level < _CHAIN:
                return None
        return None

    def _warn(self, code: str, message: str, line: int, provision_id: str | None = None) -> None:
        if provision_id is None and self.stack:
            provision_id = self.stack[-1].id
        self.warnings.append(StructureWarning(code, message, line + 1, provision_id))


def _clip(words: str, size: int = 40) -> str:
    return words if len(words) <= size else words[:size - 1] + "…"


def _heading_like(line: str) -> bool:
    """Whether a line of a text without Markdown headings may be a heading: short, and
    not ending as a sentence or a list does."""
    end = line.rstrip("]")  # the end of words an amendment marks: "[F29the Judge Advocate General; or]"
    return len(line) <= 160 and not end.endswith((";", ",", "—", ":", "–", " or", " and")) and len(
        _DOTS.sub(" .", line).split()) <= 16


_DOTS = re.compile(r"(?:\s*\.){3,}")  # ". . . ." printed for repealed words: one word


# Numbering: which style a number is in, and whether one follows another. Each is a
# pure function of a few short strings that recur all through a text (a, b; 1, 2), so
# each is remembered.

_STYLE_PATTERNS = {style: re.compile(pattern) for style, pattern in NUMBERING.items()}
_ROMAN = _STYLE_PATTERNS["roman"]
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


@lru_cache(maxsize=4096)
def _fits(styles: tuple[str, ...], number: str) -> bool:
    return any(_STYLE_PATTERNS[s].fullmatch(number) for s in styles)


@lru_cache(maxsize=4096)
def _deeper_level(styles: tuple[tuple[str, ...], ...], number: str, below: int) -> int | None:
    """The first level below ``below`` whose numbering ``number`` fits (``styles``: each
    level's numbering styles, outermost first)."""
    for index in range(below + 1, len(styles)):
        if _fits(styles[index], number):
            return index
    return None


@lru_cache(maxsize=4096)
def number_value(style: str, number: str) -> tuple[int, str] | None:
    """A number's place in its style's sequence, with an inserted number's letters
    (``2A`` is (2, "A")); ``None`` if it is not in that style."""
    bare = number.strip("*")
    if not _STYLE_PATTERNS[style].fullmatch(number):
        return None
    if style in ("arabic", "italic-arabic"):
        digits = re.match(r"[0-9]+", bare).group()
        return int(digits), bare[len(digits):]
    if style in ("roman", "upper-roman", "italic-roman"):
        return _roman(bare.lower()), ""
    # Letters: a … z, then aa (inserted after a) is a, "a".
    return ord(bare[0].lower()) - 96, bare[1:].lower()


def _roman(numeral: str) -> int:
    total = 0
    for k, c in enumerate(numeral):
        value = _ROMAN_VALUES[c]
        total += -value if k + 1 < len(numeral) and _ROMAN_VALUES[numeral[k + 1]] > value else value
    return total


@lru_cache(maxsize=4096)
def _follows(styles: tuple[str, ...], before: str, number: str) -> bool:
    """Whether ``number`` comes next after ``before`` at a level numbered in ``styles``
    (2 after 1, 2A after 2, 3 after 2A, i after h, ii after i)."""
    for style in styles:
        a, b = number_value(style, before), number_value(style, number)
        if a is not None and b is not None and (b[0] == a[0] + 1 and not b[1] or b[0] == a[0] and b[1] > a[1]):
            return True
    return False


@lru_cache(maxsize=4096)
def _starts(styles: tuple[str, ...], number: str) -> bool:
    """Whether ``number`` is the first at a level numbered in ``styles`` (1, a, i, A)."""
    return any((value := number_value(style, number)) is not None and value == (1, "") for style in styles)


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
# A block opening a unit with no heading ("5.—(1) …", the older SI style), at the start
# of the text or after a newline: a search led by the newline skips to each at memchr
# speed, where "^" (MULTILINE) is tried at every character (1.4 against 5.8 ms a MB).
_NUMBERED_BLOCK_LINE = re.compile(r"[ >]*(?:\[F[0-9]+\s*)?(?:\*\*)?[0-9]+[A-Z]*\.(?:\*\*)?[ ]*[—–]")
_NUMBERED_BLOCK_AFTER_NEWLINE = re.compile("\n" + _NUMBERED_BLOCK_LINE.pattern)


def _has_numbered_block(text: str) -> bool:
    return _NUMBERED_BLOCK_LINE.match(text) is not None or _NUMBERED_BLOCK_AFTER_NEWLINE.search(text) is not None


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


def _below_headings(t: Tradition) -> tuple[str, ...]:
    """How the ids of units no heading line shows start (a regulation's subdivisions,
    a schedule's paragraphs): a section whose id starts so may be a duplicate of one."""
    return tuple(unit.id.partition("{")[0] for unit in t.headed
                 if (unit.holds or unit.kind in t.schedules) and not unit.id.startswith("{"))


def _section_kinds(t: Tradition) -> tuple[str, ...]:
    """The kinds a level-2 heading opens (closed at the next level-2 heading)."""
    return (*(unit.kind for unit in t.headed if unit.rank == 1), t.unnumbered)


def _outline(text: str, kind: str = DEFAULT_KIND) -> _Outline | None:
    """The outline of a text (of a kind whose tradition may be read in stretches,
    :attr:`Tradition.stretches`) whose level-2 and level-3 headings are exactly its
    lines starting ``## `` and ``### ``, as both readers find them, whose other headings
    open nothing and name nothing, and whose units' ids are unique and all known from
    those lines; ``None`` for any other text (which is read whole)."""
    if not _plain_lines(text, 0, len(text)) or not _HEADING_LINE.search(text) or _has_numbered_block(text):
        return None
    outline = _Outline([], [], [], [], [])
    ids: set[str] = set()
    section: _Open | None = None
    schedule_start: int | None = None  # of the schedule whose first paragraph is still to come
    hashes = line = counted_to = 0
    t = tradition(kind)
    below_headings = _below_headings(t)
    classify = _Builder(False, t)
    for start, run, rest in _hash_lines(text):
        hashes += len(run) + rest.count("#")
        if len(run) > 6 or rest[:1] not in ("", " "):
            continue
        content = _atx_heading_content(rest[1:]).strip()
        classify.stack = [section] if section is not None else []
        found = classify._headed(content, len(run))
        if len(run) == 1:
            if found is not None:
                return None  # a Part at level 1
            continue
        if found is None and len(run) > 2:
            return None  # the heading of the unit below it, or words the next unit may take as its heading
        if len(run) not in (2, 3):
            return None  # a unit opened at a level the outline does not cut at
        if len(run) == 2:
            if found is None:
                unit = _Open(slug(content) or "section", "", "", "section", "", None, 1, 0, start)
                if unit.id.startswith(below_headings):
                    return None
            elif found[0].rank == 1:
                unit = _headed_unit(*found, None, start)
            else:
                return None
        else:
            if not found[0].holds:
                return None
            unit = _headed_unit(*found, section, start)
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
            if unit.kind in t.schedules:
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


def _headed_unit(unit: Headed, m: re.Match, container: _Open | None, start: int) -> _Open:
    """The unit a heading opens, as the outline needs it (its id, kind and start)."""
    number = m.group("number") or ""
    inside = container if unit.within else None
    return _Open(unit_id(unit, number, inside.id if inside else ""), "", "", unit.kind, number, None, unit.rank, 0,
                 start)


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


# Reading a stretch costs about what its share of the text costs read whole, and the
# outline a few per cent of the whole; past a quarter of the stretches, the whole is cheaper.
_STRETCHES_PER_WHOLE = 4


class StretchReader:
    """The provisions around a range of one text, read from the stretch between the
    headings before and after the range rather than from the whole text.

    For any offset or range within ``start..end`` (both ends included), the
    :class:`Structure` that :meth:`structure_around` gives answers ``touching``, ``at``
    and ``ancestors`` exactly as ``parse_structure(text, strict=False)`` does, with the
    same provisions field by field. It holds the provisions that start in the stretch
    and the section holding it (the preamble only if the stretch starts the text). A
    text whose stretches cannot be read alone (see :func:`_outline`), or a stretch the
    scanner declines, is read whole, once; so is every text of a ``kind`` whose tradition
    is not read in stretches (:attr:`Tradition.stretches`: an outline needs headings that
    close every unit, which an Act's cross-headings or an EU act's recitals do not).

    ``edited_from`` and ``changed`` say that ``text`` is another reader's text changed
    only between ``changed[0]`` and ``changed[2]`` (``changed[1]`` in the other; as
    ``ApplyResult.changed`` says): where the change cannot have moved a heading, the
    outline is the other's, moved along, and ``text`` is not read for it. A text
    edited from one that is read whole is read whole too (an amendment seldom takes
    away what stopped the other being read in stretches).
    """

    def __init__(self, text: str, edited_from: StretchReader | None = None,
                 changed: tuple[int, int, int] | None = None, *, kind: str = DEFAULT_KIND) -> None:
        self.text = text
        self.kind = edited_from.kind if edited_from is not None else kind
        self.tradition = tradition(self.kind)
        if not self.tradition.stretches:
            self._outline = None
        elif edited_from is None:
            self._outline = _remembered_outline(text, self.kind)
        elif edited_from._outline is None:
            self._outline = None
        else:
            moved_along = _edited_outline(edited_from._outline, edited_from.text, text, changed)
            self._outline = moved_along if moved_along is not None else _outline(text, self.kind)
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
        build = _Builder(False, self.tradition)
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
        section_kinds = _section_kinds(self.tradition)
        for n in range(len(provisions) - 1, -1, -1):
            if provisions[n].kind in section_kinds:
                following = bisect.bisect_left(sections, stop)
                provisions[n] = provisions[n]._replace(
                    end=sections[following] if following < len(sections) else len(text))
                break
        return Structure(text, tuple(provisions))

    def provisions_at(self, offsets: Sequence[int]) -> list[Provision | None]:
        """``parse_structure(text, strict=False).at(offset)`` for each of ``offsets``, each
        read from the stretch around it (:meth:`structure_around`; a stretch read once,
        however many offsets stand in it), or from the whole text where the offsets stand
        in more than a quarter of its stretches (:data:`_STRETCHES_PER_WHOLE`: reading so
        many one by one costs more than reading the text once)."""
        outline = self._outline
        stretch_of = [bisect.bisect_right(outline.cuts, offset) for offset in offsets] if outline else []
        if outline is None or len(set(stretch_of)) * _STRETCHES_PER_WHOLE > len(outline.cuts) + 1:
            whole = self._read_whole()
            return [whole.at(offset) for offset in offsets]
        read: dict[int, Structure] = {}
        found = []
        for offset, stretch in zip(offsets, stretch_of):
            # The same stretch as structure_around(offset, offset) reads: between the cuts either side.
            structure = read.get(stretch)
            if structure is None:
                structure = read[stretch] = self.structure_around(offset, offset)
            found.append(structure.at(offset))
        return found

    def _read_whole(self) -> Structure:
        if self._whole is None:
            self._whole = parse_structure(self.text, kind=self.kind, strict=False)
        return self._whole


_ID_PART = re.compile(r"(\d+)([a-z]*)|([a-z]+)")


def id_order_key(provision_id: str) -> tuple:
    """Sorts provision ids as a drafter numbers them: ``reg-2`` < ``reg-2a`` <
    ``reg-3`` < ``reg-3-a`` < ``reg-10`` (not as strings, where ``reg-10`` < ``reg-2``)."""
    return tuple((0, word, 0, "") if word else (1, "", int(number), suffix)
                 for number, suffix, word in _ID_PART.findall(provision_id))
