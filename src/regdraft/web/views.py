"""What each page shows, gathered from the services: the same use cases the API
calls, arranged for reading. Nothing here renders HTML except through ``marks``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from fastapi import Request
from markupsafe import Markup
from sqlmodel import Session

from regdraft.api.render_cache import RenderCache

from regdraft.core.diffing import TextDiff
from regdraft.core.patching import HunkResult
from regdraft.core.redline import Change, Source, render_markdown
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions, documents, events, previews, xref
from regdraft.services.batches import Batch
from regdraft.services.comparisons import Comparison, sources_of
from regdraft.services.kept import held_bytes
from regdraft.services.previews import ProposalPreview, Trial
from regdraft.services.rendering import KeelingSchedule, amendment_url, page_links, quote_url
from regdraft.store.models import Amendment, Decision, Document, Response, Stakeholder, Version
from regdraft.web import marks

# Every list on a page shows everything; a consultation has tens of amendments, not thousands.
ALL = 10_000


#: Links in rendered schedules point at pages, not at the API.
PAGE_LINKS = page_links()


# Rendered parts, cached --------------------------------------------------------------

Built = TypeVar("Built")


def cached(request: Request, session: Session, document: Document, what: tuple,
           build: Callable[[], tuple[Built, int]]) -> Built:
    """``build()``'s result for ``what`` (a page's name and everything its rendered parts
    of ``document`` depend on besides the document), kept in the app's render cache until
    the document changes: the API's redlines and schedules are kept the same way, under
    the same bound (api/render_cache.py). ``build`` gives the parts and their size in
    characters. Only parts every reader sees alike belong here, never the page around
    them (whose forms carry the reader's own CSRF token)."""
    return kept(request, ("page", document.slug, events.generation(session, document), *what), build)


def kept(request: Request, key: tuple, build: Callable[[], tuple[Built, int]]) -> Built:
    """``build()``'s result for ``key`` (everything it depends on), kept in the app's
    render cache under its bound; ``build`` gives the result and its size."""
    cache: RenderCache = request.app.state.render_cache
    found = cache.get(key)
    if found is None:
        found, size = build()
        cache.put(key, found, size=size)
    return found


@dataclass(frozen=True)
class ComparisonParts:
    """What the compare page shows of a comparison."""

    old_name: str
    new_name: str
    body: Markup
    changes: list[Change]
    rows: list[marks.SideBySideRow]
    stats: dict[str, int]


def comparison_parts(comparison: Comparison, *, side_by_side: bool) -> ComparisonParts:
    body, changes = marks.redline(comparison.diff, comparison.sources, rendering=comparison.rendering_to_splice())
    rows = marks.side_by_side(comparison.diff, comparison.sources) if side_by_side else []
    return ComparisonParts(comparison.old_name, comparison.new_name, body, changes, rows, comparison.diff.stats())


@dataclass(frozen=True)
class ScheduleParts:
    """What the Keeling page shows of a schedule."""

    title: str
    applied: tuple[str, ...]
    withheld: tuple[str, ...]
    changes: int
    body: Markup
    notes: Markup


def schedule_parts(schedule: KeelingSchedule) -> tuple[ScheduleParts, int]:
    body = Markup(marks.label_changes(schedule.keeling.body.decode("utf-8", "surrogatepass")))
    notes = Markup(schedule.keeling.notes)
    return (ScheduleParts(schedule.title, schedule.applied, schedule.withheld, len(schedule.keeling.changes),
                          body, notes), held_bytes(body) + held_bytes(notes))


# Documents --------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentRow:
    document: Document
    head: Version | None
    versions: int
    by_status: dict[str, int]


def document_rows(session: Session) -> list[DocumentRow]:
    rows, _ = documents.list_documents(session, limit=ALL)
    return [DocumentRow(d, documents.head(session, d), documents.count_versions(session, d), status_counts(session, d))
            for d in rows]


def status_counts(session: Session, document: Document) -> dict[str, int]:
    counts = {}
    for status in amendment_service.STATUSES:
        _, counts[status] = amendment_service.list_amendments(session, document, status=status, limit=0)
    return counts


@dataclass(frozen=True)
class HistoryEntry:
    version: Version
    produced_by: Amendment | None


def history(session: Session, document: Document) -> list[HistoryEntry]:
    return [HistoryEntry(v, session.get(Amendment, v.produced_by_id) if v.produced_by_id else None)
            for v in documents.list_versions(session, document)]


# Amendments -------------------------------------------------------------------------

@dataclass(frozen=True)
class AmendmentRow:
    amendment: Amendment
    proposer: Stakeholder
    base: int
    categories: list[str]
    provisions: list[tuple[str, str]]


def amendment_rows(session: Session, document: Document, amendments: list[Amendment]) -> list[AmendmentRow]:
    return [AmendmentRow(a, session.get(Stakeholder, a.proposer_id), session.get(Version, a.base_version_id).number,
                         amendment_service.categories_of(session, a), touched_provisions(session, a))
            for a in amendments]


def touched_provisions(session: Session, amendment: Amendment) -> list[tuple[str, str]]:
    """(id, label) of every provision the amendment's hunks touch, in order, once each."""
    seen: dict[str, str] = {}
    for _, links in amendment_service.hunks_of(session, amendment):
        for link in links:
            seen.setdefault(link.provision_id, link.label)
    return list(seen.items())


@dataclass(frozen=True)
class CitationView:
    number: int
    response: Response
    stakeholder: Stakeholder
    quote: str
    href: str


@dataclass(frozen=True)
class HunkLine:
    number: int
    status: str
    expected_at: int
    found_at: int | None
    shift: int | None
    provisions: list[str]


@dataclass(frozen=True)
class Preview:
    """The amendment applied to one version: its redline and its hunk report."""

    version: Version
    applied: bool
    """Every hunk applied; when not, ``redline`` shows the hunks that did."""
    hunks: list[HunkLine]
    excerpt: Markup
    """The redline of the changed provisions only; their changes have ids."""
    whole: Markup
    """The redline of the whole text, without ids (the excerpt has them)."""
    changes: list[Change]


@dataclass(frozen=True)
class ConflictView:
    other: Amendment
    kind: str
    provisions: list[str]


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    cause: Amendment | None
    """For a fall: the amendment whose acceptance it fell with."""


def decision_views(session: Session, amendment: Amendment) -> list[DecisionView]:
    return [DecisionView(d, session.get(Amendment, d.cause_id) if d.cause_id is not None else None)
            for d in reversed(decisions.history(session, amendment))]


@dataclass
class AmendmentView:
    amendment: Amendment
    proposer: Stakeholder
    categories: list[str]
    rationale: Markup
    citations: list[CitationView]
    base: Version
    head: Version
    produced: Version | None
    previews: list[Preview] = field(default_factory=list)
    conflicts: list[ConflictView] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)
    """Every decision on it, newest first."""
    falls_if: list[Amendment] = field(default_factory=list)
    fall_with_it: list[Amendment] = field(default_factory=list)


def amendment_view(session: Session, document: Document, amendment: Amendment) -> AmendmentView:
    base = session.get(Version, amendment.base_version_id)
    head = documents.head(session, document)
    hunk_provisions = [[link.label for link in links] for _, links in amendment_service.hunks_of(session, amendment)]
    view = AmendmentView(
        amendment=amendment, proposer=session.get(Stakeholder, amendment.proposer_id),
        categories=amendment_service.categories_of(session, amendment),
        rationale=Markup(render_markdown(amendment.rationale)) if amendment.rationale else Markup(""),
        citations=[CitationView(n, response, session.get(Stakeholder, response.stakeholder_id), citation.quote,
                                quote_url(document.slug, response.slug, citation.start, citation.end))
                   for n, (citation, response) in enumerate(amendment_service.citations_of(session, amendment), 1)],
        base=base, head=head, produced=amendment_service.produced_version(session, amendment))
    targets = [base] if head is None or head.id == base.id or view.produced else [base, head]
    view.previews = [preview(session, document, amendment, target, hunk_provisions) for target in targets]
    view.conflicts = conflicts_with(session, document, amendment)
    view.decisions = decision_views(session, amendment)
    view.falls_if = decisions.falls_if(session, amendment)
    view.fall_with_it = decisions.falling_with(session, amendment, open_only=False)
    return view


def preview(session: Session, document: Document, amendment: Amendment, version: Version,
            hunk_provisions: list[list[str]]) -> Preview:
    trial = previews.trial(session, document, amendment.patch_text, version, amendment.slug)
    return trial_preview(trial, hunk_provisions, sources_of(session, [amendment]))


def proposal_previews(proposal: ProposalPreview) -> list[Preview]:
    """What proposing would store, shown before it is stored: its redline and hunk report
    on its base and, when the head has moved on, on the head, as the amendment's page
    will show them."""
    return [trial_preview(t, proposal.hunk_provisions, proposal.sources) for t in proposal.trials]


def trial_preview(trial: Trial, hunk_provisions: list[list[str]], sources: dict[str, Source]) -> Preview:
    """The redlines and hunk report of ``trial``."""
    version = trial.version
    lines = [_hunk_line(h, hunk_provisions) for h in trial.result.hunks]
    # Unchanged groups hold no changes, so the excerpt numbers its changes as the whole text does.
    # Provision ids belong to the document page; here each provision may stand twice.
    excerpt, changes = marks.redline(TextDiff(trial.diff.changes), sources, prefix=f"v{version.number}-",
                                     provision_ids=False)
    whole, _ = marks.redline(trial.diff, sources, provision_ids=False, change_ids=False)
    return Preview(version, trial.result.ok, lines, excerpt, whole, changes)


def _hunk_line(hunk: HunkResult, hunk_provisions: list[list[str]]) -> HunkLine:
    labels = hunk_provisions[hunk.index] if hunk.index < len(hunk_provisions) else []
    return HunkLine(hunk.index + 1, hunk.status.value, hunk.expected_at, hunk.found_at, hunk.shift, labels)


def conflicts_with(session: Session, document: Document, amendment: Amendment) -> list[ConflictView]:
    """Open amendments that change the same text as ``amendment``."""
    rivals = [a for a in amendment_service.open_amendments(session, document) if a.id != amendment.id]
    out = []
    for pair in amendment_service.conflicts(session, document, [amendment, *rivals]):
        if amendment.slug not in (pair.first, pair.second):
            continue
        other = pair.second if pair.first == amendment.slug else pair.first
        out.append(ConflictView(amendment_service.get_amendment(session, document, other), pair.kind,
                                [label for _, label in pair.provisions]))
    return out


# Bulk decisions -----------------------------------------------------------------------

@dataclass(frozen=True)
class HunkReportView:
    version: Version
    """The head the hunks were applied to."""
    hunks: list[HunkLine]


@dataclass(frozen=True)
class DecidedView:
    amendment: Amendment
    status: str
    previous: str
    reason: str
    version: Version | None
    preview: HunkReportView | None
    fallen: tuple[Amendment, ...]


def batch_view(session: Session, batch: Batch) -> list[DecidedView]:
    views = []
    for d in batch.decided:
        preview = None
        if d.version is not None and d.version.parent_id is not None:
            labels = [[link.label for link in links] for _, links in amendment_service.hunks_of(session, d.amendment)]
            preview = HunkReportView(session.get(Version, d.version.parent_id),
                                     [_hunk_line(h, labels) for h in d.hunks])
        views.append(DecidedView(d.amendment, d.status, d.previous, d.reason, d.version, preview, d.fallen))
    return views


# Responses --------------------------------------------------------------------------

def response_quotes(session: Session, document: Document, response: Response) -> list[marks.Quote]:
    """Each quoted place in the response, with the amendments that cite it there."""
    by_place: dict[tuple[int, int], list[marks.CitingAmendment]] = {}
    for amendment in xref.amendments_citing(session, response):
        for number, (citation, cited) in enumerate(amendment_service.citations_of(session, amendment), 1):
            if cited.id == response.id:
                by_place.setdefault((citation.start, citation.end), []).append(marks.CitingAmendment(
                    amendment.slug, amendment.title, f"{amendment_url(document.slug, amendment.slug)}#citation-{number}"))
    return [marks.Quote(start, end, tuple(citing)) for (start, end), citing in sorted(by_place.items())]


# The consultation -------------------------------------------------------------------

@dataclass(frozen=True)
class MatrixCell:
    proposed: int
    cited: int


@dataclass(frozen=True)
class Pressure:
    provision: str
    label: str
    total: int
    open: int


@dataclass(frozen=True)
class Overview:
    stakeholders: list[Stakeholder]
    categories: list[str]
    cells: dict[tuple[str, str], MatrixCell]
    pressure: list[Pressure]
    most: int
    """The largest ``total``: bars are drawn against it."""


def overview(session: Session, document: Document) -> Overview:
    """Who proposed or supported (was cited by) amendments of each category, and how
    many amendments touch each provision."""
    amendments, _ = amendment_service.list_amendments(session, document, limit=ALL)
    proposed: Counter[tuple[str, str]] = Counter()
    cited: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    open_: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for amendment in amendments:
        categories = amendment_service.categories_of(session, amendment)
        proposer = session.get(Stakeholder, amendment.proposer_id).slug
        supporters = {session.get(Stakeholder, response.stakeholder_id).slug
                      for _, response in amendment_service.citations_of(session, amendment)}
        for category in categories:
            proposed[(proposer, category)] += 1
            for supporter in supporters:
                cited[(supporter, category)] += 1
        for provision, label in touched_provisions(session, amendment):
            labels.setdefault(provision, label)
            total[provision] += 1
            if amendment.status in ("draft", "proposed"):
                open_[provision] += 1
    stakeholders = documents.list_stakeholders(session, document)
    known = {s.slug for s in stakeholders}
    stakeholders += [documents.get_stakeholder(session, slug)
                     for slug in sorted({s for s, _ in proposed | cited} - known)]
    categories = [c for c in documents.category_choices(session, document) if any(c == k for _, k in proposed | cited)]
    cells = {(s.slug, c): MatrixCell(proposed[(s.slug, c)], cited[(s.slug, c)]) for s in stakeholders
             for c in categories}
    order = xref.provision_order(session, document, list(total))
    pressure = sorted((Pressure(p, labels[p], total[p], open_[p]) for p in total), key=lambda p: order[p.provision])
    return Overview(stakeholders, categories, cells, pressure, max(total.values(), default=0))


def provision_choices(session: Session, document: Document) -> list[tuple[str, str]]:
    """(id, label) of the provisions any amendment touches, in the head's order."""
    return [(p.provision, p.label) for p in overview(session, document).pressure]


@dataclass(frozen=True)
class EventRow:
    at: object
    actor: str
    action: str
    target_type: str
    target: str
    href: str | None
    """The page of what it was done to, where there is one."""
    document: str | None
    detail: str
    """``detail`` as compact JSON, for reading."""


_TARGET_PAGES = {"amendment": "/documents/{doc}/amendments/{slug}", "response": "/documents/{doc}/responses/{slug}",
                 "document": "/documents/{slug}"}


def event_rows(session: Session, rows: list) -> list[EventRow]:
    """Events as the event page lists them, each linked to the page of its target."""
    slugs = {d.id: d.slug for d in documents.list_documents(session, limit=ALL)[0]}
    shown = []
    for event in rows:
        doc = slugs.get(event.document_id)
        template = _TARGET_PAGES.get(event.target_type)
        slug = event.target.rsplit("/", 1)[-1]
        href = template.format(doc=doc, slug=slug) if template and (doc or event.target_type == "document") else None
        try:
            detail = json.dumps(json.loads(event.detail or "{}"), ensure_ascii=False, separators=(", ", ": "))
        except ValueError:
            detail = event.detail
        shown.append(EventRow(event.at, event.actor, event.action, event.target_type, event.target, href, doc,
                              "" if detail == "{}" else detail))
    return shown
