"""Finding a comment's quote again in a new text: re-anchoring.

A comment on a provision quotes the words it is about, anchored as a citation is
(:mod:`regdraft.core.anchors`: where the quote stands, with the text before and after
it). When a new version lands every such comment is looked for in the new text, and
what was found is said, never guessed:

- ``exact``: the quoted words stand character for character where the edit carried
  them (untouched by it, or unchanged inside the passage it rewrote);
- ``moved``: the words were changed or cut where they stood, but stand character for
  character elsewhere, told apart by their context (or found once in the whole text);
- ``fuzzy``: no exact occurrence, but the text standing where the quote was (or the
  quote with only whitespace or quote marks restyled, in its context) resembles it,
  with a ``score`` (0 to 1, ``difflib``'s ratio) at or above the ``threshold`` the
  caller gives;
- ``orphaned``: nothing resembling it well enough; the comment keeps its quote and
  waits to be re-attached by a reviewer.

So a comment is never reported ``exact`` or ``moved`` where the text differs from its
quote (both are checked against the new text itself), and a look-alike below the
threshold is orphaned rather than attached. The old and new texts are diffed once for
any number of comments (the word diff of :mod:`regdraft.core.patching`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from regdraft.core.anchors import CONTEXT, MAX_CANDIDATES, FoldedText
from regdraft.core.errors import QuoteNotFound
from regdraft.core.patching import diff_words

STATES = ("exact", "moved", "fuzzy", "orphaned")
DEFAULT_THRESHOLD = 0.8
"""The lowest score a fuzzy match may have (``REGDRAFT_COMMENT_FUZZY_THRESHOLD``)."""
MAX_SCORED = 4 * 2000 + 256
"""The longest stretch of text a fuzzy match is scored on (four times the longest quote):
the ratio of a quote to a much longer stretch is below any useful threshold anyway, and
scoring costs the product of the two lengths."""


@dataclass(frozen=True)
class Placed:
    """Where a quote stands in a text (``start`` is None once it is orphaned)."""

    quote: str
    start: int | None
    end: int | None
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Reanchored:
    """What re-anchoring a quote in a new text found."""

    state: str
    """``exact``, ``moved``, ``fuzzy`` or ``orphaned``."""
    start: int | None
    end: int | None
    prefix: str
    suffix: str
    score: float | None
    """1.0 for exact and moved; the similarity for fuzzy; the best rejected one for orphaned."""
    found: str
    """The new text's words at the place (empty when orphaned)."""


def anchor_in(text: str, quote: str, *, start: int = 0, end: int | None = None) -> Placed:
    """``quote`` anchored in ``text[start:end]`` (a provision's span), as citations are:
    whitespace and quote-mark style may differ, and the quote kept is the text's own
    characters, so exactness is judged against what the text says. :class:`QuoteNotFound`
    if it is not there."""
    end = len(text) if end is None else end
    anchor = FoldedText(text[start:end]).find(quote)
    at, until = start + anchor.start, start + anchor.end
    return Placed(text[at:until], at, until, text[max(0, at - CONTEXT):at], text[until:until + CONTEXT])


class _Map:
    """Positions of an old text carried into a new one by a word diff: each stretch the
    two texts share, as (old start, new start, length)."""

    def __init__(self, old: str, new: str) -> None:
        self.equal: list[tuple[int, int, int]] = []
        at_old = at_new = 0
        for op in diff_words(old, new):
            size = len(op.text)
            if op.kind == "equal":
                self.equal.append((at_old, at_new, size))
                at_old, at_new = at_old + size, at_new + size
            elif op.kind == "delete":
                at_old += size
            else:
                at_new += size
        self._starts = [e[0] for e in self.equal]

    def _stretch(self, at: int) -> int:
        return bisect_right(self._starts, at) - 1

    def untouched(self, start: int, end: int) -> int | None:
        """The new start of ``old[start:end]`` if the diff leaves it whole in one shared stretch."""
        i = self._stretch(start)
        if i >= 0:
            old_at, new_at, size = self.equal[i]
            if end <= old_at + size:
                return new_at + start - old_at
        return None

    def around(self, start: int, end: int) -> tuple[int, int]:
        """The new stretch that took the place of ``old[start:end]``: from the end of the
        last shared text before it to the start of the first shared text after it (the
        old span's own shared ends kept)."""
        i = self._stretch(start)
        if i < 0:
            new_start = 0
        else:
            old_at, new_at, size = self.equal[i]
            new_start = new_at + min(start - old_at, size)
        j = self._stretch(max(start, end - 1))
        if j < 0:
            new_end = self.equal[0][1] if self.equal else None
        else:
            old_at, new_at, size = self.equal[j]
            if end <= old_at + size:
                new_end = new_at + end - old_at
            else:
                new_end = self.equal[j + 1][1] if j + 1 < len(self.equal) else None
        return new_start, new_end if new_end is not None else -1


def reanchor(old: str, new: str, placed: Sequence[Placed], *, threshold: float = DEFAULT_THRESHOLD
             ) -> list[Reanchored]:
    """Each of ``placed`` (quotes where they stood in ``old``) looked for in ``new``."""
    if not 0 < threshold <= 1:
        raise ValueError(f"a fuzzy threshold is above 0 and at most 1, not {threshold}")
    mapping = _Map(old, new) if any(p.start is not None for p in placed) else None
    folded = FoldedText(new)
    return [_one(new, folded, mapping, p, threshold) for p in placed]


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def _result(state: str, text: str, start: int, end: int, score: float) -> Reanchored:
    prefix, suffix = _context(text, start, end)
    return Reanchored(state, start, end, prefix, suffix, score, text[start:end])


def _one(new: str, folded: FoldedText, mapping: _Map | None, placed: Placed, threshold: float) -> Reanchored:
    quote = placed.quote
    carried: tuple[int, int] | None = None
    if placed.start is not None and mapping is not None:
        at = mapping.untouched(placed.start, placed.end)
        if at is not None and new[at:at + len(quote)] == quote:
            return _result("exact", new, at, at + len(quote), 1.0)
        start, end = mapping.around(placed.start, placed.end)
        carried = start, len(new) if end < 0 else end
        # A diff may rewrite a block around words it keeps (its cleanup merges small
        # equalities into one change): the quote unchanged inside what replaced it
        # still stands where the edit carried it.
        inside = new.find(quote, *carried)
        if quote and inside != -1:
            return _result("exact", new, inside, inside + len(quote), 1.0)
    moved = _moved(new, quote, placed, near=carried[0] if carried else 0)
    if moved is not None:
        return _result("moved", new, moved, moved + len(quote), 1.0)
    best: tuple[float, int, int] | None = None
    for start, end in _fuzzy_candidates(new, folded, quote, placed, carried):
        score = _score(quote, new[start:end])
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is not None and best[0] >= threshold:
        return _result("fuzzy", new, best[1], best[2], best[0])
    return Reanchored("orphaned", None, None, placed.prefix, placed.suffix,
                      best[0] if best is not None else 0.0, "")


def _moved(new: str, quote: str, placed: Placed, *, near: int) -> int | None:
    """Where ``quote`` stands exactly in ``new``: its one occurrence, or of several the
    one whose context agrees best (on at least one side), then the nearest to ``near``."""
    if not quote:
        return None
    occurrences = []
    at = new.find(quote)
    while at != -1 and len(occurrences) < MAX_CANDIDATES:
        occurrences.append(at)
        at = new.find(quote, at + 1)
    if not occurrences:
        return None
    if len(occurrences) == 1:
        return occurrences[0]

    score, _, start = max((_agreement(new, at, at + len(quote), placed), -abs(at - near), at)
                          for at in occurrences)
    return start if score > 0 else None


def _agreement(new: str, start: int, end: int, placed: Placed) -> int:
    """On how many sides (0 to 2) the text around ``new[start:end]`` agrees with the
    context the quote had (the eight characters next to it, as citations are told apart)."""
    prefix, suffix = _context(new, start, end)
    return ((bool(placed.prefix) and prefix.endswith(placed.prefix[-8:]))
            + (bool(placed.suffix) and suffix.startswith(placed.suffix[:8])))


def _fuzzy_candidates(new: str, folded: FoldedText, quote: str, placed: Placed,
                      carried: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Stretches of ``new`` that may be the quote changed: what took its place, and the
    quote with its whitespace or quote marks restyled (found as citations are), in its
    context."""
    candidates = []
    if carried is not None:
        start, end = _trimmed(new, *carried)
        if start < end:
            candidates.append((start, end))
            window = _window(quote, new, start, end)
            if window is not None and window != (start, end):
                candidates.append(window)
    try:
        anchor = folded.find(quote, prefix=placed.prefix, suffix=placed.suffix)
    except QuoteNotFound:
        pass
    else:
        # The same words elsewhere without their context were refused as a move: not
        # taken as a look-alike either.
        if _agreement(new, anchor.start, anchor.end, placed) and new[anchor.start:anchor.end] != quote:
            candidates.append((anchor.start, anchor.end))
    return candidates


def _window(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The stretch of ``text[start:end]`` that lines up with ``quote`` (from the first
    to the last block they share), widened to whole words: the quote's words inside a
    longer rewritten passage."""
    if end - start > MAX_SCORED:
        return None
    blocks = [b for b in SequenceMatcher(None, quote, text[start:end], autojunk=False).get_matching_blocks()
              if b.size]
    if not blocks:
        return None
    first, last = start + blocks[0].b, start + blocks[-1].b + blocks[-1].size
    while first > start and not text[first - 1].isspace():
        first -= 1
    while last < end and not text[last].isspace():
        last += 1
    return first, last


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _score(quote: str, found: str) -> float:
    """How alike two texts are (0 to 1), rounded down to three places (so a shown score
    is never above the real one, and the threshold is compared with what is shown)."""
    if not quote or not found or len(found) > MAX_SCORED:
        return 0.0
    ratio = SequenceMatcher(None, quote, found, autojunk=False).ratio()
    return math.floor(ratio * 1000) / 1000
