"""The reviewer pages: server-rendered HTML over the same services as the API.

``/`` lists the documents; everything about one document lives under
``/documents/{doc}``. Pages are read with GET and their address says everything
they show (filters, versions compared, amendments chosen), so any view can be shared
as a link. The forms (propose, accept or reject) post and then redirect (303) to
the page of what they changed; the propose form's Preview and Add another citation
buttons give it back instead, nothing stored; the import form (``/import``) uploads a
file and shows the import's report. ``docs/web.md`` describes every page.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from regdraft.api.deps import AmendmentSlug, DocumentDep, SessionDep, slug_list, write_transaction, writes_in_route
from regdraft.api.errors import status_for
from regdraft.core.errors import InvalidInput, NotFound, PatchDoesNotApply, RegdraftError
from regdraft.core.patching import ApplyResult, apply_patch, parse_patch
from regdraft.core.policy import check_text, link_target
from regdraft.core.traditions import DEFAULT_KIND, KINDS
from regdraft.formats import FORMATS
from regdraft.services import amendments as amendment_service
from regdraft.services import (auth, batches, comparisons, decisions, documents, imports, previews, rebasing,
                               rendering, search)
from regdraft.services import events as event_service
from regdraft.services import outcome as outcome_service
from regdraft.services.amendments import AmendmentInput, CitationInput
from regdraft.services.word_amendments import propose_from_word
from regdraft.store.models import Amendment, Document, Stakeholder, Version
from regdraft.web import discussion, guard, marks, views
from regdraft.web.templating import PageRoute, page, page_around, part, query

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[Depends(guard.signed_in)])

STATIC = FilePath(__file__).resolve().parent / "static"
#: Swagger UI's built files, from the fastapi-offline package (pyproject.toml says why):
#: /docs loads them from this server, so it works without a network.
SWAGGER_UI = FilePath(str(importlib.resources.files("fastapi_offline") / "static"))
#: The static files, with where they are and their media types: the stylesheet of every
#: page, the script that starts Swagger UI on /docs (a file, as the Content-Security-Policy
#: wants) and Swagger UI itself.
STATIC_FILES = {"regdraft.css": (STATIC, "text/css"), "api-docs.js": (STATIC, "text/javascript"),
                "swagger-ui-bundle.js": (SWAGGER_UI, "text/javascript"), "swagger-ui.css": (SWAGGER_UI, "text/css")}
API_DOCS_PAGE = STATIC / "api-docs.html"
"""/docs: Swagger UI over /openapi.json, started by ``api-docs.js`` rather than FastAPI's inline script."""
#: The propose form's extra buttons (``action``): show what proposing would store, and
#: show one more citation row; both give the form back with everything typed kept.
PREVIEW, ADD_CITATION = "preview", "add-citation"
#: The propose form's Edit this version: the form again on the version chosen (``new_base``),
#: the drafter's edit carried onto it.
SWITCH_BASE = "switch-base"

# Larger numbers than any database integer column holds are a 422, not a database error.
MAX_VERSION = guard.MAX_NUMBER
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]
Filter = Annotated[str | None, Query(max_length=120)]
# Amendments an address may name one by one (services.amendments.MAX_NAMED, the API's
# limit too): a longer list also makes an address longer than browsers and servers keep.
# The Keeling page's "every" option asks for more without naming them.
MAX_NAMED = amendment_service.MAX_NAMED
SEARCH_PAGE = 20
"""Hits on a page of search results."""
Slugs = Annotated[list[str], Query(max_length=MAX_NAMED, description="Amendment slugs, in order")]


def _chosen(slugs: list[str]) -> list[str]:
    """The amendments named, in order, each once (a form may send empty values)."""
    return list(dict.fromkeys(slug for slug in slugs if slug))


def _blank_is_none(value: str | None) -> str | None:
    """Filter forms send every field; an empty one means "any"."""
    return value.strip() or None if value is not None else None


@router.get("/static/{name}", response_class=Response)
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        raise NotFound(f"there is no static file {name!r}")
    folder, media_type = STATIC_FILES[name]
    return Response((folder / name).read_bytes(), media_type=media_type,
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/")
def documents_page(request: Request, session: SessionDep) -> HTMLResponse:
    return page(request, "documents.html", title="Documents", rows=views.document_rows(session),
                statuses=amendment_service.STATUSES)


EVENT_PAGE = 50
"""Events on a page of the event log."""


@router.get("/events")
def events_page(request: Request, session: SessionDep, actor: Filter = None, action: Filter = None,
                target: Filter = None, document: Filter = None,
                offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0) -> HTMLResponse:
    """The event log, newest first, filtered by actor, action, target and document."""
    filters = {"actor": _blank_is_none(actor), "action": _blank_is_none(action), "target": _blank_is_none(target),
               "document": _blank_is_none(document)}
    chosen = documents.get_document(session, filters["document"]) if filters["document"] else None
    rows, total = event_service.list_events(session, document_id=chosen.id if chosen else None,
                                            actor=filters["actor"], action=filters["action"],
                                            target=filters["target"], newest_first=True, offset=offset,
                                            limit=EVENT_PAGE)
    actors, actions = event_service.event_choices(session)
    return page(request, "events.html", title="Event log", rows=views.event_rows(session, rows), total=total,
                offset=offset, limit=EVENT_PAGE, filters=filters, actors=actors, actions=actions,
                families=sorted({a.split(".", 1)[0] for a in actions}),
                documents=documents.list_documents(session, limit=views.ALL)[0])


@router.get("/search")
def search_page(request: Request, session: SessionDep,
                q: Annotated[str, Query(max_length=search.MAX_QUERY_CHARS)] = "", document: Filter = None,
                kind: Filter = None, version: Filter = None, stakeholder: Filter = None, category: Filter = None,
                status: Filter = None, offset: Annotated[int, Query(ge=0, le=MAX_VERSION)] = 0) -> HTMLResponse:
    filters = {"document": _blank_is_none(document), "kind": _blank_is_none(kind),
               "version": _blank_is_none(version), "stakeholder": _blank_is_none(stakeholder),
               "category": _blank_is_none(category), "status": _blank_is_none(status)}
    found = search.Page([], 0)
    checked = search.filters_from(session, document=filters["document"], version=filters["version"],
                                  kinds=[filters["kind"]] if filters["kind"] else [],
                                  stakeholder=filters["stakeholder"], category=filters["category"],
                                  status=filters["status"])
    if q.strip():
        found = search.search(session, q, checked, offset=offset, limit=SEARCH_PAGE)
    return page(request, "search.html", title=f"Search: {q}" if q.strip() else "Search", q=q, search_q=q,
                found=found, offset=offset, limit=SEARCH_PAGE, filters=filters,
                documents=documents.list_documents(session, limit=views.ALL)[0], kinds=search.ITEM_KINDS,
                stakeholders=documents.list_stakeholders(session), categories=documents.category_choices(session),
                statuses=amendment_service.STATUSES)


@router.get("/documents/{doc}")
def document_page(request: Request, document: DocumentDep, session: SessionDep,
                  version: VersionQuery = None,
                  ) -> HTMLResponse:
    entries = views.history(session, document)
    shown = documents.get_version(session, document, version) if version else documents.head(session, document)
    structure = documents.version_structure(session, document, shown) if shown else None
    return page(request, "document.html", title=document.title, document=document, history=entries, shown=shown,
                text=marks.anchored_text(shown.text) if shown else None,
                counts=views.status_counts(session, document),
                discussion=discussion.for_version(session, document, shown,
                                                  f"/documents/{document.slug}{query(version=version)}"),
                provisions=[(p.id, p.label) for p in structure.provisions] if structure else [],
                warnings=structure.warnings if structure else ())


@router.get("/documents/{doc}/compare")
def compare_page(request: Request, document: DocumentDep, session: SessionDep,
                 from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_VERSION)] = None,
                 to: VersionQuery = None,
                 amendment: Slugs = [],  # noqa: B006 (FastAPI copies defaults)
                 view: Annotated[Literal["inline", "side"], Query()] = "inline") -> HTMLResponse:
    head = documents.count_versions(session, document)  # versions are numbered 1 to the head
    if not head:
        raise InvalidInput(f"document {document.slug!r} has no versions to compare")
    amendment = _chosen(amendment)
    old = from_ if from_ is not None else (head - 1 if head > 1 and not amendment else head)
    new = None if amendment else (to if to is not None else head)
    plan = (comparisons.plan_amendments(session, document, old, amendment) if amendment
            else comparisons.plan_versions(session, document, old, new))

    def main() -> tuple[tuple[str, bytes], int]:
        # The page is drawn from the diff alone: the old text is let go before it is made.
        parts = views.comparison_parts(plan.make(with_old_text=False), side_by_side=view == "side")
        rendered = part("compare_main.html", comparison=parts, view=view, old=old, new=new, chosen=amendment,
                        numbers=range(1, head + 1), document=document).encode()
        return (f"{parts.old_name} → {parts.new_name}", rendered), len(rendered)

    # The main part is the same for every reader: kept by what it shows (the
    # comparison's content key, its sources' names, the versions to choose from), so a
    # write that changes none of it (a stakeholder added, an amendment proposed) keeps
    # it too. Only the page around it is made for the reader (nav, CSRF token).
    title, rendered = views.kept(request, ("compare-page", document.slug, plan.etag, tuple(plan.sources.items()),
                                           old, new, tuple(amendment), view, head), main)
    return page_around(request, "compare.html", main=rendered, title=title, document=document)


@router.get("/documents/{doc}/amendments")
def amendments_page(request: Request, document: DocumentDep, session: SessionDep, category: Filter = None,
                    stakeholder: Filter = None, status: Filter = None, provision: Filter = None,
                    q: Annotated[str | None, Query(max_length=search.MAX_QUERY_CHARS)] = None) -> HTMLResponse:
    filters = {"category": _blank_is_none(category), "stakeholder": _blank_is_none(stakeholder),
               "status": _blank_is_none(status), "provision": _blank_is_none(provision), "q": _blank_is_none(q)}
    rows, total = amendment_service.list_amendments(
        session, document, status=filters["status"], category=filters["category"], proposer=filters["stakeholder"],
        provision=filters["provision"], q=filters["q"], limit=views.ALL)
    kept = rebasing.latest(session, rows)
    return page(request, "amendments.html", title=f"Amendments: {document.title}", document=document,
                rows=views.amendment_rows(session, document, rows), total=total, filters=filters,
                rebases={a.slug: kept[a.id] for a in rows if a.id in kept},
                categories=documents.category_choices(session, document), statuses=amendment_service.STATUSES,
                stakeholders=documents.list_stakeholders(session, document),
                provisions=views.provision_choices(session, document), head=documents.head(session, document))


@router.get("/documents/{doc}/amendments/{slug}")
def amendment_page(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep) -> HTMLResponse:
    amendment = amendment_service.get_amendment(session, document, slug)
    view = views.amendment_view(session, document, amendment)
    rivals = [a for a in amendment_service.list_amendments(session, document, limit=views.ALL)[0]
              if a.id != amendment.id and a.status in ("draft", "proposed", "accepted")]
    kept = rebasing.latest(session, [amendment]).get(amendment.id)
    return page(request, "amendment.html", title=f"{amendment.title} ({amendment.slug})", document=document,
                view=view, decisions=[s for s in ("accepted", "rejected")
                                      if s in amendment_service.TRANSITIONS[amendment.status]], rivals=rivals,
                stale=amendment.status in rebasing.OPEN and view.head is not None and view.head.id != view.base.id,
                rebase=rebasing.stored(kept, amendment.slug) if kept else None,
                discussion=discussion.for_amendment(session, document, slug, views.amendment_url(document.slug, slug)))


@router.post("/documents/{doc}/amendments/{slug}/falls-if")
def set_falls_if(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
                 form: guard.PostedForm) -> RedirectResponse:
    guard.require(request, guard.ORDER)
    amendment = amendment_service.get_amendment(session, document, slug)
    others = amendment_service.resolve(session, document, _chosen(form.getall("falls_if"))[:MAX_NAMED])
    decisions.set_falls_if(session, amendment, others, actor=guard.principal(request))
    return RedirectResponse(views.amendment_url(document.slug, slug), status_code=303)


@router.post("/documents/{doc}/amendments/{slug}/rebase")
def rebase(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
           form: guard.PostedForm) -> RedirectResponse:
    """Rebase onto the head, or (``confirm``) confirm the rebase that waits; then back to
    the amendment's page, which shows the outcome and its report."""
    revision = guard.form_number(form.get("revision"), "revision", "reload the amendment's page")
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.authorize(guard.acting(request), auth.Action.PROPOSE, session.get(Stakeholder, amendment.proposer_id).slug)
    if form.get("confirm"):
        rebasing.confirm(session, document, amendment, actor=guard.principal(request), revision=revision)
    else:
        amendment_service.check_revision(amendment, revision)
        rebasing.rebase(session, document, [slug], actor=guard.principal(request))
    return RedirectResponse(views.amendment_url(document.slug, slug), status_code=303)


@router.post("/documents/{doc}/amendments/{slug}/status")
def decide(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
           form: guard.PostedForm) -> RedirectResponse:
    guard.require(request, guard.DECIDE)
    status = form.get("status")
    if status not in ("accepted", "rejected"):
        raise InvalidInput(f"status {status!r} is not accepted or rejected", field="status")
    revision = guard.form_number(form.get("revision"), "revision", "reload the amendment's page")
    amendment = amendment_service.get_amendment(session, document, slug)
    auth.check_status_change(session, guard.acting(request), amendment, status)
    amendment_service.set_status(session, amendment, status, actor=guard.principal(request), revision=revision,
                                 reason=check_text(form.get("reason"), "reason"))
    return RedirectResponse(views.amendment_url(document.slug, slug), status_code=303)


#: What the decide-several page offers for each open amendment.
BULK_CHOICES = ("accepted", "rejected", "withdrawn")


@router.get("/documents/{doc}/decide")
def decide_many_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    guard.require(request, guard.DECIDE)
    return _decide_many_form(request, session, document, {})


@router.post("/documents/{doc}/decisions")
def decide_many(request: Request, document: DocumentDep, session: SessionDep, form: guard.PostedForm) -> Response:
    guard.require(request, guard.DECIDE)
    values = {name: values[0] for name, values in form.fields.items() if values and name != guard.CSRF_FIELD}
    try:
        shared = check_text(form.get("reason"), "reason")
        requests = []
        for amendment in amendment_service.open_amendments(session, document):
            chosen = form.get(f"decision-{amendment.slug}")
            if not chosen:
                continue
            status, _, revision = chosen.partition("@")
            own = check_text(form.get(f"reason-{amendment.slug}"), "reason").strip()
            requests.append(batches.DecisionRequest(amendment.slug, status, own or shared,
                                                    guard.form_number(revision, "revision", "reload the page")))
        requests = batches.deduplicated(requests)
        for request_, amendment in zip(requests, amendment_service.resolve(session, document,
                                                                           [r.amendment for r in requests])):
            auth.check_status_change(session, guard.acting(request), amendment, request_.status)
        batch = batches.decide_all(session, document, requests, actor=guard.principal(request))
    except RegdraftError as error:
        # Nothing was decided: the form comes back with what was chosen and why it failed.
        session.rollback()
        return _decide_many_form(request, session, document, values, error=error)
    return RedirectResponse(f"/documents/{document.slug}/decisions/{batch.id}", status_code=303)


def _decide_many_form(request: Request, session: Session, document: Document, values: dict,
                      error: RegdraftError | None = None) -> HTMLResponse:
    return page(request, "decide.html", status=status_for(error) if error else 200,
                title=f"Decide several amendments: {document.title}", document=document, values=values,
                error=error, rows=amendment_service.open_amendments(session, document), choices=BULK_CHOICES)


@router.get("/documents/{doc}/decisions/{batch}")
def batch_page(request: Request, document: DocumentDep, session: SessionDep,
               batch: Annotated[str, Path(max_length=40, pattern="^[0-9a-f]+$")]) -> HTMLResponse:
    return page(request, "batch.html", title=f"Decided together: {document.title}", document=document,
                decided=views.batch_view(session, batches.batch_report(session, document, batch)))


@router.get("/documents/{doc}/propose")
def propose_page(request: Request, document: DocumentDep, session: SessionDep,
                 base: Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="The version to amend")]
                 = None) -> HTMLResponse:
    """The form, with the text of version ``base`` (default: the head) to edit."""
    guard.require(request, guard.PROPOSE)
    chosen = documents.get_version(session, document, base) if base else documents.head(session, document)
    if chosen is None:
        raise InvalidInput(f"document {document.slug!r} has no version to amend")
    return _propose_form(request, session, document, {"base": str(chosen.number), "text": chosen.text})


@router.post("/documents/{doc}/propose")
@writes_in_route
def propose(request: Request, document: DocumentDep, session: SessionDep, form: guard.PostedForm) -> Response:
    """Propose (then the amendment's page); or, by the form's other buttons, preview what
    would be proposed, or add a citation row (the form again, nothing stored)."""
    guard.require(request, guard.PROPOSE)
    values = _posted_amendment(form)
    values["slug"] = values["slug"].strip() or guard.slug_from(values["title"])
    action = form.get("action")
    if action == ADD_CITATION:
        return _propose_form(request, session, document, values, add_citation=True)
    if action == SWITCH_BASE:
        return _switched_base(request, session, document, values, form.get("new_base") or "")
    try:
        data = _amendment_input(form, values, slug=values["slug"], proposer=values["proposer"])
        auth.check_proposal(session, guard.acting(request), document, data.proposer,
                            [c.response for c in data.citations])
        if action == PREVIEW:
            return _propose_form(request, session, document, values, previews=_previewed(session, document, data))
        # The patch is made, applied and read, and the quotes anchored, before the write lock is taken.
        prepared = amendment_service.prepare(session, document, data)
        session.rollback()
        with write_transaction(request) as writing:
            slug = amendment_service.propose(writing, documents.get_document(writing, document.slug), data,
                                             actor=guard.principal(request), prepared=prepared).slug
    except RegdraftError as error:
        # The form comes back with what was typed and what was wrong; nothing is kept.
        session.rollback()
        return _propose_form(request, session, document, values, error=error)
    return RedirectResponse(views.amendment_url(document.slug, slug), status_code=303)


@router.post("/documents/{doc}/propose/word")
def propose_from_word_upload(request: Request, document: DocumentDep, session: SessionDep,
                             form: guard.PostedUpload) -> Response:
    """The Word round trip from the propose page, as ``POST …/word-amendments`` does it:
    the amendment's page on success, the form again with what was wrong otherwise."""
    guard.require(request, guard.PROPOSE)
    values = {f"word_{name}": form.get(name) for name in ("title", "slug", "proposer", "categories", "partial")}
    try:
        if not form.data:
            raise InvalidInput("choose a Word file", field="file")
        chosen = slug_list(values["word_categories"])
        if not chosen:
            raise InvalidInput("name at least one category", field="categories")
        acting = guard.acting(request)
        amendment, _ = propose_from_word(
            session, document, form.data, slug=values["word_slug"].strip(), title=values["word_title"],
            categories=chosen, actor=guard.principal(request), proposer=values["word_proposer"] or None,
            partial=values["word_partial"] == "yes",
            check=lambda who, cited: auth.check_proposal(session, acting, document, who, cited))
    except RegdraftError as error:
        session.rollback()
        head = documents.head(session, document)
        return _propose_form(request, session, document,
                             {"base": str(head.number) if head else "", "text": head.text if head else "", **values},
                             error=error)
    return RedirectResponse(views.amendment_url(document.slug, amendment.slug), status_code=303)


@router.get("/documents/{doc}/amendments/{slug}/revise")
def revise_page(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep) -> HTMLResponse:
    guard.require(request, guard.PROPOSE)
    amendment = amendment_service.get_amendment(session, document, slug)
    amendment_service.check_revisable(amendment, amendment.revision)
    base = session.get(Version, amendment.base_version_id)
    values = {"base": str(base.number), "title": amendment.title, "rationale": amendment.rationale,
              "categories": amendment_service.categories_of(session, amendment),
              "text": apply_patch(parse_patch(amendment.patch_text), base.text).text,
              "citations": [(response.slug, citation.quote)
                            for citation, response in amendment_service.citations_of(session, amendment)]}
    return _propose_form(request, session, document, values, revising=amendment)


@router.post("/documents/{doc}/amendments/{slug}/revise")
@writes_in_route
def revise(request: Request, document: DocumentDep, slug: AmendmentSlug, session: SessionDep,
           form: guard.PostedForm) -> Response:
    guard.require(request, guard.PROPOSE)
    amendment = amendment_service.get_amendment(session, document, slug)
    values = _posted_amendment(form)
    action = form.get("action")
    if action == ADD_CITATION:
        return _propose_form(request, session, document, values, revising=amendment, add_citation=True)
    try:
        revision = guard.form_number(form.get("revision") or "", "revision", "reload the page")
        proposer = session.get(Stakeholder, amendment.proposer_id).slug
        data = _amendment_input(form, values, slug=slug, proposer=proposer)
        auth.check_proposal(session, guard.acting(request), document, proposer, [c.response for c in data.citations])
        amendment_service.check_revisable(amendment, revision)
        data = replace(data, status=amendment.status)
        if action == PREVIEW:
            return _propose_form(request, session, document, values, revising=amendment,
                                 previews=_previewed(session, document, data, revising=True))
        prepared = amendment_service.prepare(session, document, data)
        session.rollback()
        with write_transaction(request) as writing:
            writing_document = documents.get_document(writing, document.slug)
            amendment_service.revise_open(writing, amendment_service.get_amendment(writing, writing_document, slug),
                                          data, actor=guard.principal(request), revision=revision, prepared=prepared)
    except RegdraftError as error:
        session.rollback()
        return _propose_form(request, session, document, values, error=error,
                             revising=amendment_service.get_amendment(session, document, slug))
    return RedirectResponse(views.amendment_url(document.slug, slug), status_code=303)


@dataclass(frozen=True)
class Switched:
    """A drafter's edit of version ``old`` carried onto version ``new``."""

    old: Version
    new: Version
    result: ApplyResult


def _switched_base(request: Request, session: Session, document: Document, values: dict,
                   chosen: str) -> HTMLResponse:
    """The form on the version ``chosen``, everything typed kept: the text is that
    version's if the drafter had not edited theirs, else their edit carried onto it (and
    said so); an edit that does not apply there stays as typed, on its version, and the
    form says which changes could not be placed."""
    try:
        old = documents.get_version(session, document, guard.form_number(values["base"], "base", "reload the page"))
        new = documents.get_version(session, document, guard.form_number(chosen, "version to amend",
                                                                         "choose one from the list"))
        carried = previews.carried_onto(old, values["text"], new) if new.id != old.id else None
        if carried is not None and carried.text is None:
            failed = [h for h in carried.hunks if not h.applied]
            raise PatchDoesNotApply(
                f"your edit of version {old.number} cannot be carried onto version {new.number}: the text of "
                f"change{'s' if len(failed) > 1 else ''} {', '.join(str(h.index + 1) for h in failed)} is not "
                f"there. Your text is kept as typed, on version {old.number}", field="base",
                hunks=[h.as_dict() for h in carried.hunks])
    except RegdraftError as error:
        return _propose_form(request, session, document, values, error=error)
    if new.id == old.id:
        return _propose_form(request, session, document, values)
    switched = {**values, "base": str(new.number), "text": new.text if carried is None else carried.text}
    return _propose_form(request, session, document, switched,
                         switched=Switched(old, new, carried) if carried is not None else None)


def _previewed(session: Session, document: Document, data: AmendmentInput, *,
               revising: bool = False) -> list[views.Preview]:
    """The previews of proposing (or saving) ``data``; a citation proposing would refuse
    is refused here too, so the form says what is wrong before anything is shown."""
    proposal = previews.preview_proposal(session, document, data, revising=revising)
    amendment_service.refused(list(proposal.citations))
    return views.proposal_previews(proposal)


def _posted_amendment(form) -> dict:
    """What an amendment form posted, as the form shows it again."""
    values = {name: form.get(name) or "" for name in ("slug", "title", "proposer", "rationale", "base", "text")}
    # Boxes for a document's declared categories; a comma-separated field where it declares none.
    values["categories"] = [c.strip() for given in form.getall("categories") for c in given.split(",") if c.strip()]
    # Every row as posted, blank ones too (the form comes back with as many rows).
    values["citations"] = list(zip(form.getall("citation_response"), form.getall("citation_quote")))
    return values


def _amendment_input(form, values: dict, *, slug: str, proposer: str) -> AmendmentInput:
    form.check_texts()
    citations = []
    for number, (response, quote) in enumerate(_typed(values["citations"]), start=1):
        if not response:
            raise InvalidInput(f"citation {number}: choose the response the words are quoted from",
                               field="citations", citation=number)
        if not quote.strip():
            raise InvalidInput(f"citation {number}: quote the words of {response!r} it relies on",
                               field="citations", citation=number)
        citations.append(CitationInput(response, quote.strip()))
    return AmendmentInput(slug=slug, title=values["title"].strip(), proposer=proposer,
                          base=guard.form_number(values["base"], "base", "reload the page"),
                          categories=values["categories"], rationale=values["rationale"], new_text=values["text"],
                          citations=citations)


def _typed(citations: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The citation rows something was typed or chosen in (the blank ones are left out)."""
    return [(response, quote) for response, quote in citations if response or quote.strip()]


def _propose_form(request: Request, session: Session, document: Document, values: dict,
                  error: RegdraftError | None = None, revising: Amendment | None = None, *,
                  add_citation: bool = False, previews: list[views.Preview] | None = None,
                  switched: Switched | None = None) -> HTMLResponse:
    """The propose (or revise) form with ``values``: every citation row typed in, then as
    many blank rows as were posted and one more for ``add_citation``, at least one."""
    posted = list(values.get("citations", []))
    typed = _typed(posted)
    citations = typed + [("", "")] * max(len(posted) - len(typed) + add_citation, 1)
    return page(request, "propose.html", status=status_for(error) if error else 200,
                title=f"Revise {revising.slug}: {document.title}" if revising else
                f"Propose an amendment: {document.title}", document=document, revising=revising,
                values={"slug": "", "title": "", "proposer": "", "rationale": "", "categories": [],
                        **{f"word_{name}": "" for name in ("title", "slug", "proposer", "categories", "partial")},
                        **values},
                citations=citations, error=error, categories=documents.categories(session, document),
                stakeholders=documents.list_stakeholders(session, document),
                responses=documents.list_responses(session, document), previews=previews or [], switched=switched,
                versions=documents.list_versions(session, document), head=documents.head(session, document),
                max_citations=amendment_service.MAX_CITATIONS)


@router.get("/import")
def import_page(request: Request) -> HTMLResponse:
    guard.require(request, guard.CREATE_DOCUMENT)
    return _import_form(request, {})


@router.post("/import")
def import_upload(request: Request, session: SessionDep, form: guard.PostedUpload) -> Response:
    """Import the uploaded file; the page comes back with the report, or with what was
    wrong (nothing is kept then)."""
    guard.require(request, guard.CREATE_DOCUMENT)
    values = {name: form.get(name) for name in ("document", "kind", "format", "as_version")}
    try:
        if not form.data:
            raise InvalidInput("choose a file to import", field="file")
        result = imports.import_file(session, form.data, format=values["format"] or None,
                                     kind=values["kind"] or None, document_slug=values["document"].strip() or None,
                                     as_version=values["as_version"] == "yes", actor=guard.principal(request))
    except RegdraftError as error:
        session.rollback()
        return _import_form(request, values, error=error)
    return _import_form(request, values, result=result, status=201)


@router.post("/new")
def new_document(request: Request, session: SessionDep, form: guard.PostedForm) -> Response:
    """An empty document from the import page's second form; its first version comes by import."""
    guard.require(request, guard.CREATE_DOCUMENT)
    values = {name: form.get(name) for name in ("new_slug", "new_title", "new_kind")}
    try:
        document = documents.create_document(session, slug=values["new_slug"].strip(), title=values["new_title"],
                                             kind=values["new_kind"] or DEFAULT_KIND, actor=guard.principal(request))
    except RegdraftError as error:
        session.rollback()
        return _import_form(request, values, error=error)
    return RedirectResponse(f"/documents/{document.slug}", status_code=303)


def _import_form(request: Request, values: dict, *, error: RegdraftError | None = None,
                 result: imports.ImportResult | None = None, status: int = 200) -> HTMLResponse:
    return page(request, "import.html", status=status_for(error) if error else status,
                title="Import a document", values={"document": "", "kind": "", "format": "", "as_version": "",
                                                   "new_slug": "", "new_title": "", "new_kind": "", **values},
                error=error, result=result, kinds=KINDS, formats=FORMATS)


@router.get("/documents/{doc}/responses/{slug}")
def response_page(request: Request, document: DocumentDep, slug: Annotated[str, Path(max_length=80)],
                  session: SessionDep) -> HTMLResponse:
    response = documents.get_response(session, document, slug)
    quotes = views.response_quotes(session, document, response)
    return page(request, "response.html", title=response.title, document=document, response=response,
                stakeholder=session.get(Stakeholder, response.stakeholder_id),
                text=marks.marked_response(response.text, quotes), quotes=quotes,
                source_href=link_target(response.url) if response.url else None,
                discussion=discussion.for_response(session, document, slug,
                                                   f"/documents/{document.slug}/responses/{slug}"))


@router.get("/documents/{doc}/consultation")
def consultation_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    return page(request, "consultation.html", title=f"Consultation: {document.title}", document=document,
                overview=views.overview(session, document), responses=documents.list_responses(session, document),
                stakeholders=documents.list_stakeholders(session, document))


@router.get("/documents/{doc}/outcome")
def outcome_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    result = outcome_service.outcome(session, document)
    return page(request, "outcome.html", title=f"Consultation outcome: {document.title}", document=document,
                body=Markup(outcome_service.render_html_body(result)))


@router.get("/documents/{doc}/keeling")
def keeling_page(request: Request, document: DocumentDep, session: SessionDep,
                 version: VersionQuery = None,
                 # Counted in the route, whose error points to the "every" option.
                 amendment: Annotated[list[str], Query(description="Amendment slugs, in order")] = [],  # noqa: B006
                 every: Annotated[bool, Query(description="Every amendment the API's schedule shows by default")]
                 = False) -> Response:
    if every and amendment:
        # The "every" button sends the boxes ticked beside it too: the address without them says what is shown.
        return RedirectResponse(f"/documents/{document.slug}/keeling{query(version=version, every=1)}",
                                status_code=303)
    if len(amendment) > MAX_NAMED:
        raise InvalidInput(f"the address names {len(amendment)} amendments, and at most {MAX_NAMED} can be named "
                           f"in an address: to apply every amendment made against the version, use the button "
                           f"\"Every amendment of the version\" (every=1 in the address)", field="amendment")
    head = documents.head(session, document)
    if head is None:
        raise InvalidInput(f"document {document.slug!r} has no version")
    number = version or head.number
    chosen = _chosen(amendment)
    if every:
        # The API's default set: read again only when the document has changed, as the schedule is.
        key, slugs = ("keeling every", number), lambda: rendering.schedule_amendments(
            session, document, number)
    else:
        key, slugs = ("keeling", number, tuple(chosen)), lambda: chosen
    schedule = views.cached(request, session, document, key, lambda: views.schedule_parts(rendering.keeling_schedule(
        session, document, number, slugs(), views.PAGE_LINKS))) if every or chosen else None
    # Accepted amendments are in the versions already: offered again they would be applied twice.
    # The boxes show each one's title, slug and status only: no proposer, categories or provisions to read.
    offered = [a for a in amendment_service.list_amendments(session, document, limit=views.ALL)[0]
               if a.status in ("draft", "proposed") or a.slug in chosen]
    return page(request, "keeling.html", title=schedule.title if schedule else f"Keeling schedule: {document.title}",
                document=document, schedule=schedule, version=number, chosen=chosen, every=every,
                counts=rendering.schedule_counts(session, document),
                offered=offered, history=views.history(session, document))
