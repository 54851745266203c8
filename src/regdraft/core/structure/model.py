"""What a reading of a text is: its provisions (:class:`Provision`), what looked wrong
(:class:`StructureWarning`), and the :class:`Structure` that holds them and maps an
offset to the innermost provision."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Sequence

from regdraft.core.errors import InvalidStructure
from regdraft.core.traditions import DEFAULT_KIND

if TYPE_CHECKING:
    from regdraft.core.stretches import Stretches


PREAMBLE = "preamble"


class Provision(NamedTuple):
    """A numbered unit of the text.

    A named tuple, not a dataclass: a long regulation has tens of thousands of
    provisions, and a tuple is made at C speed and takes a third of the memory of an
    object with a ``__dict__``."""

    id: str
    """Stable, lower-case id: ``reg-3-2-a``, ``sch-1-para-2``, ``part-2``, ``preamble``."""
    label: str
    """How a drafter names it: ``regulation 3(2)(a)``, ``paragraph 2 of Schedule 1``."""
    kind: str
    """``preamble``, ``part``, ``schedule``, ``section``, ``regulation``, ``paragraph``,
    ``sub-paragraph``, ``head``, ``schedule-paragraph``, ``schedule-sub-paragraph``, or
    ``item`` (anything nested below a head)."""
    number: str
    """Its own number as written (``3``, ``2A``, ``a``, ``ii``); empty for sections."""
    parent: str | None
    start: int
    end: int
    line: int
    """1-based line where it starts."""
    heading: str = ""


class StructureWarning(NamedTuple):
    """Something in a text that looks wrong for its kind, found while reading it."""

    code: str
    """``no-units``, ``duplicate``, ``numbering-gap``, ``numbering-order``,
    ``quoted-text``, ``amendment-marker``, ``unknown-label``, ``markup``."""
    message: str
    """One line, naming the unit and what the convention expects."""
    line: int
    """1-based."""
    provision_id: str | None


@dataclass(frozen=True)
class Structure:
    """The provisions of one text, in document order (parents before children)."""

    text: str = field(repr=False)
    provisions: Sequence[Provision] = ()
    """A tuple as parsed; a kept reading's are a ``core.provision_table.ProvisionTable``."""
    warnings: tuple[StructureWarning, ...] = ()
    kind: str = DEFAULT_KIND
    metadata: dict = field(default_factory=dict, compare=False)
    """The text's YAML front matter, key by key (read as plain strings)."""
    stretches: Stretches | None = field(default=None, repr=False, compare=False)
    """Where the alignment cuts the text and a hash of each piece
    (``core.stretches``), if kept with the reading (a stored version's are)."""
    _starts: Sequence[int] = field(init=False, repr=False, compare=False, default=())
    _by_id: dict | None = field(init=False, repr=False, compare=False, default=None)
    """Each id's place in ``provisions``, made on the first lookup by id (a kept
    reading's lookups are its table's: :meth:`ProvisionTable.place_of`)."""

    def __post_init__(self) -> None:
        # Kept readings hold their provisions in columns (``core.provision_table``),
        # whose starts are already a column.
        starts = getattr(self.provisions, "starts", None)
        object.__setattr__(self, "_starts", tuple(p.start for p in self.provisions) if starts is None else starts)

    def _places(self) -> dict:
        places = self._by_id
        if places is None:
            index = getattr(self.provisions, "id_index", None)  # a kept reading's, shared
            # Built whole, then set: another thread may look up meanwhile (the last of an id wins).
            places = index() if index is not None else {p.id: i for i, p in enumerate(self.provisions)}
            object.__setattr__(self, "_by_id", places)
        return places

    def refuse(self, codes: tuple[str, ...]) -> Structure:
        """This structure, or :class:`InvalidStructure` for its first warning with one of
        ``codes`` (a document that is not strict still refuses duplicate numbers)."""
        for warning in self.warnings:
            if warning.code in codes:
                # A duplicate's error names the number twice used (reg-3), not the ~2 given to the second.
                provision = warning.provision_id.split("~", 1)[0] if warning.provision_id else None
                raise InvalidStructure(warning.message, provision=provision, lines=[warning.line], code=warning.code)
        return self

    @property
    def starts(self) -> Sequence[int]:
        """Where each provision starts, in order."""
        return self._starts

    def columns(self) -> tuple[Sequence, ...]:
        """The provisions' fields, one sequence each, in the order of :class:`Provision`'s
        (``zip(*provisions)``, without making each provision of a kept reading)."""
        columns = getattr(self.provisions, "columns", None)
        if columns is not None:
            return columns()
        return tuple(zip(*self.provisions)) or ((),) * len(Provision._fields)

    def _place(self, provision_id: str) -> int | None:
        # A kept reading finds a few ids without indexing them all (ProvisionTable.place_of).
        place_of = getattr(self.provisions, "place_of", None)
        return place_of(provision_id) if place_of is not None else self._places().get(provision_id)

    def get(self, provision_id: str) -> Provision | None:
        place = self._place(provision_id)
        return None if place is None else self.provisions[place]

    def kind_of(self, provision_id: str) -> str | None:
        """``get(provision_id).kind``, without making the provision of a kept reading
        (a JSON diff asks it of each change)."""
        place = self._place(provision_id)
        if place is None:
            return None
        kind_at = getattr(self.provisions, "kind_at", None)
        return kind_at(place) if kind_at is not None else self.provisions[place].kind

    def __contains__(self, provision_id: object) -> bool:
        return isinstance(provision_id, str) and self._place(provision_id) is not None

    def at(self, offset: int) -> Provision | None:
        """The innermost provision whose span holds ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            p = self.provisions[i]
            if p.start <= offset < p.end or (offset == p.end == len(self.text) and p.start < p.end):
                return p
            i -= 1
        return None

    def ancestors(self, provision: Provision) -> list[Provision]:
        chain = []
        while provision.parent is not None:
            provision = self.provisions[self._places()[provision.parent]]
            chain.append(provision)
        return chain

    def _words_end(self, provision: Provision) -> int:
        """Where the provision's last word ends (its span also holds the blank lines after it)."""
        end = provision.end
        while end > provision.start and self.text[end - 1].isspace():
            end -= 1
        return end

    def touching(self, start: int, end: int) -> list[Provision]:
        """The provisions a change of ``text[start:end]`` touches, outermost where a
        whole provision lies inside the range; for an empty range, the one at ``start``."""
        if start >= end:
            hit = self.at(start)
            return [hit] if hit else []
        covered = {p.id for p in self.provisions if start <= p.start and self._words_end(p) <= end}
        cuts = sorted({start} | {b for p in self.provisions for b in (p.start, p.end) if start < b < end})
        result: list[Provision] = []
        for cut in cuts:
            hit = self.at(cut)
            if hit is None:
                continue
            outer = [a for a in self.ancestors(hit) if a.id in covered]
            if outer:
                hit = outer[-1]
            if hit not in result:
                result.append(hit)
        return result
