"""The discussion on the pages: the threads an amendment page and a version's page
show (``discussion.html``), and the forms that post a comment or a reply, edit one
(its author, within the edit window), hide one (reviewers) and re-attach an orphaned
one (reviewers). Each form goes through the
same checks as the API: the text policy (``guard.Form.check_texts``), the policy
table (``services.auth``) and the comment service, then back (303) to the page it
came from, at the comment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlmodel import Session

from regdraft.api.deps import DocumentDep, SessionDep
from regdraft.core.errors import InvalidInput
from regdraft.core.redline import render_markdown
from regdraft.services import auth
from regdraft.services import comments as comment_service
from regdraft.services.comments import Author, CommentInput, CommentView
from regdraft.store.models import Document, Version
from regdraft.web import guard
from regdraft.web.templating import PageRoute, environment

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[Depends(guard.signed_in)])

CommentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
COMMENT, MODERATE = auth.Action.COMMENT.value, auth.Action.MODERATE.value
environment.globals.update(COMMENT=COMMENT, MODERATE=MODERATE, MAX_COMMENT=comment_service.MAX_BODY)
environment.filters["comment_markdown"] = lambda body: Markup(render_markdown(body))


@dataclass(frozen=True)
class Discussion:
    """What a page's discussion section shows: threads, and where its forms lead."""

    threads: list[CommentView]
    back: str
    """The page to come back to."""
    orphaned: list[CommentView]
    """Provision comments the head holds nowhere (a version page only)."""


def for_amendment(session: Session, document: Document, slug: str, back: str) -> Discussion:
    return Discussion(comment_service.list_comments(session, document, amendment=slug), back, [])


def for_response(session: Session, document: Document, slug: str, back: str) -> Discussion:
    return Discussion(comment_service.list_comments(session, document, response=slug, target="response"), back, [])


def for_version(session: Session, document: Document, version: Version | None, back: str) -> Discussion:
    if version is None:
        return Discussion([], back, [])
    threads = comment_service.list_comments(session, document, target="provision", version=version.number)
    head_orphans = comment_service.orphaned(session, document)
    return Discussion([t for t in threads if t.anchor is None or t.anchor.state != "orphaned"], back, head_orphans)


def _back(document: Document, value: str) -> str:
    """Where a form returns: one of the document's pages, never another site."""
    if not value.startswith(f"/documents/{document.slug}") or "//" in value or "\\" in value:
        return f"/documents/{document.slug}"
    return value


def _number(value: str, field: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isascii() or not value.strip().isdigit() or not 1 <= int(value) <= 2**31 - 1:
        raise InvalidInput(f"{field} {value!r} is not a number from 1", field=field)
    return int(value)


def _again(back: str, comment_id: int) -> RedirectResponse:
    return RedirectResponse(f"{back}#comment-{comment_id}", status_code=303)


@router.get("/documents/{doc}/comments/{comment}")
def comment_page(document: DocumentDep, comment: CommentId, session: SessionDep) -> RedirectResponse:
    """A comment's address (search hits link here): the page that shows it, at it."""
    view = comment_service.view_of(session, document, comment_service.get_comment(session, document, comment))
    base = f"/documents/{document.slug}"
    where = {"amendment": f"{base}/amendments/{view.amendment}", "citation": f"{base}/amendments/{view.amendment}",
             "response": f"{base}/responses/{view.response}", "provision": f"{base}?version={view.version}"}
    return _again(where[view.target], comment)


@router.post("/documents/{doc}/comments")
def post_comment(request: Request, document: DocumentDep, session: SessionDep,
                 form: guard.PostedForm) -> RedirectResponse:
    guard.require(request, COMMENT)
    form.check_texts()
    field = {name: form.get(name).strip() or None
             for name in ("target", "provision", "quote", "amendment", "response")}
    citation = _number(form.get("citation"), "citation")
    if field["target"] == "amendment" and citation is not None:
        field["target"] = "citation"  # the amendment page's "On" choice
    data = CommentInput(body=form.get("body"), reply_to=_number(form.get("reply_to"), "reply_to"),
                        version=_number(form.get("version"), "version"), citation=citation, **field)
    target = comment_service.resolve(session, document, data)
    who = guard.acting(request)
    auth.authorize(who, auth.Action.COMMENT, target.owner, public=target.public)
    made = comment_service.post(session, document, target, data, author=Author(who.name, who.role, who.stakeholder))
    return _again(_back(document, form.get("back")), made.id)


@router.post("/documents/{doc}/comments/{comment}/edit")
def edit_comment(request: Request, document: DocumentDep, comment: CommentId, session: SessionDep,
                 form: guard.PostedForm) -> RedirectResponse:
    guard.require(request, COMMENT)
    form.check_texts()
    row = comment_service.get_comment(session, document, comment)
    comment_service.edit(session, document, row, form.get("body"), actor=guard.principal(request),
                         revision=_number(form.get("revision"), "revision"))
    return _again(_back(document, form.get("back")), row.id)


def _moderating(request: Request, session: Session, document: Document, comment: int, form: guard.Form):
    """The comment a reviewer's form acts on, once the policy and the text policy allow it."""
    guard.require(request, MODERATE)
    form.check_texts()
    return comment_service.get_comment(session, document, comment)


@router.post("/documents/{doc}/comments/{comment}/hide")
def hide_comment(request: Request, document: DocumentDep, comment: CommentId, session: SessionDep,
                 form: guard.PostedForm) -> RedirectResponse:
    row = _moderating(request, session, document, comment, form)
    comment_service.hide(session, document, row, form.get("reason"), actor=guard.principal(request),
                         revision=_number(form.get("revision"), "revision"))
    return _again(_back(document, form.get("back")), row.id)


@router.post("/documents/{doc}/comments/{comment}/reattach")
def reattach_comment(request: Request, document: DocumentDep, comment: CommentId, session: SessionDep,
                     form: guard.PostedForm) -> RedirectResponse:
    row = _moderating(request, session, document, comment, form)
    comment_service.reattach(session, document, row, provision=form.get("provision").strip(),
                             quote=form.get("quote"), actor=guard.principal(request),
                             revision=_number(form.get("revision"), "revision"))
    return _again(_back(document, form.get("back")), row.id)
