"""The storage Markdown read as lines and blocks, for writers that lay it out.

A writer shows a heading's words, not its hashes, and an item's text, not its ``-``;
:func:`block_syntax` splits a line into the Markdown syntax that opens it and the
words after, so the syntax can be hidden (Word) or dropped (Akoma Ntoso) and the
words kept exactly. An ordered list's ``1.`` is kept with the words: it is the
number a reader sees (an eu-act paragraph is written so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SYNTAX = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<hashes>#{1,6})[ \t]+|(?P<marks>(?:(?:[-*+]|>)[ \t]+)+))?")


@dataclass(frozen=True)
class Line:
    syntax: str
    """The Markdown before the words: indentation, ``### ``, ``- ``, ``> ``."""
    words: str
    heading: int
    """The heading level (1-6), or 0."""
    depth: int
    """How deeply the line is nested in lists (0: not an item)."""
    quote: bool


def block_syntax(line: str) -> Line:
    match = _SYNTAX.match(line)
    syntax = match.group(0)
    marks = match.group("marks") or ""
    hashes = match.group("hashes") or ""
    items = len(re.findall(r"[-*+](?=[ \t])", marks))
    depth = items + (len(match.group("indent").expandtabs(4)) // 2 if items else 0)
    return Line(syntax, line[len(syntax):], len(hashes), depth, ">" in marks)
