"""What a reading of a text found, as the ``structure`` command and the API report it:
every unit with its level, how many units of each kind, and the warnings."""

from __future__ import annotations

from collections import Counter

from regdraft.core.structure import Structure


def levels(found: Structure) -> dict[str, int]:
    """Each unit's depth: 0 for a unit with no parent."""
    depth: dict[str, int] = {}
    for p in found.provisions:
        depth[p.id] = depth[p.parent] + 1 if p.parent in depth else 0
    return depth


def unit_counts(found: Structure) -> dict[str, int]:
    """How many units of each kind (``regulation``, ``section``, ``paragraph``...), in the
    order the kinds first occur."""
    return dict(Counter(p.kind for p in found.provisions))


def structure_report(found: Structure) -> dict:
    depth = levels(found)
    return {
        "kind": found.kind,
        "metadata": found.metadata,
        "counts": unit_counts(found),
        "units": [{"id": p.id, "label": p.label, "kind": p.kind, "level": depth[p.id], "parent": p.parent,
                   "number": p.number, "heading": p.heading, "line": p.line, "start": p.start, "end": p.end}
                  for p in found.provisions],
        "warnings": [w._asdict() for w in found.warnings],
    }
