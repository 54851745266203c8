"""The one place where the pages' forms are checked: who is acting, what they may
do, and that a posted form came from one of our own pages.

Every state-changing page route takes :data:`PostedForm`, which reads the
``application/x-www-form-urlencoded`` body and checks the CSRF token, and then calls
:func:`require` with the action it is about to take. Templates ask :func:`permits`
whether to show a control. Authentication is wired in here and nowhere else:

- signing in (``/login``) takes an API token (``regdraft token create``) and keeps it
  in a session cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over https);
  :func:`signed_in`, a dependency of every page, turns the cookie back into the
  token's :class:`~regdraft.services.auth.Principal` on each request, so a revoked
  token signs its sessions out at once. Without a valid cookie one reads as
  ``anonymous``;
- :func:`permits` and :func:`require` ask ``services.auth`` (the API's policy) with
  the same action names (``propose``, ``decide``); what an action touches (whose
  amendment, whose response) the routes check with ``services.auth.check_*``;
- the CSRF token is a double-submit cookie: a random token in a ``SameSite=Strict``,
  ``HttpOnly`` cookie, repeated in a hidden field of every form, compared in constant
  time. A page on another site can make a browser post to us but cannot read or set
  the cookie, so it cannot supply the matching field. Signing in and out are forms
  too, so another site cannot sign a browser in as someone else either.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from regdraft.api.deps import SessionDep
from regdraft.core.errors import Forbidden, InvalidInput, Unauthenticated
from regdraft.core.policy import check_text
from regdraft.services import auth, tokens

SESSION_COOKIE = "regdraft_session"
CSRF_COOKIE = "regdraft_csrf"
CSRF_FIELD = "csrf_token"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 200

#: The actions a page control can take, named as in ``services.auth.Action``.
PROPOSE, DECIDE, ORDER, CREATE_DOCUMENT = "propose", "decide", "order", "create-document"
CREATE_VERSION, PUT_STAKEHOLDER, PUT_RESPONSE = "create-version", "put-stakeholder", "put-response"
UPLOAD_CONTENT_TYPE = "multipart/form-data"


class Form:
    """A posted form's fields (each may repeat, as checkboxes do)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getall(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def check_texts(self) -> None:
        """Every field against the one text policy (``core.policy``), as the API checks
        every text of a body: a 422 ``invalid-text`` naming the field."""
        for name, values in self.fields.items():
            for value in values:
                check_text(value, name)


#: The largest number a form's version or revision field may hold (a database integer's).
MAX_NUMBER = 2**31 - 1


def form_number(value: str, field: str, remedy: str) -> int:
    """A hidden field holding a version or revision number, as the page wrote it."""
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_NUMBER:
        raise InvalidInput(f"the form's {field} {value!r} is not a number from 1: {remedy}", field=field)
    return int(value)


def slug_from(title: str) -> str:
    """The short name a form makes from a title when its short-name field is left empty."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")


def signed_in(request: Request, session: SessionDep) -> None:
    """Who the session cookie says is acting (a dependency of every page)."""
    secret = request.cookies.get(SESSION_COOKIE)
    request.state.principal = auth.ANONYMOUS
    if secret:
        try:
            request.state.principal = tokens.authenticate(session, secret)
        except Unauthenticated:
            request.state.end_session = True  # revoked since: the cookie goes with this response


def acting(request: Request) -> auth.Principal:
    return getattr(request.state, "principal", auth.ANONYMOUS)


def principal(request: Request) -> str:
    """The name the event log records for whoever acts through the pages."""
    return acting(request).name


def permits(request: Request, action: str) -> bool:
    """Whether to show, and to honour, the controls for ``action``: for a stakeholder,
    whether it may take the action on its own things."""
    who = acting(request)
    return auth.decide(who, auth.Action(action), owner=who.stakeholder)


def require(request: Request, action: str) -> None:
    if permits(request, action):
        return
    if not acting(request).authenticated:
        raise Unauthenticated(f"to {action}, sign in first (at /login) with an API token")
    raise Forbidden(f"{principal(request)!r} ({acting(request).role}) may not {action}")


def start_session(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


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
    if getattr(request.state, "end_session", False):
        end_session(response)


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
    _check_csrf(request, form)
    return form


def _check_csrf(request: Request, form: Form) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD)
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise StarletteHTTPException(
            403, "this form did not come from a regdraft page (its security token is missing or stale); "
                 "reload the page and try again")


PostedForm = Annotated[Form, Depends(posted_form)]


class Upload(Form):
    """A posted form with one file (``multipart/form-data``): its fields and the file's bytes."""

    def __init__(self, fields: dict[str, list[str]], file_name: str, data: bytes) -> None:
        super().__init__(fields)
        self.file_name, self.data = file_name, data


async def posted_upload(request: Request) -> Upload:
    """The upload's fields and file, once its CSRF token has been checked (the body's
    size is bounded by the app's body limit before this reads it)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != UPLOAD_CONTENT_TYPE:
        raise StarletteHTTPException(415, f"send the form as {UPLOAD_CONTENT_TYPE}")
    try:
        posted = await request.form(max_files=1, max_fields=MAX_FIELDS)
    except Exception as exc:  # noqa: BLE001 - python-multipart's parse errors for a broken body
        raise StarletteHTTPException(400, f"the form cannot be read: {exc}") from None
    fields: dict[str, list[str]] = {}
    file_name, data = "", b""
    for name, value in posted.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
        else:
            file_name, data = value.filename or "", await value.read()
    await posted.close()
    upload = Upload(fields, file_name, data)
    _check_csrf(request, upload)
    return upload


PostedUpload = Annotated[Upload, Depends(posted_upload)]
