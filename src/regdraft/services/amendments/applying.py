"""Applying amendments in turn to a version, and the pairs of amendments that conflict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from regdraft.core.conflicts import AmendmentChanges, ChangeSpan, ConflictPair, find_conflicts
from regdraft.core.errors import InvalidInput
from regdraft.core.patching import HunkResult, applied_in_turn, parse_patch
from regdraft.core.text import content_hash
from regdraft.services.amendments.lookup import hunks_of_each
from regdraft.store.models import Amendment, Document, Version


@dataclass(frozen=True)
class AppliedAmendment:
    amendment: Amendment
    hunks: tuple[HunkResult, ...]
    """How each of its hunks applied. The text it made is not kept: only the last is
    the outcome, and a run of hundreds of amendments to a long text would otherwise
    hold every text in between."""

    @property
    def ok(self) -> bool:
        return all(h.applied for h in self.hunks)


@dataclass(frozen=True)
class ApplyOutcome:
    version: Version
    text: str | None
    steps: tuple[AppliedAmendment, ...]

    @property
    def ok(self) -> bool:
        return self.text is not None


def apply_amendments(session: Session, document: Document, version: Version, amendments: list[Amendment], *,
                     partial: bool = False) -> ApplyOutcome:
    """Apply amendments in order to ``version``. All-or-nothing unless ``partial``:
    a failed hunk stops the run and no text is returned."""
    if not amendments:
        raise InvalidInput("name at least one amendment to apply", field="amendments")
    check_not_already_in(session, version, amendments)
    steps: list[AppliedAmendment] = []
    text: str | None = None
    for amendment, result in zip(amendments, applied_in_turn([parse_patch(a.patch_text) for a in amendments],
                                                             version.text, partial=partial)):
        steps.append(AppliedAmendment(amendment, result.hunks))
        text = result.text
    return ApplyOutcome(version, text if len(steps) == len(amendments) else None, tuple(steps))


def check_not_already_in(session: Session, version: Version, amendments: list[Amendment]) -> None:
    """Refuse to apply an accepted amendment to the version it produced or a later one:
    its change is already there, and its context usually still is, so it would be made twice."""
    produced = dict(session.exec(select(Version.produced_by_id, Version.number)
                                 .where(Version.produced_by_id.in_([a.id for a in amendments]))).all())
    for amendment in amendments:
        number = produced.get(amendment.id)
        if number is not None and number <= version.number:
            raise InvalidInput(f"amendment {amendment.slug!r} is already in version {version.number}: "
                               f"accepting it produced version {number}",
                               field="amendments", amendment=amendment.slug, version=number)


def conflicts(session: Session, document: Document, amendments: list[Amendment], *,
              context: bool = True) -> list[ConflictPair]:
    """Every conflicting pair (``core.conflicts.find_conflicts``); without ``context``,
    not the pairs of that kind, which take applying the near pairs to find."""
    # History is linear, so a version numbered at or below an amendment's base is in it.
    produced = session.exec(select(Version.number, Amendment.slug)
                            .join(Amendment, Version.produced_by_id == Amendment.id)
                            .where(Version.document_id == document.id)).all()
    base_numbers = dict(session.exec(select(Version.id, Version.number)
                                     .where(Version.id.in_({a.base_version_id for a in amendments}))).all())
    hunks = hunks_of_each(session, amendments)
    patches = {a.slug: parse_patch(a.patch_text) for a in amendments} if context else {}
    changes = []
    for amendment in amendments:
        looked_for = {h.index: h.looks_for for h in patches[amendment.slug].hunks} if context else {}
        spans = tuple(ChangeSpan(h.start, h.end, tuple((p.provision_id, p.label) for p in links),
                                 looked_for.get(h.index))
                      for h, links in hunks[amendment.id])
        base_number = base_numbers[amendment.base_version_id]
        built_on = frozenset(slug for number, slug in produced if number <= base_number)
        changes.append(AmendmentChanges(amendment.slug, amendment.base_hash, spans, built_on,
                                        content_hash(amendment.patch_text)))
    by_slug = {a.slug: a for a in amendments}

    def do_not_combine(first: str, second: str) -> bool:
        """Whether either amendment fails to apply after the other, on their base."""
        base = session.get(Version, by_slug[first].base_version_id).text
        return any(result.text is None for order in ((first, second), (second, first))
                   for result in applied_in_turn([patches[slug] for slug in order], base))

    return find_conflicts(changes, do_not_combine) if context else find_conflicts(changes)
