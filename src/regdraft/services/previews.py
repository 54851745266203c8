"""Previews: what proposing an amendment would store, worked out and stored nowhere.

The propose (and revise) page's **Preview** and ``POST …/amendments/preview`` both ask
:func:`preview_proposal`: the proposal checked as proposing checks it, its patch applied
to its base and, when the head has moved on, to the head (:class:`Trial`, each hunk's
report and the diff it makes), and each citation verified against its response. An
amendment's page shows a stored amendment's trials the same way (:func:`trial`).
"""

from __future__ import annotations

from dataclasses import dataclass
from sqlmodel import Session

from regdraft.core.amendments import Analysis
from regdraft.core.diffing import TextDiff
from regdraft.core.history import Step, diff_steps
from regdraft.core.patching import ApplyResult, apply_patch, make_patch, parse_patch
from regdraft.core.redline import Source
from regdraft.core.structure import Structure
from regdraft.core.text import content_hash, normalise
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.services.amendments import AmendmentInput, CitationCheck
from regdraft.services.comparisons import Comparison, etag
from regdraft.store.models import Document, Version


@dataclass(frozen=True)
class Trial:
    """A patch applied to one version as far as it goes: how each hunk applied, the text
    it made (the version's own where nothing applied) and the diff of the version into
    it, every change the amendment's (``source``)."""

    version: Version
    result: ApplyResult
    text: str
    diff: TextDiff
    version_structure: Structure
    structure: Structure
    """The text's structure."""


def trial(session: Session, document: Document, patch_text: str, version: Version, source: str) -> Trial:
    """``patch_text`` applied to ``version`` (as far as it goes), as the amendment ``source``.
    Both structures are read as the document keeps them (a 1 MB text's reading, twice
    over, was most of a preview's time)."""
    result = apply_patch(parse_patch(patch_text), version.text, partial=True)
    text = result.text if result.text is not None else version.text
    version_structure = documents.version_structure(session, document, version)
    structure = documents.structure_of(document, text)
    return Trial(version, result, text, diff_steps(version.text, [Step(text, source, result.changed)], document.kind,
                                                   base_structure=version_structure, last_structure=structure),
                 version_structure, structure)


@dataclass(frozen=True)
class ProposalPreview:
    """What proposing an amendment would store, and where it would be refused."""

    document: Document
    slug: str
    analysis: Analysis
    """Its patch on its base, and the provisions each hunk touches there."""
    trials: tuple[Trial, ...]
    """On its base; then on the head, when the head is another version."""
    citations: tuple[CitationCheck, ...]
    sources: dict[str, Source]
    """The amendment as its redlines name it."""

    @property
    def base(self) -> Trial:
        return self.trials[0]

    @property
    def on_head(self) -> Trial | None:
        return self.trials[1] if len(self.trials) > 1 else None

    @property
    def hunk_provisions(self) -> list[list[str]]:
        """The labels of the provisions each hunk touches, in the base."""
        return [[ref.label for ref in hunk.provisions] for hunk in self.analysis.hunks]

    @property
    def proposable(self) -> bool:
        """Whether proposing it would store it (its citations are what may still refuse it)."""
        return all(check.refusal is None for check in self.citations)

    def comparison(self) -> Comparison:
        """The base against the amended text, as ``GET …/versions/{base}/diff?amendments={slug}``
        compares them once it is stored."""
        document, base = self.document, self.base
        number = base.version.number
        return Comparison(f"{document.slug}@{number}", f"{document.slug}@{number}+{self.slug}", base.version.text,
                          base.text, base.diff, self.sources,
                          etag("preview", document.kind, base.version.content_hash,
                               content_hash(self.analysis.patch.text)), document.kind, base.version_structure,
                          new_structure=base.structure, hashes=(base.version.content_hash, content_hash(base.text)))


def preview_proposal(session: Session, document: Document, data: AmendmentInput, *,
                     revising: bool = False) -> ProposalPreview:
    """What proposing ``data`` would store: every check proposing makes (the slug free,
    unless ``revising`` the amendment that has it; the proposer known) raises as it
    does, except the citations', which are reported one by one. It reads, never writes."""
    base, analysis = amendment_service.analysed(session, document, data)
    if not revising:
        amendment_service.check_slug_free(session, document, data.slug)
    proposer = documents.get_stakeholder(session, data.proposer)
    head = documents.head(session, document)
    targets = [base] if head is None or head.id == base.id else [base, head]
    return ProposalPreview(document, data.slug, analysis,
                           tuple(trial(session, document, analysis.patch.text, target, data.slug)
                                 for target in targets),
                           tuple(amendment_service.check_citations(session, document, data.citations)),
                           {data.slug: Source(data.title, proposer.name)})


def carried_onto(old_base: Version, text: str, new_base: Version) -> ApplyResult | None:
    """A drafter's edit of ``old_base`` (its edited ``text``) carried onto ``new_base``,
    as a patch is applied to a later head: the result says how each hunk applied, and
    has no text when one does not. ``None`` when ``text`` is no edit of the old base
    (the new base's text is the one to start from then)."""
    edited = normalise(text)
    if edited == old_base.text:
        return None
    return apply_patch(parse_patch(make_patch(old_base.text, edited)), new_base.text)
