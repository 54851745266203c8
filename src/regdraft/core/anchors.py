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
from bisect import bisect_right
from dataclasses import dataclass

from regdraft.core.errors import QuoteNotFound
from regdraft.core.text import words_in_pieces

CONTEXT = 32
_FOLD = str.maketrans({"‘": "'", "’": "'", "‛": "'", "′": "'", "`": "'",
                       "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_SPACE = re.compile(r"\s+")
_RUN = re.compile(r"\s{2,}")
MAX_CANDIDATES = 1000
"""Matches of one quote weighed against its prefix and suffix: a quote found more
often than this is anchored among its first matches (a bound on the work of a quote
such as "the" in a long response)."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str
    exact: bool
    """Whether the quote matched character for character."""


class FoldedText:
    """A text folded once for finding any number of quotes in it: quote marks folded
    and whitespace runs collapsed to one space, in two passes at C speed. Where a
    folded character stands in the original is worked out only for the matches found,
    by bisecting the runs that collapsing shortened, so anchoring ``k`` citations in a
    text of ``n`` characters costs ``n`` once, not ``n`` per citation."""

    def __init__(self, text: str) -> None:
        self.text = text
        # In pieces that never cut a whitespace run, so other threads run between them.
        self.folded = "".join(_SPACE.sub(" ", piece).translate(_FOLD) for piece in words_in_pieces(text))
        # Runs of two or more whitespace characters: each shortens the folded text by
        # its length less one. ``_run_at[k]`` is where run k's space stands in the
        # folded text, ``_run_start[k]`` where the run starts in the original,
        # ``_shift[k]`` how much shorter the folded text is before run k.
        self._run_at: list[int] = []
        self._run_start: list[int] = []
        self._shift: list[int] = [0]
        for run in _RUN.finditer(text):
            self._run_at.append(run.start() - self._shift[-1])
            self._run_start.append(run.start())
            self._shift.append(self._shift[-1] + run.end() - run.start() - 1)

    def original(self, at: int) -> int:
        """The offset in the original text of the folded character at ``at``."""
        k = bisect_right(self._run_at, at)
        if k and self._run_at[k - 1] == at:
            return self._run_start[k - 1]
        return at + self._shift[k]

    def find(self, quote: str, *, prefix: str = "", suffix: str = "") -> Anchor:
        """Locate ``quote``; with several matches prefer the one whose surrounding
        text agrees with ``prefix``/``suffix``, then the first. Without context the
        first match is the answer, and with context the search stops at the first that
        agrees on both sides or after :data:`MAX_CANDIDATES` matches."""
        text = self.text
        wanted = _SPACE.sub(" ", quote.strip()).translate(_FOLD)
        if not wanted:
            raise QuoteNotFound("the quote is empty")

        def agreement(start: int, end: int) -> int:
            score = 0
            if prefix and text[max(0, start - len(prefix)):start].endswith(prefix[-8:]):
                score += 1
            if suffix and text[end:end + len(suffix)].startswith(suffix[:8]):
                score += 1
            return score

        best: tuple[int, int, int] | None = None
        at = self.folded.find(wanted)
        for _ in range(MAX_CANDIDATES):
            if at == -1:
                break
            start, end = self.original(at), self.original(at + len(wanted) - 1) + 1
            score = agreement(start, end)
            if best is None or score > best[0]:
                best = (score, start, end)
            if score == bool(prefix) + bool(suffix):
                break
            at = self.folded.find(wanted, at + 1)
        if best is None:
            raise QuoteNotFound(f"quote not found: {_clip(quote)!r}", quote=quote)
        _, start, end = best
        return Anchor(start, end, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT],
                      exact=text[start:end] == quote)


    def occurrences(self, quote: str, *, limit: int = 2) -> int:
        """How many times ``quote`` stands in the text (folded as :meth:`find` folds it),
        counted up to ``limit``: whether a short quote says which place it means."""
        wanted = _SPACE.sub(" ", quote.strip()).translate(_FOLD)
        count, at = 0, self.folded.find(wanted) if wanted else -1
        while at != -1 and count < limit:
            count += 1
            at = self.folded.find(wanted, at + 1)
        return count


def find_quote(text: str, quote: str, *, prefix: str = "", suffix: str = "") -> Anchor:
    """Locate ``quote`` in ``text`` (:meth:`FoldedText.find`); to find several quotes in
    one text, fold it once with :class:`FoldedText`."""
    return FoldedText(text).find(quote, prefix=prefix, suffix=suffix)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
