"""Signing in and out of the pages with an API token (see ``guard`` for how the
session cookie is kept and checked)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from regdraft.api.deps import SessionDep
from regdraft.core.errors import Unauthenticated
from regdraft.services import tokens
from regdraft.web import guard
from regdraft.web.templating import PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


def _form(request: Request, *, status: int = 200, error: str | None = None) -> HTMLResponse:
    return page(request, "login.html", status=status, title="Sign in", error=error)


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _form(request)


@router.post("/login")
def login(request: Request, session: SessionDep, form: guard.PostedForm) -> Response:
    secret = form.get("token").strip()
    try:
        tokens.authenticate(session, secret)
    except Unauthenticated as error:
        return _form(request, status=401, error=error.message)
    response = RedirectResponse("/", status_code=303)
    guard.start_session(request, response, secret)
    return response


@router.post("/logout")
def logout(request: Request, form: guard.PostedForm) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    guard.end_session(response)
    return response
