"""Anchors: the first block of every provision, as either renderer writes it with its
source line, given the provision's id."""

from __future__ import annotations

import bisect
import html
import re
from itertools import repeat
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from regdraft.core.redline.stored_rendering import TextRendering


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


class Anchors:
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
