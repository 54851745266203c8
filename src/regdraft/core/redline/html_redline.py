"""The html redline: the marked text rendered, unchanged provisions spliced from the new
text's stored rendering, each provision anchored, and the notes linked to the changes."""

from __future__ import annotations

import bisect
import html
import re
from functools import lru_cache
from typing import Iterator, Sequence

from regdraft.core.diffing import ProvisionDiff, TextDiff
from regdraft.core.history import edited_version, source_name
from regdraft.core.redline.anchoring import Anchors
from regdraft.core.redline.commonmark import (MergedText, flag_invisible, may_show_invisible, render_with_cmark_utf8,
                                              render_with_markdown_it)
from regdraft.core.redline.marking import (DIGITS_TO_ASCII, INS_CLOSE_UTF8, INS_OPEN_UTF8, MARK_UTF8, Change, Source,
                                           may_hold_marks, merge_marked)
from regdraft.core.redline.stored_rendering import TextRendering
from regdraft.core.structure import pieces_between_headings


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
    merged = merge_marked(diff, rendering is not None and not rendering.private_use, rendering)
    if rendering is not None and rendering.length != merged.new_length:
        rendering, merged = None, merge_marked(diff)  # not the new text's: nothing is known of it
    # The merged text is read piece by piece, never joined: its unchanged runs are the
    # new text's (2 MB at 1 MB for a text with an em dash), and only the stretches
    # rendered again are cut from it, one at a time.
    text = MergedText(merged.text, merged.source, rendering is not None and bool(rendering.pieces))
    spliced = _splices(text, merged.unchanged, rendering) if rendering is not None else ()
    anchors = Anchors(merged.group_lines, merged.group_provisions, notices or {}, merged.stored_runs)
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
        kind = "ins" if marker == INS_OPEN_UTF8 else "del"
        change = by_number[int(number[2::3].translate(DIGITS_TO_ASCII))]
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
                b"</ins>" if mark == INS_CLOSE_UTF8 else b"</del>")
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
        if may_hold_marks(body):
            parts = MARK_UTF8.split(body)
            parts[1::2] = map(tags.__getitem__, parts[1::2])
            body = b"".join(parts)
        if may_show_invisible(piece):
            body = flag_invisible(body.decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")
        pieces.append(body)
    del text, piece
    if notes:  # piece by piece: the page is never held twice, once without its links
        _add_note_links(pieces)
    return pieces, merged.changes


_Rendered = str | bytes | list[bytes | memoryview]
"""A piece's HTML as :func:`_render_blocks` gives it: markdown-it's str, cmark's UTF-8, or
the stored pieces spliced (views of the row they were read from)."""

PIECE_CHARS = 8192
"""About how much text cmark reads at a time; it bounds the memory of the syntax
tree and the HTML in flight, never the result."""


def _render_blocks(text: str | MergedText, spliced: Sequence[tuple[int, int, int, int]] = (),
                   rendering: TextRendering | None = None,
                   anchors: Anchors | None = None) -> Iterator[tuple[str | None, int, int | None, _Rendered]]:
    """Consecutive pieces of ``text``, each with the 0-based line it starts at, the line
    after its last and its HTML; headings, paragraphs and list items carry their 1-based
    line in the piece as ``data-sourcepos="LINE:..."``. cmark's HTML is in UTF-8, as it
    writes it; markdown-it's is a str, and its end line None (its blocks' source lines
    are not all as cmark writes them). Each of ``spliced`` (from :func:`_splices`) whose
    stored HTML :func:`_spliced_html` accepts is given as that HTML, anchored, with
    None for its text."""
    if isinstance(text, str):
        text = MergedText([text], text)
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


def _spliced_each(text: MergedText, start: int, line: int, rendering: TextRendering, first: int, last: int,
                  anchors: Anchors) -> Iterator[tuple[str | None, int, int | None, _Rendered]]:
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


def _splices(text: MergedText, unchanged: list[tuple[int, int]],
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


def _spliced_html(anchors: Anchors, rendering: TextRendering, first: int, last: int,
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
