"""The drafting-format scanner: the block structure markdown-it would find, read by one
regular expression per block, for the part of CommonMark the format uses."""

from __future__ import annotations

import re

from regdraft.core.structure.builder import MAY_OPEN_A_QUOTATION, NEEDS_TEXT, Builder
from regdraft.core.structure.markdown import COMMONMARK_TRIM
from regdraft.core.structure.model import Provision


# What the scanner's block pattern marks as a block's possible label (it only has to be
# the same on every block, whichever reader reads it: the builder reads the text itself).
_LABEL_BODY = r"\((?P<{}>[0-9]+[A-Z]*|[a-z]+|[A-Z]+)\)(?=\s|$)"


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
UNMODELLED = ("\t", "\r", "\0", "\x0b", "\x0c")
# markdown-it stops nesting at 20 levels; a list item's content sits two levels deeper
# than its list.
_MAX_LIST_DEPTH = 8
_OUTDENTED_FROM_EVERYTHING = 1 << 30


def scanned(text: str, strict: bool, build: Builder | None = None) -> tuple[Provision, ...] | None:
    """The provisions of ``text`` as markdown-it would find them, or ``None`` where the
    text uses Markdown the scanner does not model. ``build`` may come already holding
    the section a stretch of a longer text stands in (see :class:`StretchReader`)."""
    if any(c in text for c in UNMODELLED):
        return None
    n_lines = text.count("\n") + 1
    # markdown-it has no line for an empty or spaces-only tail after the last newline.
    tail = text.rfind("\n") + 1
    if tail == len(text) or not text[tail:].strip(" "):
        eof_line, eof = n_lines - 1, tail
    else:
        eof_line, eof = n_lines, len(text)

    if build is None:
        build = Builder(strict)
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
            build.heading(len(hashes), atx_heading_content(heading or ""), first, start)
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
                unit = NEEDS_TEXT
                if not build.quoting:
                    if item_label is not None and not info:
                        unit = build.labelled_item(depth, item_label, first, start)
                    elif info and text[m.end("gap")] not in MAY_OPEN_A_QUOTATION:
                        unit = build.numbered_item(depth, info, first, start)
                if unit is NEEDS_TEXT:
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


def atx_heading_content(after_hashes: str) -> str:
    """markdown-it's heading content: the closing run of ``#`` is dropped when a space
    stands before it."""
    content = after_hashes.rstrip(" ")
    unclosed = content.rstrip("#")
    if len(unclosed) < len(content) and unclosed.endswith(" "):
        content = unclosed
    return content.strip(COMMONMARK_TRIM)
