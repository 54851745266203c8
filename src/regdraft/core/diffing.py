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
from dataclasses import dataclass
from typing import Iterable, Iterator

from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_words
from regdraft.core.structure import PREAMBLE, Structure, parse_structure

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


class _Boundaries:
    """Cut points of a structure: where the innermost provision can change."""

    def __init__(self, structure: Structure) -> None:
        self.structure = structure
        self.cuts = sorted({b for p in structure.provisions for b in (p.start, p.end)})

    def split(self, start: int, text: str) -> list[tuple[int, str]]:
        """Split ``text`` (standing at ``start``) at cut points."""
        pieces = []
        end = start + len(text)
        i = bisect.bisect_right(self.cuts, start)
        at = start
        while i < len(self.cuts) and self.cuts[i] < end:
            cut = self.cuts[i]
            pieces.append((at, text[at - start:cut - start]))
            at = cut
            i += 1
        pieces.append((at, text[at - start:]))
        return [(s, t) for s, t in pieces if t]

    def owner(self, offset: int) -> tuple[str, str]:
        hit = self.structure.at(offset)
        return (hit.id, hit.label) if hit else (PREAMBLE, "the preamble")


def diff_texts(old: str, new: str) -> TextDiff:
    """Diff two texts and group the changes by provision."""
    return group_by_provision(old, new, diff_words(old, new))


@dataclass(frozen=True)
class Step:
    """One change in a history: the text after it, and what made it (an amendment's
    slug, or a version's name)."""

    text: str
    source: str


def diff_steps(base: str, steps: list[Step]) -> TextDiff:
    """Diff ``base`` against the last step's text, attributing every inserted and
    deleted word to the step that inserted or deleted it.

    Each step is diffed against the one before; what each character of the current
    text is (a character of the base, or inserted by step k) is carried forward, so
    the final diff is the net change (words inserted by one step and deleted by a
    later one do not appear) with each change's source known exactly.
    """
    current = base
    origin: list[int] = list(range(len(base)))  # base offset, or -1 if inserted
    made_by: list[str | None] = [None] * len(base)  # who inserted it
    deleted_by: list[str | None] = [None] * len(base)
    for step in steps:
        next_origin: list[int] = []
        next_made_by: list[str | None] = []
        at = 0
        for op in diff_words(current, step.text):
            n = len(op.text)
            if op.kind == EQUAL:
                next_origin += origin[at:at + n]
                next_made_by += made_by[at:at + n]
                at += n
            elif op.kind == DELETE:
                for base_offset in origin[at:at + n]:
                    if base_offset >= 0:
                        deleted_by[base_offset] = step.source
                at += n
            else:
                next_origin += [-1] * n
                next_made_by += [step.source] * n
        current, origin, made_by = step.text, next_origin, next_made_by
    return group_by_provision(base, current, _net_ops(base, current, origin, made_by, deleted_by))


def _net_ops(base: str, final: str, origin: list[int], made_by: list[str | None],
             deleted_by: list[str | None]) -> list[Op]:
    ops: list[Op] = []

    def emit(kind: str, text: str, source: str | None) -> None:
        if ops and ops[-1].kind == kind and ops[-1].source == source:
            ops[-1] = Op(kind, ops[-1].text + text, source)
        else:
            ops.append(Op(kind, text, source))

    def delete_until(end: int) -> None:
        nonlocal next_base
        while next_base < end:
            emit(DELETE, base[next_base], deleted_by[next_base])
            next_base += 1

    next_base = 0
    # Deletions are shown before the insertions that replace them.
    kept_after = [len(base)] * (len(final) + 1)
    for i in range(len(final) - 1, -1, -1):
        kept_after[i] = origin[i] if origin[i] >= 0 else kept_after[i + 1]
    for i, char in enumerate(final):
        if origin[i] >= 0:
            delete_until(origin[i])
            emit(EQUAL, char, None)
            next_base = origin[i] + 1
        else:
            delete_until(kept_after[i])
            emit(INSERT, char, made_by[i])
    delete_until(len(base))
    return ops


def group_by_provision(old: str, new: str, ops) -> TextDiff:
    """Cut a diff of ``old`` into ``new`` at provision boundaries and group the pieces."""
    old_structure, new_structure = parse_structure(old, strict=False), parse_structure(new, strict=False)
    old_cuts, new_cuts = _Boundaries(old_structure), _Boundaries(new_structure)
    return TextDiff(tuple(_group(_pieces(ops, old_cuts, new_cuts, len(new)), old_structure)))


def _pieces(ops, old_cuts: _Boundaries, new_cuts: _Boundaries, new_length: int) -> Iterator[tuple[str, str, Op]]:
    """The diff cut at provision boundaries, as (provision id, label, op), one at a time
    (a long text has a piece for every provision)."""
    at_old = at_new = 0
    for op in ops:
        if op.kind == DELETE:
            for start, text in old_cuts.split(at_old, op.text):
                old_id, old_label = old_cuts.owner(start)
                whole = _wholly_deleted(old_cuts.structure, old_id, at_old, at_old + len(op.text))
                owner = (old_id, old_label) if whole else new_cuts.owner(min(at_new, max(new_length - 1, 0)))
                yield *owner, Op(DELETE, text, op.source)
            at_old += len(op.text)
        else:
            for start, text in new_cuts.split(at_new, op.text):
                yield *new_cuts.owner(start), Op(op.kind, text, op.source)
            at_new += len(op.text)
            if op.kind == EQUAL:
                at_old += len(op.text)


def _wholly_deleted(structure: Structure, provision_id: str, start: int, end: int) -> bool:
    provision = structure.get(provision_id)
    return provision is not None and start <= provision.start and provision.end <= end


def _group(pieces: Iterable[tuple[str, str, Op]], old_structure: Structure) -> list[ProvisionDiff]:
    groups: list[ProvisionDiff] = []
    run: list[Op] = []
    key: tuple[str, str] | None = None
    for provision, label, op in pieces:
        if key is not None and key != (provision, label):
            groups.append(_finish(key, run, old_structure))
            run = []
        key = (provision, label)
        if run and (run[-1].kind, run[-1].source) == (op.kind, op.source):
            run[-1] = Op(op.kind, run[-1].text + op.text, op.source)
        else:
            run.append(op)
    if key is not None:
        groups.append(_finish(key, run, old_structure))
    return _move_blank_lines_into_new_provisions(groups, old_structure)


def _move_blank_lines_into_new_provisions(groups: list[ProvisionDiff], old_structure: Structure) -> list[ProvisionDiff]:
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
            groups[i] = _finish((before.provision, before.label), ops, old_structure)
            groups[i + 1] = _finish((after.provision, after.label), _merge_ops(moved + list(after.ops)),
                                    old_structure)
    return [g for g in groups if g.ops]


def _merge_ops(ops: list[Op]) -> list[Op]:
    merged: list[Op] = []
    for op in ops:
        if merged and (merged[-1].kind, merged[-1].source) == (op.kind, op.source):
            merged[-1] = Op(op.kind, merged[-1].text + op.text, op.source)
        else:
            merged.append(op)
    return merged


def _finish(key: tuple[str, str], ops: list[Op], old_structure: Structure) -> ProvisionDiff:
    if not ops:
        return ProvisionDiff(key[0], key[1], UNCHANGED, ())
    if len(ops) == 1 and ops[0].kind == EQUAL:  # most provisions of a long text: checked first
        return ProvisionDiff(key[0], key[1], UNCHANGED, tuple(ops))
    kinds = {op.kind for op in ops}
    if kinds == {EQUAL}:
        status = UNCHANGED
    elif kinds == {INSERT} and key[0] not in old_structure:
        status = ADDED
    elif kinds == {DELETE}:
        status = REMOVED
    else:
        status = CHANGED
    return ProvisionDiff(key[0], key[1], status, tuple(ops))


def unified_diff(old: str, new: str, *, old_name: str = "old", new_name: str = "new", context: int = 3) -> str:
    """A line-based unified diff whose hunk headers name the provision, like git's
    function context: ``@@ -12,4 +12,6 @@ regulation 3(a)``."""
    old_structure = parse_structure(old, strict=False)
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
