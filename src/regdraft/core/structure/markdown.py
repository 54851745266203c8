"""Reading with markdown-it: the block tokens of any CommonMark text, in pieces cut
before headings, given to the builder as the scanner gives them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from regdraft.core.structure.builder import Builder
from regdraft.core.structure.model import Provision

if TYPE_CHECKING:  # markdown-it reads only what the block scanner declines: imported then
    from markdown_it import MarkdownIt


# --- Reading with markdown-it ------------------------------------------------------

# A heading at the start of a line after a blank line closes every open block (list,
# quote, paragraph, indented code), so a text can be read in pieces cut there, unless
# fences or HTML blocks, which a heading does not close, occur at all.
_CUT = re.compile(r"\n\n(?=#{1,6} )")
UNSPLITTABLE = re.compile(r"^ {0,3}(?:```|~~~|<)", re.M)


def pieces_between_headings(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``text`` in consecutive pieces of at least ``size`` characters (the last may be
    shorter), each cut just before a heading that follows a blank line, with the 0-based
    line each starts at. The caller makes sure nothing in ``text`` runs across such a
    heading (no fences or HTML blocks)."""
    start = line = 0
    while start < len(text):
        cut = _CUT.search(text, start + size)
        stop = cut.start() + 2 if cut else len(text)
        yield line, text[start:stop]
        line += text.count("\n", start, stop)
        start = stop


def _block_tokens(text: str, chunk_bytes: int):
    """markdown-it's block tokens of ``text``, in lists of about ``chunk_bytes``
    characters, with line maps counted from the start of the whole text. A long text's
    tokens all at once would take 25 times its size in memory."""
    parser = _parser(_rules_that_cannot_fire(text))
    if len(text) <= chunk_bytes or UNSPLITTABLE.search(text):
        yield parser.parse(text)
        return
    for line, piece in pieces_between_headings(text, chunk_bytes):
        tokens = parser.parse(piece)
        if line:
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + line, token.map[1] + line]
        yield tokens


# What must occur somewhere in a text for each block rule to fire on it (also inside
# list items and quotes, so nothing is anchored to the start of a line). markdown-it
# tries every rule on every line; a regulation uses few of them, and switching off the
# others makes reading it a fifth faster with the same tokens.
_RULE_NEEDS = {
    "code": re.compile(r" {4}|\t"),  # four columns of indentation, after any container marker
    "fence": re.compile(r"```|~~~"),
    "blockquote": re.compile(r">"),
    "hr": re.compile(r"([*_-])[ \t]*\1[ \t]*\1"),
    "reference": re.compile(r"\["),
    "html_block": re.compile(r"<"),
    "lheading": re.compile(r"(?:^|[ \t>])(?:=+|-+)[ \t]*$", re.M),
}


def _rules_that_cannot_fire(text: str) -> frozenset[str]:
    return frozenset(rule for rule, needs in _RULE_NEEDS.items() if not needs.search(text))


@lru_cache(maxsize=16)
def _parser(switched_off: frozenset[str] = frozenset()) -> MarkdownIt:
    # Only block tokens matter here (an inline token's ``content`` is set by the block
    # parser); skipping inline parsing makes a long text a third faster to read.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join", *sorted(switched_off)])


_NEWLINE = re.compile(r"\n")

COMMONMARK_TRIM = ("\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                   "\u2028\u2029\u202f\u205f\u3000")
"""What markdown-it strips from a heading's content (its ``mdTrim``), spelt out so that
the block scanner, which reads most texts alone, does not import markdown-it."""


def read_with_markdown_it(text: str, strict: bool, chunk_bytes: int,
                           build: Builder | None = None) -> tuple[Provision, ...]:
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    n_lines = len(line_starts)

    def offset(line: int) -> int:
        return line_starts[line] if line < n_lines else len(text)

    if build is None:
        build = Builder(strict)
    for tokens in _block_tokens(text, chunk_bytes):
        list_depth = quote_depth = 0
        for i, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "blockquote_open":
                quote_depth += 1
            elif tok.type == "blockquote_close":
                quote_depth -= 1
            elif tok.type == "heading_open" and not quote_depth:
                line = tok.map[0]
                build.heading(int(tok.tag[1]), tokens[i + 1].content, line, offset(line))
            elif tok.type == "paragraph_open" and list_depth == 0:
                line = tok.map[0]
                build.paragraph(_first_line(tokens[i + 1].content), line, offset(line), quoted=quote_depth > 0)
            elif tok.type == "list_item_open" and not quote_depth:
                line, end_line = tok.map
                # The item's own text is the inline token of its first block.
                inline = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None
                build.list_item(list_depth, tok.info, _first_line(inline.content) if inline is not None else None,
                                line, offset(line), end_line, offset(end_line))
            elif tok.type == "code_block" and list_depth == 0 and not quote_depth:
                # Indented text (a CFR paragraph set in four spaces) is read line by line,
                # as a text without Markdown is.
                for k, code_line in enumerate(tok.content.split("\n")):
                    if code_line.strip():
                        line = tok.map[0] + k
                        build.paragraph(code_line.strip(), line, offset(line))
    return build.provisions(n_lines, len(text))


def _first_line(content: str) -> str:
    return content.partition("\n")[0].rstrip()
