"""Rendering marked Markdown: by cmark-gfm where it renders as markdown-it-py with our
link policy would, by markdown-it-py otherwise, and the markers turned into tags
between text nodes."""

from __future__ import annotations

import bisect
import ctypes
import html
import re
from array import array
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING, Iterable, Iterator

from cmarkgfm import _cmark

from regdraft.core.policy import KEPT_INVISIBLE, character_name, safe_link
from regdraft.core.redline.marking import (CLOSERS, DEL_CLOSE, DEL_OPEN, DIGITS, END_NUMBER, MARKER, PRIVATE_USE,
                                           without_marks)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


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
_DELETED_RUN = re.compile(f"{DEL_OPEN}[{DIGITS}]+{END_NUMBER}[^{DEL_CLOSE}\"]*{DEL_CLOSE}")


def _normalize_marked_link(url: str) -> str:
    """markdown-it's link normalising, for a link that holds marks (a change, a quote):
    the address is normalised without them (and without what a change deleted) and the
    marks are kept, unencoded, after it, so that :func:`marks_between_text_nodes` can
    move them out of the attribute. Percent-encoded, they would be lost halfway, and a
    change or quote would open without closing."""
    from markdown_it.common import normalize_url

    if PRIVATE_USE.search(url) is None:
        return normalize_url.normalizeLink(url)
    marks = "".join(PRIVATE_USE.findall(url))
    return normalize_url.normalizeLink(PRIVATE_USE.sub("", _DELETED_RUN.sub("", url))) + marks


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
                child.attrSet("href", PRIVATE_USE.sub("", str(child.attrGet("href"))))
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
        if PRIVATE_USE.search(part) is None:
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
        parts[i] = "".join(before) + PRIVATE_USE.sub("", tag) + "".join(after)
    return "".join(parts)


def render_markdown(text: str) -> str:
    """Untrusted Markdown (rationales, response text) as safe HTML."""
    return markdown().render(without_marks(text))


_ANCHORABLE_TOKENS = ("heading_open", "paragraph_open", "list_item_open")


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


def needs_markdown_it(text: str) -> bool:
    return (any(char in text for char in _MARKDOWN_IT_CHARACTERS)
            or any(any(char in text for char in triggers) and pattern.search(text)
                   for triggers, pattern in _MARKDOWN_IT_PATTERNS)
            or _EMPTY_ITEM_FIRST.match(text) is not None or _EMPTY_ITEM_LATER.search(text) is not None)


# The checks of :func:`needs_markdown_it` read piece by piece (:func:`_pieces_need_markdown_it`):
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
    """:func:`needs_markdown_it` of the text the parts (``source[start:end]``, not
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


class MergedText:
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
            return needs_markdown_it(self.parts[0])
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


def may_show_invisible(markdown: str) -> bool:
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
    return marks_between_text_nodes(render_marked(text, sourcepos=True), MARKER, CLOSERS, _DELETED_RUN)
