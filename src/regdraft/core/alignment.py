"""Provisions aligned first, words diffed only where they changed.

Two versions of a long regulation share almost all their provisions word for word. A
word diff of the whole texts spends its time on text that did not change; here the
texts are first cut into provision stretches (each provision's own text, from its
start to the next provision's, as the parsed :class:`~regdraft.core.structure.Structure`
of each version gives them), the two sequences of stretches are aligned by their text
(a dictionary of the texts is the hash that says which stretches are the same), and
only each run of stretches that differs is word-diffed
(:func:`~regdraft.core.patching.word_diff_lengths`). Unchanged provisions are common
text at the cost of comparing them. Readings that keep their stretches (a stored version's,
:mod:`regdraft.core.stretches`) are aligned by the kept hashes' keys instead, and only
the stretches of the runs that differ are cut from the texts: the same diff, as the
two texts' stretches are equal where their keys are (each equal run's texts are
compared all the same).

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
from typing import Iterable

from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_sequences, word_diff_lengths
from regdraft.core.stretches import Stretches, stretch_key
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


def aligned_ops(old: str, new: str, old_structure: Structure, new_structure: Structure, *,
                source: str | None = None) -> list[Op]:
    """The word diff of ``old`` into ``new`` (texts whose structures are given), made
    provision by provision: stretches the two texts share are equal without a word
    diff; each run of stretches that differs is word-diffed on its own. ``source``,
    if given, is what every change is attributed to."""
    # Whole lines shared at the start and the end are common text, as in the word diff.
    head = old.rfind("\n", 0, common_prefix(old, new)) + 1
    shared_tail = common_suffix(old, new, min(len(old), len(new)) - head)
    old_end = (old.find("\n", len(old) - shared_tail) + 1 if shared_tail else 0) or len(old)
    # The changed region holds whole provisions, so that a stretch at its edge is not
    # cut short on one side only (a moved provision's last blank line is common text).
    head = _provision_start_at_or_before(old_structure, head)
    old_end = _provision_start_at_or_after(old_structure, old_end)
    new_end = len(new) - (len(old) - old_end)
    ops = _Merging(old, new, source)
    ops.add(EQUAL, head)
    ops.extend(_region_ops(old, new, old_structure, new_structure, head, old_end, new_end))
    ops.add(EQUAL, len(old) - old_end)
    return ops.done()


def _region_ops(old: str, new: str, old_structure: Structure, new_structure: Structure,
                head: int, old_end: int, new_end: int) -> list[tuple[str, int]]:
    """The ops of ``old[head:old_end]`` into ``new[head:new_end]`` as (kind, length),
    stretch by stretch: the two sequences of stretches diffed by their stored hashes
    where both readings keep them (a stored version's), else by their texts."""
    if old_structure.stretches is not None and new_structure.stretches is not None:
        old_cuts, old_items = _stored_cuts(old_structure.stretches, old, head, old_end)
        new_cuts, new_items = _stored_cuts(new_structure.stretches, new, head, new_end)
        spans = _spans(diff_sequences(old_items, new_items))
        del old_items, new_items
        ops = _stretch_ops(old, new, old_cuts, new_cuts, spans)
        if ops is not None:
            return ops
    old_cuts = _cuts(old_structure, old, head, old_end)
    new_cuts = _cuts(new_structure, new, head, new_end)
    old_stretches = _pieces(old, old_cuts, 0, len(old_cuts) - 1)
    # A new stretch the old text has is that old stretch's string: most of a long text
    # is then held once, not copied from each text.
    shared = dict(zip(old_stretches, old_stretches))
    new_stretches = [shared.get(stretch, stretch) for stretch in _pieces(new, new_cuts, 0, len(new_cuts) - 1)]
    del shared
    # The stretches are let go before any op is made: each op's text is cut from its
    # text again, so the stretches, the ops and their merged texts are never all held
    # at once (the peak of a 1 MB diff).
    spans = _spans(diff_sequences(old_stretches, new_stretches))
    del old_stretches, new_stretches
    ops = _stretch_ops(old, new, old_cuts, new_cuts, spans)
    assert ops is not None  # stretches equal as items are equal texts here: every equal run's check holds
    return ops


def _pieces(text: str, cuts: list[int], first: int, stop: int) -> list[str]:
    """The text of stretches ``first`` up to ``stop`` of ``text`` cut at ``cuts``."""
    return list(map(text.__getitem__, map(slice, cuts[first:stop], cuts[first + 1:stop + 1])))


def _stored_cuts(stretches: Stretches, text: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """As :func:`_cuts`, from a reading's kept stretches, with the key of each stretch
    (:func:`~regdraft.core.stretches.stretch_key`): the stored hash's, but for a
    stretch at an edge of the region that is not a whole stored stretch (its hash is
    computed)."""
    bounds = stretches.bounds
    first = bisect.bisect_right(bounds, start)
    cuts = [start, *bounds[first:bisect.bisect_left(bounds, end, lo=first)], end]
    count = len(cuts) - 1

    def edge(i: int) -> int:
        k = first - 1 + i  # the stored stretch it would be
        if k + 1 < len(bounds) and bounds[k] == cuts[i] and bounds[k + 1] == cuts[i + 1]:
            return stretches.keys(k, k + 1)[0]
        return stretch_key(text[cuts[i]:cuts[i + 1]])

    if count == 1:
        return cuts, [edge(0)]
    return cuts, [edge(0), *stretches.keys(first, first + count - 2), edge(count - 1)]


def _stretch_ops(old: str, new: str, old_cuts: list[int], new_cuts: list[int],
                 spans: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int]] | None:
    """The ops, as (kind, length), of two texts cut into stretches, from the runs
    (:func:`_spans`) of the diff of the stretches' items (their texts, or keys of
    them): each equal run one equal op, each replaced run word-diffed. ``None`` if an
    equal run's texts differ (two texts of one key)."""
    ops: list[tuple[str, int]] = []
    for kind, old_from, old_to, new_from, new_to in spans:
        if kind == EQUAL:
            start, end, new_start = old_cuts[old_from], old_cuts[old_to], new_cuts[new_from]
            # Compared where they stand (the old run's text made once, and let go).
            if new_cuts[new_to] - new_start != end - start or not new.startswith(old[start:end], new_start):
                return None
            ops.append((EQUAL, end - start))
        else:
            ops.extend(_replaced(_pieces(old, old_cuts, old_from, old_to), _pieces(new, new_cuts, new_from, new_to)))
    return ops


# A provision's number where its text starts: "### 6.", "(2)", "- (b)", "§ 1005.2".
_NUMBER = re.compile(r"§*\s*[0-9]+(?:\.[0-9]+)*[A-Za-z]*|\([0-9A-Za-z]+\)")
_NUMBERED_WITHIN = 24


def _unnumbered(stretch: str) -> str:
    """A stretch's text with its own number masked: what a renumbered provision shares
    with the provision it was."""
    return _NUMBER.sub("#", stretch[:_NUMBERED_WITHIN], count=1) + stretch[_NUMBERED_WITHIN:]


def _replaced(old_run: list[str], new_run: list[str]) -> list[tuple[str, int]]:
    """The word diff (the kind and length of each op) of a run of stretches that differ,
    aligned again by their text without their numbers: a renumbered provision
    (regulation 6 now 7) is diffed against the provision it was, and a provision
    inserted before it is an insertion, not words threaded through its neighbours."""
    if not old_run or not new_run or len(old_run) == len(new_run) == 1:  # the usual run: one provision's words
        return word_diff_lengths("".join(old_run), "".join(new_run))
    ops: list[tuple[str, int]] = []
    runs = diff_sequences(list(map(_unnumbered, old_run)), list(map(_unnumbered, new_run)))
    for kind, old_part, new_part in _runs(old_run, new_run, runs):
        if kind != EQUAL:
            ops.extend(word_diff_lengths("".join(old_part), "".join(new_part)))
            continue
        for old_stretch, new_stretch in zip(old_part, new_part):  # the same but for their numbers
            ops.extend(word_diff_lengths(old_stretch, new_stretch))
    return ops


def _spans(diff: list[tuple[str, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """A sequence diff as runs ``(kind, old from, old to, new from, new to)``: each equal
    run, and each run of deletions and insertions between two equal ones as one
    replaced run (of kind :data:`DELETE`)."""
    spans: list[tuple[str, int, int, int, int]] = []
    at_old = at_new = 0
    deleted = inserted = 0
    for kind, old_count, new_count in diff + [(EQUAL, 0, 0)]:
        if kind != EQUAL:
            deleted, inserted = deleted + old_count, inserted + new_count
            continue
        if deleted or inserted:
            spans.append((DELETE, at_old, at_old + deleted, at_new, at_new + inserted))
            at_old, at_new, deleted, inserted = at_old + deleted, at_new + inserted, 0, 0
        if old_count:
            spans.append((EQUAL, at_old, at_old + old_count, at_new, at_new + new_count))
            at_old, at_new = at_old + old_count, at_new + new_count
    return spans


def _runs(old: list[str], new: list[str], diff: list[tuple[str, int, int]]) -> list[tuple[str, list, list]]:
    """A sequence diff as runs of the items themselves (see :func:`_spans`)."""
    return [(kind, old[old_from:old_to], new[new_from:new_to])
            for kind, old_from, old_to, new_from, new_to in _spans(diff)]


class _Merging:
    """Ops added in order as (kind, length), adjacent ops of one kind made one, as a
    word diff gives them: each merged op's text is cut once from the text it stands in
    (an equal or deleted run from the old text, an inserted one from the new), where
    joining the pieces of every op copied each piece again (a sixth of the alignment
    of 10% of lines)."""

    def __init__(self, old: str, new: str, source: str | None) -> None:
        self.old, self.new, self.source = old, new, source
        self.out: list[Op] = []
        self.kind: str | None = None
        self.start = self.end = 0  # the run being merged, in its text
        self.at_old = self.at_new = 0

    def add(self, kind: str, length: int) -> None:
        if not length:
            return
        if kind != self.kind:
            self._flush()
            self.kind = kind
            self.start = self.end = self.at_new if kind == INSERT else self.at_old
        self.end += length
        if kind != INSERT:
            self.at_old += length
        if kind != DELETE:
            self.at_new += length

    def extend(self, ops: Iterable[tuple[str, int]]) -> None:
        for kind, length in ops:
            self.add(kind, length)

    def _flush(self) -> None:
        if self.end > self.start:
            text = (self.new if self.kind == INSERT else self.old)[self.start:self.end]
            self.out.append(Op(self.kind, text, None if self.kind == EQUAL else self.source))

    def done(self) -> list[Op]:
        self._flush()
        return self.out
