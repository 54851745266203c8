"""The marked text: a diff merged into one Markdown text, the new text with the deleted
words put back, every change between private-use markers that the renderers pass
through; and the changes and sources each marked run stands for."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Sequence

from regdraft.core.diffing import MOVED, UNCHANGED, ProvisionDiff, Relocation, TextDiff
from regdraft.core.patching import DELETE, EQUAL, INSERT

if TYPE_CHECKING:
    from regdraft.core.redline.stored_rendering import TextRendering


INS_OPEN, DEL_OPEN, INS_CLOSE, DEL_CLOSE, END_NUMBER = "\ue000", "\ue001", "\ue002", "\ue003", "\ue01f"
DIGITS = "".join(chr(0xE010 + d) for d in range(10))
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# One leading character class, which the regex engine scans for quickly: an opener
# carries its change number, a closer none.
MARKER = re.compile(f"([{INS_OPEN}-{DEL_CLOSE}])(?:([{DIGITS}]+){END_NUMBER})?")
INS_OPEN_UTF8, INS_CLOSE_UTF8 = INS_OPEN.encode(), INS_CLOSE.encode()
# The same in UTF-8 (each mark three bytes, the first two fixed, which the regex engine
# seeks fastest), each whole mark one group, which splits the HTML into [html, mark,
# html, ..., html]: replacing the marks is then a lookup of each in a dict at C speed,
# where a regex's call back into Python for each took twice as long.
MARK_UTF8 = re.compile(rb"(\xee\x80[\x80-\x83](?:(?:\xee\x80[\x90-\x99])+\xee\x80\x9f)?)")
DIGITS_TO_ASCII = bytes.maketrans(bytes(range(0x90, 0x9A)), b"0123456789")
"""The last byte of each digit's UTF-8 to the digit (the first two are fixed)."""
_TO_DIGITS = str.maketrans("0123456789", DIGITS)


def may_hold_marks(html: bytes) -> bool:
    """Whether UTF-8 ``html`` may hold a mark: it holds the first byte of every mark (and
    of any private-use character up to U+EFFF), which memchr finds, or finds missing,
    much faster than the regex finds no mark."""
    return b"\xee" in html
CLOSERS = {INS_CLOSE: INS_OPEN, DEL_CLOSE: DEL_OPEN}
# Block syntax at a line start: a heading's hashes (the number after them is text),
# or list and quote markers, possibly nested.
BLOCK_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|(?:(?:[-*+]|\d{1,9}[.)]|>)[ \t]+)*)")


END_OF_TEXT = "end-of-text"
"""Where a notice about something after the last provision stands (not a provision id)."""


@dataclass(frozen=True)
class Source:
    """What a change's ``source`` (an amendment slug) stands for."""

    title: str
    proposer: str
    notes: tuple[str, ...] = ()
    """Pre-rendered, escaped HTML fragments (one per citation) for the Keeling notes."""
    proposed: str = ""
    """When the change was proposed (ISO 8601), for formats that date changes (Word's
    tracked changes); empty when unknown."""


@dataclass(frozen=True, slots=True)  # a long text has one per provision: no __dict__ each
class Change:
    """One marked change: adjacent deletions and insertions of one source in one provision."""

    number: int
    provision: str
    label: str
    source: str | None
    deleted: str
    inserted: str
    relocation: Relocation | None = None
    """Where the provision's text went or came from, if the change is a move or a renumbering."""

    @property
    def described(self) -> str:
        """What the change did, in a few words: "moved to regulation 7", "substituted"."""
        relocation = self.relocation
        if relocation is not None:
            if relocation.kind != MOVED:
                return f"renumbered from {relocation.from_label}"
            moved = f"moved to {relocation.to_label}" if self.deleted else f"moved from {relocation.from_label}"
            return moved + ", edited" if relocation.edit else moved
        if not (self.deleted.strip() or self.inserted.strip()):
            return "white space changed"
        return "substituted" if self.deleted and self.inserted else ("inserted" if self.inserted else "deleted")


@dataclass
class _Merged:
    text: list[str | range] = field(default_factory=list)
    """The merged text's pieces; a run of unchanged provisions as the range of
    :attr:`source` (the new text) it is, not copied (read as :class:`MergedText`)."""
    source: str = ""
    changes: list[Change] = field(default_factory=list)
    # The line (0-based) of the merged text from which each group owns the blocks, and
    # its provision id. A group starting inside a line owns blocks from the next line on.
    group_lines: list[int] = field(default_factory=list)
    group_provisions: list[str] = field(default_factory=list)
    lines: int = 0
    """Line ends so far."""
    at_line_start: bool = True
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    """Each piece of :attr:`text` that is the new text unchanged: (its index in
    :attr:`text`, where it starts in the new text), for splicing a stored rendering."""
    new_length: int = 0
    """The new text's length."""
    stored_runs: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Each run of groups whose ids and lines were read from the new text's rendering:
    (its first group, how many, the first's index in the rendering, the shift of their
    lines from the stored ones: the first's own line excepted)."""

    def add(self, text: str) -> None:
        self.text.append(text)
        self.lines += text.count("\n")
        if text:
            self.at_line_start = text.endswith("\n")


# A numeric character reference to a private-use code point is that character once
# rendered, which would be read as a mark (a change opened or closed that the text never
# made): it becomes U+FFFD's reference, as CommonMark renders a reference to a code
# point it refuses. The policy refuses the character itself; its reference is text.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def _private_use_reference(match: re.Match) -> str:
    hexadecimal, decimal = match[1], match[2]
    code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    if not 0xE000 <= code <= 0xF8FF:
        return match.group()
    # Of the same length (a private-use code point takes at least four hexadecimal
    # digits, or five decimal), so that offsets into the text stay valid.
    if hexadecimal is not None:
        return match.group()[:3] + "FFFD".rjust(len(hexadecimal), "0") + ";"
    return "&#" + "65533".rjust(len(decimal), "0") + ";"


def without_marks(text: str) -> str:
    """``text`` with every private-use character (which the renderers use for their
    marks) and every numeric reference to one replaced by U+FFFD, one character for
    one: no mark can be forged, and offsets into the text stay valid."""
    text = PRIVATE_USE.sub("\ufffd", text)
    return _CHARACTER_REFERENCE.sub(_private_use_reference, text) if "&#" in text else text


def _number(n: int) -> str:
    return str(n).translate(_TO_DIGITS) + END_NUMBER


def _changes_of(group: ProvisionDiff, first_number: int) -> list[tuple[int | None, list]]:
    """Split a group's ops into runs: (change number or None for equal text, ops)."""
    runs: list[tuple[int | None, list]] = []
    number = first_number
    for op in group.ops:
        if op.kind == EQUAL:
            runs.append((None, [op]))
            continue
        previous = runs[-1] if runs else None
        if previous and previous[0] is not None and previous[1][-1].source == op.source and \
                not (previous[1][-1].kind == INSERT and op.kind == DELETE):
            previous[1].append(op)
        else:
            runs.append((number, [op]))
            number += 1
    return runs


_PRIVATE_USE_HIGH_BYTE = bytes(int(0xE0 <= byte <= 0xF8) for byte in range(256))
"""1 for the high byte of a private-use character's UTF-16 code unit (U+E000–U+F8FF:
no surrogate of a character beyond U+FFFF has one), 0 for any other byte."""


def _holds_private_use(text: str) -> bool:
    """``PRIVATE_USE.search(text) is not None``, at C speed: the high bytes of the text's
    UTF-16 code units (a copy of the text, at memcpy speed for a text of two bytes a
    character) looked up in a table, where the regex tried its class on each character
    (3 ms at 1 MB, against 0.4 ms)."""
    if text.isascii():
        return False
    return b"\x01" in text.encode("utf-16-le", "surrogatepass")[1::2].translate(_PRIVATE_USE_HIGH_BYTE)


def _may_be_marked(text: str, new_unmarked: bool = False) -> bool:
    """Whether ``text`` holds a private-use character, or a reference that may be one;
    ``new_unmarked``: it is (part of) the new text, known to hold no private-use
    character, so only references are looked for ("&" is found at memchr speed, "&#"
    not)."""
    return ("&" in text and "&#" in text) or (not new_unmarked and _holds_private_use(text))


def _needs_cleaning(parts: Sequence, runs: Sequence, new_unmarked: bool = False) -> bool:
    """Whether any of ``parts`` (a diff's, with ``runs`` the ``provision_starts`` of its
    unchanged runs) holds a private-use character or a reference that may be one. The
    changed groups' ops are joined and searched at once; each text the runs read from
    is searched whole, and run by run only if it holds one (a step in Python for each
    op and a regex over every run took 4 ms at 1 MB with 10% of lines changed)."""
    if _may_be_marked("".join([op.text for part in parts if isinstance(part, ProvisionDiff) for op in part.ops])):
        return True
    read, dirty = None, False  # the text the last run read, and whether it holds one
    for source, start, end, _ in runs:
        if source is not read:
            read, dirty = source, _may_be_marked(source, new_unmarked)
        if dirty and start < end and (source.find("&#", start, end) != -1 or (
                not new_unmarked and PRIVATE_USE.search(source, start, end) is not None)):
            return True
    return False


_second = itemgetter(1)


def _stored_run(rendering: TextRendering, source: str, start: int, ids: list[str]) -> tuple[int, int] | None:
    """Where the provisions ``ids`` of an unchanged run of the new text (``source``), the
    first starting at ``start``, stand in ``rendering`` (of that text): the index of
    the first, and the new text's line at ``start``; None if they are not its groups
    there. Their lines are then the stored ones, shifted as the run is."""
    pieces = rendering.pieces
    if not pieces or not ids:
        return None
    piece = bisect.bisect_right(pieces.starts, start) - 1
    line = pieces.lines[piece] + source.count("\n", pieces.starts[piece], start)
    # the line from which the first provision owns blocks, as :func:`render_text` counts it
    owned = line + (start > 0 and source[start - 1] != "\n")
    group_lines, group_ids = rendering.group_lines, rendering.group_ids
    k = bisect.bisect_left(group_lines, owned)
    while k < len(group_lines) and group_lines[k] == owned:
        if group_ids.holds_at(k, ids):
            return k, line
        k += 1
    return None


def merge_marked(diff: TextDiff, new_unmarked: bool = False, rendering: TextRendering | None = None) -> _Merged:
    """The merged text of ``diff``; ``rendering`` (of its new text, if there is one)
    gives the lines of its unchanged runs' provisions, which are otherwise counted."""
    merged = _Merged()
    number = 1
    parts = diff.parts
    # What each unchanged run reads (a changed group has none), asked once.
    spans = [None if isinstance(part, ProvisionDiff) else part.provision_starts() for part in parts]
    # One scan of the text decides whether any piece needs cleaning at all (a piece
    # that needs none is the same cleaned, so a reference found across two is no harm).
    clean = without_marks if _needs_cleaning(parts, [span for span in spans if span is not None],
                                             new_unmarked) else str
    pieces, group_lines, provisions = merged.text, merged.group_lines, merged.group_provisions
    unchanged = merged.unchanged
    at_new = 0  # where the next part starts in the new text
    # Most groups of a long text are unchanged provisions: their text is added here
    # with the line state kept locally, and handed over for the others. A run of them
    # not yet made into groups is added as one piece, its provisions' lines counted in
    # place (making a group of each cost as much as the diff).
    lines, at_line_start = 0, True
    for group, span in zip(parts, spans):
        if span is not None:
            source, start, end, firsts = span
            count, counted = source.count, start
            stored = None
            if rendering is not None:
                first = next(firsts, None)
                if first is not None and first[0] == start:
                    ids = [first[1], *map(_second, firsts)]
                    stored = _stored_run(rendering, source, start, ids)
                if stored is None:
                    firsts = group.provision_starts()[3]  # (again, to count their lines)
            if stored is not None:
                # Each provision's line is the stored one shifted (the first's, at the
                # run's start, depends on what the merged text so far ends with): no
                # step in Python for each of them.
                k, new_line = stored
                shift = lines - new_line
                merged.stored_runs.append((len(group_lines), len(ids), k, shift))
                group_lines.append(lines if at_line_start else lines + 1)
                group_lines.extend(map(shift.__add__, rendering.group_lines[k + 1:k + len(ids)]))
                provisions.extend(ids)
                counted, firsts = start, ()
            for offset, provision in firsts:
                if offset > counted:
                    lines += count("\n", counted, offset)
                    at_line_start, counted = source[offset - 1] == "\n", offset
                group_lines.append(lines if at_line_start else lines + 1)
                provisions.append(provision)
            if end > start:
                unchanged.append((len(pieces), start))  # a run reads the new text itself
                if clean is str and (merged.source is source or not merged.source):
                    # (every run reads one text, the new one: a copy of it was 2 MB at 1 MB)
                    merged.source = source
                    pieces.append(range(start, end))
                else:
                    pieces.append(clean(source[start:end]))
                lines += count("\n", counted, end)
                at_line_start = source[end - 1] == "\n"
            at_new = end
            continue
        group_lines.append(lines if at_line_start else lines + 1)
        provisions.append(group.provision)
        ops = group.ops
        if group.status == UNCHANGED:
            piece = clean(ops[0].text if len(ops) == 1 else "".join(op.text for op in ops))
            if piece:
                unchanged.append((len(pieces), at_new))
                at_new += len(piece)
                pieces.append(piece)
                lines += piece.count("\n")
                at_line_start = piece[-1] == "\n"
            continue
        merged.lines, merged.at_line_start = lines, at_line_start
        for change, run in _changes_of(group, number):
            if change is None:
                unchanged.append((len(pieces), at_new))
                at_new += len(run[0].text)
                merged.add(clean(run[0].text))
                continue
            number = change + 1
            merged.changes.append(Change(
                change, group.provision, group.label, run[0].source,
                "".join([op.text for op in run if op.kind == DELETE]),
                "".join([op.text for op in run if op.kind == INSERT]), group.relocation))
            for op in run:
                _add_marked(merged, clean(op.text), op.kind, change)
                if op.kind != DELETE:
                    at_new += len(op.text)
        lines, at_line_start = merged.lines, merged.at_line_start
    merged.new_length = at_new
    return merged


_LINES = re.compile("(\n)")


def _add_marked(merged: _Merged, text: str, kind: str, change: int) -> None:
    """Wrap each line of ``text`` on its own, after any block syntax at a line start."""
    opener = (INS_OPEN if kind == INSERT else DEL_OPEN) + _number(change)
    closer = INS_CLOSE if kind == INSERT else DEL_CLOSE
    for piece in _LINES.split(text) if "\n" in text else (text,):  # (most changes are words in a line)
        if not piece:
            continue
        if piece == "\n":
            merged.add(piece)
            continue
        prefix = BLOCK_PREFIX.match(piece).group() if merged.at_line_start else ""
        body = piece[len(prefix):]
        if body.strip():
            merged.add(prefix + opener + body + closer)
        else:
            merged.add(piece)
