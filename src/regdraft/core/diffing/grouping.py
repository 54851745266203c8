"""The word diff cut at provision boundaries, each piece given to the provision it
belongs to, the groups finished into :class:`ProvisionDiff` values; and the entry
points that read both texts' structure and diff them."""

from __future__ import annotations

import bisect
from typing import Container, Iterable

from regdraft.core.alignment import aligned_ops
from regdraft.core.diffing.model import (ADDED, CHANGED, REMOVED, UNCHANGED, ProvisionDiff, TextDiff, UnchangedRun,
                                         UnchangedSpan)
from regdraft.core.diffing.moves import relocated
from regdraft.core.diffing.owners import Owners, owners_of
from regdraft.core.diffing.review import merged_ops, reviewed
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op
from regdraft.core.structure import Structure, collector_paused, parse_structure
from regdraft.core.traditions import DEFAULT_KIND


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
    # needed. A structure given is kept by its caller, and so are its owners. The new
    # text is read first: the old text's ids outlive its reading, so they are not held
    # while the other text is parsed (the peak of a pipeline over two plain texts).
    ops = reviewed(ops)
    with collector_paused():
        if old_structure is not None and new_structure is not None:
            windowed = _windowed(old, new, ops, old_structure, new_structure)
            if windowed is not None:
                return windowed
        new_owners = owners_of(new_structure) if new_structure is not None else Owners(read_structure(new, kind))
        if old_structure is not None:
            old_ids: Container[str] = old_structure
            old_owners = owners_of(old_structure)
        else:
            old_read = read_structure(old, kind)
            old_ids = frozenset(p.id for p in old_read.provisions)
            old_owners = Owners(old_read)
            del old_read
        parts = _group(ops, old_owners, new_owners, new, old_ids)
        return TextDiff(relocated(parts, old_owners, old_ids))


WINDOW_SHARE = 8
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
    if (changed_to - changed_from) * WINDOW_SHARE > len(new):
        return None
    start = _provision_start(new_structure, changed_from, before=True)
    end = _provision_start(new_structure, changed_to, before=False)
    if start is None or end is None or start >= end:
        return None
    shift = len(old) - len(new)  # where the new text's offset ``end`` stands in the old
    new_owners = Owners.between(new_structure, start, end)
    old_owners = Owners.between(old_structure, start, end + shift)
    inside = [Op(EQUAL, ops[0].text[start:]), *ops[1:-1], Op(EQUAL, ops[-1].text[:end - changed_to])]
    parts = _group(inside, old_owners, new_owners, new, old_structure, start=start)
    parts = relocated(parts, old_owners, old_structure, start)
    return TextDiff([*([UnchangedSpan(new_structure, 0, start)] if start else []), *parts,
                     *([UnchangedSpan(new_structure, end, len(new))] if end < len(new) else [])])


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


def read_structure(text: str, kind: str = DEFAULT_KIND) -> Structure:
    """The reading of a text that diffs group by: duplicates tolerated, as in a text
    being amended."""
    return parse_structure(text, kind=kind, strict=False)


def _group(ops: Iterable[Op], old_owners: Owners, new_owners: Owners, new: str,
           old_ids: Container[str], *, start: int = 0) -> list[ProvisionDiff | UnchangedRun]:
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
            groups.append(UnchangedRun(owners, first + 1, last, new))
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
            groups[i + 1] = _finish((after.provision, after.label), merged_ops(moved + list(after.ops)), old_ids)
    return [g for g in groups if not isinstance(g, ProvisionDiff) or g.ops]


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
