"""Applying patches: each hunk located (exact place, nearest exact occurrence, best
fuzzy match keeping its edits' edges), applied as upstream does, and reported; several
applied in turn, each expected where the earlier ones moved its place."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator, Sequence

from diff_match_patch import diff_match_patch

from regdraft.core.patching.diffs import diff_main
from regdraft.core.patching.engine import new_engine
from regdraft.core.patching.patches import Patch


class HunkStatus(str, Enum):
    EXACT = "exact"      # context matched exactly at the place the patch names
    SHIFTED = "shifted"  # context matched exactly, elsewhere (``shift`` says how far)
    FUZZY = "fuzzy"      # context matched approximately; applied with care
    FAILED = "failed"    # not applied; ``expected_at`` says where it was looked for


@dataclass(frozen=True)
class HunkResult:
    index: int
    status: HunkStatus
    expected_at: int
    found_at: int | None
    shift: int | None
    score: float | None = None
    """A fuzzy placement's similarity to the hunk's context, from 0 to 1 (1: the same
    text); ``None`` for the other statuses."""

    @property
    def applied(self) -> bool:
        return self.status is not HunkStatus.FAILED

    def as_dict(self) -> dict:
        """The report line users see: hunks numbered from 1."""
        return {"hunk": self.index + 1, "status": self.status.value, "expected_at": self.expected_at,
                "found_at": self.found_at, "shift": self.shift, "score": self.score}


@dataclass(frozen=True)
class ApplyResult:
    """The patched text (``None`` when a hunk failed and partial results were not
    asked for) and one :class:`HunkResult` per hunk, in order."""

    text: str | None
    hunks: tuple[HunkResult, ...]
    edits: tuple[tuple[int, int, int], ...] = ()
    """(at, removed, inserted) for each applied hunk, in order. ``at`` is where the hunk
    belongs in the patch's base as the hunks before it left it (not where it was found
    in a later text), so that edits of patches against one base add up."""
    changed: tuple[int, int, int] | None = None
    """``(start, old_end, new_end)``: the patched text differs from the text patched
    only between ``start`` and ``new_end`` (``old_end`` in the text patched); before
    ``start`` and after the ends both are the same. ``None`` when nothing was applied."""

    @property
    def ok(self) -> bool:
        return all(h.applied for h in self.hunks)

    @property
    def exact(self) -> bool:
        return all(h.status is HunkStatus.EXACT for h in self.hunks)


def apply_patch(patch: Patch, text: str, *, partial: bool = False,
                carry: Callable[[int], int] | None = None) -> ApplyResult:
    """Apply ``patch`` to ``text`` and report every hunk.

    With ``partial=False`` (the default) a failed hunk means no text is returned:
    a half-applied amendment is never mistaken for the amendment. ``carry`` maps a
    position of the patch's base to where it now stands in ``text`` (see
    :func:`applied_in_turn`); a hunk found there is exact.
    """
    dmp = new_engine()
    patches = dmp.patch_fromText(patch.text)
    # No ``patch_addPadding``: upstream pads the text's ends with control characters
    # and folds them into the first and last hunks' context, which ties a hunk at the
    # end of the base to the end of the target. Text appended (or prepended) in a later
    # version would then make that hunk fail. The context the hunk carries is enough.
    work = text
    delta = 0
    results: list[HunkResult] = []
    edits: list[tuple[int, int, int]] = []
    changed = _ChangedSpan()
    for index, hunk in enumerate(patches):
        anchor = carry(hunk.start2) if carry is not None else hunk.start2
        expected = anchor + delta
        before = dmp.diff_text1(hunk.diffs)
        start = _exact_place(work, before, expected)
        if start is not None:
            after = dmp.diff_text2(hunk.diffs)
            work = _spliced(work, start, start + len(before), after)
            edits.append((anchor, len(before), len(after)))
            changed.add(start, len(before), len(after))
            status = HunkStatus.EXACT if start == anchor else HunkStatus.SHIFTED
        else:
            placed = _fuzzy_place(dmp, work, hunk.diffs, before, expected)
            if placed is None:
                results.append(HunkResult(index, HunkStatus.FAILED, max(expected, 0), None, None))
                delta -= hunk.length2 - hunk.length1
                continue
            start, stop, merged, distance = placed
            work = _spliced(work, start, stop, merged)
            edits.append((anchor, stop - start, len(merged)))
            changed.add(start, stop - start, len(merged))
            status = HunkStatus.FUZZY
        delta = start - anchor
        score = round(1 - distance / max(len(before), 1), 3) if status is HunkStatus.FUZZY else None
        results.append(HunkResult(index, status, max(expected, 0), start, start - anchor, score))
    failed = any(not r.applied for r in results)
    return ApplyResult(None if failed and not partial else work, tuple(results), tuple(edits),
                       changed.span(len(work) - len(text)))


def _spliced(text: str, start: int, stop: int, replacement: str) -> str:
    """``text`` with ``text[start:stop]`` replaced. One join, not two concatenations:
    on a 5 MB text with an em dash in it, ``a + b + c`` took 19 ms, the join 3 ms."""
    return "".join((text[:start], replacement, text[stop:]))


class _ChangedSpan:
    """The stretch of a text that edits made at its current positions have touched,
    kept in the text's current coordinates as the edits are made."""

    __slots__ = ("start", "end")

    def __init__(self) -> None:
        self.start: int | None = None
        self.end = 0

    def add(self, at: int, removed: int, inserted: int) -> None:
        if self.start is None:
            self.start, self.end = at, at + inserted
        elif at >= self.end:  # after the stretch
            self.end = at + inserted
        else:  # before the stretch, which moves along, or overlapping it
            self.start = min(self.start, at)
            self.end = self.end + inserted - removed if at + removed <= self.end else at + inserted

    def span(self, growth: int) -> tuple[int, int, int] | None:
        """``(start, old_end, new_end)`` of :attr:`ApplyResult.changed`, given how much
        longer the edits made the text."""
        return None if self.start is None else (self.start, self.end - growth, self.end)


def applied_in_turn(patches: Sequence[Patch], text: str, *, partial: bool = False,
                    past_failures: bool = False) -> Iterator[ApplyResult]:
    """Each patch's result as it is applied to the text the ones before it made, up to
    and including the first that fails (with ``past_failures``, every patch: one that
    fails leaves the text as it was for the next); one at a time, so that a caller who
    wants only the last text need not hold every text in between (two hundred
    amendments of a 1 MB regulation). Patches proposed against the same base name
    places in that base; each hunk is expected where its place now stands after the
    earlier patches' edits, so a hunk that an earlier insertion merely pushed along is
    reported exact, not shifted by the length of that insertion."""
    carried = CarriedPositions()
    for patch in patches:
        result = apply_patch(patch, text, partial=partial, carry=carried.at)
        yield result
        if result.text is None:
            if past_failures:
                continue
            return
        for edit in result.edits:
            carried.add(edit)
        text = result.text


# Knots of the map below: a knot at ``x`` starts a run of positions that the edits
# carry along (``SHIFT``: to ``x + value``) or that they replaced (``HELD``: all to
# ``value``, the replacement's start).
SHIFT, HELD = 1, 0
_BLOCK = 64  # knots a block holds before it splits: about the square root of a long run's
_FAR = 1 << 62  # before every position, and after


class CarriedPositions:
    """Where a position stands after a run of edits (see :attr:`ApplyResult.edits`),
    each applied in turn to where the ones before left it: a position at or after an
    edit's end moves by the length it adds, one inside its replaced span goes to its
    start, one at or before its start stays.

    Going through every earlier edit for each hunk made a run of N amendments cost the
    square of N; this keeps the map the edits make so far, non-decreasing and in
    pieces (one or two knots an edit), in blocks of at most :data:`_BLOCK` knots each
    with an offset of its own, so that adding an edit (moving every knot after it)
    costs about the square root of the number of edits, and looking a position up
    their logarithm, not their number."""

    __slots__ = ("_starts", "_blocks")

    def __init__(self) -> None:
        # Each block: [positions, kinds, values, offset]; a knot's value is its block's
        # offset plus its own. One knot before everything: nothing moved yet.
        self._blocks: list[list] = [[[-_FAR], [SHIFT], [0], 0]]
        self._starts = [-_FAR]  # each block's first position

    def at(self, position: int) -> int:
        """Where ``position`` now stands."""
        positions, kinds, values, offset = self._blocks[bisect_right(self._starts, position) - 1]
        knot = bisect_right(positions, position) - 1
        return (position if kinds[knot] else 0) + values[knot] + offset

    def add(self, edit: tuple[int, int, int]) -> None:
        """Apply one more edit ``(start, removed, inserted)``, given where the edits
        before it left the text."""
        start, removed, inserted = edit
        after = self._first_reaching(start + removed)
        if removed:
            inside = self._first_reaching(start + 1)
            if inside < after:
                self._hold(inside, after, start)
        if inserted != removed:
            self._move_from(after, inserted - removed)

    def _output(self, block: list, knot: int) -> int:
        positions, kinds, values, offset = block
        return (positions[knot] if kinds[knot] else 0) + values[knot] + offset

    def _first_reaching(self, target: int) -> int:
        """The first position the map takes to ``target`` or beyond."""
        blocks = self._blocks
        # The last block whose first knot falls short of the target holds the last such knot.
        b = bisect_left(blocks, target, key=lambda block: self._output(block, 0)) - 1
        block = blocks[b]
        positions, kinds, values, offset = block
        knot = bisect_left(range(len(positions)), target, key=lambda k: self._output(block, k)) - 1
        following = positions[knot + 1] if knot + 1 < len(positions) else (
            self._starts[b + 1] if b + 1 < len(blocks) else _FAR)
        if kinds[knot] == HELD:
            return following
        return min(target - values[knot] - offset, following)

    def _split(self, position: int) -> tuple[int, int]:
        """(block, knot) of a knot at ``position``, made there if there was none."""
        b = bisect_right(self._starts, position) - 1
        positions, kinds, values, _ = self._blocks[b]
        knot = bisect_right(positions, position) - 1
        if positions[knot] == position:
            return b, knot
        knot += 1
        positions.insert(knot, position)
        kinds.insert(knot, kinds[knot - 1])
        values.insert(knot, values[knot - 1])
        if len(positions) > _BLOCK:
            half = len(positions) // 2
            block = self._blocks[b]
            self._blocks.insert(b + 1, [positions[half:], kinds[half:], values[half:], block[3]])
            del positions[half:], kinds[half:], values[half:]
            self._starts.insert(b + 1, self._blocks[b + 1][0][0])
            if knot >= half:
                return b + 1, knot - half
        return b, knot

    def _hold(self, first: int, end: int, value: int) -> None:
        """Positions from ``first`` up to ``end`` all go to ``value``."""
        self._split(end)
        b, knot = self._split(first)
        positions, kinds, values, offset = self._blocks[b]
        stop = bisect_left(positions, end, knot + 1)
        runs_on = stop == len(positions)
        del positions[knot + 1:stop], kinds[knot + 1:stop], values[knot + 1:stop]
        kinds[knot], values[knot] = HELD, value - offset
        while runs_on and b + 1 < len(self._blocks) and self._starts[b + 1] < end:
            # The held run goes on into the next block: drop its knots before the end.
            nxt = self._blocks[b + 1]
            cut = bisect_left(nxt[0], end)
            del nxt[0][:cut], nxt[1][:cut], nxt[2][:cut]
            if nxt[0]:
                self._starts[b + 1] = nxt[0][0]
                break
            del self._blocks[b + 1], self._starts[b + 1]

    def _move_from(self, first: int, by: int) -> None:
        """Every position from ``first`` on moves by ``by``."""
        b, knot = self._split(first)
        values = self._blocks[b][2]
        values[knot:] = [value + by for value in values[knot:]]
        for block in self._blocks[b + 1:]:
            block[3] += by


def _exact_place(work: str, before: str, expected: int) -> int | None:
    """Where ``before`` stands in ``work``: at ``expected``, or the nearest exact
    occurrence to it."""
    if work.startswith(before, expected):
        return expected
    best = None
    at = work.find(before)
    while at != -1:
        if best is None or abs(at - expected) < abs(best - expected):
            best = at
        elif at > expected:
            break
        at = work.find(before, at + 1)
    return best


# How many places that hold a hunk's anchor are tried, nearest to the expected place first.
_CANDIDATES = 64


def _fuzzy_place(dmp: diff_match_patch, work: str, diffs: list, before: str,
                 expected: int) -> tuple[int, int, str, int] | None:
    """Place a hunk whose context has changed: (start, stop, replacement, distance of
    the text there from the hunk's context) or ``None``.

    A fuzzy placement must keep the text at and right beside every edit exactly
    (:func:`_merge_fuzzy`), so only places holding the widest such *anchor* exactly are
    candidates; ``str.find`` finds them at C speed, where a bitap search of a long text
    in Python takes seconds. Of the candidates whose merge succeeds, the one whose
    context differs least wins; two equally good places are ambiguous, and the hunk
    fails rather than guess.
    """
    edges = _edit_edges(diffs, len(before))
    if not edges:  # a hunk of context alone has nothing to place
        return None
    lo, hi = max(edges, key=lambda edge: edge[1] - edge[0])
    anchor = before[lo:hi]
    places = []
    at = work.find(anchor)
    while at != -1:
        places.append(at - lo)
        at = work.find(anchor, at + 1)
    places.sort(key=lambda start: abs(start - expected))
    scored = []
    for start in places[:_CANDIDATES]:
        span = (max(start, 0), max(start, 0) + len(before))
        merged = _merge_fuzzy(dmp, diffs, before, work[span[0]:span[1]])
        if merged is not None:
            scored.append((merged[1], span, merged[0]))
    if not scored:
        return None
    scored.sort(key=lambda item: item[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    distance, (start, stop), replacement = scored[0]
    return start, stop, replacement, distance


# How many characters on each side of an edit must match exactly for a fuzzy
# placement. Regulations repeat themselves ("... about item 2." / "... about item 5."):
# similar context is not enough, the words at the edit must be the same.
_EDGE = 6


def _merge_fuzzy(dmp: diff_match_patch, diffs: list, before: str, found: str) -> tuple[str, int] | None:
    """Apply a hunk's edits to text that differs from its context, as upstream does,
    but only where what it deletes, and what stands right beside each edit, match.
    Returns the new text and how far ``found`` is from the context (Levenshtein)."""
    alignment = diff_main(before, found)
    distance = dmp.diff_levenshtein(alignment)
    if distance / max(len(before), 1) > dmp.Patch_DeleteThreshold:
        return None
    dmp.diff_cleanupSemanticLossless(alignment)
    for lo, hi in _edit_edges(diffs, len(before)):
        if found[dmp.diff_xIndex(alignment, lo):dmp.diff_xIndex(alignment, hi)] != before[lo:hi]:
            return None
    # Upstream's own placement (patch_apply): ``index1`` counts inserted text too, so
    # positions line up with ``result`` as it grows.
    result = found
    index1 = 0
    for code, data in diffs:
        if code != dmp.DIFF_EQUAL:
            index2 = dmp.diff_xIndex(alignment, index1)
        if code == dmp.DIFF_INSERT:
            result = result[:index2] + data + result[index2:]
        elif code == dmp.DIFF_DELETE:
            result = result[:index2] + result[dmp.diff_xIndex(alignment, index1 + len(data)):]
        if code != dmp.DIFF_DELETE:
            index1 += len(data)
    return result, distance


def _edit_edges(diffs: list, length: int) -> list[tuple[int, int]]:
    """For each edit, the span of the context (offsets in the hunk's old text) that must
    match exactly: what it deletes, and ``_EDGE`` characters either side."""
    edges = []
    at = 0  # offset in the hunk's old text
    for code, data in diffs:
        if code == diff_match_patch.DIFF_EQUAL:
            at += len(data)
            continue
        end = at + len(data) if code == diff_match_patch.DIFF_DELETE else at
        edges.append((max(0, at - _EDGE), min(length, end + _EDGE)))
        at = end
    return edges


def upstream_apply(patch_text: str, text: str) -> tuple[str, list[bool]]:
    """Apply with upstream diff-match-patch and its default settings.

    Used to prove that our patch text is standard: what upstream makes of it on the
    base must equal what we make of it.
    """
    dmp = diff_match_patch()
    return dmp.patch_apply(dmp.patch_fromText(patch_text), text)
