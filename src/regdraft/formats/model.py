"""What a reader gives back: an imported document and the report of its reading.

Frozen values, like the core's: a reader is a pure function from bytes to an
:class:`ImportedDocument`, and the services decide what to store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One thing the reader could not place in the drafting format.

    Nothing is dropped: the element's text is kept in the nearest provision (``provision``,
    a regdraft id, or ``None`` before the first provision) and listed here with where it
    stood in the source."""

    element: str
    """What it was in the source (``Tabular``, ``w:tbl``, ``akn:blockContainer``...)."""
    where: str
    """Where it stood in the source: an XPath-like path, an ``eId``, or a line number."""
    provision: str | None = None
    """The regdraft provision whose text now holds it."""
    note: str = ""

    def line(self) -> str:
        placed = f" kept as text in {self.provision}" if self.provision else " kept as text before the first provision"
        return f"{self.element} at {self.where}:{placed}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class ImportReport:
    """What a reading found, as ``regdraft structure`` reports a text."""

    format: str
    units: tuple[tuple[str, int], ...] = ()
    """Provisions found by kind (``regulation``: 5...), as regdraft's parser reads the text."""
    not_understood: tuple[Finding, ...] = ()
    annotations: int = 0
    """Amendment commentaries (CLML F-notes and the like) kept as annotation lines."""
    notes: tuple[str, ...] = ()
    """Anything else the reader wants a drafter to know (a point-in-time date, a DTD refused...)."""

    def unit_count(self, kind: str) -> int:
        return dict(self.units).get(kind, 0)

    def lines(self) -> list[str]:
        found = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in self.units) or "no provisions"
        out = [f"read as {self.format}: {found}"]
        if self.annotations:
            out.append(f"{self.annotations} amendment annotation{'s' if self.annotations != 1 else ''} kept")
        out.extend(self.notes)
        out.extend(f"not understood: {finding.line()}" for finding in self.not_understood)
        return out

    def as_dict(self) -> dict:
        return {"format": self.format, "units": dict(self.units), "annotations": self.annotations,
                "notes": list(self.notes),
                "not_understood": [{"element": f.element, "where": f.where, "provision": f.provision,
                                    "note": f.note} for f in self.not_understood]}


@dataclass(frozen=True)
class ImportedDocument:
    title: str
    kind: str
    """One of ``regdraft.formats.KINDS`` (``uk-si``, ``uk-act``, ``us-cfr``, ``eu-act``)."""
    text: str
    """The storage Markdown, normalised (what a version stores and hashes)."""
    report: ImportReport
    metadata: tuple[tuple[str, str], ...] = ()
    """Facts about the source: ``frbr_work``, ``frbr_expression``, ``point_in_time``,
    ``source_uri``, ``made``... (pairs, in the order the reader found them)."""
    source_ids: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    """(id in the source, regdraft id) for every source provision placed: ``regulation-3-2-a``
    → ``reg-3-2-a``, an AKN ``eId`` → its regdraft id."""

    def meta(self, key: str) -> str | None:
        return dict(self.metadata).get(key)


def count_units(kinds: list[str]) -> tuple[tuple[str, int], ...]:
    """Units by kind, in the order each kind is first met."""
    counts = Counter(kinds)
    seen: dict[str, int] = {}
    for kind in kinds:
        seen.setdefault(kind, counts[kind])
    return tuple(seen.items())


@dataclass(frozen=True)
class ImportedAmendment:
    """An Akoma Ntoso amendment document read back: what it amends, its instructions
    (in the instruction language, applied with ``core.instructions.parse``), why, and
    the responses it cites."""

    title: str
    kind: str
    instructions: str
    """The numbered instructions as regdraft writes them (text put in as ``> `` lines)."""
    modifications: tuple[tuple[str, str], ...] = ()
    """Each instruction's ``textualMod``: (type, destination href)."""
    rationale: str = ""
    citations: tuple[tuple[str, str], ...] = ()
    """(response slug, quoted passage), in order."""
    metadata: tuple[tuple[str, str], ...] = ()
    """``document``, ``slug``, ``base_version``, ``base_hash``, ``proposer``, ``proposed``,
    ``status``, ``frbr_work``, ``frbr_expression``, ``affected_document``."""

    def meta(self, key: str) -> str | None:
        return dict(self.metadata).get(key)
