"""The forms that add to a document without a file: the next version (its text edited in
the page), a stakeholder taking part in its consultation, and a response. Documents
themselves are made on the import page (``/import``, ``/new`` in ``routes``).

Each page is a GET that shows its form and a POST to the same address that adds the
thing and goes (303) to its page; a refused form comes back with everything typed and
what was wrong, nothing kept. Who may use each is the policy table's
(``services.auth``): versions and stakeholders drafters and admins, responses drafters,
admins and a stakeholder for itself. The work is the same services' the API calls.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from regdraft.api.deps import DocumentDep, SessionDep
from regdraft.api.errors import status_for
from regdraft.core.errors import RegdraftError
from regdraft.services import auth, documents, tokens
from regdraft.store.models import Document
from regdraft.web import guard
from regdraft.web.templating import PageRoute, environment, page

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse,
                   dependencies=[Depends(guard.signed_in)])

environment.globals.update(CREATE_VERSION=guard.CREATE_VERSION, PUT_STAKEHOLDER=guard.PUT_STAKEHOLDER,
                           PUT_RESPONSE=guard.PUT_RESPONSE)

RESPONSE_FIELDS = ("slug", "stakeholder", "title", "text", *(f for f in documents.RESPONSE_FIELDS if f != "title"))


def _failed(session: Session, error: RegdraftError) -> int:
    """Undo what the refused form began; the status its page comes back with."""
    session.rollback()
    return status_for(error)


# Versions --------------------------------------------------------------------------

@router.get("/documents/{doc}/add-version")
def add_version_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    guard.require(request, guard.CREATE_VERSION)
    head = documents.head(session, document)
    return _version_form(request, document, {
        "parent": str(head.number) if head else "", "text": head.text if head else "", "message": "",
        "author": tokens.author_of(session, guard.principal(request))}, head=head)


@router.post("/documents/{doc}/add-version")
def add_version(request: Request, document: DocumentDep, session: SessionDep, form: guard.PostedForm) -> Response:
    """The edited text becomes the next version, if the head is still the one the form
    was made from (else 409 with the head named, and the text kept in the form)."""
    guard.require(request, guard.CREATE_VERSION)
    values = {name: form.get(name) for name in ("parent", "text", "message", "author")}
    try:
        form.check_texts()
        parent = guard.form_number(values["parent"], "parent", "reload the page") if values["parent"] else None
        version = documents.create_version(
            session, document, text=values["text"], parent=parent, message=values["message"].strip(),
            author=values["author"].strip() or tokens.author_of(session, guard.principal(request)),
            actor=guard.principal(request))
    except RegdraftError as error:
        status = _failed(session, error)
        return _version_form(request, document, values, head=documents.head(session, document), error=error,
                             status=status)
    return RedirectResponse(f"/documents/{document.slug}?version={version.number}", status_code=303)


def _version_form(request: Request, document: Document, values: dict, *, head, error: RegdraftError | None = None,
                  status: int = 200) -> HTMLResponse:
    return page(request, "add_version.html", status=status, title=f"Add a version: {document.title}",
                document=document, values=values, head=head, error=error)


# Stakeholders ----------------------------------------------------------------------

@router.get("/documents/{doc}/consultation/add-stakeholder")
def add_stakeholder_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    guard.require(request, guard.PUT_STAKEHOLDER)
    return _stakeholder_form(request, session, document, {"slug": "", "name": "", "kind": ""})


@router.post("/documents/{doc}/consultation/add-stakeholder")
def add_stakeholder(request: Request, document: DocumentDep, session: SessionDep,
                    form: guard.PostedForm) -> Response:
    guard.require(request, guard.PUT_STAKEHOLDER)
    values = {name: form.get(name) for name in ("slug", "name", "kind")}
    try:
        form.check_texts()
        stakeholder = documents.add_stakeholder(session, document, slug=values["slug"].strip() or
                                                guard.slug_from(values["name"]), name=values["name"],
                                                kind=values["kind"], actor=guard.principal(request))
    except RegdraftError as error:
        status = _failed(session, error)
        return _stakeholder_form(request, session, document, values, error=error, status=status)
    return RedirectResponse(f"/documents/{document.slug}/consultation#stakeholder-{stakeholder.slug}",
                            status_code=303)


def _stakeholder_form(request: Request, session: Session, document: Document, values: dict, *,
                      error: RegdraftError | None = None, status: int = 200) -> HTMLResponse:
    return page(request, "add_stakeholder.html", status=status, title=f"Add a stakeholder: {document.title}",
                document=document, values=values, error=error,
                taking_part=documents.list_stakeholders(session, document))


# Responses -------------------------------------------------------------------------

@router.get("/documents/{doc}/consultation/add-response")
def add_response_page(request: Request, document: DocumentDep, session: SessionDep) -> HTMLResponse:
    guard.require(request, guard.PUT_RESPONSE)
    return _response_form(request, session, document, dict.fromkeys(RESPONSE_FIELDS, ""))


@router.post("/documents/{doc}/consultation/add-response")
def add_response(request: Request, document: DocumentDep, session: SessionDep, form: guard.PostedForm) -> Response:
    guard.require(request, guard.PUT_RESPONSE)
    values = {name: form.get(name) for name in RESPONSE_FIELDS}
    try:
        form.check_texts()
        slug = values["slug"].strip() or guard.slug_from(values["title"])
        auth.check_response(session, guard.acting(request), document, slug, values["stakeholder"])
        response = documents.add_response(
            session, document, slug=slug, stakeholder=documents.get_stakeholder(session, values["stakeholder"]),
            text=values["text"], actor=guard.principal(request),
            **{name: values[name].strip() for name in documents.RESPONSE_FIELDS})
    except RegdraftError as error:
        status = _failed(session, error)
        return _response_form(request, session, document, values, error=error, status=status)
    return RedirectResponse(f"/documents/{document.slug}/responses/{response.slug}", status_code=303)


def _response_form(request: Request, session: Session, document: Document, values: dict, *,
                   error: RegdraftError | None = None, status: int = 200) -> HTMLResponse:
    who = guard.acting(request)
    # A stakeholder's token writes its own responses only: the choice offers just that one.
    choices = [s for s in documents.list_stakeholders(session, document)
               if auth.decide(who, auth.Action.PUT_RESPONSE, owner=s.slug)]
    return page(request, "add_response.html", status=status, title=f"Add a response: {document.title}",
                document=document, values=values, error=error, stakeholders=choices)
