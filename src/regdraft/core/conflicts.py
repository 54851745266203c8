"""Which amendments, chosen together, would fight over the same text.

Two amendments conflict when a hunk of one overlaps or touches a hunk of the other in
their common base (two insertions at the same place count: their order is a drafting
decision), or when they touch the same provision. Amendments against different bases
are compared by provision only, since their offsets are not comparable. An amendment
whose base already contains another (it was proposed against the version that the other
produced, or a later one) builds on it and does not conflict with it.

Hunks that do not meet can still fight: each carries a few words of context around
its change, which it looks for when it is applied, and the other may change those
words ("to any person." made "to a body that is not carried on for profit.", where
the other inserts a paragraph after "any person."). Whether the patch still finds its
place then is for the patch engine to say: such a pair is a conflict, ``context``, only
if the caller's check says one does not apply after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable

OVERLAP, SAME_PROVISION, CONTEXT, DUPLICATE = "overlap", "same-provision", "context", "duplicate"


@dataclass(frozen=True)
class ChangeSpan:
    start: int
    end: int
    provisions: tuple[tuple[str, str], ...]
    """(id, label) of each provision the hunk touches."""
    looks_for: tuple[int, int] | None = None
    """Where the text the hunk looks for (its change and the context around it) stands
    in the base, where known."""


@dataclass(frozen=True)
class AmendmentChanges:
    amendment: str
    base_hash: str
    spans: tuple[ChangeSpan, ...]
    built_on: frozenset[str] = frozenset()
    """Amendments already in this one's base: accepted into it or into a version before it."""
    patch_hash: str = ""
    """A hash of its patch text: two amendments on one base with the same patch make the
    same change, byte for byte (``duplicate``)."""


@dataclass(frozen=True)
class ConflictPair:
    first: str
    second: str
    kind: str
    """``duplicate`` (the same change, byte for byte, on the same base), ``overlap`` (their
    text overlaps or meets), ``same-provision``, or ``context`` (one changes the words the
    other's hunk looks for, and it does not apply after it)."""
    provisions: tuple[tuple[str, str], ...]


def find_conflicts(amendments: list[AmendmentChanges],
                   do_not_combine: Callable[[str, str], bool] = lambda first, second: False) -> list[ConflictPair]:
    """Every conflicting pair, in input order, naming the provisions where they meet
    (those both touch; where overlapping hunks share none, those either touches).
    ``do_not_combine(first, second)`` says whether one of two amendments (by slug) does
    not apply after the other; it is asked only of pairs whose hunks do not meet, but
    where one changes the text the other looks for."""
    pairs = (conflict(amendments[i], amendments[j], do_not_combine)
             for i, j in sorted(_pairs_that_may_meet(amendments)))
    return [pair for pair in pairs if pair is not None]


def conflict(a: AmendmentChanges, b: AmendmentChanges,
             do_not_combine: Callable[[str, str], bool]) -> ConflictPair | None:
    """How two amendments conflict, if they do (see :func:`find_conflicts`)."""
    if a.amendment in b.built_on or b.amendment in a.built_on:
        return None
    shared: dict[str, str] = {}
    overlap = False
    near: dict[str, str] = {}  # the provisions of hunks whose context the other changes
    same_base = a.base_hash == b.base_hash
    for sa in a.spans:
        ids_a = dict(sa.provisions)
        for sb in b.spans:
            ids_b = dict(sb.provisions)
            common = ids_a.keys() & ids_b.keys()
            meets = same_base and sa.start <= sb.end and sb.start <= sa.end
            overlap = overlap or meets
            named = common if common or not meets else ids_a.keys() | ids_b.keys()
            for pid, label in list(ids_a.items()) + list(ids_b.items()):
                if pid in named:
                    shared.setdefault(pid, label)
            if same_base and not meets and (_changes_what_it_looks_for(sa, sb) or _changes_what_it_looks_for(sb, sa)):
                near.update(ids_a)
                near.update(ids_b)
    if shared or overlap:
        duplicate = same_base and a.patch_hash and a.patch_hash == b.patch_hash
        return ConflictPair(a.amendment, b.amendment, DUPLICATE if duplicate else OVERLAP if overlap else SAME_PROVISION,
                            tuple(shared.items()))
    if near and do_not_combine(a.amendment, b.amendment):
        return ConflictPair(a.amendment, b.amendment, CONTEXT, tuple(near.items()))
    return None


def _pairs_that_may_meet(amendments: list[AmendmentChanges]) -> set[tuple[int, int]]:
    """The pairs (by index, lower first) that share a provision, or whose hunks' reach
    (the change and the text it looks for) overlaps or touches in a common base: the
    only pairs that can conflict. Hundreds of amendments make tens of thousands of
    pairs, and few of them meet; sorting the reaches finds those that do."""
    candidates: set[tuple[int, int]] = set()
    by_provision: dict[str, set[int]] = {}
    reaches: dict[str, list[tuple[int, int, int]]] = {}  # per base: (start, end, amendment)
    for index, amendment in enumerate(amendments):
        for span in amendment.spans:
            for pid, _ in span.provisions:
                by_provision.setdefault(pid, set()).add(index)
            start, end = (min(span.start, span.looks_for[0]), max(span.end, span.looks_for[1])) \
                if span.looks_for is not None else (span.start, span.end)
            reaches.setdefault(amendment.base_hash, []).append((start, end, index))
    for sharing in by_provision.values():
        candidates.update(combinations(sorted(sharing), 2))
    for spans in reaches.values():
        spans.sort()
        reaching: list[tuple[int, int]] = []  # (end, amendment) of the reaches begun so far that may still meet
        for start, end, index in spans:
            reaching = [(e, other) for e, other in reaching if e >= start]
            candidates.update((min(index, other), max(index, other)) for _, other in reaching if other != index)
            reaching.append((end, index))
    return candidates


def _changes_what_it_looks_for(change: ChangeSpan, looking: ChangeSpan) -> bool:
    """Whether ``change`` changes text that ``looking``'s hunk looks for."""
    if looking.looks_for is None:
        return False
    start, end = looking.looks_for
    # Strictly inside: an insertion just before or after the words looked for leaves them.
    return change.start < end and start < change.end if change.start < change.end else start < change.start < end
