"""Diffs between two texts, grouped by provision.

Structure first, then words (the approach of eregs and Indigo): a word-level diff of
the whole text is cut at provision boundaries, and each piece is attributed to the
provision it belongs to, so a reviewer reads "regulation 3(a): changed" with the
inserted and deleted words inside, rather than a list of character offsets.

Every piece of the diff, unchanged text included, lands in exactly one group, in
order, so the groups rebuild both texts (:meth:`TextDiff.old_text`,
:meth:`TextDiff.new_text`); views drop the unchanged groups.
"""

from __future__ import annotations

import bisect
import difflib
import operator
import sys
from dataclasses import dataclass
from typing import Iterable

from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_words
from regdraft.core.structure import PREAMBLE, Provision, Structure, collector_paused, parse_structure
from regdraft.core.traditions import DEFAULT_KIND

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True, slots=True)  # a long text has one per provision: no __dict__ each
class ProvisionDiff:
    """The changes inside one provision (one contiguous stretch of it)."""

    provision: str
    """Its id in the new text (in the old text where it was removed)."""
    label: str
    status: str
    """``added``, ``removed``, ``changed`` or ``unchanged``."""
    ops: tuple[Op, ...]

    @property
    def old(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != INSERT)

    @property
    def new(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != DELETE)


@dataclass(frozen=True)
class TextDiff:
    groups: tuple[ProvisionDiff, ...]

    def old_text(self) -> str:
        return "".join(g.old for g in self.groups)

    def new_text(self) -> str:
        return "".join(g.new for g in self.groups)

    @property
    def changes(self) -> tuple[ProvisionDiff, ...]:
        return tuple(g for g in self.groups if g.status != UNCHANGED)

    def stats(self) -> dict[str, int]:
        counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
        for g in self.changes:
            counts[g.status] += 1
        counts["inserted_words"] = sum(len(op.text.split()) for g in self.changes for op in g.ops if op.kind == INSERT)
        counts["deleted_words"] = sum(len(op.text.split()) for g in self.changes for op in g.ops if op.kind == DELETE)
        return counts


class _Owners:
    """Who owns each stretch of a text: the innermost provision (:meth:`Structure.at`),
    which can only change where a provision starts or ends. Stretch ``k`` runs from
    ``starts[k]`` to ``starts[k + 1]`` (the last one to the end of the text), and
    neighbouring stretches have different owners, so each stretch of a diff's piece is
    one group's."""

    __slots__ = ("starts", "ids", "labels", "span_starts", "span_ends")

    def __init__(self, structure: Structure) -> None:
        if not self._each_provision_starts_one(structure):
            self._sweep(structure)

    def _each_provision_starts_one(self, structure: Structure) -> bool:
        """The usual case, found without a step per provision: every provision starts
        after the one before and is not empty, so each one owns the stretch from its
        start to the next provision's (its children own their own). Only where a
        provision ends before the next one starts (the text after a list, under its
        paragraph) does the owner change otherwise: those few points are looked up."""
        provisions, length = structure.provisions, len(structure.text)
        if not provisions:
            return False
        ids, labels, _kinds, _numbers, _parents, starts, ends, _lines, _headings = zip(*provisions)
        if (starts[-1] >= length or not all(map(operator.lt, starts, starts[1:]))
                or not all(map(operator.lt, starts, ends)) or len(set(ids)) < len(ids)):
            return False
        self.starts, self.ids, self.labels = list(starts), list(ids), list(labels)
        self.span_starts, self.span_ends = list(starts), list(ends)
        for point in sorted(set(ends).difference(starts)):
            if point >= length:
                break
            k = bisect.bisect_right(self.starts, point) - 1
            owner = structure.at(point)
            self._insert_after(k, point, owner, structure)
        return True

    def _sweep(self, structure: Structure) -> None:
        """Any structure: every point where a provision starts or ends, in order."""
        provisions, length = structure.provisions, len(structure.text)
        points = sorted({0, *(b for p in provisions for b in (p.start, p.end) if b < length)})
        self.starts, self.ids, self.labels, self.span_starts, self.span_ends = [], [], [], [], []
        # The innermost provision holding a point is the latest-starting one not yet
        # ended: provisions are pushed as points reach their start, and dropped from the
        # top once a point reaches their end.
        open_: list[Provision] = []
        pushed, count = 0, len(provisions)
        for point in points:
            while pushed < count and provisions[pushed].start <= point:
                open_.append(provisions[pushed])
                pushed += 1
            while open_ and open_[-1].end <= point:
                open_.pop()
            self._insert_after(len(self.starts) - 1, point, open_[-1] if open_ else None, structure)

    def _insert_after(self, k: int, point: int, owner: Provision | None, structure: Structure) -> None:
        """A stretch from ``point`` after stretch ``k``, unless that one has the same owner."""
        # Text before any provision is the preamble's, which may not be one.
        owner_id, label = (owner.id, owner.label) if owner is not None else (PREAMBLE, "the preamble")
        if k >= 0 and self.ids[k] == owner_id and self.labels[k] == label:
            return
        # Where the provision of that id lies, for the check that a deletion took all of
        # it (a section headed "Preamble" takes the id from the text before it).
        span = structure.get(owner_id)
        self.starts.insert(k + 1, point)
        self.ids.insert(k + 1, owner_id)
        self.labels.insert(k + 1, label)
        self.span_starts.insert(k + 1, span.start if span is not None else _NOWHERE)
        self.span_ends.insert(k + 1, span.end if span is not None else _NOWHERE)

    def key_at(self, offset: int) -> tuple[str, str]:
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.ids[k], self.labels[k]


_NOWHERE = sys.maxsize


def diff_texts(old: str, new: str, kind: str = DEFAULT_KIND) -> TextDiff:
    """Diff two texts of a document of ``kind`` and group the changes by provision."""
    return group_by_provision(old, new, diff_words(old, new), kind)


def group_by_provision(old: str, new: str, ops, kind: str = DEFAULT_KIND) -> TextDiff:
    """Cut a diff of ``old`` into ``new`` (texts of a document of ``kind``) at provision
    boundaries and group the pieces."""
    # One text's provisions at a time: a long text has tens of thousands, and only the
    # owners of its stretches (and the old text's ids) are needed.
    with collector_paused():
        old_structure = parse_structure(old, kind=kind, strict=False)
        old_ids = frozenset(p.id for p in old_structure.provisions)
        old_owners = _Owners(old_structure)
        del old_structure
        new_owners = _Owners(parse_structure(new, kind=kind, strict=False))
        return TextDiff(tuple(_group(ops, old_owners, new_owners, len(new), old_ids)))


def _group(ops: Iterable[Op], old_owners: _Owners, new_owners: _Owners, new_length: int,
           old_ids: frozenset[str]) -> list[ProvisionDiff]:
    """Each op cut into the stretches of the text it stands in (a deletion in the old
    text, the rest in the new), each piece attributed to the stretch's owner, and
    adjacent pieces of one owner grouped.

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

    at_old = at_new = 0
    for op in ops:
        kind, text, source = op.kind, op.text, op.source
        length = len(text)
        if not length:
            continue
        owners, at = (old_owners, at_old) if kind == DELETE else (new_owners, at_new)
        starts, ids, labels = owners.starts, owners.ids, owners.labels
        first = bisect.bisect_right(starts, at) - 1
        last = bisect.bisect_left(starts, at + length, first + 1) - 1  # the last stretch the op reaches
        # Where each piece ends in ``text``.
        ends = [starts[k + 1] - at for k in range(first, last)] + [length]
        if kind == DELETE:
            elsewhere = None
            begin = 0
            for k, end in zip(range(first, last + 1), ends):
                if at <= owners.span_starts[k] and owners.span_ends[k] <= at + length:
                    add((ids[k], labels[k]), Op(DELETE, text[begin:end], source))
                else:
                    if elsewhere is None:
                        elsewhere = new_owners.key_at(min(at_new, max(new_length - 1, 0)))
                    add(elsewhere, Op(DELETE, text[begin:end], source))
                begin = end
            at_old += length
            continue
        add((ids[first], labels[first]), Op(kind, text[:ends[0]], source))
        if last > first:
            if kind == EQUAL:
                # The stretches the op covers whole are unchanged provisions, one group
                # each: most of a long text, made here without the checks above.
                groups.append(_finish(key, run, old_ids))
                groups.extend([ProvisionDiff(ids[k], labels[k], UNCHANGED, (Op(EQUAL, text[begin:end], source),))
                               for k, begin, end in zip(range(first + 1, last), ends, ends[1:])])
                key, run = (ids[last], labels[last]), [Op(EQUAL, text[ends[-2]:], source)]
            else:
                for k, begin, end in zip(range(first + 1, last + 1), ends, ends[1:]):
                    add((ids[k], labels[k]), Op(kind, text[begin:end], source))
        at_new += length
        if kind == EQUAL:
            at_old += length
    if key is not None:
        groups.append(_finish(key, run, old_ids))
    return _move_blank_lines_into_new_provisions(groups, old_ids)


def _move_blank_lines_into_new_provisions(groups: list[ProvisionDiff], old_ids: frozenset[str]) -> list[ProvisionDiff]:
    """A provision added or removed brings its separating blank line with it, but the
    blank line stands inside the span of the provision before it. Give it to the added
    or removed provision, so that the one before is not reported as changed."""
    for i in range(len(groups) - 1):
        before, after = groups[i], groups[i + 1]
        if after.status not in (ADDED, REMOVED) or before.status != CHANGED:
            continue
        ops = list(before.ops)
        moved: list[Op] = []
        while ops and ops[-1].kind != EQUAL and not ops[-1].text.strip():
            moved.insert(0, ops.pop())
        if moved:
            groups[i] = _finish((before.provision, before.label), ops, old_ids)
            groups[i + 1] = _finish((after.provision, after.label), _merge_ops(moved + list(after.ops)), old_ids)
    return [g for g in groups if g.ops]


def _merge_ops(ops: list[Op]) -> list[Op]:
    merged: list[Op] = []
    for op in ops:
        if merged and (merged[-1].kind, merged[-1].source) == (op.kind, op.source):
            merged[-1] = Op(op.kind, merged[-1].text + op.text, op.source)
        else:
            merged.append(op)
    return merged


def _finish(key: tuple[str, str], ops: list[Op], old_ids: frozenset[str]) -> ProvisionDiff:
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


def unified_diff(old: str, new: str, *, old_name: str = "old", new_name: str = "new", context: int = 3,
                 kind: str = DEFAULT_KIND) -> str:
    """A line-based unified diff whose hunk headers name the provision, like git's
    function context: ``@@ -12,4 +12,6 @@ regulation 3(a)``."""
    old_structure = parse_structure(old, kind=kind, strict=False)
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    line_offsets = [0]
    for line in old_lines:
        line_offsets.append(line_offsets[-1] + len(line))
    lines = list(difflib.unified_diff(old_lines, new_lines, old_name, new_name, n=context))
    out = []
    for i, line in enumerate(lines):
        if line.startswith("@@"):
            provision = old_structure.at(line_offsets[_first_changed_old_line(lines, i)])
            if provision is not None:
                line = line.rstrip("\n") + f" {provision.label}\n"
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
