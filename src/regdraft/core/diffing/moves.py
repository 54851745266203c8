"""Provisions moved (unchanged or with edits) and renumbered, found among the groups."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Container

from regdraft.core.diffing.model import (ADDED, CHANGED, MOVED, RENUMBERED, UNCHANGED, ProvisionDiff, Relocation,
                                         UnchangedSpan)
from regdraft.core.diffing.owners import Owners
from regdraft.core.diffing.review import LABEL, WORD, merged_ops, reviewed
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_words

_NUMBER = re.compile(rf"[0-9]+[A-Za-z]*|{LABEL}")


def relocated(parts: list, old_owners: Owners, old_ids: Container[str], start: int = 0) -> list:
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
        at += part.length if isinstance(part, UnchangedSpan) else len(part.old)
        if not isinstance(part, ProvisionDiff) or part.status == UNCHANGED:
            continue
        kinds = {op.kind for op in part.ops}
        if kinds == {DELETE} or kinds == {INSERT}:
            words = " ".join(part.old.split() if kinds == {DELETE} else part.new.split())
            if len(WORD.findall(words)) >= 2:
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
    return tuple(merged_ops(reviewed(ops)))


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
            tokens = WORD.findall(words)
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


def _renumbering(group: ProvisionDiff, old_owners: Owners, old_at: int) -> Relocation | None:
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
