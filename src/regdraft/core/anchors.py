"""Finding a citation's quote in a response's text.

A quote matches where the response says the same words: runs of whitespace may differ,
and so may the style of quote marks and apostrophes (straight or curly), because those
change whenever text passes through a word processor or a web page. Nothing else may
differ. Where it was found is kept with a little context before and after (the
text-quote selector of the W3C annotation model, as used by Hypothesis), so that the
quote can be found again, and told apart from a second occurrence, if the response
text is ever re-imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regdraft.core.errors import QuoteNotFound

CONTEXT = 32
_FOLD = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "`": "'",
                       "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str
    exact: bool
    """Whether the quote matched character for character."""


def _folded(text: str) -> tuple[str, list[int]]:
    """The text with quote marks folded and whitespace runs collapsed to one space,
    and for each folded character its offset in the original."""
    out: list[str] = []
    where: list[int] = []
    for match in re.finditer(r"\s+|\S", text):
        out.append(" " if match.group().isspace() else match.group().translate(_FOLD))
        where.append(match.start())
    return "".join(out), where


def find_quote(text: str, quote: str, *, prefix: str = "", suffix: str = "") -> Anchor:
    """Locate ``quote`` in ``text``; with several matches prefer the one whose
    surrounding text agrees with ``prefix``/``suffix``, then the first."""
    wanted = _SPACE.sub(" ", quote.strip()).translate(_FOLD)
    if not wanted:
        raise QuoteNotFound("the quote is empty")
    folded, where = _folded(text)
    candidates = []
    at = folded.find(wanted)
    while at != -1:
        start = where[at]
        end = where[at + len(wanted) - 1] + 1
        candidates.append((start, end))
        at = folded.find(wanted, at + 1)
    if not candidates:
        raise QuoteNotFound(f"quote not found: {_clip(quote)!r}", quote=quote)

    def agreement(span: tuple[int, int]) -> int:
        start, end = span
        score = 0
        if prefix and text[max(0, start - len(prefix)):start].endswith(prefix[-8:]):
            score += 1
        if suffix and text[end:end + len(suffix)].startswith(suffix[:8]):
            score += 1
        return -score

    start, end = min(candidates, key=agreement)
    return Anchor(start, end, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT],
                  exact=text[start:end] == quote)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
