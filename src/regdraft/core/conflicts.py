"""Which amendments, chosen together, would fight over the same text.

Two amendments conflict when a hunk of one overlaps or touches a hunk of the other in
their common base (two insertions at the same place count: their order is a drafting
decision), or when they touch the same provision. Amendments against different bases
are compared by provision only, since their offsets are not comparable. An amendment
whose base already contains another (it was proposed against the version that the other
produced, or a later one) builds on it and does not conflict with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

OVERLAP, SAME_PROVISION = "overlap", "same-provision"


@dataclass(frozen=True)
class ChangeSpan:
    start: int
    end: int
    provisions: tuple[tuple[str, str], ...]
    """(id, label) of each provision the hunk touches."""


@dataclass(frozen=True)
class AmendmentChanges:
    amendment: str
    base_hash: str
    spans: tuple[ChangeSpan, ...]
    built_on: frozenset[str] = frozenset()
    """Amendments already in this one's base: accepted into it or into a version before it."""


@dataclass(frozen=True)
class ConflictPair:
    first: str
    second: str
    kind: str
    """``overlap`` (their text overlaps or meets) or ``same-provision``."""
    provisions: tuple[tuple[str, str], ...]


def find_conflicts(amendments: list[AmendmentChanges]) -> list[ConflictPair]:
    """Every conflicting pair, in input order, naming the provisions where they meet
    (those both touch; where overlapping hunks share none, those either touches)."""
    pairs = []
    for a, b in combinations(amendments, 2):
        if a.amendment in b.built_on or b.amendment in a.built_on:
            continue
        shared: dict[str, str] = {}
        overlap = False
        for sa in a.spans:
            ids_a = dict(sa.provisions)
            for sb in b.spans:
                ids_b = dict(sb.provisions)
                common = ids_a.keys() & ids_b.keys()
                meets = a.base_hash == b.base_hash and sa.start <= sb.end and sb.start <= sa.end
                overlap = overlap or meets
                named = common if common or not meets else ids_a.keys() | ids_b.keys()
                for pid, label in list(ids_a.items()) + list(ids_b.items()):
                    if pid in named:
                        shared.setdefault(pid, label)
        if shared or overlap:
            pairs.append(ConflictPair(a.amendment, b.amendment, OVERLAP if overlap else SAME_PROVISION,
                                      tuple(shared.items())))
    return pairs
