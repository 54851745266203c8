"""Diffs between versions, or between a version and amendments applied to it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from regdraft.core.diffing import TextDiff, diff_texts, unified_diff
from regdraft.core.errors import PatchDoesNotApply
from regdraft.core.text import content_hash
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.store.models import Document


@dataclass(frozen=True)
class Comparison:
    """Two texts and how they differ; names say what each side is."""

    old_name: str
    new_name: str
    old_text: str
    new_text: str
    diff: TextDiff

    @property
    def old_hash(self) -> str:
        return content_hash(self.old_text)

    @property
    def new_hash(self) -> str:
        return content_hash(self.new_text)

    def unified(self) -> str:
        return unified_diff(self.old_text, self.new_text, old_name=self.old_name, new_name=self.new_name)


def compare_texts(old_name: str, old: str, new_name: str, new: str) -> Comparison:
    return Comparison(old_name, new_name, old, new, diff_texts(old, new))


def compare_versions(session: Session, document: Document, old: int, new: int) -> Comparison:
    a, b = documents.get_version(session, document, old), documents.get_version(session, document, new)
    return compare_texts(f"{document.slug}@{a.number}", a.text, f"{document.slug}@{b.number}", b.text)


def compare_amendments(session: Session, document: Document, version: int, slugs: list[str]) -> Comparison:
    """The version against the amendments applied to it in order (all-or-nothing)."""
    base = documents.get_version(session, document, version)
    chosen = amendment_service.resolve(session, document, slugs)
    outcome = amendment_service.apply_amendments(session, document, base, chosen)
    if outcome.text is None:
        failed = outcome.steps[-1]
        raise PatchDoesNotApply(
            f"amendment {failed.amendment.slug!r} does not apply to version {version} "
            f"(after {len(outcome.steps) - 1} earlier amendment(s))",
            amendment=failed.amendment.slug, hunks=[h.as_dict() for h in failed.result.hunks])
    return compare_texts(f"{document.slug}@{base.number}", base.text,
                         f"{document.slug}@{base.number}+{'+'.join(slugs)}", outcome.text)
