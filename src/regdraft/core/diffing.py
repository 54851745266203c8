"""Diffs between two texts, grouped by provision.

Structure first, then words (the approach of eregs and Indigo): a word-level diff of
the whole text is cut at provision boundaries, and each piece is attributed to the
provision it belongs to, so a reviewer reads "regulation 3(a): changed" with the
inserted and deleted words inside, rather than a list of character offsets.

Every piece of the diff, unchanged text included, lands in exactly one group, in
order, so the groups rebuild both texts (:meth:`TextDiff.old_text`,
:meth:`TextDiff.new_text`); views drop the unchanged groups.

What a reviewer reads, on top of the word diff (:func:`reviewed`):

- a change never cuts a citation label: "(a)(1)(i)" or "§ 1005.2" is replaced whole,
  never ``v)`` by ``iv)``;
- common text between two edits is kept as common text when it says something (a
  label, a line end, or three words: "(2) The authority must", "; and (b)"), where
  the word diff's semantic cleanup had deleted and re-inserted it;
- a change of white space only beside a change made by another source is part of
  that change, not a change of its own;
- a provision moved elsewhere, unchanged, is reported as moved (from and to), one moved
  and edited as moved with its edit (where most of its words are the same,
  :data:`MOVED_WITH_EDITS`), and a provision whose only change is its number as
  renumbered (:class:`Relocation`).

The unchanged provisions between changes are held as runs and made into groups only
when asked for (:attr:`TextDiff.groups`): the changes of a long text are found in time
that grows with the change, not the document.
"""

from __future__ import annotations

import bisect
import difflib
import operator
import re
import sys
import weakref
from array import array
from dataclasses import dataclass, replace
from typing import Container, Iterable, Iterator, Sequence

from regdraft.core.alignment import aligned_ops
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_sequences, diff_words
from regdraft.core.provision_table import ProvisionTable
from regdraft.core.structure import PREAMBLE, Provision, StretchReader, Structure, collector_paused, parse_structure
from regdraft.core.traditions import DEFAULT_KIND

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
MOVED, RENUMBERED = "moved", "renumbered"


@dataclass(frozen=True, slots=True)
class Relocation:
    """A provision's text found elsewhere in the other version: ``moved`` (the same
    text deleted in one place and inserted in another) or ``renumbered`` (the same
    text under a new number). Both groups of a move carry the same relocation."""

    kind: str
    """:data:`MOVED` or :data:`RENUMBERED`."""
    from_provision: str
    from_label: str
    to_provision: str
    to_label: str
    edit: tuple[Op, ...] = ()
    """A provision moved and edited: the word diff of its text where it was into its text
    where it is now (empty for a provision moved unchanged)."""
    similarity: float = 1.0
    """How much of the moved provision's words the two places share (1.0 unchanged; at
    least :data:`MOVED_WITH_EDITS` for a move with edits)."""

    def as_json(self) -> dict:
        out = {"from": {"provision": self.from_provision, "label": self.from_label},
               "to": {"provision": self.to_provision, "label": self.to_label}}
        if self.edit:
            out["similarity"] = round(self.similarity, 3)
            out["edit"] = [{"op": op.kind, "text": op.text} for op in self.edit]
        return out


@dataclass(frozen=True, slots=True)  # a long text has one per provision: no __dict__ each
class ProvisionDiff:
    """The changes inside one provision (one contiguous stretch of it)."""

    provision: str
    """Its id in the new text (in the old text where it was removed)."""
    label: str
    status: str
    """``added``, ``removed``, ``changed`` or ``unchanged``."""
    ops: tuple[Op, ...]
    relocation: Relocation | None = None
    """Where this group's text went or came from, if it was moved or renumbered."""

    @property
    def old(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != INSERT)

    @property
    def new(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != DELETE)


class _UnchangedRun:
    """Provisions ``first`` to ``last`` (exclusive) of an owners' table, unchanged: the
    groups an equal op covers whole, made only when someone asks for every group. It
    holds the new text itself (offsets into it, not a copy of the op's text)."""

    __slots__ = ("owners", "first", "last", "text")

    def __init__(self, owners: _Owners, first: int, last: int, text: str) -> None:
        self.owners, self.first, self.last, self.text = owners, first, last, text

    @property
    def length(self) -> int:
        starts = self.owners.starts
        return starts[self.last] - starts[self.first]

    @property
    def old(self) -> str:
        starts = self.owners.starts
        return self.text[starts[self.first]:starts[self.last]]

    new = old

    def __len__(self) -> int:
        return self.last - self.first

    def provision_starts(self) -> tuple[str, int, int, Iterable[tuple[int, str]]]:
        """Its text as ``source[start:end]`` (no copy made), and where in ``source`` each
        of its provisions starts, with the provision's id: what a renderer needs of
        unchanged provisions, without a group made for each (nor a tuple for each until
        they are read: a renderer that needs only the text reads none)."""
        starts, ids, first, last = self.owners.starts, self.owners.ids, self.first, self.last
        return self.text, starts[first], starts[last], zip(starts[first:last], ids[first:last])

    def groups(self) -> Iterator[ProvisionDiff]:
        owners, text = self.owners, self.text
        starts, ids, labels = owners.starts, owners.ids, owners.labels
        for k in range(self.first, self.last):
            yield ProvisionDiff(ids[k], labels[k], UNCHANGED, (Op(EQUAL, text[starts[k]:starts[k + 1]]),))


class _UnchangedSpan:
    """The unchanged provisions of ``text[start:end]`` (both ends where a provision
    starts), before or after the changes: their groups are made, from the structure's
    whole owners' table, only when someone asks for every group."""

    __slots__ = ("structure", "start", "end")

    def __init__(self, structure: Structure, start: int, end: int) -> None:
        self.structure, self.start, self.end = structure, start, end

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def old(self) -> str:
        return self.structure.text[self.start:self.end]

    new = old

    def _first(self) -> int:
        return bisect.bisect_left(owners_of(self.structure).starts, self.start)

    def provisions_starting(self) -> int:
        """How many provisions start in it, from the structure's own starts."""
        starts = self.structure.starts
        return bisect.bisect_left(starts, self.end) - bisect.bisect_left(starts, self.start)

    def __len__(self) -> int:
        return bisect.bisect_left(owners_of(self.structure).starts, self.end) - self._first()

    def provision_starts(self) -> tuple[str, int, int, Iterable[tuple[int, str]]]:
        """As :meth:`_UnchangedRun.provision_starts`."""
        owners, end = owners_of(self.structure), self.end
        first = self._first()
        last = bisect.bisect_left(owners.starts, end, first)
        return self.structure.text, self.start, end, zip(owners.starts[first:last], owners.ids[first:last])

    def groups(self) -> Iterator[ProvisionDiff]:
        owners, text, end = owners_of(self.structure), self.structure.text, self.end
        starts, ids, labels = owners.starts, owners.ids, owners.labels
        k = self._first()
        while k < len(starts) and starts[k] < end:
            stop = min(starts[k + 1], end) if k + 1 < len(starts) else end
            yield ProvisionDiff(ids[k], labels[k], UNCHANGED, (Op(EQUAL, text[starts[k]:stop]),))
            k += 1


class TextDiff:
    """The groups of a diff, in order. Built from groups, or (by the grouping) from
    groups and runs of unchanged provisions, which become groups when :attr:`groups`
    is first read; :attr:`changes` never needs them."""

    __slots__ = ("_parts", "_groups")

    def __init__(self, groups: Iterable[ProvisionDiff | _UnchangedRun]) -> None:
        self._parts = tuple(groups)
        self._groups: tuple[ProvisionDiff, ...] | None = (
            self._parts if all(isinstance(p, ProvisionDiff) for p in self._parts) else None)

    @property
    def groups(self) -> tuple[ProvisionDiff, ...]:
        if self._groups is None:
            self._groups = tuple(g for part in self._parts
                                 for g in ((part,) if isinstance(part, ProvisionDiff) else part.groups()))
        return self._groups

    @property
    def parts(self) -> tuple[ProvisionDiff | _UnchangedRun | _UnchangedSpan, ...]:
        """The groups as built: each a :class:`ProvisionDiff`, or a run of unchanged
        provisions not yet made into groups (with ``provision_starts()``)."""
        return self._parts

    def provisions(self) -> Iterator[str]:
        """Each group's provision id, in order, without making the unchanged groups
        (which, once made, the diff keeps)."""
        for part in self._parts:
            if isinstance(part, ProvisionDiff):
                yield part.provision
            else:
                yield from (provision for _, provision in part.provision_starts()[3])

    def group_estimate(self) -> int:
        """About ``len(self.groups)``, counted without making the unchanged groups or an
        owners' table: exact, but that a span around a window counts the provisions
        starting in it (a provision's text after its children is a group of its own
        too): what a kept diff is weighed by."""
        return sum(1 if isinstance(part, ProvisionDiff) else len(part) if isinstance(part, _UnchangedRun)
                   else part.provisions_starting() for part in self._parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextDiff) and self.groups == other.groups

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextDiff({len(self._parts)} parts, {len(self.changes)} changes)"

    def old_text(self) -> str:
        return "".join(g.old for g in self._parts)

    def new_text(self) -> str:
        return "".join(g.new for g in self._parts)

    @property
    def changes(self) -> tuple[ProvisionDiff, ...]:
        return tuple(g for g in self._parts if isinstance(g, ProvisionDiff) and g.status != UNCHANGED)

    def placed(self, *, unchanged: bool = False) -> Iterator[tuple[ProvisionDiff, int, int]]:
        """The changes (every group with ``unchanged``), each with where it starts in the
        old text and in the new: the lengths of the parts before it added up, the
        unchanged runs counted without making their groups or copying their text."""
        at_old = at_new = 0
        for part in self._parts:
            if isinstance(part, ProvisionDiff):
                if unchanged or part.status != UNCHANGED:
                    yield part, at_old, at_new
                at_old += sum(len(op.text) for op in part.ops if op.kind != INSERT)
                at_new += sum(len(op.text) for op in part.ops if op.kind != DELETE)
            elif unchanged:
                for group in part.groups():  # one equal op each
                    yield group, at_old, at_new
                    length = len(group.ops[0].text)
                    at_old, at_new = at_old + length, at_new + length
            else:
                length = part.length
                at_old, at_new = at_old + length, at_new + length

    def stats(self) -> dict[str, int]:
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        changes = self.changes
        for g in changes:
            counts[g.status] += 1
        counts["inserted_words"] = sum(len(op.text.split()) for g in changes for op in g.ops if op.kind == INSERT)
        counts["deleted_words"] = sum(len(op.text.split()) for g in changes for op in g.ops if op.kind == DELETE)
        # A move is counted once, by the group it arrived in.
        counts[MOVED] = sum(1 for g in changes if g.relocation is not None and g.relocation.kind == MOVED
                            and g.provision == g.relocation.to_provision and g.new.strip())
        counts[RENUMBERED] = sum(1 for g in changes if g.relocation is not None and g.relocation.kind == RENUMBERED)
        return counts


class _Owners:
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
    def between(cls, structure: Structure, start: int, end: int) -> _Owners:
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


def diff_texts(old: str, new: str, kind: str = DEFAULT_KIND, *, old_structure: Structure | None = None,
               new_structure: Structure | None = None, source: str | None = None) -> TextDiff:
    """Diff two texts of a document of ``kind`` and group the changes by provision:
    provisions aligned first, words diffed only where they differ
    (:func:`~regdraft.core.alignment.aligned_ops`). Either text's structure, if
    already read (``parse_structure(text, kind=kind, strict=False)``), is used as it is
    instead of reading it again. ``source``, if given, is what every change is
    attributed to (one step of a history)."""
    with collector_paused():
        if old_structure is None:
            old_structure = read_structure(old, kind)
        if new_structure is None:
            new_structure = read_structure(new, kind)
    ops = aligned_ops(old, new, old_structure, new_structure, source=source)
    return group_by_provision(old, new, ops, kind, old_structure=old_structure, new_structure=new_structure)


def group_by_provision(old: str, new: str, ops, kind: str = DEFAULT_KIND, *, old_structure: Structure | None = None,
                       new_structure: Structure | None = None) -> TextDiff:
    """Cut a diff of ``old`` into ``new`` (texts of a document of ``kind``) at provision
    boundaries and group the pieces, the diff first :func:`reviewed`; a structure
    given is the one read of that text."""
    # One text's provisions at a time where they are read here: a long text has tens
    # of thousands, and only the owners of its stretches (and the old text's ids) are
    # needed. A structure given is kept by its caller, and so are its owners.
    ops = reviewed(ops)
    with collector_paused():
        if old_structure is not None and new_structure is not None:
            windowed = _windowed(old, new, ops, old_structure, new_structure)
            if windowed is not None:
                return windowed
        if old_structure is not None:
            old_ids: Container[str] = old_structure
            old_owners = owners_of(old_structure)
        else:
            old_read = read_structure(old, kind)
            old_ids = frozenset(p.id for p in old_read.provisions)
            old_owners = _Owners(old_read)
            del old_read
        new_owners = owners_of(new_structure) if new_structure is not None else _Owners(read_structure(new, kind))
        parts = _group(ops, old_owners, new_owners, new, old_ids)
        return TextDiff(_relocated(parts, old_owners, old_ids))


_WINDOW_SHARE = 8
"""A change within an eighth of the text is grouped in a window around it."""


def _windowed(old: str, new: str, ops: list[Op], old_structure: Structure,
              new_structure: Structure) -> TextDiff | None:
    """The grouping of a diff whose changes all stand in a short stretch of the text,
    made from the provisions around that stretch only: the unchanged provisions before
    and after it are spans whose groups are made when asked for, so one changed word
    of a long text costs what that word costs. ``None`` where the stretch is long or
    its edges are not where provisions start (then the whole text is grouped)."""
    if len(ops) < 2 or ops[0].kind != EQUAL or ops[-1].kind != EQUAL or not new_structure.provisions \
            or not old_structure.provisions or new_structure.provisions[0].start != 0:
        return None
    changed_from, changed_to = len(ops[0].text), len(new) - len(ops[-1].text)  # in the new text
    if (changed_to - changed_from) * _WINDOW_SHARE > len(new):
        return None
    start = _provision_start(new_structure, changed_from, before=True)
    end = _provision_start(new_structure, changed_to, before=False)
    if start is None or end is None or start >= end:
        return None
    shift = len(old) - len(new)  # where the new text's offset ``end`` stands in the old
    new_owners = _Owners.between(new_structure, start, end)
    old_owners = _Owners.between(old_structure, start, end + shift)
    inside = [Op(EQUAL, ops[0].text[start:]), *ops[1:-1], Op(EQUAL, ops[-1].text[:end - changed_to])]
    parts = _group(inside, old_owners, new_owners, new, old_structure, start=start)
    parts = _relocated(parts, old_owners, old_structure, start)
    return TextDiff([*([_UnchangedSpan(new_structure, 0, start)] if start else []), *parts,
                     *([_UnchangedSpan(new_structure, end, len(new))] if end < len(new) else [])])


def _provision_start(structure: Structure, offset: int, *, before: bool) -> int | None:
    """Where the provision holding ``offset`` starts (``before``), or the next provision
    after it (the end of the text if none), if a stretch of the owners' table starts
    there; else ``None``."""
    if before:
        holder = structure.at(offset)
        point = holder.start if holder is not None else 0
    else:
        starts = structure.starts
        found = bisect.bisect_right(starts, offset)
        while found < len(starts) and starts[found] == starts[found - 1]:
            found += 1
        if found >= len(starts):
            return len(structure.text)
        point = starts[found]
    if point == 0 or point == len(structure.text):
        return point
    owner, previous = structure.at(point), structure.at(point - 1)
    if owner is None or owner.start != point or (previous is not None and previous.id == owner.id):
        return None
    return point


_OWNERS: dict[int, tuple[weakref.ref, _Owners]] = {}
_OWNERS_KEPT = 16


def owners_of(structure: Structure) -> _Owners:
    """The owners' table of a structure, made once and let go with it (a kept
    version's structure is diffed again and again). A table (a label string a
    provision: at 5 MB, more than the kept structure itself) lives no longer than its
    structure, so what the structures' memory lets go takes its tables with it; the
    last :data:`_OWNERS_KEPT` structures' at most are kept."""
    key = id(structure)
    kept = _OWNERS.get(key)
    if kept is not None and kept[0]() is structure:
        return kept[1]
    owners = _Owners(structure)
    if len(_OWNERS) >= _OWNERS_KEPT:
        _OWNERS.pop(next(iter(_OWNERS)), None)

    def let_go(reference: weakref.ref) -> None:
        # The structure is gone: its id may be another's next, so only its own entry goes.
        if _OWNERS.get(key, (None,))[0] is reference:
            del _OWNERS[key]

    _OWNERS[key] = (weakref.ref(structure, let_go), owners)
    return owners


def read_structure(text: str, kind: str = DEFAULT_KIND) -> Structure:
    """The reading of a text that diffs group by: duplicates tolerated, as in a text
    being amended."""
    return parse_structure(text, kind=kind, strict=False)


def _group(ops: Iterable[Op], old_owners: _Owners, new_owners: _Owners, new: str,
           old_ids: Container[str], *, start: int = 0) -> list[ProvisionDiff | _UnchangedRun]:
    """Each op cut into the stretches of the text it stands in (a deletion in the old
    text, the rest in the new), each piece attributed to the stretch's owner, and
    adjacent pieces of one owner grouped. ``new`` is the new text, which the runs of
    unchanged provisions read their text from.

    A deleted piece belongs to its old provision only if the deletion took all of that
    provision; otherwise to the new provision where the deletion stands."""
    groups: list[ProvisionDiff] = []
    run: list[Op] = []
    key: tuple[str, str] | None = None

    def add(piece_key: tuple[str, str], op: Op) -> None:
        nonlocal key, run
        if piece_key != key:
            if key is not None:
                groups.append(_finish(key, run, old_ids))
            key, run = piece_key, [op]
        elif (run[-1].kind, run[-1].source) == (op.kind, op.source):
            run[-1] = Op(op.kind, run[-1].text + op.text, op.source)
        else:
            run.append(op)

    at_old = at_new = start  # ops from ``start``, where the texts are still the same
    # The key of the stretch the last op inside one stretch stood in: the ops of one
    # change mostly stand in one, whose label is then cut once.
    seen_owners, seen, seen_key = None, -1, None
    for op in ops:
        kind, text, source = op.kind, op.text, op.source
        length = len(text)
        if not length:
            continue
        owners, at = (old_owners, at_old) if kind == DELETE else (new_owners, at_new)
        starts, ids, labels = owners.starts, owners.ids, owners.labels
        first = bisect.bisect_right(starts, at) - 1
        last = bisect.bisect_left(starts, at + length, first + 1) - 1  # the last stretch the op reaches
        if first == last:
            # The usual op of a change: inside one stretch, the op itself its one piece.
            if kind == DELETE and not (at <= owners.span_starts[first] and owners.span_ends[first] <= at + length):
                # Not all of its provision: the new provision's where the deletion stands.
                add(new_owners.key_at(min(at_new, max(len(new) - 1, 0))), op)
            else:
                if owners is not seen_owners or first != seen:
                    seen_owners, seen, seen_key = owners, first, (ids[first], labels[first])
                add(seen_key, op)
            if kind != DELETE:
                at_new += length
            if kind != INSERT:
                at_old += length
            continue
        if kind == DELETE:
            ends = [starts[k + 1] - at for k in range(first, last)] + [length]
            elsewhere = None
            begin = 0
            for k, end in zip(range(first, last + 1), ends):
                if at <= owners.span_starts[k] and owners.span_ends[k] <= at + length:
                    add((ids[k], labels[k]), Op(DELETE, text[begin:end], source))
                else:
                    if elsewhere is None:
                        elsewhere = new_owners.key_at(min(at_new, max(len(new) - 1, 0)))
                    add(elsewhere, Op(DELETE, text[begin:end], source))
                begin = end
            at_old += length
            continue
        if kind == EQUAL and last > first + 1:
            # The stretches the op covers whole are unchanged provisions: most of a long
            # text, kept as one run and made into groups only when asked for.
            add((ids[first], labels[first]), Op(kind, text[:starts[first + 1] - at], source))
            groups.append(_finish(key, run, old_ids))
            # The run reads the new text itself (which its caller holds), not the op's
            # copy of it: a kept diff would otherwise hold a second whole text.
            groups.append(_UnchangedRun(owners, first + 1, last, new))
            key, run = (ids[last], labels[last]), [Op(EQUAL, text[starts[last] - at:], source)]
            at_new += length
            at_old += length
            continue
        # Where each piece ends in ``text``.
        ends = [starts[k + 1] - at for k in range(first, last)] + [length]
        add((ids[first], labels[first]), Op(kind, text[:ends[0]], source))
        for k, begin, end in zip(range(first + 1, last + 1), ends, ends[1:]):
            add((ids[k], labels[k]), Op(kind, text[begin:end], source))
        at_new += length
        if kind == EQUAL:
            at_old += length
    if key is not None:
        groups.append(_finish(key, run, old_ids))
    return _move_blank_lines_into_new_provisions(groups, old_ids)


def _move_blank_lines_into_new_provisions(groups: list, old_ids: Container[str]) -> list:
    """A provision added or removed brings its separating blank line with it, but the
    blank line stands inside the span of the provision before it. Give it to the added
    or removed provision, so that the one before is not reported as changed."""
    for i in range(len(groups) - 1):
        before, after = groups[i], groups[i + 1]
        if not (isinstance(before, ProvisionDiff) and isinstance(after, ProvisionDiff)):
            continue
        if after.status not in (ADDED, REMOVED) or before.status == UNCHANGED:
            continue
        ops = list(before.ops)
        moved: list[Op] = []
        while ops and ops[-1].kind != EQUAL and not ops[-1].text.strip():
            moved.insert(0, ops.pop())
        # An added or removed provision keeps its own blank line, unless another source
        # made it: then it opens the change that follows ("\n## Signed" inserted after
        # an inserted regulation 5).
        if before.status != CHANGED and (not ops or {op.source for op in moved} == {ops[-1].source}):
            continue
        if moved:
            groups[i] = _finish((before.provision, before.label), ops, old_ids)
            groups[i + 1] = _finish((after.provision, after.label), _merge_ops(moved + list(after.ops)), old_ids)
    return [g for g in groups if not isinstance(g, ProvisionDiff) or g.ops]


def _merge_ops(ops: list[Op]) -> list[Op]:
    merged: list[Op] = []
    for op in ops:
        if merged and (merged[-1].kind, merged[-1].source) == (op.kind, op.source):
            merged[-1] = Op(op.kind, merged[-1].text + op.text, op.source)
        else:
            merged.append(op)
    return merged


def _finish(key: tuple[str, str], ops: list[Op], old_ids: Container[str]) -> ProvisionDiff:
    if not ops:
        return ProvisionDiff(key[0], key[1], UNCHANGED, ())
    if len(ops) == 1 and ops[0].kind == EQUAL:  # most provisions of a long text: checked first
        return ProvisionDiff(key[0], key[1], UNCHANGED, tuple(ops))
    kinds = {op.kind for op in ops}
    if kinds == {EQUAL}:
        status = UNCHANGED
    elif kinds == {INSERT} and key[0] not in old_ids:
        status = ADDED
    elif kinds == {DELETE}:
        status = REMOVED
    else:
        status = CHANGED
    return ProvisionDiff(key[0], key[1], status, tuple(ops))


# What a reviewer reads ---------------------------------------------------------------

# A citation label: a chain of bracketed labels, "(a)(1)(i)", "(4A)", "(*1*)", or a CFR
# section sign and number, "§ 1005.2(a)". It is one token: a change replaces it whole.
_LABEL = (r"§§?[^\S\n]*[0-9]+(?:\.[0-9]+)*[a-z]?(?:\((?:[0-9]+[A-Za-z]*|[A-Za-z]{1,6}|\*[0-9a-z]+\*)\))*"
          r"|(?:\((?:[0-9]+[A-Za-z]*|[A-Za-z]{1,6}|\*[0-9a-z]+\*)\))+")
_LABEL_TOKEN = re.compile(_LABEL)
# A word, a label or another character with the blanks after it: matched as a whole,
# so that a diff lines up words, not the spaces between them.
_REVIEW_TOKEN = re.compile(rf"(?:{_LABEL}|\w+|[^\w\s])[^\S\n]*|\n|[^\S\n]+")
_WORD = re.compile(r"\w+")
_REACH = 40
"""How far either side of a change's edge a label that it cuts can start or end."""


def reviewed(ops: Iterable[Op]) -> list[Op]:
    """The diff as a reviewer reads it (see the module's notes): each run of changes
    between common text widened to whole citation labels and diffed again word by word
    with labels as atoms, keeping the common text between its edits that says
    something; a change of white space only beside another source's change made part
    of it. Both texts are rebuilt exactly as before."""
    ops = [op for op in ops if op.text]
    out: list[Op] = []
    i = 0
    while i < len(ops):
        if ops[i].kind == EQUAL:
            out.append(ops[i])
            i += 1
            continue
        j = _run_end(ops, i)
        run = ops[i:j]
        preceding = out[-1].text if out and out[-1].kind == EQUAL else ""
        following = ops[j].text if j < len(ops) else ""
        left, right = _label_reach(preceding, ops, i, j)
        while right >= len(following) and j + 1 < len(ops) and len({op.source for op in ops[i:_run_end(ops, j + 1)]}) == 1:
            # The common text up to the next run of changes is inside one label: the two
            # runs are one change of that label.
            ops[j:j + 1] = [Op(DELETE, following, run[0].source), Op(INSERT, following, run[0].source)]
            j = _run_end(ops, j)
            run = ops[i:j]
            following = ops[j].text if j < len(ops) else ""
            left, right = _label_reach(preceding, ops, i, j)
        if len({op.source for op in run}) > 1:
            out.extend(_white_space_joined(run))
        else:
            if left:
                out[-1] = Op(EQUAL, preceding[:-left])
            if right:
                ops[j] = Op(EQUAL, following[right:])
            deleted = preceding[len(preceding) - left:] + "".join(op.text for op in run if op.kind == DELETE) \
                + following[:right]
            inserted = preceding[len(preceding) - left:] + "".join(op.text for op in run if op.kind == INSERT) \
                + following[:right]
            out.extend(_rediffed(deleted, inserted, run[0].source))
            if out and not out[-1].text:
                out.pop()
        i = j
    return [op for op in out if op.text]


def _run_end(ops: list[Op], i: int) -> int:
    """Where the run of changes starting at ``ops[i]`` ends (the next equal op)."""
    while i < len(ops) and ops[i].kind != EQUAL:
        i += 1
    return i


def _label_reach(preceding: str, ops: list[Op], i: int, j: int) -> tuple[int, int]:
    """How many characters of the common text before and after the run of changes
    ``ops[i:j]`` belong to a label the run's edges cut, in the old text or the new
    (``preceding`` is the common text before the run)."""
    left = right = 0
    before = preceding[-_REACH:]
    following = ops[j].text if j < len(ops) else ""
    # A label holds no blank but after "§": an edge with a blank (or nothing) on one side,
    # and no "§" just before it, cuts no label. Most edges are between words.
    if not any(_may_cut(before, op.text) or _may_cut(op.text, following) for op in ops[i:j]):
        return 0, 0
    for kind, other in ((DELETE, INSERT), (INSERT, DELETE)):
        changed = "".join(op.text for op in ops[i:j] if op.kind == kind)
        after = []
        size = 0
        for op in ops[j:]:  # this side's text after the run, far enough to hold a label
            if op.kind != other:
                after.append(op.text[:_REACH])
                size += len(after[-1])
                if size >= _REACH:
                    break
        window = before + changed + "".join(after)
        edges = (len(before), len(before) + len(changed))
        for match in _LABEL_TOKEN.finditer(window):
            if match.start() < edges[0] < match.end():
                left = max(left, edges[0] - match.start())
            if match.start() < edges[1] < match.end():
                right = max(right, match.end() - edges[1])
    return left, right


def _may_cut(before: str, after: str) -> bool:
    """Whether a label could run across the point between ``before`` and ``after``."""
    if not before or not after:
        return False
    if before[-1].isspace():
        return before.rstrip()[-1:] == "§" and not after[0].isspace()
    return not after[0].isspace()


def _rediffed(old: str, new: str, source: str | None) -> list[Op]:
    """``old`` replaced by ``new``, diffed on reviewer's tokens (labels whole, words,
    blanks, line ends, other characters) with no cleanup but this: common text between
    two edits that holds no label, no line end and fewer than three words is made
    part of the change ("the", " of a "), so a replacement reads as one."""
    if not old or not new:
        return [Op(DELETE, old, source), Op(INSERT, new, source)]
    old_tokens, new_tokens = _REVIEW_TOKEN.findall(old), _REVIEW_TOKEN.findall(new)
    pieces: list[list] = []  # [kind, old text, new text]
    at_old = at_new = 0
    for kind, old_count, new_count in diff_sequences(old_tokens, new_tokens):
        old_text = "".join(old_tokens[at_old:at_old + old_count])
        new_text = "".join(new_tokens[at_new:at_new + new_count])
        at_old, at_new = at_old + old_count, at_new + new_count
        if kind != EQUAL and pieces and pieces[-1][0] != EQUAL:
            pieces[-1][1] += old_text
            pieces[-1][2] += new_text
        else:
            pieces.append([kind, old_text, new_text])
    # Common text between two edits that says nothing is part of the change.
    merged: list[list] = []
    for n, piece in enumerate(pieces):
        between = 0 < n < len(pieces) - 1
        if piece[0] == EQUAL and not (between and not _says_something(piece[1])):
            merged.append(piece)
        elif merged and merged[-1][0] != EQUAL:
            merged[-1][1] += piece[1]
            merged[-1][2] += piece[2]
        else:
            merged.append([DELETE, piece[1], piece[2]])
    out: list[Op] = []
    for kind, old_text, new_text in merged:
        if kind == EQUAL:
            out.append(Op(EQUAL, old_text))
            continue
        if old_text:
            out.append(Op(DELETE, old_text, source))
        if new_text:
            out.append(Op(INSERT, new_text, source))
    return out


def _says_something(common: str) -> bool:
    return "\n" in common or _LABEL_TOKEN.search(common) is not None or len(_WORD.findall(common)) >= 3


def _white_space_joined(run: list[Op]) -> list[Op]:
    """A run of changes by several sources, each op of white space only beside an op of
    the same kind by another source made part of it: a line end one step added after
    another step's inserted regulation is that regulation's, not a change of its own."""
    out: list[Op] = []
    for op in run:
        if out and out[-1].kind == op.kind and not op.text.strip():
            out[-1] = Op(op.kind, out[-1].text + op.text, out[-1].source)
        elif out and out[-1].kind == op.kind and not out[-1].text.strip():
            out[-1] = Op(op.kind, out[-1].text + op.text, op.source)
        else:
            out.append(op)
    return out


_NUMBER = re.compile(rf"[0-9]+[A-Za-z]*|{_LABEL}")


def _relocated(parts: list, old_owners: _Owners, old_ids: Container[str], start: int = 0) -> list:
    """The groups, with each provision moved elsewhere unchanged (a group of deletions
    only and a group of insertions only, of the same words) and each provision whose
    only change is its number marked with its :class:`Relocation`. ``start``: where
    the first part starts in the old text (a window's parts do not start at 0)."""
    deleted: dict[str, list[int]] = {}
    inserted: dict[str, list[int]] = {}
    old_at: list[int] = []  # where each part starts in the old text
    at = start
    for n, part in enumerate(parts):
        old_at.append(at)
        at += part.length if isinstance(part, _UnchangedSpan) else len(part.old)
        if not isinstance(part, ProvisionDiff) or part.status == UNCHANGED:
            continue
        kinds = {op.kind for op in part.ops}
        if kinds == {DELETE} or kinds == {INSERT}:
            words = " ".join(part.old.split() if kinds == {DELETE} else part.new.split())
            if len(_WORD.findall(words)) >= 2:
                (deleted if kinds == {DELETE} else inserted).setdefault(words, []).append(n)
        elif part.relocation is None:
            renumbered = _renumbering(part, old_owners, old_at[n])
            if renumbered is not None:
                parts[n] = replace(part, relocation=renumbered)
    # A provision inserted under a number that another gave up by its renumbering is added.
    given_up = {part.relocation.from_provision for part in parts if isinstance(part, ProvisionDiff)
                and part.relocation is not None}
    for arrivals in inserted.values():
        for n in arrivals:
            if parts[n].status == CHANGED and parts[n].provision in given_up:
                parts[n] = replace(parts[n], status=ADDED)
    for words, removals in deleted.items():
        arrivals = inserted.get(words, [])
        for removal, arrival in zip(removals, arrivals):
            if abs(removal - arrival) == 1:
                continue  # deleted and inserted in one place: not a move
            gone, came = parts[removal], parts[arrival]
            relocation = Relocation(MOVED, gone.provision, gone.label, came.provision, came.label)
            parts[removal], parts[arrival] = replace(gone, relocation=relocation), replace(came, relocation=relocation)
    for removal, arrival, similarity in _moved_with_edits(parts, deleted, inserted):
        gone, came = parts[removal], parts[arrival]
        relocation = Relocation(MOVED, gone.provision, gone.label, came.provision, came.label,
                                _move_edit(gone.old, came.new), similarity)
        parts[removal], parts[arrival] = replace(gone, relocation=relocation), replace(came, relocation=relocation)
    return parts


def _move_edit(old: str, new: str) -> tuple[Op, ...]:
    """The word diff of a moved provision's text where it was into its text where it is
    now. The line ends at its edges are diffed apart from its words: a removal carries
    the blank line before it where an arrival carries the one after, and a line diff of
    ``"\\n(2) …\\n"`` into ``"(2) …\\n\\n"`` would pair the blank lines and replace the
    one-line paragraph whole, hiding the words that changed."""
    old_words, new_words = old.strip("\n"), new.strip("\n")
    old_lead, new_lead = old[:len(old) - len(old.lstrip("\n"))], new[:len(new) - len(new.lstrip("\n"))]
    old_tail, new_tail = old[len(old_lead) + len(old_words):], new[len(new_lead) + len(new_words):]

    def edge(was: str, now: str) -> list[Op]:
        if was == now:
            return [Op(EQUAL, was)] if was else []
        return [Op(kind, text) for kind, text in ((DELETE, was), (INSERT, now)) if text]

    ops = [*edge(old_lead, new_lead), *diff_words(old_words, new_words), *edge(old_tail, new_tail)]
    return tuple(_merge_ops(reviewed(ops)))


MOVED_WITH_EDITS = 0.8
"""A provision deleted in one place and inserted in another with edits is reported as
moved, with its edit, where the two share at least this much of their words (difflib's
ratio over their word sequences: twice the words in common over the words of both), both
have at least :data:`_MOVED_WORDS` words, and they are not next to each other (a
provision rewritten where it stands is a substitution)."""
_MOVED_WORDS = 8
_MOVE_COMPARISONS = 1024  # the most pairs weighed: a text rewritten wholesale is not searched for moves


def _moved_with_edits(parts: list, deleted: dict[str, list[int]],
                      inserted: dict[str, list[int]]) -> list[tuple[int, int, float]]:
    """The removals and arrivals that no unchanged move paired whose words are alike
    (:data:`MOVED_WITH_EDITS`): (removal, arrival, similarity), the most alike first,
    each group in one pair at most."""
    def unpaired(groups: dict[str, list[int]]) -> list[tuple[int, list[str]]]:
        found = []
        for words, places in groups.items():
            tokens = _WORD.findall(words)
            if len(tokens) >= _MOVED_WORDS:
                found.extend((n, tokens) for n in places if parts[n].relocation is None)
        return found

    removals, arrivals = unpaired(deleted), unpaired(inserted)
    if not removals or not arrivals or len(removals) * len(arrivals) > _MOVE_COMPARISONS:
        return []
    candidates = []
    for removal, old_words in removals:
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_words)
        for arrival, new_words in arrivals:
            if abs(removal - arrival) == 1:
                continue
            matcher.set_seq1(new_words)
            if matcher.real_quick_ratio() >= MOVED_WITH_EDITS and matcher.quick_ratio() >= MOVED_WITH_EDITS \
                    and (similarity := matcher.ratio()) >= MOVED_WITH_EDITS:
                candidates.append((similarity, removal, arrival))
    pairs, used = [], set()
    for similarity, removal, arrival in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if removal not in used and arrival not in used:
            used.update((removal, arrival))
            pairs.append((removal, arrival, similarity))
    return pairs


def _renumbering(group: ProvisionDiff, old_owners: _Owners, old_at: int) -> Relocation | None:
    """The renumbering of a group whose only change is one number or label replaced by
    another, where the old provision there has another id: regulation 6 renumbered 7."""
    changed = [op for op in group.ops if op.kind != EQUAL]
    if [op.kind for op in changed] != [DELETE, INSERT]:
        return None
    if not (_NUMBER.fullmatch(changed[0].text.strip()) and _NUMBER.fullmatch(changed[1].text.strip())):
        return None
    offset = old_at
    for op in group.ops:
        if op.kind == DELETE:
            break
        offset += len(op.text) if op.kind == EQUAL else 0
    old_id, old_label = old_owners.key_at(offset)
    if old_id == group.provision:
        return None
    return Relocation(RENUMBERED, old_id, old_label, group.provision, group.label)


def unified_diff(old: str, new: str, *, old_name: str = "old", new_name: str = "new", context: int = 3,
                 kind: str = DEFAULT_KIND, old_structure: Structure | None = None) -> str:
    """A line-based unified diff whose hunk headers name the provision, like git's
    function context: ``@@ -12,4 +12,6 @@ regulation 3(a)``. Without the old text's
    structure, only the stretches of it that hold a hunk are read where that is cheaper
    (:meth:`StretchReader.provisions_at`): the same provisions as the whole reading's."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    line_offsets = [0]
    for line in old_lines:
        line_offsets.append(line_offsets[-1] + len(line))
    lines = list(difflib.unified_diff(old_lines, new_lines, old_name, new_name, n=context))
    headers = [i for i, line in enumerate(lines) if line.startswith("@@")]
    offsets = [line_offsets[_first_changed_old_line(lines, i)] for i in headers]
    if old_structure is not None:
        provisions = [old_structure.at(offset) for offset in offsets]
    else:
        provisions = StretchReader(old, kind=kind).provisions_at(offsets)
    labels = {i: provision.label for i, provision in zip(headers, provisions) if provision is not None}
    out = []
    for i, line in enumerate(lines):
        if i in labels:
            line = line.rstrip("\n") + f" {labels[i]}\n"
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _first_changed_old_line(lines: list[str], header: int) -> int:
    """0-based old line number of the first changed line of the hunk at ``header``."""
    old_start = int(lines[header].split()[1].split(",")[0].lstrip("-"))
    line = max(old_start - 1, 0)
    for body in lines[header + 1:]:
        if body[:1] != " ":
            break
        line += 1
    return line
