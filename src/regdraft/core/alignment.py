"""Provisions aligned first, words diffed only where they changed.

Two versions of a long regulation share almost all their provisions word for word. A
word diff of the whole texts spends its time on text that did not change; here the
texts are first cut into provision stretches (each provision's own text, from its
start to the next provision's, as the parsed :class:`~regdraft.core.structure.Structure`
of each version gives them), the two sequences of stretches are aligned by their text
(a dictionary of the texts is the hash that says which stretches are the same), and
only each run of stretches that differs is word-diffed
(:func:`~regdraft.core.patching.diff_words`). Unchanged provisions are common text at
the cost of comparing them.

The alignment has no cleanup, so a provision moved elsewhere stays one deletion and
one insertion of the same text, which :mod:`regdraft.core.diffing` reports as a move,
rather than the cascade of cross-wise substitutions a word diff makes when its
cleanup merges the provisions in between into the change. On texts where nothing
moved, the ops are the whole text's word diff (``tests/unit/test_alignment.py``
proves it on real texts).

Patches are not made here: a stored amendment's patch text is made from the two texts
by :func:`~regdraft.core.patching.make_patch`, as before.
"""

from __future__ import annotations

import bisect
import re
from typing import Sequence

from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_sequences, diff_words
from regdraft.core.structure import Structure

_CHUNK = 1 << 16


def common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at the start, compared a chunk at a time
    (memcmp speed) and then halved within the first chunk that differs."""
    limit = min(len(a), len(b))
    at = 0
    while at < limit and a[at:at + _CHUNK] == b[at:at + _CHUNK]:
        at += _CHUNK
    if at >= limit:
        return limit
    low, high = at, min(at + _CHUNK, limit)  # the answer is in [low, high)
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters ``a`` and ``b`` share at the end, at most ``limit``."""
    limit = min(limit, len(a), len(b))
    at = 0  # characters known shared
    while at < limit:
        step = min(_CHUNK, limit - at)
        if a[len(a) - at - step:len(a) - at] != b[len(b) - at - step:len(b) - at]:
            break
        at += step
    else:
        return limit
    low, high = at, min(at + _CHUNK, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:len(a) - low] == b[len(b) - middle:len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _provision_start_at_or_before(structure: Structure, offset: int) -> int:
    found = bisect.bisect_right(structure.starts, offset)
    return structure.starts[found - 1] if found else 0


def _provision_start_at_or_after(structure: Structure, offset: int) -> int:
    found = bisect.bisect_left(structure.starts, offset)
    return structure.starts[found] if found < len(structure.starts) else len(structure.text)


def _cuts(structure: Structure, text: str, start: int, end: int) -> list[int]:
    """Where provisions start inside ``text[start:end]`` (at a line start), with the
    two ends: the stretches the region is cut into."""
    starts = structure.starts
    first = bisect.bisect_right(starts, start)
    last = bisect.bisect_left(starts, end, lo=first)
    cuts = [start]
    for point in starts[first:last]:
        if point > cuts[-1] and text[point - 1] == "\n":
            cuts.append(point)
    cuts.append(end)
    return cuts


def aligned_ops(old: str, new: str, old_structure: Structure, new_structure: Structure) -> list[Op]:
    """The word diff of ``old`` into ``new`` (texts whose structures are given), made
    provision by provision: stretches the two texts share are equal without a word
    diff; each run of stretches that differs is word-diffed on its own."""
    # Whole lines shared at the start and the end are common text, as in the word diff.
    head = old.rfind("\n", 0, common_prefix(old, new)) + 1
    shared_tail = common_suffix(old, new, min(len(old), len(new)) - head)
    old_end = (old.find("\n", len(old) - shared_tail) + 1 if shared_tail else 0) or len(old)
    # The changed region holds whole provisions, so that a stretch at its edge is not
    # cut short on one side only (a moved provision's last blank line is common text).
    head = _provision_start_at_or_before(old_structure, head)
    old_end = _provision_start_at_or_after(old_structure, old_end)
    new_end = len(new) - (len(old) - old_end)
    ops = _Merging()
    if head:
        ops.add(Op(EQUAL, old[:head]))
    old_cuts = _cuts(old_structure, old, head, old_end)
    new_cuts = _cuts(new_structure, new, head, new_end)
    old_stretches = [old[a:b] for a, b in zip(old_cuts, old_cuts[1:])]
    # A new stretch the old text has is that old stretch's string: most of a long text
    # is then held once, not copied from each text.
    shared = dict(zip(old_stretches, old_stretches))
    new_stretches = [shared.get(stretch, stretch) for stretch in map(new.__getitem__, map(slice, new_cuts, new_cuts[1:]))]
    del shared
    # The runs as ranges of stretches, and the stretches let go before any op is made:
    # each op's text is cut from its text again, so the texts' stretches, the ops and
    # their merged texts are never all held at once (the peak of a 1 MB diff).
    runs = _runs(range(len(old_stretches)), range(len(new_stretches)),
                 diff_sequences(old_stretches, new_stretches))
    del old_stretches, new_stretches
    for kind, old_run, new_run in runs:
        if kind == EQUAL:
            ops.add(Op(EQUAL, old[old_cuts[old_run.start]:old_cuts[old_run.stop]]))
        else:
            ops.extend(_replaced(_stretches(old, old_cuts, old_run), _stretches(new, new_cuts, new_run)))
    if old_end < len(old):
        ops.add(Op(EQUAL, old[old_end:]))
    return ops.done()


def _stretches(text: str, cuts: list[int], run: range) -> list[str]:
    """The stretches ``run`` numbers, cut from ``text`` at ``cuts``."""
    return [text[cuts[k]:cuts[k + 1]] for k in run]


# A provision's number where its text starts: "### 6.", "(2)", "- (b)", "§ 1005.2".
_NUMBER = re.compile(r"§*\s*[0-9]+(?:\.[0-9]+)*[A-Za-z]*|\([0-9A-Za-z]+\)")
_NUMBERED_WITHIN = 24


def _unnumbered(stretch: str) -> str:
    """A stretch's text with its own number masked: what a renumbered provision shares
    with the provision it was."""
    return _NUMBER.sub("#", stretch[:_NUMBERED_WITHIN], count=1) + stretch[_NUMBERED_WITHIN:]


def _replaced(old_run: list[str], new_run: list[str]) -> list[Op]:
    """The word diff of a run of stretches that differ, aligned again by their text
    without their numbers: a renumbered provision (regulation 6 now 7) is diffed
    against the provision it was, and a provision inserted before it is an insertion,
    not words threaded through its neighbours."""
    if not old_run or not new_run or len(old_run) == len(new_run) == 1:  # the usual run: one provision's words
        return list(diff_words("".join(old_run), "".join(new_run)))
    ops: list[Op] = []
    runs = diff_sequences(list(map(_unnumbered, old_run)), list(map(_unnumbered, new_run)))
    for kind, old_part, new_part in _runs(old_run, new_run, runs):
        if kind != EQUAL:
            ops.extend(diff_words("".join(old_part), "".join(new_part)))
            continue
        for old_stretch, new_stretch in zip(old_part, new_part):  # the same but for their numbers
            ops.extend(diff_words(old_stretch, new_stretch))
    return ops


def _runs(old: Sequence, new: Sequence, diff: list[tuple[str, int, int]]) -> list[tuple[str, Sequence, Sequence]]:
    """A sequence diff as runs of the items themselves (slices of ``old`` and ``new``,
    lists or ranges): each equal run, and each run of deletions and insertions between
    two equal ones as one replaced run."""
    runs: list[tuple[str, Sequence, Sequence]] = []
    at_old = at_new = 0
    deleted = inserted = 0
    for kind, old_count, new_count in diff + [(EQUAL, 0, 0)]:
        if kind != EQUAL:
            deleted, inserted = deleted + old_count, inserted + new_count
            continue
        if deleted or inserted:
            runs.append((DELETE, old[at_old:at_old + deleted], new[at_new:at_new + inserted]))
            at_old, at_new, deleted, inserted = at_old + deleted, at_new + inserted, 0, 0
        if old_count:
            runs.append((EQUAL, old[at_old:at_old + old_count], new[at_new:at_new + new_count]))
            at_old, at_new = at_old + old_count, at_new + new_count
    return runs


class _Merging:
    """Ops added in order, adjacent ops of one kind made one, as a word diff gives them;
    each merged op's text is joined once, when the next kind comes."""

    def __init__(self) -> None:
        self.out: list[Op] = []
        self.kind: str | None = None
        self.pieces: list[str] = []

    def add(self, op: Op) -> None:
        if not op.text:
            return
        if op.kind != self.kind:
            self._flush()
            self.kind = op.kind
        self.pieces.append(op.text)

    def extend(self, ops) -> None:
        for op in ops:
            self.add(op)

    def _flush(self) -> None:
        if self.pieces:
            self.out.append(Op(self.kind, "".join(self.pieces)))
            self.pieces = []

    def done(self) -> list[Op]:
        self._flush()
        return self.out
