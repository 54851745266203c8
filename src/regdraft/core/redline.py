"""Redlines: a diff rendered for people.

HTML keeps the document's structure (headings, numbered paragraphs, lists) by
rendering the *merged* text — the new text with the deleted words put back — as
CommonMark, with every inserted or deleted run wrapped in ``<ins>``/``<del>``. The
runs are marked in the Markdown with private-use characters that the renderer passes
through untouched, and the markers are turned into tags after rendering, so a change
never breaks the Markdown structure around it. Markers are opened after a line's
block syntax (``### ``, ``- ``) so an inserted heading is still a heading.

Two CommonMark renderers give the same HTML: cmark-gfm (C, through cmarkgfm) renders a
long regulation fifteen times faster than markdown-it-py, so it renders every text
without raw HTML or links; markdown-it-py, whose link check enforces our link policy,
renders the rest. Both write each block's source line (``data-sourcepos``), and one
pass over the HTML turns the first block of every provision into its anchor.

Untrusted text is safe by construction: raw HTML is never rendered (markdown-it runs
with it off, and text holding ``<`` never reaches cmark), every piece of text reaches
the output through the renderer's escaping or :func:`html.escape`, links are allowed
only to http(s) and relative targets, and any private-use character in the input is
replaced before marking, so input cannot forge a marker.
"""

from __future__ import annotations

import bisect
import ctypes
import html
import re
from array import array
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import accumulate, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple, Sequence

from cmarkgfm import _cmark

from regdraft.core.diffing import MOVED, UNCHANGED, ProvisionDiff, Relocation, TextDiff, owners_of
from regdraft.core.history import edited_version, source_name
from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.core.policy import KEPT_INVISIBLE, character_name, safe_link
from regdraft.core.provision_table import _cut, _offsets
from regdraft.core.structure import Structure, pieces_between_headings

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_INS_OPEN, _DEL_OPEN, _INS_CLOSE, _DEL_CLOSE, _END_NUMBER = "\ue000", "\ue001", "\ue002", "\ue003", "\ue01f"
_DIGITS = "".join(chr(0xE010 + d) for d in range(10))
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# One leading character class, which the regex engine scans for quickly: an opener
# carries its change number, a closer none.
_MARKER = re.compile(f"([{_INS_OPEN}-{_DEL_CLOSE}])(?:([{_DIGITS}]+){_END_NUMBER})?")
_INS_OPEN_UTF8, _INS_CLOSE_UTF8 = _INS_OPEN.encode(), _INS_CLOSE.encode()
# The same in UTF-8 (each mark three bytes, the first two fixed, which the regex engine
# seeks fastest), each whole mark one group, which splits the HTML into [html, mark,
# html, ..., html]: replacing the marks is then a lookup of each in a dict at C speed,
# where a regex's call back into Python for each took twice as long.
_MARK_UTF8 = re.compile(rb"(\xee\x80[\x80-\x83](?:(?:\xee\x80[\x90-\x99])+\xee\x80\x9f)?)")
_DIGITS_TO_ASCII = bytes.maketrans(bytes(range(0x90, 0x9A)), b"0123456789")
"""The last byte of each digit's UTF-8 to the digit (the first two are fixed)."""
_TO_DIGITS = str.maketrans("0123456789", _DIGITS)


def _may_hold_marks(html: bytes) -> bool:
    """Whether UTF-8 ``html`` may hold a mark: it holds the first byte of every mark (and
    of any private-use character up to U+EFFF), which memchr finds, or finds missing,
    much faster than the regex finds no mark."""
    return b"\xee" in html
_CLOSERS = {_INS_CLOSE: _INS_OPEN, _DEL_CLOSE: _DEL_OPEN}
# Block syntax at a line start: a heading's hashes (the number after them is text),
# or list and quote markers, possibly nested.
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|(?:(?:[-*+]|\d{1,9}[.)]|>)[ \t]+)*)")


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
    :attr:`source` (the new text) it is, not copied (read as :class:`_MergedText`)."""
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
    text = _PRIVATE_USE.sub("\ufffd", text)
    return _CHARACTER_REFERENCE.sub(_private_use_reference, text) if "&#" in text else text


def _number(n: int) -> str:
    return str(n).translate(_TO_DIGITS) + _END_NUMBER


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
    """``_PRIVATE_USE.search(text) is not None``, at C speed: the high bytes of the text's
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
                not new_unmarked and _PRIVATE_USE.search(source, start, end) is not None)):
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


def _merge(diff: TextDiff, new_unmarked: bool = False, rendering: TextRendering | None = None) -> _Merged:
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
    opener = (_INS_OPEN if kind == INSERT else _DEL_OPEN) + _number(change)
    closer = _INS_CLOSE if kind == INSERT else _DEL_CLOSE
    for piece in _LINES.split(text) if "\n" in text else (text,):  # (most changes are words in a line)
        if not piece:
            continue
        if piece == "\n":
            merged.add(piece)
            continue
        prefix = _BLOCK_PREFIX.match(piece).group() if merged.at_line_start else ""
        body = piece[len(prefix):]
        if body.strip():
            merged.add(prefix + opener + body + closer)
        else:
            merged.add(piece)


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """markdown-it for untrusted text: CommonMark, raw HTML off, safe links only.
    Imported here: a file diff that renders nothing does not pay for it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = safe_link  # the one link policy, on the link as markdown-it decoded it
    md.normalizeLink = _normalize_marked_link
    return md


# A deleted run wholly inside one link or attribute: in the link as it now stands it is gone.
_DELETED_RUN = re.compile(f"{_DEL_OPEN}[{_DIGITS}]+{_END_NUMBER}[^{_DEL_CLOSE}\"]*{_DEL_CLOSE}")


def _normalize_marked_link(url: str) -> str:
    """markdown-it's link normalising, for a link that holds marks (a change, a quote):
    the address is normalised without them (and without what a change deleted) and the
    marks are kept, unencoded, after it, so that :func:`marks_between_text_nodes` can
    move them out of the attribute. Percent-encoded, they would be lost halfway, and a
    change or quote would open without closing."""
    from markdown_it.common import normalize_url

    if _PRIVATE_USE.search(url) is None:
        return normalize_url.normalizeLink(url)
    marks = "".join(_PRIVATE_USE.findall(url))
    return normalize_url.normalizeLink(_PRIVATE_USE.sub("", _DELETED_RUN.sub("", url))) + marks


def render_marked(text: str, *, sourcepos: bool = False) -> str:
    """Marked Markdown (private-use marks of changes or quotes in it) as HTML, the marks
    still in it. An autolink's address is its text: the marks stay in the text only.
    With ``sourcepos``, blocks an anchor can go on carry their line as cmark writes it."""
    md = markdown()
    tokens = md.parse(text)
    for tok in tokens:
        if sourcepos and tok.type in _ANCHORABLE_TOKENS and tok.map is not None:
            tok.attrSet("data-sourcepos", f"{tok.map[0] + 1}:1")
        for child in tok.children or ():
            if child.type == "link_open" and child.markup == "autolink":
                child.attrSet("href", _PRIVATE_USE.sub("", str(child.attrGet("href"))))
    return md.renderer.render(tokens, md.options, {})


# A tag, and a tag that holds a private-use character (a mark the renderer put into an
# attribute: a link's address or title, an image's text, a code block's language).
_TAG = re.compile(r"(<[^<>]*>)")
_TAG_WITH_MARK = re.compile("<[^<>]*[\ue000-\uf8ff]")


def marks_between_text_nodes(rendered: str, marker: re.Pattern, closers: dict[str, str],
                             deleted: re.Pattern | None = None) -> str:
    """Move every mark that rendering put inside a tag out of it, so that marks (which
    become ``<ins>``, ``<del>``, ``<mark>``) stand between text nodes only and never
    break an attribute.

    ``marker`` matches one mark, group 1 its kind and group 2 its number (a closer may
    have none); ``closers`` maps each closing kind to its opening kind. A run that was
    open before the tag and closes in it closes before the tag; one that opens in it
    opens after the tag; one that opens and closes in it (a change to a link's address
    or title) is written after the tag, empty, so that the change is still marked and
    listed. A run that closes in a tag before it opens (in a link's address, the link's
    text opening it) closes at the end of the text it opens in. ``deleted`` matches a deleted run wholly inside one attribute value, which
    is left out of the value: an attribute shows the text as it now stands. At most one
    run is open at a time (changes and quote clusters do not overlap)."""
    if _TAG_WITH_MARK.search(rendered) is None:
        return rendered
    open_runs: list[tuple[str, str | None, str]] = []  # (kind, number, the opening mark)
    # Closers met in a tag before their run opened: a link's address is written before
    # its text, where the run may open.
    early: list[re.Match] = []

    def closes(mark: re.Match, run: tuple[str, str | None, str]) -> bool:
        return run[0] == closers[mark[1]] and (mark[2] is None or mark[2] == run[1])

    def close(mark: re.Match, runs: list) -> tuple | None:
        for i in range(len(runs) - 1, -1, -1):
            if closes(mark, runs[i]):
                return runs.pop(i)
        return None

    parts = _TAG.split(rendered)
    for i, part in enumerate(parts):
        if _PRIVATE_USE.search(part) is None:
            continue
        marks = list(marker.finditer(part))
        if i % 2 == 0:  # text: follow which run is open
            ends = []
            for mark in marks:
                if mark[1] in closers:
                    close(mark, open_runs)
                    continue
                run = (mark[1], mark[2], mark.group())
                closer = next((c for c in early if closes(c, run)), None)
                if closer is None:
                    open_runs.append(run)
                else:  # its closer came first, in the link's address: it closes where this text does
                    early.remove(closer)
                    ends.append(closer.group())
            parts[i] = part + "".join(ends)
            continue
        before, after, here = [], [], []
        # Openers first: an image's address, written before its text, may close a run its text opened.
        for mark in sorted(marks, key=lambda m: m[1] in closers):
            if mark[1] not in closers:
                here.append((mark[1], mark[2], mark.group()))
            elif (run := close(mark, here)) is not None:
                after.append(run[2] + mark.group())
            elif close(mark, open_runs) is not None:
                before.append(mark.group())
            else:
                early.append(mark)
        after.extend(run[2] for run in here)
        open_runs.extend(here)
        tag = deleted.sub("", part) if deleted is not None else part
        parts[i] = "".join(before) + _PRIVATE_USE.sub("", tag) + "".join(after)
    return "".join(parts)


def render_markdown(text: str) -> str:
    """Untrusted Markdown (rationales, response text) as safe HTML."""
    return markdown().render(without_marks(text))


def render_html(diff: TextDiff, *, sources: dict[str, Source] | None = None, notes: bool = False,
                notices: dict[str, list[str]] | None = None,
                rendering: TextRendering | None = None) -> tuple[str, list[Change]]:
    """The redline as an HTML fragment, and its changes in order (see
    :func:`render_html_utf8`, which this decodes)."""
    body, changes = render_html_utf8(diff, sources=sources, notes=notes, notices=notices, rendering=rendering)
    return body.decode("utf-8", "surrogatepass"), changes


def render_html_utf8(diff: TextDiff, *, sources: dict[str, Source] | None = None, notes: bool = False,
                     notices: dict[str, list[str]] | None = None,
                     rendering: TextRendering | None = None) -> tuple[bytes, list[Change]]:
    """The redline as an HTML fragment in UTF-8, and its changes in order (see
    :func:`render_html_chunks`, which this joins)."""
    chunks, changes = render_html_chunks(diff, sources=sources, notes=notes, notices=notices, rendering=rendering)
    return b"".join(chunks), changes


def render_html_chunks(diff: TextDiff, *, sources: dict[str, Source] | None = None, notes: bool = False,
                       notices: dict[str, list[str]] | None = None,
                       rendering: TextRendering | None = None) -> tuple[list[bytes | memoryview], list[Change]]:
    """The redline as an HTML fragment in UTF-8, in consecutive chunks, and its changes
    in order: what a response sends, never held as a str (a str with one character
    past Latin-1 takes two bytes for each, twice the UTF-8 of a mostly ASCII page), nor
    joined before the page around it is (:func:`render_page_utf8` joins the chunks
    once); the chunks spliced from a stored rendering are views of it, not copies.

    Each provision's first block gets ``id`` = its provision id; each ``<ins>``/``<del>``
    carries ``data-change``, ``data-provision`` and ``data-amendment`` (the source's
    slug), or ``data-version`` for a version's direct edits. With ``notes``
    each change is followed by a link to its numbered note (the Keeling schedule).
    ``notices`` puts escaped warnings (conflicts) at the start of named provisions.
    ``rendering`` (:func:`render_text` of the diff's new text, made when the version
    was stored) gives the HTML of stretches the diff left unchanged, spliced where it
    is the HTML they would be rendered to (:func:`_splices`); the result is the same.
    """
    sources = sources or {}
    merged = _merge(diff, rendering is not None and not rendering.private_use, rendering)
    if rendering is not None and rendering.length != merged.new_length:
        rendering, merged = None, _merge(diff)  # not the new text's: nothing is known of it
    # The merged text is read piece by piece, never joined: its unchanged runs are the
    # new text's (2 MB at 1 MB for a text with an em dash), and only the stretches
    # rendered again are cut from it, one at a time.
    text = _MergedText(merged.text, merged.source, rendering is not None and bool(rendering.pieces))
    spliced = _splices(text, merged.unchanged, rendering) if rendering is not None else ()
    anchors = _Anchors(merged.group_lines, merged.group_provisions, notices or {}, merged.stored_runs)
    by_number = {c.number: c for c in merged.changes}

    @lru_cache(maxsize=None)
    def of_source(slug: str | None) -> tuple[str, str]:
        """What a change's tag says of its source (the same for each of its changes):
        the attribute naming it, escaped, and the words of its title."""
        source = sources.get(slug or "")
        edited = edited_version(slug)
        by = (f" by {source.title} ({source.proposer})" if source
              else f" by {source_name(slug)}" if edited is not None else "")
        named = (f'data-version="{edited}"' if edited is not None
                 else f'data-amendment="{html.escape(slug or "", quote=True)}"')
        return named, by

    def opening(marker: bytes, number: bytes) -> bytes:
        kind = "ins" if marker == _INS_OPEN_UTF8 else "del"
        change = by_number[int(number[2::3].translate(_DIGITS_TO_ASCII))]
        named, by = of_source(change.source)
        verb = "Inserted" if kind == "ins" else "Deleted"
        relocation = change.relocation
        moved = ""
        if relocation is None:
            classes, title = f"rd-{kind}", f"{verb} in {change.label}{by}"
        else:  # a move or renumbering says so, and where the text went or came from
            classes, title = f"rd-{kind} rd-{relocation.kind}", f"{change.label}: {change.described}{by}"
            moved = (f' data-{relocation.kind}-from="{html.escape(relocation.from_provision, quote=True)}"'
                     f' data-{relocation.kind}-to="{html.escape(relocation.to_provision, quote=True)}"')
        return (f'<{kind} class="{html.escape(classes, quote=True)}" data-change="{change.number}" '
                f'data-provision="{html.escape(change.provision, quote=True)}" {named} '
                f'title="{html.escape(title, quote=True)}"{moved}>').encode("utf-8", "surrogatepass")

    class Tags(dict):
        """Each mark's tag, built when first met (a change spanning lines is marked
        once per line: its tag is built once)."""

        def __missing__(self, mark: bytes) -> bytes:
            # (a mark without a number is a closer)
            self[mark] = made = opening(mark[:3], mark[3:-3]) if len(mark) > 3 else (
                b"</ins>" if mark == _INS_CLOSE_UTF8 else b"</del>")
            return made

    tags = Tags()

    # A long text is rendered a piece at a time, so that no whole-text copy of the HTML
    # exists until the finished pieces are joined, and the merged text is let go first.
    # The pieces are held as UTF-8: HTML is mostly ASCII, while a str with one character
    # past Latin-1 (an em dash) takes two bytes for each, so the finished pieces and the
    # page they make are not both held at full width; and cmark writes UTF-8, which each
    # pass reads at a byte a character. "surrogatepass" carries any lone surrogate of the
    # input through unchanged.
    pieces = []
    piece = None
    for piece, first_line, end_line, rendered in _render_blocks(text, spliced, rendering, anchors):
        if piece is None:  # a stored version's HTML, spliced as it is
            pieces.extend(rendered)
            continue
        body = anchors.apply(rendered, first_line, end_line)
        if _may_hold_marks(body):
            parts = _MARK_UTF8.split(body)
            parts[1::2] = map(tags.__getitem__, parts[1::2])
            body = b"".join(parts)
        if _may_show_invisible(piece):
            body = flag_invisible(body.decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")
        pieces.append(body)
    del text, piece
    if notes:  # piece by piece: the page is never held twice, once without its links
        _add_note_links(pieces)
    return pieces, merged.changes


# Where cmark-gfm and markdown-it-py with our link policy part ways, the text goes to
# markdown-it: raw HTML and autolinks (cmark drops the one and allows more link
# schemes), inline links and link definitions (markdown-it leaves a disallowed link as
# text), emphasis beside a non-ASCII symbol (CommonMark 0.31, which markdown-it
# follows, counts symbols as punctuation; cmark-gfm follows 0.29), strong emphasis
# (whose nested delimiter runs the two pair differently), and syntax that regulations
# do not use and the two read differently at the edges: block quotes, code spans and
# fences, tabs, list items that start with an empty line, a backslash before spaces at
# a line end. Lone carriage returns end lines for cmark but not for the line numbers
# counted here. tests/unit/test_redline.py draws texts to prove the rest renders alike.
_MARKDOWN_IT_CHARACTERS = "<>`\r\t"
# Each check runs only where its trigger character occurs (``in`` scans at memchr speed).
_MARKDOWN_IT_PATTERNS = (
    ("]", re.compile(r"\][(:]")),
    ("~", re.compile("~~~")),
    ("*_", re.compile(r"\*\*|__|[*_](?:(?<=[^\x00-\x7f].)|(?=[^\x00-\x7f]))")),
    ("\\", re.compile(r"\\ +(?:\n|\Z)")),
)
# An empty list item: on the first line, or after a line end (a pattern that starts
# with a literal is found fastest, where one starting with ``^`` tries every place).
_EMPTY_ITEM = r" *(?:[-+*]|\d{1,9}[.)]) *(?:\n|\Z)"
_EMPTY_ITEM_FIRST, _EMPTY_ITEM_LATER = re.compile(_EMPTY_ITEM), re.compile("\n" + _EMPTY_ITEM)


def _needs_markdown_it(text: str) -> bool:
    return (any(char in text for char in _MARKDOWN_IT_CHARACTERS)
            or any(any(char in text for char in triggers) and pattern.search(text)
                   for triggers, pattern in _MARKDOWN_IT_PATTERNS)
            or _EMPTY_ITEM_FIRST.match(text) is not None or _EMPTY_ITEM_LATER.search(text) is not None)


# The checks of :func:`_needs_markdown_it` read piece by piece (:func:`_pieces_need_markdown_it`):
# within a piece, the patterns without ``\Z`` (a piece's end is not the text's) ...
_BACKSLASH_SPACES_LINE = re.compile(r"\\ +\n")
_EMPTY_ITEM_LINE = re.compile("\n" + r" *(?:[-+*]|\d{1,9}[.)]) *\n")
# ... and across pieces: a backslash and spaces at the end so far, and the line so far
# while it may still become an empty item.
_OPEN_BACKSLASH = re.compile(r"\\ *\Z")
_SPACES = re.compile(" *")
_EMPTY_ITEM_START = re.compile("\n" + r" *(?:(?:[-+*]|\d{1,9}[.)]) *|\d{1,9})?")
_SHORT_PATTERNS = _MARKDOWN_IT_PATTERNS[:3]
"""The patterns whose every match, with what it looks around at, is at most three
characters long: one across pieces is in the three characters either side."""
_SHORT_PATTERN = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _SHORT_PATTERNS))


def _pieces_need_markdown_it(parts: Iterable[tuple[str, int, int]], clean: str | None = None) -> bool:
    """:func:`_needs_markdown_it` of the text the parts (``source[start:end]``, not
    empty) make, without making it. A match within one part is found in the part (from
    its second character, so that no look behind reads before it; a match at its
    first is in the window across its start); one across parts, in the characters
    either side (a short pattern) or by what the text so far ends with. A part of
    ``clean``, a text known to need no markdown-it, holds no match of its own: only
    what crosses its edges is looked for."""
    tail = ""  # the text's last three characters so far
    backslash: bool | None = None  # the text so far ends with a backslash and spaces: any spaces?
    line: str | None = "\n"  # the last line so far from its line end, while it may be an empty item
    for source, start, end in parts:
        find = source.find
        if _SHORT_PATTERN.search(tail + source[start:start + 3]) is not None:
            return True
        if source is not clean and (
                any(find(char, start, end) != -1 for char in _MARKDOWN_IT_CHARACTERS)
                or any(any(find(char, start, end) != -1 for char in triggers)
                       and pattern.search(source, start + 1, end) is not None for triggers, pattern in _SHORT_PATTERNS)
                or (find("\\", start, end) != -1 and _BACKSLASH_SPACES_LINE.search(source, start, end) is not None)
                or (find("\n", start, end) != -1 and _EMPTY_ITEM_LINE.search(source, start, end) is not None)):
            return True
        was, backslash = backslash, None
        if was is not None:
            spaces = _SPACES.match(source, start, end).end()
            if spaces == end:
                backslash = was or spaces > start
            elif source[spaces] == "\n" and (was or spaces > start):
                return True
        opened = _OPEN_BACKSLASH.search(source, start, end)
        if opened is not None:
            backslash = opened.end() - opened.start() > 1
        first_end = find("\n", start, end)
        if line is not None:
            if first_end != -1:
                if _EMPTY_ITEM_LATER.match(line + source[start:first_end + 1]) is not None:
                    return True
            else:
                line += source[start:end]
                line = line if _EMPTY_ITEM_START.fullmatch(line) is not None else None
        if first_end != -1:
            last_end = source.rfind("\n", start, end)
            line = source[last_end:end] if _EMPTY_ITEM_START.fullmatch(source, last_end, end) is not None else None
        tail = (tail + source[max(start, end - 3):end])[-3:]
    return bool(backslash) or (line is not None and _EMPTY_ITEM_LATER.match(line) is not None)


_SHORT_PART = 4096
"""The longest part of a merged text that its markdown-it check copies to read it with
its neighbours, into strings of at most about :data:`_JOINED_PART` characters (so that
dense changes never have the text joined whole)."""
_JOINED_PART = 65536


_DENSE_PART = 512
"""A merged text whose parts are shorter than this on average is joined: its changes
are so dense (at 10% of lines changed a part is 170 characters long on average) that
reading it piece by piece, a step in Python for each slice, costs more than joining it
(10 ms at 1 MB)."""


class _MergedText:
    """The merged text as its pieces (:attr:`_Merged.text`: strings, and ranges of
    ``source``), read as a string is without being joined: its length, a slice (made
    of the pieces it covers), its line ends counted, whether it needs markdown-it. One
    of dense changes is joined (:data:`_DENSE_PART`)."""

    def __init__(self, parts: list[str | range], source: str, source_clean: bool = False) -> None:
        """``source_clean``: ``source`` is known to need no markdown-it (a stored
        rendering of it has pieces: :func:`render_text` found so)."""
        # Where each given part starts in the text, and ends (machine integers: a part is
        # often short); :func:`_splices` finds the unchanged runs by them.
        self.offsets = array("q", accumulate(map(len, parts), initial=0))
        self._bounds = self.offsets  # of the parts as held
        if len(parts) > 1 and len(parts) * _DENSE_PART > self.offsets[-1]:
            parts = ["".join(part if isinstance(part, str) else source[part.start:part.stop] for part in parts)]
            self._bounds = array("q", (0, self.offsets[-1]))
        self.parts, self.source, self.source_clean = parts, source, source_clean
        self._released = 0

    def release(self, stop: int) -> None:
        """Let go of the parts wholly before ``stop``, which are read no more (a changed
        provision's marked lines are copies: 0.35 MB in a Keeling schedule of 1 MB)."""
        parts, offsets, k = self.parts, self._bounds, self._released
        while k < len(parts) and offsets[k + 1] <= stop:
            parts[k] = ""
            k += 1
        self._released = k

    def __len__(self) -> int:
        return self.offsets[-1]

    def _spans(self, start: int, stop: int) -> Iterator[tuple[str, int, int]]:
        """Each part's share of ``[start, stop)``, as (source, start, end)."""
        offsets, parts, source = self._bounds, self.parts, self.source
        k = max(bisect.bisect_right(offsets, start) - 1, 0)
        while k < len(parts) and offsets[k] < stop:
            part, at = parts[k], offsets[k]
            low, high = max(start, at) - at, min(stop, offsets[k + 1]) - at
            if high > low:
                if isinstance(part, str):
                    yield part, low, high
                else:
                    yield source, part.start + low, part.start + high
            k += 1

    def __getitem__(self, cut: slice) -> str:
        start, stop, _ = cut.indices(len(self))
        strings = [source[low:high] for source, low, high in self._spans(start, stop)]
        return strings[0] if len(strings) == 1 else "".join(strings)  # a whole string part is itself

    def count(self, sub: str, start: int, stop: int) -> int:
        return sum(source.count(sub, low, high) for source, low, high in self._spans(start, stop))

    @cached_property
    def needs_markdown_it(self) -> bool:
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return _needs_markdown_it(self.parts[0])
        return _pieces_need_markdown_it(self._checked_spans(), self.source if self.source_clean else None)

    def _checked_spans(self) -> Iterator[tuple[str, int, int]]:
        """The parts as the markdown-it check reads them: adjacent short parts (a
        changed provision's lines and marks, and the unchanged text between changes
        where they are dense: at 10% of lines changed a part is 170 characters long on
        average) copied and joined into one string of up to :data:`_JOINED_PART`, so
        that the check takes a step in Python for each such string, not each part; a
        long part (an unchanged run's text) where it is."""
        strings: list[str] = []
        size = 0
        for part in self.parts:
            short = len(part) <= _SHORT_PART
            if short:
                strings.append(part if isinstance(part, str) else self.source[part.start:part.stop])
                size += len(part)
            if strings and (not short or size >= _JOINED_PART):
                yield "".join(strings), 0, size
                strings, size = [], 0
            if not short:
                yield (part, 0, len(part)) if isinstance(part, str) else (self.source, part.start, part.stop)
        if size:
            yield "".join(strings), 0, size


_ANCHORABLE_TOKENS = ("heading_open", "paragraph_open", "list_item_open")
# The opening tag of a block a provision's anchor can go on, as both renderers write it,
# with its source line; and of any other block (an ordered list's start comes before it).
_ANCHORABLE_SOURCEPOS = re.compile(r'<(h[1-6]|p|li) data-sourcepos="(\d+):[^"]*">')
# The attribute as any other block carries it. Text and attribute values never hold a
# bare quote (both renderers escape it), so only tags match.
_SOURCEPOS_ATTRIBUTE = re.compile(r' data-sourcepos="[^"]*"')
# Every block's source line as cmark writes it, in UTF-8, at once: group 1 is the line
# of a block an anchor can go on (as :data:`_ANCHORABLE_SOURCEPOS` reads it), group 2
# that of a paragraph opening right inside another block (a loose list item's, on the
# item's line), both None for any other block. The attribute's fixed text comes first,
# which the regex engine seeks fastest.
_BLOCK_SOURCEPOS = re.compile(rb' data-sourcepos="(?:(?:(?<=<p data-sourcepos=")(?<!">\n<p data-sourcepos=")'
                              rb'|(?<=<li data-sourcepos=")|(?<=<h[1-6] data-sourcepos="))(\d+):[^"]*"(?=>)'
                              rb'|(?<=">\n<p data-sourcepos=")(\d+):[^"]*"(?=>)|[^"]*")')


_Rendered = str | bytes | list[bytes | memoryview]
"""A piece's HTML as :func:`_render_blocks` gives it: markdown-it's str, cmark's UTF-8, or
the stored pieces spliced (views of the row they were read from)."""

PIECE_CHARS = 8192
"""About how much text cmark reads at a time; it bounds the memory of the syntax
tree and the HTML in flight, never the result."""


def _render_blocks(text: str | _MergedText, spliced: Sequence[tuple[int, int, int, int]] = (),
                   rendering: TextRendering | None = None,
                   anchors: _Anchors | None = None) -> Iterator[tuple[str | None, int, int | None, _Rendered]]:
    """Consecutive pieces of ``text``, each with the 0-based line it starts at, the line
    after its last and its HTML; headings, paragraphs and list items carry their 1-based
    line in the piece as ``data-sourcepos="LINE:..."``. cmark's HTML is in UTF-8, as it
    writes it; markdown-it's is a str, and its end line None (its blocks' source lines
    are not all as cmark writes them). Each of ``spliced`` (from :func:`_splices`) whose
    stored HTML :func:`_spliced_html` accepts is given as that HTML, anchored, with
    None for its text."""
    if isinstance(text, str):
        text = _MergedText([text], text)
    if text.needs_markdown_it:
        whole = text[0:len(text)]
        text.release(len(text))
        yield whole, 0, None, render_with_markdown_it(whole)
        return
    # The syntax that could carry a block across a heading (fences, HTML blocks, block
    # quotes, link definitions) never reaches cmark, so the text is cut before headings;
    # where, does not change the HTML (tests/unit/test_redline_splicing.py).
    at = line = 0
    for start, end, first, last in (*spliced, (len(text), len(text), 0, 0)):
        if start > at:
            stretch = text[at:start]
            text.release(start)
            yield from _cmark_pieces(stretch, line)
            line += stretch.count("\n")
            del stretch
        if end > start:
            assert rendering is not None and anchors is not None
            body = _spliced_html(anchors, rendering, first, last, line)
            if body is not None:
                yield None, line, None, body
            else:
                yield from _spliced_each(text, start, line, rendering, first, last, anchors)
            line += text.count("\n", start, end)
            text.release(end)
        at = end


def _spliced_each(text: _MergedText, start: int, line: int, rendering: TextRendering, first: int, last: int,
                  anchors: _Anchors) -> Iterator[tuple[str | None, int, int | None, _Rendered]]:
    """A run of stored pieces (at ``start`` and ``line`` of ``text``) that cannot be
    spliced whole (a provision of one of them was anchored before it: a moved one's),
    a piece at a time: each that :func:`_spliced_html` accepts spliced, the others
    rendered. Within the run, lines and offsets shift alike, and every cut between its
    pieces is one :func:`_render_blocks` may make. Each piece is looked at only once
    the one before it is anchored (this generator resumes when its caller has anchored
    what it gave), as whether a piece can be spliced depends on what was anchored."""
    starts, ends, lines = rendering.pieces.starts, rendering.pieces.ends, rendering.pieces.lines
    for k in range(first, last):
        at, at_line = start + starts[k] - starts[first], line + lines[k] - lines[first]
        body = _spliced_html(anchors, rendering, k, k + 1, at_line)
        if body is None:
            yield from _cmark_pieces(text[at:at + ends[k] - starts[k]], at_line)
        else:
            yield None, at_line, None, body


def _cmark_pieces(text: str, line: int) -> Iterator[tuple[str, int, int, bytes]]:
    for at, piece in pieces_between_headings(text, PIECE_CHARS):
        first = line + at
        yield piece, first, first + piece.count("\n") + (piece[-1:] != "\n"), render_with_cmark_utf8(piece)


_INT32 = "i"  # 4 bytes a line, offset or count: texts are far below 2 GB

RENDERER_VERSION = "1"
"""The version of what :func:`render_text` makes (the renderers, the anchors, the
invisible characters' flags): part of a stored rendering's key, so that a change to
any of them, with this bumped, leaves the renderings stored before unread."""


class RenderedPiece(NamedTuple):
    """One piece of a text cut before each heading that follows a blank line, with its
    HTML as the redline writes it where the piece is unchanged (as
    :class:`RenderedPieces` gives each)."""

    start: int
    end: int
    """Where it stands in the text."""
    line: int
    end_line: int
    """The 0-based line it starts at, and the line after its last."""
    first_group: int
    last_group: int
    """The provisions whose first block it may hold: :attr:`TextRendering.group_lines`
    ``[first_group:last_group]``."""
    html: bytes | memoryview | None
    """Its HTML in UTF-8 with each of those provisions' anchors, as if the provision
    before it had its anchor and no other had; None where it cannot be spliced (it holds
    a character reference or syntax that sends a text to markdown-it, or its anchors
    need a block at a time)."""


_PIECE_COLUMNS = ("starts", "ends", "lines", "end_lines", "first_groups", "last_groups", "sizes")


class RenderedPieces(Sequence[RenderedPiece]):
    """A rendering's pieces in machine columns (each :class:`RenderedPiece` field; the
    size of its HTML, -1 for none) and their HTML back to back in one buffer: a stored
    rendering of 5 MB has 4 200 pieces, whose tuples, int objects and views took 2 MB,
    and its buffer is a view of the row it was read from (``services.renderings``),
    which a redline splices without copying."""

    __slots__ = (*_PIECE_COLUMNS, "html", "html_at")
    COLUMNS = _PIECE_COLUMNS
    starts: array
    ends: array
    lines: array
    end_lines: array
    first_groups: array
    last_groups: array
    sizes: array
    html: bytes | memoryview
    html_at: array
    """Where each piece's HTML starts in :attr:`html`, and where the last ends."""

    def __init__(self, columns: Sequence[array], html: bytes | memoryview) -> None:
        for name, column in zip(_PIECE_COLUMNS, columns, strict=True):
            setattr(self, name, column)
        if len({len(column) for column in columns}) != 1:
            raise ValueError("piece columns of different lengths")
        self.html = memoryview(html)
        self.html_at = array("q", accumulate((max(size, 0) for size in self.sizes), initial=0))
        if self.html_at[-1] != len(self.html):
            raise ValueError("pieces whose sizes are not their HTML's")

    @classmethod
    def of(cls, pieces: Sequence[RenderedPiece]) -> RenderedPieces:
        columns = [array(_INT32, values) for values in zip(*(
            (*piece[:6], -1 if piece.html is None else len(piece.html)) for piece in pieces))] or \
            [array(_INT32) for _ in _PIECE_COLUMNS]
        return cls(columns, b"".join(piece.html for piece in pieces if piece.html is not None))

    def columns(self) -> list[array]:
        return [getattr(self, name) for name in _PIECE_COLUMNS]

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        html = self.html[self.html_at[k]:self.html_at[k + 1]] if self.sizes[k] >= 0 else None
        return RenderedPiece(*(getattr(self, name)[k] for name in _PIECE_COLUMNS[:6]), html)

    def html_between(self, first: int, last: int) -> memoryview:
        """The HTML of pieces ``first`` to ``last`` (exclusive), one view."""
        return self.html[self.html_at[first]:self.html_at[last]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RenderedPieces):
            return self.columns() == other.columns() and self.html == other.html
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class JoinedIds(Sequence[str]):
    """Provision ids held as one string and the offsets of its values, as a kept
    reading holds its columns (``core.provision_table``): a string object for each of a
    5 MB text's 47 000 ids took 3.2 MB more. A slice is a list of its ids."""

    __slots__ = ("joined", "offsets")

    def __init__(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        self.joined, self.offsets = "".join(ids), _offsets(ids)

    @classmethod
    def from_columns(cls, joined: str, offsets: array) -> JoinedIds:
        # (offsets out of order would cut wrong ids, which no redline's provisions match,
        # so nothing is spliced; ``regdraft verify`` names such a rendering)
        if not offsets or offsets[0] != 0 or offsets[-1] != len(joined):
            raise ValueError("ids whose offsets are not their string's")
        ids = object.__new__(cls)
        ids.joined, ids.offsets = joined, offsets
        return ids

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            start, stop, step = k.indices(len(self))
            if step != 1:
                return list(self)[k]
            return _cut(self.joined, self.offsets, start, max(start, stop))
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self.joined[self.offsets[k]:self.offsets[k + 1]]

    def __iter__(self) -> Iterator[str]:
        return iter(self[:])

    def holds_at(self, first: int, values: list[str]) -> bool:
        """Whether ids ``first`` onwards are ``values``, found without cutting them
        (the values joined, and where each ends, against the column)."""
        offsets, stop = self.offsets, first + len(values)
        if stop > len(self):
            return False
        return (self.joined[offsets[first]:offsets[stop]] == "".join(values)
                and offsets[first:stop + 1] == array(offsets.typecode, accumulate(map(len, values), initial=offsets[first])))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JoinedIds):
            return self.joined == other.joined and self.offsets == other.offsets
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class TextRendering:
    """A version's text rendered once (when it is stored), for redlines into it to
    splice the pieces they leave unchanged (:func:`render_html_utf8`)."""

    length: int
    """The text's length, in characters."""
    group_lines: array
    group_ids: JoinedIds
    """The line (0-based) from which each stretch of the owners' table owns the blocks
    (machine integers), and its provision: what a redline's unchanged provisions give."""
    pieces: RenderedPieces
    private_use: bool = True
    """Whether the text holds a private-use character (the text policy refuses them in
    a version, so none does; a redline then searches its unchanged text for references
    only)."""


def render_text(text: str, structure: Structure) -> TextRendering:
    """The rendering of ``text`` (a version's, no marks in it), whose ``structure`` is
    its reading (``read_structure``), piece by piece: what :func:`render_html_utf8`
    writes of each piece where a redline leaves it unchanged."""
    owners = owners_of(structure)
    group_lines: list[int] = []
    lines = counted = 0
    for offset in owners.starts:  # as :func:`_merge` counts a run of unchanged provisions
        if offset > counted:
            lines += text.count("\n", counted, offset)
            counted = offset
        group_lines.append(lines if offset == 0 or text[offset - 1] == "\n" else lines + 1)
    group_ids = tuple(owners.ids)
    pieces: list[RenderedPiece] = []
    if not _needs_markdown_it(text):
        anchors = _Anchors(group_lines, list(group_ids), {})
        start = 0
        for line, piece in pieces_between_headings(text, 1):
            end_line = line + piece.count("\n") + (piece[-1:] != "\n")
            first = bisect.bisect_left(group_lines, line)
            last = bisect.bisect_left(group_lines, end_line, first)
            html_ = None
            if "&#" not in piece and _PRIVATE_USE.search(piece) is None and not _needs_markdown_it(piece):
                anchors.seen = set(group_ids[first - 1:first]) if first else set()
                html_ = anchors._apply_matched(render_with_cmark_utf8(piece), line, end_line)
                if html_ is not None and _may_show_invisible(piece):
                    html_ = flag_invisible(html_.decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")
            pieces.append(RenderedPiece(start, start + len(piece), line, end_line, first, last, html_))
            start += len(piece)
    return TextRendering(len(text), array(_INT32, group_lines), JoinedIds(group_ids), RenderedPieces.of(pieces),
                         _PRIVATE_USE.search(text) is not None)


SPLICED_CHARS = 4096
"""The shortest run of stored pieces spliced: a shorter one saves less than the cuts
around it cost (each rendered stretch is one more call of cmark and of the anchors)."""

def may_splice(diff: TextDiff) -> bool:
    """Whether a redline of ``diff`` may splice enough of a stored rendering to pay for
    reading it: its changes leave, on average, runs of :data:`SPLICED_CHARS` between
    them (counted without making the unchanged groups)."""
    return len(diff.changes) * SPLICED_CHARS <= sum(part.length if not isinstance(part, ProvisionDiff)
                                                    else len(part.new) for part in diff.parts)


# A cut as :func:`~regdraft.core.structure.pieces_between_headings` makes it: before a
# heading that follows a blank line (at the "\n\n").
_HEADING_CUT = re.compile(r"\n\n(?=#{1,6} )")


def _splices(text: _MergedText, unchanged: list[tuple[int, int]],
             rendering: TextRendering) -> list[tuple[int, int, int, int]]:
    """Where the merged ``text`` holds runs of the stored pieces unchanged (its pieces
    ``unchanged``, as :attr:`_Merged.unchanged`), each cut from the rest where
    :func:`_render_blocks` may cut (so that its HTML is the HTML of the whole): (start,
    end in ``text``, first and last + 1 piece)."""
    pieces = rendering.pieces
    if not pieces or text.needs_markdown_it:
        return []
    offsets = text.offsets
    stretches: list[list[int]] = []  # [start in text, start in the new text, length]
    for index, new_start in unchanged:
        start, length = offsets[index], offsets[index + 1] - offsets[index]
        if not length:
            continue
        if stretches and sum(stretches[-1][::2]) == start and sum(stretches[-1][1:]) == new_start:
            stretches[-1][2] += length
        else:
            stretches.append([start, new_start, length])

    def may_cut(at: int) -> bool:
        # (what ``_HEADING_CUT.match(whole, at - 2)`` finds: its pattern reads at most
        # nine characters, and a negative position is the start)
        return at == 0 or at == len(text) or _HEADING_CUT.match(text[max(at - 2, 0):at + 8]) is not None

    starts, ends, sizes, found = pieces.starts, pieces.ends, pieces.sizes, []
    count = len(pieces)
    for start, new_start, length in stretches:
        new_end = new_start + length
        k = bisect.bisect_left(starts, new_start)
        while k < count and ends[k] <= new_end:
            if sizes[k] < 0:
                k += 1
                continue
            j = k + 1
            while j < count and ends[j] <= new_end and sizes[j] >= 0:
                j += 1
            first, last = k, j
            if not may_cut(start + starts[first] - new_start):
                first += 1
            if first < last and not may_cut(start + ends[last - 1] - new_start):
                last -= 1
            if first < last and ends[last - 1] - starts[first] >= SPLICED_CHARS:
                found.append((start + starts[first] - new_start, start + ends[last - 1] - new_start, first, last))
            k = j
    return found


def _spliced_html(anchors: _Anchors, rendering: TextRendering, first: int, last: int,
                  line: int) -> list[bytes | memoryview] | None:
    """The stored HTML of pieces ``first`` to ``last`` (exclusive), starting at ``line``
    of the merged text, if the redline's provisions there are the pieces' own, at the
    same lines, none anchored yet nor with a notice, and the one before them anchored:
    then it is what rendering them would give. None otherwise."""
    pieces = rendering.pieces
    shift = line - pieces.lines[first]
    a, b = pieces.first_groups[first], pieces.last_groups[last - 1]
    group_lines, group_provisions, seen = anchors.group_lines, anchors.group_provisions, anchors.seen
    low = bisect.bisect_left(group_lines, line)
    high = bisect.bisect_left(group_lines, pieces.end_lines[last - 1] + shift, low)
    provisions = group_provisions[low:high]
    if (high - low != b - a or not (anchors.stored(rendering, low, high, a, shift) or (
            rendering.group_ids.holds_at(a, provisions)
            and group_lines[low:high] == [at + shift for at in rendering.group_lines[a:b]]))
            or (low and group_provisions[low - 1] not in seen) or not seen.isdisjoint(provisions)
            or len(set(provisions)) < len(provisions)
            or (anchors.notices and not anchors.notices.keys().isdisjoint(provisions))):
        return None
    seen.update(provisions)
    # Not copied: the pieces' HTML (a view of a stored row) goes into the page as it is.
    return [pieces.html_between(first, last)]


# cmark's HTML is the caller's to free (cmark.h), and cmarkgfm's ``markdown_to_html``
# never frees it: every page rendered through it left its HTML behind in the C heap,
# where no cache bound and no tracemalloc sees it (a worker grew by about 10 MB with
# each 5 MB redline). cmark allocates with the C library's ``malloc`` (its module
# takes ``free`` from glibc), so that library's ``free`` lets it go.
_free = ctypes.CDLL(None).free
_free.argtypes, _free.restype = (ctypes.c_void_p,), None


def render_with_cmark(text: str) -> str:
    return render_with_cmark_utf8(text).decode("utf-8")


def render_with_cmark_utf8(text: str) -> bytes:
    """cmark's HTML of ``text`` with each block's source line, in the UTF-8 it writes."""
    encoded = text.encode("utf-8")
    rendered = _cmark.lib.cmark_markdown_to_html(encoded, len(encoded), _cmark.lib.CMARK_OPT_SOURCEPOS)
    try:
        return _cmark.ffi.string(rendered)
    finally:
        _free(int(_cmark.ffi.cast("uintptr_t", rendered)))


_INVISIBLE = re.compile(f"[{KEPT_INVISIBLE}]")


def _may_show_invisible(markdown: str) -> bool:
    """Whether the HTML of ``markdown`` may hold an invisible character to flag: one in
    the text, or a character reference ("&shy;", "&#x200F;"). Each ``in`` scans at memchr
    speed, where the regex over the HTML tries every character."""
    return "&" in markdown or any(char in markdown for char in KEPT_INVISIBLE)


def flag_invisible(fragment: str) -> str:
    """Each invisible character the text policy keeps (a right-to-left mark, a
    zero-width joiner...) wrapped where it stands in a text node, named, so a reader
    sees that it is there (``.rd-invisible`` shows its code point)."""
    if _INVISIBLE.search(fragment) is None:
        return fragment
    parts = _TAG.split(fragment)
    for i in range(0, len(parts), 2):
        parts[i] = _INVISIBLE.sub(_flagged, parts[i])
    return "".join(parts)


def _flagged(match: re.Match) -> str:
    char = match.group()
    return (f'<span class="rd-invisible" title="{html.escape(character_name(char))}" '
            f'data-char="U+{ord(char):04X}">{char}</span>')


def render_with_markdown_it(text: str) -> str:
    return marks_between_text_nodes(render_marked(text, sourcepos=True), _MARKER, _CLOSERS, _DELETED_RUN)


class _Anchors:
    """Gives the first block of each provision its id (and any notices), piece by piece
    of the rendered HTML, and drops the source lines the renderer wrote."""

    def __init__(self, group_lines: list[int], group_provisions: list[str], notices: dict[str, list[str]],
                 stored_runs: Sequence[tuple[int, int, int, int]] = ()) -> None:
        self.group_lines, self.group_provisions, self.notices = group_lines, group_provisions, notices
        self.stored_runs, self._stored_firsts = stored_runs, [run[0] for run in stored_runs]
        # Provision ids rarely need escaping (those read from a text never do): one scan
        # of them all decides, so a long text's ids are not copied.
        ids = "".join(group_provisions)
        self.escape = html.escape if any(char in ids for char in "&<>\"'") else str
        self.seen: set[str] = set()

    def stored(self, rendering: TextRendering, low: int, high: int, first: int, shift: int) -> bool:
        """Whether groups ``low`` to ``high`` (exclusive) are known to be ``rendering``'s
        groups from ``first`` on, their lines the stored ones shifted by ``shift``: they
        lie in one of :attr:`_Merged.stored_runs` (whose ids were found to be the
        rendering's when they were merged) at that place and shift."""
        i = bisect.bisect_right(self._stored_firsts, low) - 1
        if i < 0:
            return False
        start, count, at, run_shift = self.stored_runs[i]
        return (high <= start + count and at + low - start == first and run_shift == shift
                and (low > start or low == high or self.group_lines[low] == rendering.group_lines[first] + shift))

    def apply(self, rendered: str | bytes, first_line: int, end_line: int | None) -> bytes:
        """``rendered`` (as :func:`_render_blocks` gives it, from ``first_line`` to
        ``end_line``) with its anchors and no source lines, in UTF-8."""
        if end_line is not None:
            matched = self._apply_matched(rendered, first_line, end_line)
            if matched is not None:
                return matched
            rendered = rendered.decode("utf-8")
        return self._apply_each(rendered, first_line).encode("utf-8", "surrogatepass")

    def _apply_matched(self, rendered: bytes, first_line: int, end_line: int) -> bytes | None:
        """The usual case, without a step in Python for each block: each provision of the
        piece starts on a line of its own on which an anchorable block starts, no two
        such blocks start on one line (but a loose list item's paragraph, on its item's),
        and the blocks before the piece's first provision belong to one anchored before.
        Then each provision's first block is the one on its line (cmark writes blocks in
        the order of their lines), and the anchors go in by a lookup of each block's
        line, at C speed. None when the piece is not like that (a provision without a
        block of its own, a provision met before, a notice), for :meth:`_apply_each`."""
        group_lines, group_provisions, seen = self.group_lines, self.group_provisions, self.seen
        first = bisect.bisect_left(group_lines, first_line)
        last = bisect.bisect_left(group_lines, end_line, first)
        provisions = group_provisions[first:last]
        # [html, line or None, inner line or None, html, ..., html]: a line for an anchorable block.
        parts = _BLOCK_SOURCEPOS.split(rendered)
        lines, inner = parts[1::3], parts[2::3]
        found = list(filter(None, lines))
        before = first_line - 1  # sourcepos lines are 1-based within the piece
        starts = [b"%d" % (line - before) for line in group_lines[first:last]]
        blocks = set(found)
        if (len(blocks) < len(found) or not blocks.issuperset(starts) or len(set(starts)) < len(starts)
                or not blocks.issuperset(filter(None, inner))
                or (found[:1] != starts[:1] and first and group_provisions[first - 1] not in seen)
                or not seen.isdisjoint(provisions) or len(set(provisions)) < len(provisions)
                or (self.notices and not self.notices.keys().isdisjoint(provisions))):
            return None
        seen.update(provisions)
        names = map(str.encode, map(self.escape, provisions), repeat("utf-8"), repeat("surrogatepass"))
        anchor = dict(zip(starts, [b' id="%s" data-provision="%s"' % (name, name) for name in names]))
        parts[1::3] = map(anchor.get, lines, repeat(b""))
        parts[2::3] = repeat(b"", len(inner))
        return b"".join(parts)

    def _apply_each(self, rendered: str, first_line: int) -> str:
        """Any piece, a block at a time."""
        group_lines, group_provisions, escape = self.group_lines, self.group_provisions, self.escape
        seen, notices = self.seen, self.notices
        before = first_line - 1  # sourcepos lines are 1-based within the piece
        bisect_right = bisect.bisect_right
        # The HTML around the opening tags of anchorable blocks, each tag as its name and
        # line: [html, tag, line, html, tag, line, ..., html]. Rewriting the list costs
        # less than a call back from the regex engine for each block.
        parts = _ANCHORABLE_SOURCEPOS.split(rendered)
        for k in range(1, len(parts), 3):
            tag = parts[k]
            i = bisect_right(group_lines, before + int(parts[k + 1])) - 1
            parts[k + 1] = ""
            provision = group_provisions[i] if i >= 0 else None
            if provision is None or provision in seen:
                parts[k] = f"<{tag}>"
                continue
            seen.add(provision)
            name = escape(provision)
            opening = f'<{tag} id="{name}" data-provision="{name}">'
            if provision in notices:
                block = "".join(f'<div class="rd-notice" role="note">{html.escape(notice)}</div>'
                                for notice in notices[provision])
                opening = opening + block if tag == "li" else block + opening
            parts[k] = opening
        # Blocks that never carry an anchor (lists, quotes) only lose their source line,
        # by a replacement without a call back into Python for each.
        return _SOURCEPOS_ATTRIBUTE.sub("", "".join(parts))


# A change's element, in UTF-8: no byte of a multi-byte character is "<" or ">".
_CHANGE_ELEMENT = re.compile(rb'<(ins|del) [^>]*data-change="([0-9]+)"[^>]*>.*?</\1>', re.S)


def _add_note_links(pieces: list[bytes]) -> None:
    """After the last tag of each change, a superscript link to its note, in the
    rendered pieces in place. A tag never crosses from one piece to the next (a change
    is marked line by line, and pieces are cut between lines), but a change's tags may:
    whether a tag is its change's last is known only at the next tag, which may stand
    in a later piece."""
    seen: set[bytes] = set()
    links: dict[int, list[tuple[int, bytes]]] = {}  # piece → (offset, its link), in order
    pending: tuple[int, int, bytes] | None = None  # the last tag met: piece, end, change

    def link_after(tag: tuple[int, int, bytes]) -> None:
        piece, end, number = tag
        if number not in seen:
            seen.add(number)
            links.setdefault(piece, []).append(
                (end, b'<sup class="rd-note-ref"><a href="#note-%s" id="ref-%s">[%s]</a></sup>'
                 % (number, number, number)))

    for piece, body in enumerate(pieces):
        for match in _CHANGE_ELEMENT.finditer(body):
            if pending is not None and pending[2] != match.group(2):
                link_after(pending)
            pending = (piece, match.end(), match.group(2))
    if pending is not None:
        link_after(pending)
    for piece, placed in links.items():
        body, out, last = pieces[piece], [], 0
        for end, link in placed:
            out += (body[last:end], link)
            last = end
        out.append(body[last:])
        pieces[piece] = b"".join(out)


def _comment(text: str) -> str:
    """A CriticMarkup comment; it cannot be closed early or span lines (CriticMarkup
    has no escapes, so a ``<<}`` inside is broken up)."""
    return "{>>" + " ".join(text.split()).replace("<<}", "<< }") + "<<}"


def render_criticmarkup(diff: TextDiff, *, sources: dict[str, Source] | None = None,
                        notices: dict[str, list[str]] | None = None) -> str:
    """CriticMarkup: ``{++ins++}``, ``{--del--}``, ``{~~old~>new~~}``, ``{>>who<<}``.

    Provision boundaries matter to HTML but not here: a change that runs across
    several provisions (an inserted regulation) is one mark. ``notices`` (conflicts)
    are comments in a paragraph of their own before the provisions they name (at the
    end for :data:`END_OF_TEXT`, at the top for a provision the diff does not have)."""
    sources = sources or {}
    notices = dict(notices or {})
    at_end = notices.pop(END_OF_TEXT, [])
    placed = set(diff.provisions())
    out: list[str] = [_comment(notice) + "\n\n" for provision in list(notices) if provision not in placed
                      for notice in notices.pop(provision)]
    pending: list = []  # adjacent non-equal ops of one source
    equal: list[str] = []  # unchanged text since the last mark, not yet written

    def write_equal() -> None:
        out.extend(equal)
        equal.clear()

    def flush() -> None:
        if not pending:
            return
        deleted = "".join(op.text for op in pending if op.kind == DELETE)
        inserted = "".join(op.text for op in pending if op.kind == INSERT)
        moved = ""
        if bool(deleted) != bool(inserted):
            # An inserted or deleted block ends with its line ends, so its attribution
            # would start the next line ("<<}### 4." is no heading). When the text before
            # it ends with the same line ends, the same change can be marked one block
            # earlier: "...{++\n\n(3) ...++}{>>who<<}\n\n### 4." accepts and rejects alike.
            text = deleted or inserted
            moved = text[len(text.rstrip("\n")):]
            before = "".join(equal)
            if moved and text.strip("\n") and before.endswith(moved):
                equal[:] = [before[:-len(moved)]]
                text = moved + text[:-len(moved)]
                deleted, inserted = (text, "") if deleted else ("", text)
            else:
                moved = ""
        write_equal()
        if deleted and inserted:
            out.append(f"{{~~{deleted}~>{inserted}~~}}")
        elif inserted:
            out.append(f"{{++{inserted}++}}")
        else:
            out.append(f"{{--{deleted}--}}")
        source = pending[0].source
        if source:
            who = sources.get(source)
            out.append(_comment(source + (f": {who.title} ({who.proposer})" if who else "")))
        equal.append(moved)
        pending.clear()

    for group, op in ((group, op) for group in diff.groups for op in group.ops):
        if group.provision in notices:
            flush()
            write_equal()
            out.extend(_comment(notice) + "\n\n" for notice in notices.pop(group.provision))
        if op.kind == EQUAL:
            flush()
            equal.append(op.text)
            continue
        if pending and (pending[-1].source != op.source or (pending[-1].kind == INSERT and op.kind == DELETE)):
            flush()
        pending.append(op)
    flush()
    write_equal()
    out.extend("\n" + _comment(notice) + "\n" for notice in at_end)
    return "".join(out)


PAGE_CSS = """
:root { --ins: #0a6b2d; --del: #a3161a; --ink: #1b1b1b; --muted: #555; }
body { font: 1rem/1.5 Georgia, 'Times New Roman', serif; color: var(--ink); max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; }
header.rd-head p { color: var(--muted); margin: .2rem 0; }
ins.rd-ins { color: var(--ins); text-decoration: underline; text-decoration-thickness: 2px; background: #e6f4ea; }
del.rd-del { color: var(--del); text-decoration: line-through; background: #fbe9ea; }
ins.rd-moved, del.rd-moved { color: #1d4f91; background: #e8eef8; text-decoration-style: double; }
ins.rd-ins::before { content: "[+"; font-size: .7em; } ins.rd-ins::after { content: "+]"; font-size: .7em; }
del.rd-del::before { content: "[−"; font-size: .7em; } del.rd-del::after { content: "−]"; font-size: .7em; }
sup.rd-note-ref a { text-decoration: none; }
.rd-notice { border-left: 4px solid #b35c00; background: #fff4e5; padding: .4rem .8rem; margin: .5rem 0; }
ol.rd-notes { font-size: .9rem; } ol.rd-notes blockquote { margin: .3rem 0 .3rem 1rem; }
:target { outline: 2px solid #1d70b8; }
.rd-invisible::after { content: "\\27E8" attr(data-char) "\\27E9"; font: .7em system-ui, sans-serif; color: #a3161a; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  ins.rd-ins, del.rd-del { background: none; }
  a { color: inherit; }
  .rd-notice { break-inside: avoid; }
}
"""


def render_page(title: str, body: str | Sequence[bytes | memoryview], *, subtitle: str = "",
                notes_html: str = "") -> str:
    """A complete, printable HTML page around an escaped/safe ``body`` fragment: a str,
    or its chunks in UTF-8 (:func:`render_html_chunks`), joined with the page around
    them in UTF-8 and decoded once (the fragment decoded and then copied twice into
    the page, as a str two bytes a character, took three times as long)."""
    head, tail = _page_around(title, subtitle, notes_html)
    if isinstance(body, str):
        return head + body + tail
    return b"".join((head.encode("utf-8", "surrogatepass"), *body,
                     tail.encode("utf-8", "surrogatepass"))).decode("utf-8", "surrogatepass")


def render_page_utf8(title: str, body: bytes | Sequence[bytes | memoryview], *, subtitle: str = "",
                     notes_html: str = "") -> bytes:
    """:func:`render_page` in UTF-8, around a fragment in UTF-8 (or its chunks, joined
    once with the page around them)."""
    head, tail = _page_around(title, subtitle, notes_html)
    return b"".join((head.encode(), *((body,) if isinstance(body, bytes) else body), tail.encode()))


def _page_around(title: str, subtitle: str, notes_html: str) -> tuple[str, str]:
    """The page before the body and after it."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<header class=\"rd-head\"><h1>{html.escape(title)}</h1>"
        + (f"<p>{html.escape(subtitle)}</p>" if subtitle else "")
        + "<p>Insertions are underlined and marked [+ +]; deletions are struck through and marked [− −].</p>"
        + "</header>\n<main>\n",
        "\n</main>\n"
        + (f"<section aria-label=\"Notes\">\n<h2>Notes</h2>\n{notes_html}\n</section>\n" if notes_html else "")
        + "</body>\n</html>\n")
