"""What an amendment does to its base: the patched text and, for each hunk, the
provisions it touches.

A hunk touches the provisions of the base that it deletes from or edits, and the
provisions of the result that its inserted text stands in (so inserting a new
regulation 5 touches ``reg-5``, which the base does not have yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from regdraft.core.errors import InvalidInput, PatchDoesNotApply
from regdraft.core.patching import ApplyResult, Hunk, Patch, apply_patch, make_patch, parse_patch
from regdraft.core.structure import Provision, StretchReader, Structure
from regdraft.core.text import normalise, still_normalised


@dataclass(frozen=True)
class ProvisionRef:
    id: str
    label: str


@dataclass(frozen=True)
class HunkAnalysis:
    hunk: Hunk
    provisions: tuple[ProvisionRef, ...]


@dataclass(frozen=True)
class Analysis:
    patch: Patch
    result: str
    hunks: tuple[HunkAnalysis, ...]
    changed: tuple[int, int, int] | None = None
    """Where ``result`` differs from the base (``ApplyResult.changed``)."""

    @property
    def provisions(self) -> tuple[ProvisionRef, ...]:
        seen: dict[str, ProvisionRef] = {}
        for hunk in self.hunks:
            for ref in hunk.provisions:
                seen.setdefault(ref.id, ref)
        return tuple(seen.values())


def analyse(base: str, patch_text: str) -> Analysis:
    """Parse ``patch_text``, apply it exactly to ``base`` and find what each hunk touches.

    Raises :class:`InvalidPatch` for text that is not a patch and
    :class:`PatchDoesNotApply` (with the hunk report) for a patch made against another
    text: an amendment is only ever stored against the base it applies to exactly.
    ``base`` is normalised (a version's text); where the patch's result is not, the
    analysis is of the patch to the normalised result, so that what is stored replays.
    """
    patch = parse_patch(patch_text)
    applied = apply_patch(patch, base)
    if not applied.exact or applied.text is None:
        bad = [h for h in applied.hunks if h.status.value != "exact"]
        raise PatchDoesNotApply(
            f"the patch does not apply exactly to its base: hunk {bad[0].index + 1} "
            f"{bad[0].status.value} (expected at offset {bad[0].expected_at})",
            hunks=[h.as_dict() for h in applied.hunks])
    if not result_is_normalised(applied):
        # A version's text is stored normalised: a patch whose result is not (a blank
        # before a line end, a decomposed accent) would make a version that replaying
        # the patch does not give. The patch stored is the one to the normalised result;
        # a result that cannot be normalised (a control character) is refused.
        text = normalise(applied.text, what="the patched text")
        if text == base:
            raise InvalidInput("the patch changes only blanks at line ends (or other things normalising "
                               "undoes): there is nothing to amend", field="patch_text")
        patch = parse_patch(make_patch(base, text))
        applied = apply_patch(patch, base)
    # A hunk changes a few places of a long text: the provisions there are read from the
    # stretch around each, not from both whole texts.
    before = StretchReader(base)
    after = StretchReader(applied.text, edited_from=before, changed=applied.changed)
    hunks = []
    for h in patch.hunks:
        old, new = _trim(base, h.start, h.end), _trim(applied.text, h.new_start, h.new_end)
        hunks.append(HunkAnalysis(h, touched(old, new, before.structure_around(*old), after.structure_around(*new))))
    return Analysis(patch, applied.text, tuple(hunks), applied.changed)


def result_is_normalised(applied: ApplyResult) -> bool:
    """Whether a patch applied to a normalised text left it normalised, from the lines
    it changed alone."""
    return applied.changed is None or still_normalised(applied.text, applied.changed[0], applied.changed[2])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a range to the words in it: the blank line that separates an inserted
    regulation from the one before it does not touch the one before it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def touched(old: tuple[int, int], new: tuple[int, int], before: Structure, after: Structure) -> tuple[ProvisionRef, ...]:
    """Provisions of the base a hunk changes (``old`` range) and provisions of the
    result its inserted text stands in (``new`` range)."""
    found: list[Provision] = []
    if old[0] < old[1] or new[0] == new[1]:
        found += before.touching(*old)
    if new[0] < new[1]:
        found += after.touching(*new)
    refs: dict[str, ProvisionRef] = {}
    for p in found:
        refs.setdefault(p.id, ProvisionRef(p.id, p.label))
    return tuple(refs.values())

