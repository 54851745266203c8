"""What a diff grouped by provision is: each provision's changes (:class:`ProvisionDiff`),
the runs of unchanged provisions between them, and the :class:`TextDiff` that holds both."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Iterator

from regdraft.core.diffing.owners import Owners, owners_of
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op
from regdraft.core.structure import Structure

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


class UnchangedRun:
    """Provisions ``first`` to ``last`` (exclusive) of an owners' table, unchanged: the
    groups an equal op covers whole, made only when someone asks for every group. It
    holds the new text itself (offsets into it, not a copy of the op's text)."""

    __slots__ = ("owners", "first", "last", "text")

    def __init__(self, owners: Owners, first: int, last: int, text: str) -> None:
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


class UnchangedSpan:
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
        """As :meth:`UnchangedRun.provision_starts`."""
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

    def __init__(self, groups: Iterable[ProvisionDiff | UnchangedRun]) -> None:
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
    def parts(self) -> tuple[ProvisionDiff | UnchangedRun | UnchangedSpan, ...]:
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
        return sum(1 if isinstance(part, ProvisionDiff) else len(part) if isinstance(part, UnchangedRun)
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
