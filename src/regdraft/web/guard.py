"""The one place where the pages' forms are checked: who is acting, what they may
do, and that a posted form came from one of our own pages.

Every state-changing page route takes :data:`PostedForm`, which reads the
``application/x-www-form-urlencoded`` body and checks the CSRF token, and then calls
:func:`require` with the action it is about to take. Templates ask :func:`permits`
whether to show a control. Authentication is wired in here and nowhere else:

- :func:`principal` says who is acting (today nobody signs in, so everyone is
  ``anonymous``; a session cookie will name the signed-in user);
- :func:`permits` answers from the same action names as ``services.auth``
  (``propose``, ``decide``); until web sign-in exists every control works for
  everyone, as on a local install;
- the CSRF token is a double-submit cookie: a random token in a ``SameSite=Strict``,
  ``HttpOnly`` cookie, repeated in a hidden field of every form, compared in constant
  time. A page on another site can make a browser post to us but cannot read or set
  the cookie, so it cannot supply the matching field.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

CSRF_COOKIE = "regdraft_csrf"
CSRF_FIELD = "csrf_token"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 200

#: The actions a page control can take, named as in ``services.auth.Action``.
PROPOSE, DECIDE = "propose", "decide"


class Form:
    """A posted form's fields (each may repeat, as checkboxes do)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getall(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


def principal(request: Request) -> str:
    """The name the event log records for whoever acts through the pages."""
    return "anonymous"


def permits(request: Request, action: str) -> bool:
    """Whether to show, and to honour, the controls for ``action``. Until web
    sign-in exists, a local install lets everyone propose and decide."""
    return action in (PROPOSE, DECIDE)


def require(request: Request, action: str) -> None:
    if not permits(request, action):
        raise StarletteHTTPException(403, f"you may not {action} here")


def csrf_token(request: Request) -> str:
    """The token for this browser: its cookie's, or a new one that
    :func:`remember_csrf_token` sets on the response."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf_token", None) or secrets.token_urlsafe(32)
        request.state.new_csrf_token = token
    return token


def remember_csrf_token(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf_token", None)
    if token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")


async def posted_form(request: Request) -> Form:
    """The request's form fields, once its CSRF token has been checked."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise StarletteHTTPException(415, f"send the form as {FORM_CONTENT_TYPE}")
    body = await request.body()
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=MAX_FIELDS, errors="strict")
    except UnicodeDecodeError:
        raise StarletteHTTPException(400, "the form is not UTF-8") from None
    except ValueError:
        raise StarletteHTTPException(400, f"the form has more than {MAX_FIELDS} fields") from None
    form = Form(fields)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD)
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise StarletteHTTPException(
            403, "this form did not come from a regdraft page (its security token is missing or stale); "
                 "reload the page and try again")
    return form


PostedForm = Annotated[Form, Depends(posted_form)]
