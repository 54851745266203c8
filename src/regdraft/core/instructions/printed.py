"""Inserted text as a drafter reads it: the storage form's Markdown (``### `` before a
heading, ``- `` before a list item) taken off for printing, and put back on reading,
by the tradition's conventions (``core/traditions/phrasing.py``)."""

from __future__ import annotations

import re
from functools import lru_cache

from regdraft.core.traditions.phrasing import Phrasing

_STORED_HEADING = re.compile(r"(#{1,6})[ \t]+(\S.*)")
_STORED_ITEM = re.compile(r"([ \t]*)[-*+][ \t]+(.*)")


@lru_cache(maxsize=8)
def _patterns(ph: Phrasing) -> tuple[re.Pattern, re.Pattern | None]:
    units = "|".join(re.escape(u) for u in ph.heading_units)
    heading = re.compile(rf"(?:(?:{units})[ \t]+[0-9A-Za-z]+\b|{ph.numbered_headings})(?:[ \t:.—–-].*)?")
    item = re.compile(rf"([ \t]*)({ph.item_numbers}[ \t].*)") if ph.item_numbers else None
    return heading, item


def _level(ph: Phrasing, line: str) -> str:
    return ph.heading_level.get(line.split(None, 1)[0], "###")


def _is_heading(ph: Phrasing, lines: list[str], k: int) -> bool:
    """A printed line is a heading when it opens with a unit's number, stands as a
    paragraph of its own, and (where a heading never ends so) does not end like a
    sentence: ``1. A provider must register.`` in a schedule is a paragraph."""
    line = lines[k]
    if not _patterns(ph)[0].fullmatch(line):
        return False
    alone = k + 1 == len(lines) or not lines[k + 1].strip()
    return alone and (ph.heading_ends_with_stop or not re.search(r"[.;:,—–-]$", line))


def stored(printed: str, ph: Phrasing) -> str:
    """The storage form of a block printed in ``ph``'s tradition."""
    lines = printed.split("\n")
    item = _patterns(ph)[1]
    out = []
    for k, line in enumerate(lines):
        if _is_heading(ph, lines, k):
            out.append(f"{_level(ph, line)} {line}")
        elif item is not None and (m := item.fullmatch(line)):
            out.append(f"{m.group(1)}- {m.group(2)}")
        else:
            out.append(line)
    return "\n".join(out)


def printable(block: str, ph: Phrasing) -> str | None:
    """``block`` as printed, or ``None`` when the printed form would not read back as
    exactly ``block`` (a quoted block, a heading level or list marker of its own)."""
    out = []
    for line in block.split("\n"):
        if m := _STORED_HEADING.fullmatch(line):
            out.append(m.group(2))
        elif m := _STORED_ITEM.fullmatch(line):
            out.append(m.group(1) + m.group(2))
        else:
            out.append(line)
    printed = "\n".join(out)
    if stored(printed, ph) != block:
        return None
    if any(re.match(r" {0,3}(?:>|```|~~~)", line) for line in out):
        return None
    if not ph.block_open and any(re.match(r" {0,3}\d+[.)][ \t]", line) for line in out):
        return None  # unquoted (US) text runs to the next instruction: no line may look like one
    if ph.block_open and not _balanced(printed, ph):
        return None
    return printed


def _balanced(text: str, ph: Phrasing) -> bool:
    depth = 0
    for k, c in enumerate(text):
        if c == ph.block_open:
            depth += 1
        elif c == ph.block_close and not is_apostrophe(text, k, ph):
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def is_apostrophe(text: str, k: int, ph: Phrasing) -> bool:
    """Where a tradition quotes with ‘ ’, a ’ between letters (Member State’s) is an
    apostrophe, not a closing quote."""
    if ph.close != "’" or text[k] != "’":
        return False
    return 0 < k < len(text) - 1 and text[k - 1].isalpha() and text[k + 1].isalpha()
