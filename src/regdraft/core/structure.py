"""Provisions: the numbered units of a regulation, found in markdown-it tokens.

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
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

from regdraft.core.errors import InvalidStructure

PREAMBLE = "preamble"

_REGULATION = re.compile(r"^(\d+[A-Z]*)\.(?:\s+(.*))?$")
_PART = re.compile(r"^Part\s+(\d+[A-Z]*)\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_SCHEDULE = re.compile(r"^Schedule(?:\s+(\d+[A-Z]*))?\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_LABEL = re.compile(r"^\(([0-9]+[A-Z]*|[a-z]+|[A-Z]+)\)(?=\s|$)")
_SLUG = re.compile(r"[^a-z0-9]+")

# Levels only order units against each other when spans are closed.
_SECTION, _REG, _PARA = 1, 2, 3


@dataclass(frozen=True)
class Provision:
    """A numbered unit of the text."""

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


# A heading at the start of a line after a blank line closes every open block (list,
# quote, paragraph), so the text can be parsed in pieces cut there, unless fences or
# HTML blocks, which a heading does not close, occur at all.
_CUT = re.compile(r"\n\n(?=#{2,3} )")
_UNSPLITTABLE = re.compile(r"^ {0,3}(?:```|~~~|<)", re.M)


def _block_tokens(text: str, chunk_bytes: int):
    """markdown-it's block tokens of ``text``, in lists of about ``chunk_bytes``
    characters, with line maps counted from the start of the whole text. A long text's
    tokens all at once would take 25 times its size in memory."""
    parser = _parser(_rules_that_cannot_fire(text))
    if len(text) <= chunk_bytes or _UNSPLITTABLE.search(text):
        yield parser.parse(text)
        return
    start = line = 0
    while start < len(text):
        cut = _CUT.search(text, start + chunk_bytes)
        stop = cut.start() + 2 if cut else len(text)
        tokens = parser.parse(text[start:stop])
        if line:
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + line, token.map[1] + line]
        yield tokens
        line += text.count("\n", start, stop)
        start = stop


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


class _Open:
    """A provision being built: its end is fixed by what follows it."""

    __slots__ = ("id", "label", "suffix", "kind", "number", "parent", "level", "line", "end_line", "heading")

    def __init__(self, **kw) -> None:
        for name in self.__slots__:
            setattr(self, name, kw.get(name))


def parse_structure(text: str, *, strict: bool = True, chunk_bytes: int = 65536) -> Structure:
    """Find the provisions of ``text``.

    With ``strict`` a duplicate id raises :class:`InvalidStructure` naming both lines;
    without it (for texts in the middle of being amended, where two amendments may
    each add a regulation 5) the later one is given the id ``reg-5~2``.
    ``chunk_bytes`` only bounds memory (see :func:`_block_tokens`); it never changes
    the result.
    """
    lines = text.split("\n")
    line_starts = [0]
    for line in lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    n_lines = len(lines)
    built: list[_Open] = []
    stack: list[_Open] = []
    seen: dict[str, _Open] = {}

    def close_until(line: int, level: int) -> None:
        while stack:
            top = stack[-1]
            if top.end_line is not None and top.end_line <= line:
                stack.pop()
            elif top.end_line is None and top.level >= level:
                top.end_line = line
                stack.pop()
            else:
                break

    def open_unit(unit: _Open) -> None:
        if unit.id in seen:
            if strict:
                first = seen[unit.id]
                raise InvalidStructure(
                    f"duplicate provision {unit.label!r}: lines {first.line + 1} and {unit.line + 1}",
                    provision=unit.id, lines=[first.line + 1, unit.line + 1])
            n = 2
            while f"{unit.id}~{n}" in seen:
                n += 1
            unit.id = f"{unit.id}~{n}"
        seen[unit.id] = unit
        built.append(unit)
        stack.append(unit)

    def innermost(kinds: tuple[str, ...]) -> _Open | None:
        for unit in reversed(stack):
            if unit.kind in kinds:
                return unit
        return None

    for tokens in _block_tokens(text, chunk_bytes):
        list_depth = 0
        for i, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "heading_open" and tok.tag in ("h2", "h3"):
                line = tok.map[0]
                content = tokens[i + 1].content.strip()
                if tok.tag == "h2":
                    close_until(line, _SECTION)
                    open_unit(_section(content, line))
                else:
                    unit = _regulation_or_schedule_paragraph(content, line, innermost(("schedule", "part", "section")))
                    if unit is not None:
                        close_until(line, _REG)
                        unit.parent = _parent_id(stack)
                        open_unit(unit)
            elif tok.type == "paragraph_open" and list_depth == 0:
                line = tok.map[0]
                match = _LABEL.match(tokens[i + 1].content)
                holder = innermost(("regulation", "schedule-paragraph"))
                if match and holder is not None and match.group(1)[0].isdigit():
                    close_until(line, _PARA)
                    open_unit(_child(holder, match.group(1),
                                     "paragraph" if holder.kind == "regulation" else "schedule-sub-paragraph",
                                     line, _PARA, None))
            elif tok.type == "list_item_open":
                line, end_line = tok.map
                close_until(line, _PARA + list_depth)
                unit = _list_item(tokens, i, stack, line, end_line, list_depth)
                if unit is not None:
                    open_unit(unit)
    close_until(n_lines, 0)
    for unit in stack:
        unit.end_line = n_lines

    def offset(line: int) -> int:
        return line_starts[line] if line < n_lines else len(text)

    provisions: list[Provision] = []
    first_start = offset(built[0].line) if built else len(text)
    if first_start > 0 or not built:
        provisions.append(Provision(PREAMBLE, "the preamble", "preamble", "", None, 0, first_start, 1))
    for unit in built:
        provisions.append(Provision(
            id=unit.id, label=unit.label + (unit.suffix or ""), kind=unit.kind, number=unit.number or "",
            parent=unit.parent, start=offset(unit.line), end=offset(unit.end_line), line=unit.line + 1,
            heading=unit.heading or ""))
    return Structure(text, tuple(provisions))


def _section(content: str, line: int) -> _Open:
    if m := _PART.match(content):
        number = m.group(1)
        return _Open(id=f"part-{number.lower()}", label=f"Part {number}", kind="part", number=number,
                     level=_SECTION, line=line, heading=m.group(2))
    if m := _SCHEDULE.match(content):
        number = m.group(1)
        if number:
            return _Open(id=f"sch-{number.lower()}", label=f"Schedule {number}", kind="schedule",
                         number=number, level=_SECTION, line=line, heading=m.group(2))
        return _Open(id="sch", label="the Schedule", kind="schedule", number="", level=_SECTION,
                     line=line, heading=m.group(2))
    slug = _SLUG.sub("-", content.lower()).strip("-") or "section"
    label = "the " + (content[:1].lower() + content[1:] if content else "section")
    return _Open(id=slug, label=label, kind="section", number="", level=_SECTION, line=line, heading=content)


def _regulation_or_schedule_paragraph(content: str, line: int, container: _Open | None) -> _Open | None:
    m = _REGULATION.match(content)
    if m is None:
        return None
    number, heading = m.group(1), m.group(2) or ""
    if container is not None and container.kind == "schedule":
        return _schedule_paragraph(container, number, line, None, heading)
    return _Open(id=f"reg-{number.lower()}", label=f"regulation {number}", suffix="", kind="regulation",
                 number=number, level=_REG, line=line, heading=heading)


def _schedule_paragraph(schedule: _Open, number: str, line: int, end_line: int | None, heading: str = "") -> _Open:
    return _Open(id=f"{schedule.id}-para-{number.lower()}", label=f"paragraph {number}",
                 suffix=f" of {schedule.label}", kind="schedule-paragraph", number=number, parent=schedule.id,
                 level=_REG, line=line, end_line=end_line, heading=heading)


def _child(parent: _Open, number: str, kind: str, line: int, level: int, end_line: int | None) -> _Open:
    return _Open(id=f"{parent.id}-{number.lower()}", label=f"{parent.label}({number})", suffix=parent.suffix,
                 kind=kind, number=number, parent=parent.id, level=level, line=line, end_line=end_line)


_CHILD_KIND = {"regulation": "sub-paragraph", "paragraph": "sub-paragraph", "schedule-paragraph": "sub-paragraph",
               "schedule-sub-paragraph": "sub-paragraph", "sub-paragraph": "head", "head": "item"}


def _list_item(tokens, i: int, stack: list[_Open], line: int, end_line: int, depth: int) -> _Open | None:
    # The item's own text is the inline token of its first paragraph.
    inline = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None
    parent = stack[-1] if stack else None
    if parent is None:
        return None
    if tokens[i].info and parent.kind == "schedule" and depth == 1:
        return _schedule_paragraph(parent, tokens[i].info, line, end_line)
    if inline is None or parent.kind not in _CHILD_KIND:
        return None
    match = _LABEL.match(inline.content)
    if match is None:
        return None
    return _child(parent, match.group(1), _CHILD_KIND[parent.kind], line, _PARA + depth, end_line)


def _parent_id(stack: list[_Open]) -> str | None:
    return stack[-1].id if stack else None


_ID_PART = re.compile(r"(\d+)([a-z]*)|([a-z]+)")


def id_order_key(provision_id: str) -> tuple:
    """Sorts provision ids as a drafter numbers them: ``reg-2`` < ``reg-2a`` <
    ``reg-3`` < ``reg-3-a`` < ``reg-10`` (not as strings, where ``reg-10`` < ``reg-2``)."""
    return tuple((0, word, 0, "") if word else (1, "", int(number), suffix)
                 for number, suffix, word in _ID_PART.findall(provision_id))
