"""Keeling schedules: the text as amended by chosen amendments, every change traced to
the amendment and the responses behind it; conflicting amendments are withheld and the
conflict stated where it arises. Redlines of plain comparisons come from
``services.comparisons``; the formats themselves from ``core.redline``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlmodel import Session

from regdraft.core.keeling import AmendmentNote, CitationNote, ConflictNotice, Keeling, render_keeling
from regdraft.core.structure import Structure, parse_structure
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.services.comparisons import amendment_key, apply_in_order, etag
from regdraft.store.models import Amendment, Document, Stakeholder


@dataclass(frozen=True)
class Links:
    """Where rendered links point: the API by default, web pages when they render."""

    amendment: Callable[[str, str], str] = lambda doc, slug: f"/api/documents/{doc}/amendments/{slug}"
    quote: Callable[[str, str, int, int], str] = (
        lambda doc, slug, start, end: f"/api/documents/{doc}/responses/{slug}#quote-{start}-{end}")


@dataclass(frozen=True)
class KeelingSchedule:
    title: str
    keeling: Keeling
    applied: tuple[str, ...]
    withheld: tuple[str, ...]
    """Amendments left out because they conflict with another chosen one."""
    etag: str


def keeling_schedule(session: Session, document: Document, version: int, slugs: list[str],
                     links: Links = Links()) -> KeelingSchedule:
    """The version as amended by ``slugs``; amendments that conflict are withheld and
    the conflict is stated where it arises."""
    base = documents.get_version(session, document, version)
    chosen = amendment_service.resolve(session, document, slugs)
    pairs = amendment_service.conflicts(session, document, chosen)
    withheld = {name for pair in pairs for name in (pair.first, pair.second)}
    to_apply = [a for a in chosen if a.slug not in withheld]
    applied = apply_in_order(base, to_apply)
    final = applied[-1][1] if applied else base.text
    structure = parse_structure(final, strict=False)
    notices = []
    for pair in pairs:
        labels = ", ".join(label for _, label in pair.provisions) or "the same text"
        message = (f"Conflict: amendments “{pair.first}” and “{pair.second}” both change {labels}. "
                   f"Neither is applied in this schedule; the drafter must choose.")
        place = next((pid for pid, _ in pair.provisions if pid in structure), None)
        notices.append(ConflictNotice(place or _nearest_existing(session, document, pair.first, structure), message))
    notes = {a.slug: _amendment_note(session, document, a, links) for a in chosen}
    keeling = render_keeling(base.text, applied, notes, notices)
    return KeelingSchedule(f"{document.title}: Keeling schedule of version {base.number}", keeling,
                           tuple(s for s, _ in applied), tuple(a.slug for a in chosen if a.slug in withheld),
                           etag("keeling", base.content_hash, *map(amendment_key, chosen)))


def _nearest_existing(session: Session, document: Document, slug: str, structure: Structure) -> str:
    """A provision of the amended text next to where the amendment would have acted."""
    amendment = amendment_service.get_amendment(session, document, slug)
    for hunk, _ in amendment_service.hunks_of(session, amendment):
        hit = structure.at(min(hunk.start, max(len(structure.text) - 1, 0)))
        if hit is not None:
            return hit.id
    return "preamble"


def _amendment_note(session: Session, document: Document, amendment: Amendment, links: Links) -> AmendmentNote:
    citations = tuple(
        CitationNote(session.get(Stakeholder, response.stakeholder_id).name, citation.quote,
                     links.quote(document.slug, response.slug, citation.start, citation.end))
        for citation, response in amendment_service.citations_of(session, amendment))
    return AmendmentNote(amendment.slug, amendment.title, session.get(Stakeholder, amendment.proposer_id).name,
                         links.amendment(document.slug, amendment.slug), citations)
