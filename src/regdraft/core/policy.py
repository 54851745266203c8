"""What regdraft accepts from outside: the one text policy and the one link policy.

Every text a user supplies (titles, names, rationales, quotes, response texts, the text
of a regulation) comes in through one of three doors: the HTTP API, the reviewer pages'
forms and the files loader. All three ask :func:`check_text` of every text and
:func:`check_url` of every address, so a text refused at one door is refused at the
others, with the same words. Every link any page or renderer writes goes through
:func:`link_target`. docs/security.md says what is refused and why.

The text policy refuses

- characters no text can hold or show honestly: C0 and C1 controls (but tab, line
  feed and carriage return), lone surrogates, noncharacters, private-use characters;
- characters that hide or reorder what is read, which have no place in the text of
  law: bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069: "Trojan source"), line and paragraph separators (U+2028, U+2029),
  zero-width and invisible characters (U+200B, U+2060-U+2064, U+FEFF, U+180E),
  interlinear annotations, tag characters (U+E0000-U+E007F);
- raw HTML (``<script``, ``<img ``, ``</a>``, ``<!--``): texts are Markdown, and raw HTML
  is neither rendered nor kept;
- lists and block quotes nested more than :data:`MAX_NESTING` levels.

A few invisible characters do belong in text, in scripts that need them: the soft
hyphen, the zero-width (non-)joiner and the left-to-right, right-to-left and Arabic
letter marks (:data:`KEPT_INVISIBLE`). They are kept; the pages isolate every user text
(``<bdi>``, ``dir="auto"``) so that none reorders what stands around it, and redlines
flag each one where it stands.

The link policy allows http, https and relative links only, after removing what
browsers remove before they read a URL (the WHATWG URL standard: ASCII tab, line feed
and carriage return anywhere, C0 controls and spaces at either end), so that
``java<TAB>script:`` is read as the ``javascript:`` a browser would run.
"""

from __future__ import annotations

import re
import unicodedata

from regdraft.core.errors import InvalidText

_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_REFUSED = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls but tab, line feed and carriage return
    "\x7f-\x9f"                   # DEL and the C1 controls (U+0085 NEXT LINE, U+009B CSI)
    "\u180e\u200b\u2060-\u2064\ufeff"  # invisible separators, joiners and operators
    "\u2028\u2029"                # line and paragraph separators
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\u206a-\u206f"               # deprecated format characters
    "\ufff9-\ufffb"               # interlinear annotations
    "\ud800-\udfff"               # lone surrogates (JSON can carry "\ud800"; no database can store it)
    "\ue000-\uf8ff\U000f0000-\U0010ffff"  # private use (regdraft's renderers use it for their marks)
    "\ufdd0-\ufdef\ufffe\uffff" + _NONCHARACTERS +
    "\U000e0000-\U000e007f"       # tag characters
    "]")

KEPT_INVISIBLE = "\u00ad\u061c\u200c\u200d\u200e\u200f"
"""Invisible characters that scripts need, so texts may hold them: soft hyphen, Arabic
letter mark, zero-width non-joiner and joiner, left-to-right and right-to-left mark."""

# The start of an HTML element, comment or processing instruction ("<script", "</a",
# "<img/", "<!--"), but not "a < b", "<5" or a Markdown autolink "<https://...>".
# A tag name at the very end of a text counts too, so that a text and the same text
# with a line end after it (as normalising gives) are judged alike.
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|\Z)|<!--|<\?")

MAX_NESTING = 16
"""Lists and block quotes nest at most this deep. A provision goes four list levels
down (paragraph, sub-paragraph, head, sub-head); thousands of levels are an attack on
whatever walks the tree, not drafting."""
# The markers opening nested containers at the start of a line: "- - > 1. x".
_CONTAINERS = re.compile(r"^(?:[ \t]*(?:[-+*>]|\d{1,9}[.)])(?=[ \t]|$))+", re.MULTILINE)
_CONTAINER = re.compile(r"[-+*>]|\d{1,9}[.)]")
# A prefix nesting deeper than MAX_NESTING is at least 2 * (MAX_NESTING + 1) - 1
# characters of blanks, markers and digits (each level is a marker and the blank after
# it, or two leading spaces): a line opening with no such run nests too little to count,
# and such runs are found by a search that skips from line end to line end.
_DEEP_ENOUGH = 2 * (MAX_NESTING + 1) - 1
_OPENING_RUN = rf"[ \t\-+*>\d.)]{{{_DEEP_ENOUGH}}}"
_MAYBE_DEEP_FIRST, _MAYBE_DEEP_AFTER = re.compile(_OPENING_RUN), re.compile(rf"\n{_OPENING_RUN}")


def _maybe_deep(value: str) -> bool:
    # Two searches: an alternation (^|\n) would lose the skip from line end to line end.
    return bool(_MAYBE_DEEP_FIRST.match(value) or _MAYBE_DEEP_AFTER.search(value))


def _refused(value: str) -> re.Match | None:
    """The first refused character. Every refused character is one Python calls
    unprintable, so a text that is all printable but for its tabs and line ends is
    told at C speed: the character class, dozens of ranges, costs a quarter of a
    microsecond a character (a second for a 4 MB response, on the event loop, where
    request bodies are validated)."""
    if value.isascii():
        # The usual case: a table lookup a byte says whether any control is there.
        if not value.encode("ascii").translate(None, _ASCII_ALLOWED):
            return None
    elif value.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        return None
    return _REFUSED.search(value)


_ASCII_ALLOWED = b"\t\n\r" + bytes(range(0x20, 0x7f))


def character_name(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how errors and redlines name a character."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def text_problem(value: str) -> tuple[int, str] | None:
    """Where and how ``value`` breaks the text policy: (offset, what is wrong), or None."""
    bad = _refused(value)
    if bad is not None:
        return bad.start(), f"contains the character {character_name(bad.group())}, which a text may not hold"
    for opened in _CONTAINERS.finditer(value) if _maybe_deep(value) else ():
        prefix = opened.group()
        depth = len(_CONTAINER.findall(prefix)) + (len(prefix) - len(prefix.lstrip(" "))) // 2
        if depth > MAX_NESTING:
            return opened.start(), f"nests lists or quotes {depth} levels deep; the most is {MAX_NESTING}"
    markup = _MARKUP.search(value)
    if markup is not None:
        return markup.start(), (f"contains HTML ({value[markup.start():markup.start() + 20]!r}): texts are "
                                f"Markdown, and raw HTML is neither rendered nor kept")
    return None


def check_text(value: str, field: str) -> str:
    """``value``; :class:`InvalidText` (with ``field``, ``offset`` and ``line``) if it
    breaks the text policy."""
    problem = text_problem(value)
    if problem is not None:
        offset, what = problem
        line = value.count("\n", 0, offset) + 1
        raise InvalidText(f"{field} {what} (line {line}, offset {offset})", field=field, offset=offset, line=line)
    return value


def check_edit(edited: str, changed: tuple[int, int, int] | None, field: str) -> None:
    """:func:`check_text` of the lines an edit changed (``ApplyResult.changed``): a patch
    carries its text percent-encoded, so what it inserts is checked in the text it makes.
    The lines around are the base's, which were checked when it was stored."""
    if changed is None:
        return
    first = edited.rfind("\n", 0, changed[0]) + 1
    last = edited.find("\n", changed[2])
    lines = edited[first:len(edited) if last == -1 else last]
    problem = text_problem(lines)
    if problem is not None:
        offset, what = problem
        line = edited.count("\n", 0, first + offset) + 1
        raise InvalidText(f"{field}: the text it makes {what} (line {line})", field=field,
                          offset=first + offset, line=line)


# What browsers remove from a URL before parsing it (WHATWG URL: "remove all ASCII tab
# or newline", "strip leading and trailing C0 control or space").
_URL_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_URL_EDGES = "".join(chr(c) for c in range(0x21))
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
LINK_SCHEMES = ("http", "https")


def link_target(url: str) -> str | None:
    """The address a browser would follow for ``url``, if the link policy allows it
    (http, https or relative); otherwise None, and the link is not written."""
    cleaned = _URL_TAB_OR_NEWLINE.sub("", url).strip(_URL_EDGES)
    scheme = _SCHEME.match(cleaned)
    if scheme is not None and scheme.group(1).lower() not in LINK_SCHEMES:
        return None
    return cleaned


def safe_link(url: str) -> bool:
    """Whether the link policy allows ``url`` (markdown-it's ``validateLink``)."""
    return link_target(url) is not None


def url_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a stored address (a response's source), or None:
    it must be absolute http(s), and hold nothing a browser would strip (or it is not
    the address it shows)."""
    problem = text_problem(value)
    if problem is not None:
        return problem[1]
    if link_target(value) != value or _SCHEME.match(value) is None:
        return f"{value!r} is not an http:// or https:// address"
    return None


def check_url(value: str, field: str = "url") -> None:
    problem = url_problem(value)
    if problem is not None:
        raise InvalidText(f"{field} {problem}", field=field)
