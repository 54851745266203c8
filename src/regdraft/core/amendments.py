"""What an amendment does to its base: the patched text and, for each hunk, the
provisions it touches.

A hunk touches the provisions of the base that it deletes from or edits, and the
provisions of the result that its inserted text stands in (so inserting a new
regulation 5 touches ``reg-5``, which the base does not have yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from regdraft.core.errors import PatchDoesNotApply
from regdraft.core.patching import Hunk, Patch, apply_patch, parse_patch
from regdraft.core.structure import Provision, Structure, parse_structure


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
    """
    patch = parse_patch(patch_text)
    applied = apply_patch(patch, base)
    if not applied.exact or applied.text is None:
        bad = [h for h in applied.hunks if h.status.value != "exact"]
        raise PatchDoesNotApply(
            f"the patch does not apply exactly to its base: hunk {bad[0].index + 1} "
            f"{bad[0].status.value} (expected at offset {bad[0].expected_at})",
            hunks=[_report(h) for h in applied.hunks])
    before, after = parse_structure(base, strict=False), parse_structure(applied.text, strict=False)
    return Analysis(patch, applied.text, tuple(HunkAnalysis(h, touched(h, before, after)) for h in patch.hunks))


def touched(hunk: Hunk, before: Structure, after: Structure) -> tuple[ProvisionRef, ...]:
    found: list[Provision] = []
    if hunk.start < hunk.end or hunk.new_start == hunk.new_end:
        found += before.touching(hunk.start, hunk.end)
    if hunk.new_start < hunk.new_end:
        found += after.touching(hunk.new_start, hunk.new_end)
    refs: dict[str, ProvisionRef] = {}
    for p in found:
        refs.setdefault(p.id, ProvisionRef(p.id, p.label))
    return tuple(refs.values())


def _report(result) -> dict:
    return {"hunk": result.index + 1, "status": result.status.value, "expected_at": result.expected_at,
            "found_at": result.found_at, "shift": result.shift}
