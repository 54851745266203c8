"""From store rows and core values to response schemas.

Routes build their response bodies here, inside the request's transaction (the session
commits, and expires what it loaded, when the route returns). Every lookup goes through
a service, or is a primary-key ``session.get``.
"""

from __future__ import annotations

import json
from typing import Iterable

from fastapi import Request
from sqlmodel import Session

from regdraft.api import schemas
from regdraft.api.errors import error_body
from regdraft.core.patching import HunkResult
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions, documents
from regdraft.services.amendments import CitationCheck
from regdraft.services.batches import Batch
from regdraft.services.previews import ProposalPreview, Trial
from regdraft.store.models import (Amendment, Decision, Document, Event, Response, Stakeholder, Version,
                                   VersionSource)


class Presenter:
    """Caches the small lookups (stakeholder slugs, version numbers) of one request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._stakeholders: dict[int, Stakeholder] = {}
        self._versions: dict[int, Version] = {}
        self._amendments: dict[int, Amendment] = {}
        self._documents: dict[int, Document] = {}

    # lookups by primary key
    def stakeholder(self, stakeholder_id: int) -> Stakeholder:
        if stakeholder_id not in self._stakeholders:
            self._stakeholders[stakeholder_id] = self.session.get(Stakeholder, stakeholder_id)
        return self._stakeholders[stakeholder_id]

    def version_row(self, version_id: int) -> Version:
        if version_id not in self._versions:
            self._versions[version_id] = self.session.get(Version, version_id)
        return self._versions[version_id]

    def amendment_row(self, amendment_id: int) -> Amendment:
        if amendment_id not in self._amendments:
            self._amendments[amendment_id] = self.session.get(Amendment, amendment_id)
        return self._amendments[amendment_id]

    def document_row(self, document_id: int) -> Document:
        if document_id not in self._documents:
            self._documents[document_id] = self.session.get(Document, document_id)
        return self._documents[document_id]

    # documents
    def document_summary(self, document: Document) -> schemas.DocumentSummary:
        return schemas.DocumentSummary(**self._document_fields(document))

    def document(self, document: Document) -> schemas.DocumentPublic:
        counts = {}
        for status in amendment_service.STATUSES:
            _, counts[status] = amendment_service.list_amendments(self.session, document, status=status, limit=0)
        categories = [schemas.CategoryPublic(slug=c.slug, title=c.title)
                      for c in documents.categories(self.session, document)]
        return schemas.DocumentPublic(**self._document_fields(document), amendments=counts, categories=categories)

    def _document_fields(self, document: Document) -> dict:
        head = documents.head(self.session, document)
        return {"slug": document.slug, "title": document.title, "description": document.description,
                "notice": document.notice, "kind": document.kind, "strict": document.strict,
                "created_at": document.created_at,
                "head": schemas.VersionRef(number=head.number, content_hash=head.content_hash) if head else None,
                "versions": documents.count_versions(self.session, document)}

    # versions
    def version_summary(self, version: Version) -> schemas.VersionSummary:
        return schemas.VersionSummary(**self._version_fields(version))

    def version(self, version: Version) -> schemas.VersionPublic:
        structure = documents.version_structure(self.session, self.document_row(version.document_id), version)
        provisions = [schemas.ProvisionPublic(id=p.id, label=p.label, kind=p.kind, parent=p.parent, start=p.start,
                                              end=p.end, line=p.line, heading=p.heading)
                      for p in structure.provisions]
        return schemas.VersionPublic(**self._version_fields(version), text=version.text, provisions=provisions)

    def version_source(self, source: VersionSource) -> schemas.VersionSourcePublic:
        return schemas.VersionSourcePublic(
            format=source.format, point_in_time=source.point_in_time, metadata=json.loads(source.source_metadata),
            source_ids=[schemas.SourceId(source=pair[0], id=pair[1]) for pair in json.loads(source.source_ids)],
            report=schemas.ImportReportPublic.model_validate(json.loads(source.report)))

    def _version_fields(self, version: Version) -> dict:
        self._versions[version.id] = version
        parent = self.version_row(version.parent_id).number if version.parent_id is not None else None
        produced_by = (self.amendment_row(version.produced_by_id).slug
                       if version.produced_by_id is not None else None)
        return {"number": version.number, "parent": parent, "author": version.author, "message": version.message,
                "created_at": version.created_at, "content_hash": version.content_hash,
                "produced_by": produced_by}

    # amendments
    def amendment_summary(self, amendment: Amendment) -> schemas.AmendmentSummary:
        return schemas.AmendmentSummary(**self._amendment_fields(amendment))

    def amendment(self, amendment: Amendment) -> schemas.AmendmentPublic:
        produced = amendment_service.produced_version(self.session, amendment)
        history = [self.decision(d) for d in decisions.history(self.session, amendment)]
        return schemas.AmendmentPublic(
            **self._amendment_fields(amendment), rationale=amendment.rationale, patch_text=amendment.patch_text,
            hunks=self.hunks(amendment), citations=self.citations(amendment),
            produced_version=produced.number if produced else None,
            decision=history[-1] if history else None, decisions=history,
            falls_if=[a.slug for a in decisions.falls_if(self.session, amendment)],
            fall_with_it=[a.slug for a in decisions.falling_with(self.session, amendment, open_only=False)])

    def batch(self, batch: Batch) -> schemas.BatchPublic:
        return schemas.BatchPublic(batch=batch.id, decisions=[schemas.DecidedPublic(
            amendment=d.amendment.slug, status=d.status, previous=d.previous, reason=d.reason,
            version=self.version_summary(d.version) if d.version is not None else None,
            hunks=hunk_reports(d.hunks), fallen=[a.slug for a in d.fallen]) for d in batch.decided])

    def decision(self, decision: Decision) -> schemas.DecisionPublic:
        return schemas.DecisionPublic(
            status=decision.status, previous=decision.previous, reason=decision.reason, actor=decision.actor,
            at=decision.at, revision=decision.revision, batch=decision.batch,
            cause=self.amendment_row(decision.cause_id).slug if decision.cause_id is not None else None)

    def _amendment_fields(self, amendment: Amendment) -> dict:
        self._amendments[amendment.id] = amendment
        return {"slug": amendment.slug, "title": amendment.title,
                "proposer": self.stakeholder(amendment.proposer_id).slug, "status": amendment.status,
                "base": self.version_row(amendment.base_version_id).number, "base_hash": amendment.base_hash,
                "categories": amendment_service.categories_of(self.session, amendment),
                "revision": amendment.revision, "created_at": amendment.created_at,
                "updated_at": amendment.updated_at}

    def hunks(self, amendment: Amendment) -> list[schemas.HunkPublic]:
        return [schemas.HunkPublic(index=hunk.index + 1, header=hunk.header,
                                   provisions=[schemas.ProvisionRef(id=link.provision_id, label=link.label)
                                               for link in links])
                for hunk, links in amendment_service.hunks_of(self.session, amendment)]

    def citations(self, amendment: Amendment) -> list[schemas.CitationPublic]:
        return [schemas.CitationPublic(response=response.slug,
                                       stakeholder=self.stakeholder(response.stakeholder_id).slug,
                                       quote=citation.quote, start=citation.start, end=citation.end)
                for citation, response in amendment_service.citations_of(self.session, amendment)]

    def proposal_preview(self, proposal: ProposalPreview, request: Request) -> dict:
        """The preview as JSON (``schemas.AmendmentPreview``'s shape). Its diff is built as
        a diff's JSON is, not validated again (on a long text that took longer than the diff)."""
        base = proposal.base.version
        head = proposal.on_head.version if proposal.on_head else base
        summary = schemas.AmendmentPreview.model_construct(
            slug=proposal.slug, base=base.number, base_hash=base.content_hash, head=head.number,
            proposable=proposal.proposable, patch_text=proposal.analysis.patch.text,
            hunks=[schemas.HunkPublic(index=item.hunk.index + 1, header=item.hunk.header,
                                      provisions=[schemas.ProvisionRef(id=ref.id, label=ref.label)
                                                  for ref in item.provisions])
                   for item in proposal.analysis.hunks],
            on_base=_trial_report(proposal.base),
            on_head=_trial_report(proposal.on_head) if proposal.on_head else None,
            citations=[self._citation_check(check, request) for check in proposal.citations])
        return {**summary.model_dump(mode="json", exclude={"diff"}), "diff": proposal.comparison().as_json()}

    def _citation_check(self, check: CitationCheck, request: Request) -> schemas.CitationCheckPublic:
        found = check.anchored
        return schemas.CitationCheckPublic(
            citation=check.number, response=check.citation.response, quote=check.citation.quote,
            ok=check.refusal is None,
            stakeholder=self.stakeholder(check.response.stakeholder_id).slug if check.response else None,
            start=found.start if found else None, end=found.end if found else None,
            problem=error_body(request, check.refusal) if check.refusal else None)

    # responses and stakeholders
    def response_summary(self, response: Response) -> schemas.ResponseSummary:
        return schemas.ResponseSummary(**self._response_fields(response))

    def response(self, response: Response, citing: list[Amendment]) -> schemas.ResponsePublic:
        return schemas.ResponsePublic(**self._response_fields(response), text=response.text,
                                      provenance=response.provenance,
                                      amendments=[self.amendment_summary(a) for a in citing])

    def _response_fields(self, response: Response) -> dict:
        return {"slug": response.slug, "stakeholder": self.stakeholder(response.stakeholder_id).slug,
                "title": response.title, "source": response.source, "url": response.url, "date": response.date,
                "stance": response.stance, "content_hash": response.content_hash}

    @staticmethod
    def stakeholder_public(stakeholder: Stakeholder) -> schemas.StakeholderPublic:
        return schemas.StakeholderPublic(slug=stakeholder.slug, name=stakeholder.name, kind=stakeholder.kind)

    # events
    def event(self, event: Event) -> schemas.EventPublic:
        document = self.document_row(event.document_id).slug if event.document_id is not None else None
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            detail = {"raw": event.detail}
        return schemas.EventPublic(id=event.id, at=event.at, actor=event.actor, action=event.action,
                                   target_type=event.target_type, target=event.target, document=document,
                                   before_hash=event.before_hash, after_hash=event.after_hash,
                                   detail=detail if isinstance(detail, dict) else {"value": detail})


# Pure values ---------------------------------------------------------------------------

def hunk_reports(hunks: Iterable[HunkResult]) -> list[schemas.HunkReport]:
    return [schemas.HunkReport(**h.as_dict()) for h in hunks]


def _trial_report(trial: Trial) -> schemas.TrialReport:
    return schemas.TrialReport(version=trial.version.number, ok=trial.result.ok,
                               hunks=hunk_reports(trial.result.hunks))
