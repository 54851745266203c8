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


# Inline Markdown a writer shows as formatting: the marks (``**``, ``*``, `````, ``[``,
# ``](url)``, an escaping backslash) are SYNTAX, the words between them take the style.
SYNTAX, BOLD, ITALIC, CODE, LINK = "syntax", "bold", "italic", "code", "link"
_INLINE = re.compile(r"\\(?P<escaped>[!-/:-@\[-`{-~])"
                     r"|`(?P<code>[^`\n]+)`"
                     r"|\*\*(?P<bold>(?=\S)[^\n]+?(?<=\S))\*\*"
                     r"|\*(?P<italic>(?=[^\s*])[^*\n]*?(?<=[^\s*]))\*"
                     r"|\[(?P<link>[^\]\n]+)\]\((?P<url>[^)\s]+)\)")


def inline_roles(words: str) -> list[frozenset[str]]:
    """What each character of ``words`` is: inline Markdown syntax, or words in bold,
    italic, code or a link's text (any of them, nested: ``**[a](u)**``), or plain."""
    roles: list[frozenset[str]] = [frozenset()] * len(words)
    for match in _INLINE.finditer(words):
        name = next(group for group in ("escaped", "code", "bold", "italic", "link") if match.group(group) is not None)
        start, end = match.span(name)
        roles[match.start():start] = [frozenset({SYNTAX})] * (start - match.start())
        roles[end:match.end()] = [frozenset({SYNTAX})] * (match.end() - end)
        if name == "escaped":
            continue
        role = {"code": CODE, "bold": BOLD, "italic": ITALIC, "link": LINK}[name]
        inner = [frozenset()] * (end - start) if name == "code" else inline_roles(words[start:end])
        roles[start:end] = [r if SYNTAX in r else r | {role} for r in inner]
    return roles


def line_roles(line: str) -> list[frozenset[str]]:
    """:func:`inline_roles` of a whole line, its opening block syntax (``### ``) SYNTAX too."""
    syntax = block_syntax(line).syntax
    return [frozenset({SYNTAX})] * len(syntax) + inline_roles(line[len(syntax):])
