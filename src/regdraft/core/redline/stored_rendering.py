"""A text's stored rendering: its html in pieces with their lines, offsets and
provisions, in columns, read back from the store without a Python object for each."""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterable, Iterator, NamedTuple, Sequence

from regdraft.core.diffing import owners_of
from regdraft.core.provision_table import _cut, _offsets
from regdraft.core.redline.anchoring import Anchors
from regdraft.core.redline.commonmark import (flag_invisible, may_show_invisible, needs_markdown_it,
                                              render_with_cmark_utf8)
from regdraft.core.redline.marking import PRIVATE_USE
from regdraft.core.structure import Structure, pieces_between_headings

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
    for offset in owners.starts:  # as :func:`merge_marked` counts a run of unchanged provisions
        if offset > counted:
            lines += text.count("\n", counted, offset)
            counted = offset
        group_lines.append(lines if offset == 0 or text[offset - 1] == "\n" else lines + 1)
    group_ids = tuple(owners.ids)
    pieces: list[RenderedPiece] = []
    if not needs_markdown_it(text):
        anchors = Anchors(group_lines, list(group_ids), {})
        start = 0
        for line, piece in pieces_between_headings(text, 1):
            end_line = line + piece.count("\n") + (piece[-1:] != "\n")
            first = bisect.bisect_left(group_lines, line)
            last = bisect.bisect_left(group_lines, end_line, first)
            html_ = None
            if "&#" not in piece and PRIVATE_USE.search(piece) is None and not needs_markdown_it(piece):
                anchors.seen = set(group_ids[first - 1:first]) if first else set()
                html_ = anchors._apply_matched(render_with_cmark_utf8(piece), line, end_line)
                if html_ is not None and may_show_invisible(piece):
                    html_ = flag_invisible(html_.decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")
            pieces.append(RenderedPiece(start, start + len(piece), line, end_line, first, last, html_))
            start += len(piece)
    return TextRendering(len(text), array(_INT32, group_lines), JoinedIds(group_ids), RenderedPieces.of(pieces),
                         PRIVATE_USE.search(text) is not None)
