"""A diff placed in its two texts, for a client that draws its own redline.

A :class:`~regdraft.core.diffing.TextDiff` says what changed, provision by provision,
as ops whose text is the stored Markdown. A client rendering a redline of its own
(a JS page, an editor plug-in) needs more: where each change and each op stands in
the old and the new text, what kind of provision it is, and the ops cut where a
renderer must cut them, so that no piece mixes Markdown syntax with the words it
marks up and each piece belongs to one provision. :func:`placed_changes` gives that,
by one walk over the diff's groups (the lengths of their ops added up), never a
second diff.

How the ops are cut into :class:`Segment` values (the rule ``docs/rendering.md``
states for clients):

- at every point where a provision starts or ends (the innermost provision of the
  text the piece stands in, as :meth:`~regdraft.core.structure.Structure.at` has it),
  so each segment names its own provision;
- around each run of line ends (role ``break``);
- around Markdown syntax (role ``syntax``, with ``markup`` saying which): a line's
  block syntax (``### `` ``heading``; ``- ``, ``* ``, ``1. `` ``list``; ``> ``
  ``quote``; the blanks that indent a line ``indent``), a run of ``*`` or ``_`` that
  CommonMark's flanking rules let open or close emphasis (``emphasis``), a backtick
  run (``code``), the backslash of an escape (``escape``; the character after it is
  text), and the brackets and target of an inline link ``[text](url)`` (``link``).

Everything else is role ``text``. A deleted piece is read in the old text, an inserted
or equal one in the new. The segments of an op rebuild its text exactly.
"""

from __future__ import annotations

import bisect
import operator
import re
import unicodedata
from functools import partial
from typing import Iterator, NamedTuple

from regdraft.core.diffing import REMOVED, ProvisionDiff, TextDiff, owners_of
from regdraft.core.diffing.grouping import WINDOW_SHARE
from regdraft.core.diffing.owners import Owners
from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.core.provision_table import ProvisionTable
from regdraft.core.structure import PREAMBLE, Structure

TEXT, SYNTAX, BREAK = "text", "syntax", "break"

# A line's block syntax, marker by marker: heading hashes (the number after them is
# text), list and quote markers, nested, and the blanks that indent the line.
_BLOCK_MARKER = re.compile(r"#{1,6}[ \t]+|(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]?|[ \t]+")
_BLOCK_SYNTAX = re.compile(f"(?P<markers>(?:{_BLOCK_MARKER.pattern})+)")
_BLOCK_AFTER_LINE_END = re.compile(f"\n{_BLOCK_SYNTAX.pattern}")
# Inline syntax: an escape (its backslash is syntax, the character after it text), a
# backtick run, an emphasis delimiter run, and a link's opening bracket (with its
# closing "](" on the line) and its "](target)".
_INLINE = re.compile(r"(?P<escape>\\)[!-/:-@\[-`{-~]|(?P<code>`+)|(?P<emphasis>\*+|_+)"
                     r"|(?P<open>\[)(?=[^\[\]\n]*\]\([^()\s]*\))|(?P<target>\]\([^()\s]*\))")
_INLINE_CHARACTER = re.compile(r"[\\`*_\[\]]")
_SPAN_END = operator.itemgetter(1)
_OP_FIELDS = operator.attrgetter("kind", "text", "source")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# Named tuples, not dataclasses: a long text's diff, every provision included, has one
# segment per heading, line end and run of words, and a tuple is made at C speed.

class PlacedOp(NamedTuple):
    """One op of a change, with where it stands in each text: a deletion's new range
    (and an insertion's old one) is empty, the point where it was or would be."""

    kind: str
    text: str
    source: str | None
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class Segment(NamedTuple):
    """A piece of one op that a renderer draws one way: words, syntax or line ends."""

    role: str
    """:data:`TEXT`, :data:`SYNTAX` or :data:`BREAK`."""
    markup: str | None
    """For syntax: ``heading``, ``list``, ``quote``, ``indent``, ``emphasis``, ``code``,
    ``escape`` or ``link``."""
    provision: str
    """The innermost provision holding it (in the old text for a deletion)."""
    piece: PlacedOp
    """The op's text it covers, of the op's kind and source, placed in both texts."""


class PlacedChange(NamedTuple):
    """A group of a diff, where it stands in both texts, its provision's kind, its ops
    placed and its segments."""

    group: ProvisionDiff
    kind: str | None
    """The provision's kind (``regulation``, ``paragraph``, ``section``...), from the
    new text's structure (the old one's for a removed provision); ``None`` for an id
    neither has."""
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    ops: tuple[PlacedOp, ...]
    segments: tuple[Segment, ...]


def placed_changes(diff: TextDiff, old_structure: Structure, new_structure: Structure, *,
                   unchanged: bool = False) -> Iterator[PlacedChange]:
    """The changes of ``diff`` (every group with ``unchanged``), placed in the texts
    whose structures are given (those the diff was made from)."""
    placed = list(diff.placed(unchanged=unchanged))
    if not placed:
        return
    last, last_old, last_new = placed[-1]
    old_side = _Side(old_structure, placed[0][1], last_old + sum(len(op.text) for op in last.ops if op.kind != INSERT))
    new_side = _Side(new_structure, placed[0][2], last_new + sum(len(op.text) for op in last.ops if op.kind != DELETE))
    for group, old_at, new_at in placed:
        old_start, new_start = old_at, new_at
        ops: list[PlacedOp] = []
        deletes = others = False
        for kind, text, source in map(_OP_FIELDS, group.ops):
            length = len(text)
            if kind == DELETE:
                ops.append(_placed_op((kind, text, source, old_at, old_at + length, new_at, new_at)))
                old_at += length
                deletes = True
            elif kind == INSERT:
                ops.append(_placed_op((kind, text, source, old_at, old_at, new_at, new_at + length)))
                new_at += length
                others = True
            else:
                ops.append(_placed_op((kind, text, source, old_at, old_at + length, new_at, new_at + length)))
                old_at, new_at = old_at + length, new_at + length
                others = True
        # The syntax of the lines each side of the group touches, read once for its ops.
        old_syntax = _syntax_between(old_side.text, old_start, old_at) if deletes else []
        new_syntax = _syntax_between(new_side.text, new_start, new_at) if others else []
        segments: list[Segment] = []
        for op in ops:
            if op.kind == DELETE:
                old_side.cut(op, op.old_start, old_syntax, segments)
            else:
                new_side.cut(op, op.new_start, new_syntax, segments)
        removed = group.status == REMOVED
        kind = (old_side if removed else new_side).kind_at(group.provision, *((old_start, old_at) if removed
                                                                             else (new_start, new_at)))
        if kind is None:
            kind = _kind_of(group, old_structure, new_structure)
        yield _placed_change((group, kind, old_start, old_at, new_start, new_at, tuple(ops), tuple(segments)))


# Made from a tuple at C speed, without the named tuples' own ``__new__`` (a Python
# function): a long diff makes one of each per op and segment.
_placed_op = partial(tuple.__new__, PlacedOp)
_segment = partial(tuple.__new__, Segment)
_placed_change = partial(tuple.__new__, PlacedChange)


def _kind_of(group: ProvisionDiff, old_structure: Structure, new_structure: Structure) -> str | None:
    first, second = (old_structure, new_structure) if group.status == REMOVED else (new_structure, old_structure)
    kind = first.kind_of(group.provision)
    if kind is None:
        kind = second.kind_of(group.provision)
    if kind is not None:
        return kind
    return "preamble" if group.provision == PREAMBLE else None


class _Side:
    """One text of the diff, and how its pieces are cut."""

    __slots__ = ("text", "owners", "kinds")

    def __init__(self, structure: Structure, start: int, end: int) -> None:
        """``start`` to ``end``: where the changes to cut stand in this text."""
        self.text = structure.text
        provisions = structure.provisions
        self.kinds = provisions.kind_at if isinstance(provisions, ProvisionTable) \
            else (lambda place: provisions[place].kind)
        # Who owns each stretch there: the whole text's table where the changes spread
        # over much of it (the diff has made it then, and it is kept), else the table
        # of that window alone, as the diff makes it then too; one changed word of a
        # long text needs no table of its every provision (4 ms a megabyte, cold).
        self.owners = (owners_of(structure) if (end - start) * WINDOW_SHARE > len(self.text)
                       else Owners.between(structure, start, end))

    def kind_at(self, provision_id: str, start: int, end: int) -> str | None:
        """The kind of the provision ``provision_id`` if it owns the stretch of this text
        where ``text[start:end]`` starts, read from the owners' table's place of it (the
        changes come in order: no lookup by id, nor an index of every id); ``None`` where
        the table does not give it (then :func:`_kind_of` looks it up)."""
        places = self.owners.places
        if places is None or start >= end:
            return None
        k = bisect.bisect_right(self.owners.starts, start) - 1
        if k < 0 or self.owners.ids[k] != provision_id or places[k] < 0:
            return None
        return self.kinds(places[k])

    def cut(self, op: PlacedOp, start: int, syntax: list[tuple[int, int, str]], out: list[Segment]) -> None:
        """The op, standing in this text from ``start``, cut into segments added to
        ``out``, from its start to its end: each piece runs to the nearest of the op's
        end, the next provision's stretch, and the edge of its syntax span, line ends
        or words. ``syntax``: the spans of :func:`_syntax_between` around it."""
        kind, op_text, source = op.kind, op.text, op.source
        end = start + len(op_text)
        starts, ids = self.owners.starts, self.owners.ids
        owner = max(bisect.bisect_right(starts, start) - 1, 0)
        next_owner = starts[owner + 1] if owner + 1 < len(starts) else end
        span = bisect.bisect_right(syntax, start, key=_SPAN_END)  # the first syntax span not before it
        spans = len(syntax)
        if start < end <= next_owner and (span == spans or syntax[span][0] >= end) and "\n" not in op_text:
            out.append(_segment((TEXT, None, ids[owner], op)))  # the usual word op: one piece, the op itself
            return
        text = self.text
        # Where a piece from ``at`` to ``stop`` of this text stands in the other: still
        # (a deletion's new range, an insertion's old one) or moved along with it.
        other = op.new_start if kind == DELETE else op.old_start
        shift = op.old_start - op.new_start if kind == EQUAL else None
        at = start
        while at < end:
            if span < spans and syntax[span][0] <= at:
                role, markup, stop = SYNTAX, syntax[span][2], syntax[span][1]
            elif text[at] == "\n":
                role, markup, stop = BREAK, None, at + 1
                while stop < end and text[stop] == "\n":
                    stop += 1
            else:
                role, markup = TEXT, None
                line_end = text.find("\n", at, end)
                stop = min(line_end if line_end != -1 else end, syntax[span][0] if span < spans else end)
            if stop > end:
                stop = end
            if stop > next_owner:
                stop = next_owner
            if kind == DELETE:
                piece = (kind, text[at:stop], source, at, stop, other, other)
            elif shift is None:
                piece = (kind, text[at:stop], source, other, other, at, stop)
            else:
                piece = (kind, text[at:stop], source, at + shift, stop + shift, at, stop)
            out.append(_segment((role, markup, ids[owner], _placed_op(piece))))
            at = stop
            while at >= next_owner and owner + 1 < len(starts):
                owner += 1
                next_owner = starts[owner + 1] if owner + 1 < len(starts) else end
            if next_owner <= at:
                next_owner = end
            while span < spans and syntax[span][1] <= at:
                span += 1


def _syntax_between(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The Markdown syntax of the lines that ``text[start:end]`` touches, as (start,
    end, markup), in order and not overlapping."""
    line = text.rfind("\n", 0, start) + 1
    # The end of the line of the last character (no syntax holds a line end).
    line_end = text.find("\n", end - 1 if end > start else end)
    line_end = len(text) if line_end == -1 else line_end
    spans: list[tuple[int, int, str]] = []
    # Most lines open with no syntax but a provision's number, and most words hold no
    # inline syntax: one expression finds the lines that open with some (the first
    # line, then those after a line end: a search for a line end is quicker than
    # trying every character for a line's start), another (only where one of its
    # characters occurs) the inline syntax.
    first = _BLOCK_SYNTAX.match(text, line, line_end)
    blocks = [first] if first else []
    if text.find("\n", line, line_end) != -1:
        blocks.extend(_BLOCK_AFTER_LINE_END.finditer(text, line, line_end))
    for block in blocks:
        for marker in _BLOCK_MARKER.finditer(text, block.start("markers"), block.end()):
            char = text[marker.start()]
            spans.append((marker.start(), marker.end(), "heading" if char == "#" else "quote" if char == ">"
                          else "indent" if char in " \t" else "list"))
            if char == "#":
                break  # what follows a heading's hashes is its text
    if _INLINE_CHARACTER.search(text, line, line_end) is None:
        return spans
    ends = [span[1] for span in spans]
    for match in _INLINE.finditer(text, line, line_end):
        name = match.lastgroup
        begin, stop = match.span(name)
        k = bisect.bisect_right(ends, begin)
        if k < len(spans) and spans[k][0] <= begin:
            continue  # in a line's block syntax: a list marker's "*" is the list's
        if name == "emphasis" and not _may_delimit(text, begin, stop):
            continue
        spans.insert(k, (begin, stop, "link" if name in ("open", "target") else name))
        ends.insert(k, stop)
    return spans


def _may_delimit(text: str, start: int, end: int) -> bool:
    """Whether the run of ``*`` or ``_`` at ``text[start:end]`` can open or close
    emphasis by CommonMark's flanking rules (a ``_`` not inside a word)."""
    before = text[start - 1] if start else "\n"
    after = text[end] if end < len(text) else "\n"
    before_blank, after_blank = before.isspace(), after.isspace()
    before_mark, after_mark = _punctuation(before), _punctuation(after)
    left = not after_blank and (not after_mark or before_blank or before_mark)
    right = not before_blank and (not before_mark or after_blank or after_mark)
    if text[start] == "*":
        return left or right
    return (left and (not right or before_mark)) or (right and (not left or after_mark))


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


class Utf16:
    """Offsets of a text as code points (Python's ``str`` indexes) turned into UTF-16
    code units (JavaScript's ``String`` indexes): the same but after a character
    beyond U+FFFF, which takes two units. ``None`` for a text without one."""

    __slots__ = ("astral",)

    def __init__(self, astral: list[int]) -> None:
        self.astral = astral

    @classmethod
    def of(cls, text: str) -> Utf16 | None:
        # Encoding to UTF-16 is a copy at C speed (0.3 ms a megabyte); a search for a
        # character beyond U+FFFF tries every character (3 ms), and most texts hold none.
        if text.isascii() or len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
            return None
        astral = [match.start() for match in _ASTRAL.finditer(text)]
        return cls(astral) if astral else None

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)
