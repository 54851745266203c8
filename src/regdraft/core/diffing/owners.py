"""Owners' tables: for every stretch of a text, the provision that owns it (its id,
label and span), read from a reading's columns and kept as long as the reading."""

from __future__ import annotations

import bisect
import operator
import sys
import weakref
from array import array
from typing import Sequence

from regdraft.core.provision_table import ProvisionTable
from regdraft.core.structure import PREAMBLE, Provision, Structure


class Owners:
    """Who owns each stretch of a text: the innermost provision (:meth:`Structure.at`),
    which can only change where a provision starts or ends. Stretch ``k`` runs from
    ``starts[k]`` to ``starts[k + 1]`` (the last one to the end of the text), and
    neighbouring stretches have different owners, so each stretch of a diff's piece is
    one group's."""

    __slots__ = ("starts", "ids", "labels", "span_starts", "span_ends", "places")

    places: Sequence[int] | None
    """The place among the structure's provisions of each stretch's owner (-1 for the
    preamble) where the table is made from its columns, ids all distinct; ``None``
    where it is not (then a stretch's provision is found by its id)."""

    def __init__(self, structure: Structure) -> None:
        if not self._each_provision_starts_one(structure):
            self._sweep(structure)

    def _each_provision_starts_one(self, structure: Structure) -> bool:
        """The usual case, found without a step per provision: every provision starts
        after the one before and is not empty, so each one owns the stretch from its
        start to the next provision's (its children own their own). Only where a
        provision ends before the next one starts (the text after a list, under its
        paragraph) does the owner change otherwise: those few points are looked up."""
        if not structure.provisions:
            return False
        ids, labels, starts, ends = _owner_columns(structure)
        kept = structure.stretches.owner_points if structure.stretches is not None else None
        inside = kept if kept is not None else _owner_points(len(structure.text), ids, starts, ends)
        if inside is None:
            return False
        if not inside:
            # Each provision owns its stretch, and its span is its own: the table is the
            # structure's own columns (a kept reading's ids, starts and ends, its labels
            # cut when asked for), nothing copied.
            self.starts, self.ids, self.labels, self.span_starts, self.span_ends = starts, ids, labels, starts, ends
            self.places = range(len(ids))
            return True
        # A few points where the text after a provision's children is its own again: the
        # columns copied (machine integers) and a stretch put in at each point, owned by
        # the provision around it (its index; its label cut when asked for).
        self.starts, self.ids = _integers(starts), list(ids)
        self.span_starts, self.span_ends = _integers(starts), _integers(ends)
        owner = array("i", range(len(ids)))
        self.labels = _OwnersLabels(labels, owner)
        self.places = owner
        for point in inside:
            k = bisect.bisect_right(self.starts, point) - 1
            around = structure.at(point)
            i = bisect.bisect_left(starts, around.start) if around is not None else -1  # starts are distinct
            owner_id = ids[i] if i >= 0 else PREAMBLE
            if self.ids[k] == owner_id and self.labels[k] == (labels[i] if i >= 0 else _PREAMBLE_LABEL):
                continue
            # Its span is its own (ids are distinct); the text before any provision is the
            # preamble's, which a provision of that id may hold.
            span = (starts[i], ends[i]) if i >= 0 else _span(structure.get(PREAMBLE))
            self.starts.insert(k + 1, point)
            self.ids.insert(k + 1, owner_id)
            owner.insert(k + 1, i)
            self.span_starts.insert(k + 1, span[0])
            self.span_ends.insert(k + 1, span[1])
        return True

    def _sweep(self, structure: Structure) -> None:
        """Any structure: every point where a provision starts or ends, in order."""
        length = len(structure.text)
        _ids, _labels, _kinds, _numbers, _parents, starts, ends, _lines, _headings = structure.columns()
        points = sorted({0, *(b for b in starts if b < length), *(b for b in ends if b < length)})
        # Machine integers, as the usual case has them; the ids and labels are the ones
        # iterating gives (a kept reading's ids are its index's own strings).
        self.starts, self.span_starts, self.span_ends = array("q"), array("q"), array("q")
        self.ids, self.labels, self.places = [], [], None
        # The innermost provision holding a point is the latest-starting one not yet
        # ended: provisions are pushed as points reach their start, and dropped from the
        # top once a point reaches their end.
        open_: list[Provision] = []
        provisions = iter(structure.provisions)
        upcoming = next(provisions, None)
        for point in points:
            while upcoming is not None and upcoming.start <= point:
                open_.append(upcoming)
                upcoming = next(provisions, None)
            while open_ and open_[-1].end <= point:
                open_.pop()
            self._insert_after(len(self.starts) - 1, point, open_[-1] if open_ else None, structure)

    @classmethod
    def between(cls, structure: Structure, start: int, end: int) -> Owners:
        """The owners of the stretches of ``text[start:end]`` only (``start`` where a
        stretch starts): each point where a provision starts or ends in it, owned by
        the innermost provision there (:meth:`Structure.at`), as the whole table has it."""
        starts = structure.starts
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, end, lo=first)
        points = {start}
        for p in structure.provisions[first:last]:
            points.add(p.start)
            if p.end < end:
                points.add(p.end)
        holder = structure.at(start)
        while holder is not None:  # the provisions around the window end inside it too
            if start < holder.end < end:
                points.add(holder.end)
            holder = structure.get(holder.parent) if holder.parent is not None else None
        owners = object.__new__(cls)
        owners.starts, owners.ids, owners.labels, owners.span_starts, owners.span_ends = [], [], [], [], []
        owners.places = None
        for point in sorted(points):
            owners._insert_after(len(owners.starts) - 1, point, structure.at(point), structure)
        return owners

    def _insert_after(self, k: int, point: int, owner: Provision | None, structure: Structure) -> None:
        """A stretch from ``point`` after stretch ``k``, unless that one has the same owner."""
        # Text before any provision is the preamble's, which may not be one.
        owner_id, label = (owner.id, owner.label) if owner is not None else (PREAMBLE, _PREAMBLE_LABEL)
        if k >= 0 and self.ids[k] == owner_id and self.labels[k] == label:
            return
        # Where the provision of that id lies, for the check that a deletion took all of
        # it (a section headed "Preamble" takes the id from the text before it).
        span_start, span_end = _span(structure.get(owner_id))
        self.starts.insert(k + 1, point)
        self.ids.insert(k + 1, owner_id)
        self.labels.insert(k + 1, label)
        self.span_starts.insert(k + 1, span_start)
        self.span_ends.insert(k + 1, span_end)

    def key_at(self, offset: int) -> tuple[str, str]:
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.ids[k], self.labels[k]


def owner_points(structure: Structure) -> tuple[int, ...] | None:
    """Where the owners' table of a structure is its provisions' own columns (every
    provision starts after the one before, is not empty and has an id of its own): the
    points inside the text, other than provisions' starts, where the provision that
    owns the text changes (the text after a list, under its paragraph); ``None`` where
    the table is not those columns. A function of the structure alone, kept with a
    stored reading (``Stretches.owner_points``), so that a diff of two stored versions
    does not check every provision of both."""
    if not structure.provisions:
        return None
    ids, _labels, starts, ends = _owner_columns(structure)
    return _owner_points(len(structure.text), ids, starts, ends)


def _owner_points(length: int, ids: Sequence[str], starts: Sequence[int],
                  ends: Sequence[int]) -> tuple[int, ...] | None:
    if (starts[-1] >= length or not all(map(operator.lt, starts, starts[1:]))
            or not all(map(operator.lt, starts, ends)) or len(set(ids)) < len(ids)):
        return None
    return tuple(point for point in sorted(set(ends).difference(starts)) if point < length)


_NOWHERE = sys.maxsize
_PREAMBLE_LABEL = "the preamble"


def _span(provision: Provision | None) -> tuple[int, int]:
    return (provision.start, provision.end) if provision is not None else (_NOWHERE, _NOWHERE)


def _integers(column: Sequence[int]) -> array:
    """A column of offsets as a machine array of its own (a kept reading's is copied whole)."""
    return column[:] if isinstance(column, array) else array("q", column)


class _OwnersLabels(Sequence[str]):
    """Each stretch's label, its owner's: ``owner[k]`` is the index of the provision that
    owns stretch ``k`` in ``labels`` (-1 for the preamble)."""

    __slots__ = ("labels", "owner")

    def __init__(self, labels: Sequence[str], owner: array) -> None:
        self.labels, self.owner = labels, owner

    def __len__(self) -> int:
        return len(self.owner)

    def __getitem__(self, k: int) -> str:  # type: ignore[override]
        i = self.owner[k]
        return self.labels[i] if i >= 0 else _PREAMBLE_LABEL


def _owner_columns(structure: Structure) -> tuple[Sequence[str], Sequence[str], Sequence[int], Sequence[int]]:
    """The ids, labels, starts and ends of a structure's provisions, without the other
    columns (a kept reading's ids are its index's own strings, its labels cut when
    asked for)."""
    provisions = structure.provisions
    if isinstance(provisions, ProvisionTable):
        return provisions.id_list(), provisions.text_column("labels"), provisions.starts, provisions.ends
    ids, labels, _kinds, _numbers, _parents, starts, ends, _lines, _headings = structure.columns()
    return ids, labels, starts, ends


_OWNERS: dict[int, tuple[weakref.ref, Owners]] = {}
_OWNERS_KEPT = 16


def owners_of(structure: Structure) -> Owners:
    """The owners' table of a structure, made once and let go with it (a kept
    version's structure is diffed again and again). A table (a label string a
    provision: at 5 MB, more than the kept structure itself) lives no longer than its
    structure, so what the structures' memory lets go takes its tables with it; the
    last :data:`_OWNERS_KEPT` structures' at most are kept."""
    key = id(structure)
    kept = _OWNERS.get(key)
    if kept is not None and kept[0]() is structure:
        return kept[1]
    owners = Owners(structure)
    if len(_OWNERS) >= _OWNERS_KEPT:
        _OWNERS.pop(next(iter(_OWNERS)), None)

    def let_go(reference: weakref.ref) -> None:
        # The structure is gone: its id may be another's next, so only its own entry goes.
        if _OWNERS.get(key, (None,))[0] is reference:
            del _OWNERS[key]

    _OWNERS[key] = (weakref.ref(structure, let_go), owners)
    return owners
