"""Who may do what: the one authorization policy, for the API and the web pages alike.

A request acts as a :class:`Principal`: the holder of an API token (its name, role and,
for a stakeholder token, the stakeholder it speaks for), or :data:`ANONYMOUS`.

:data:`POLICY` is the whole decision table. Each action lists the roles that may take
it and how far: ``ANY`` (whoever the target belongs to) or ``OWN`` (only when the
target belongs to the principal's stakeholder: the amendment's proposer, the cited
response's author). A role not listed may not take the action::

    action            anonymous reader  stakeholder drafter reviewer admin
    read              any       any     any         any     any      any
    create-document   -         -       -           any     -        any
    create-version    -         -       -           any     -        any
    put-stakeholder   -         -       -           any     -        any
    put-response      -         -       own         any     -        any
    propose           -         -       own         any     -        any
    cite              -         -       own         any     -        any
    withdraw          -         -       own         any     -        any
    decide            -         -       -           -       any      any
    order             -         -       -           any     any      any
    comment           -         any     own/public  any     any      any
    moderate          -         -       -           -       any      any

``withdraw`` covers every status change a proposer makes (to withdrawn, draft or
proposed); ``decide`` is accepting or rejecting; ``order`` is saying which amendments
fall if another is adopted; ``comment`` is posting in a discussion (``own/public``: on its
own amendments and responses, and on public things: provisions, responses and every
amendment but another's draft); ``moderate`` is hiding a comment and re-attaching an
orphaned one. Only its author edits a comment (``services.comments``). Every document is published: anyone,
without a token, may read everything, including the event log.

:func:`decide` is pure; :func:`authorize` raises :class:`Unauthenticated` (no token)
or :class:`Forbidden` (a token that may not); the ``check_*`` helpers find the owner
of what a request touches and ask :func:`authorize`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from typing import TYPE_CHECKING

from regdraft.core.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:  # the CLI reads ROLES on every start: the store is imported where it is queried
    from sqlmodel import Session

    from regdraft.store.models import Amendment, Document

ROLES = ("reader", "stakeholder", "drafter", "reviewer", "admin")
ANONYMOUS_ROLE = "anonymous"


@dataclass(frozen=True)
class Principal:
    """Who is acting. ``name`` is what the event log records as the actor."""

    name: str
    role: str
    #: The stakeholder slug a ``stakeholder`` token speaks for.
    stakeholder: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.role != ANONYMOUS_ROLE


ANONYMOUS = Principal("anonymous", ANONYMOUS_ROLE)


class Action(str, Enum):
    READ = "read"
    CREATE_DOCUMENT = "create-document"
    CREATE_VERSION = "create-version"
    PUT_STAKEHOLDER = "put-stakeholder"
    PUT_RESPONSE = "put-response"
    PROPOSE = "propose"
    CITE = "cite"
    WITHDRAW = "withdraw"
    DECIDE = "decide"
    ORDER = "order"
    COMMENT = "comment"
    MODERATE = "moderate"


class Scope(str, Enum):
    ANY = "any"
    OWN = "own"
    OWN_OR_PUBLIC = "own/public"


_EDITORS = {"drafter": Scope.ANY, "admin": Scope.ANY}
_OWNERS = {"stakeholder": Scope.OWN, **_EDITORS}

POLICY: dict[Action, dict[str, Scope]] = {
    Action.READ: {role: Scope.ANY for role in (ANONYMOUS_ROLE, *ROLES)},
    Action.CREATE_DOCUMENT: _EDITORS,
    Action.CREATE_VERSION: _EDITORS,
    Action.PUT_STAKEHOLDER: _EDITORS,
    Action.PUT_RESPONSE: _OWNERS,
    Action.PROPOSE: _OWNERS,
    Action.CITE: _OWNERS,
    Action.WITHDRAW: _OWNERS,
    Action.DECIDE: {"reviewer": Scope.ANY, "admin": Scope.ANY},
    # Which amendments fall if another is adopted: the drafter's list, the chair's call.
    Action.ORDER: {"drafter": Scope.ANY, "reviewer": Scope.ANY, "admin": Scope.ANY},
    Action.COMMENT: {"reader": Scope.ANY, "stakeholder": Scope.OWN_OR_PUBLIC, **_EDITORS, "reviewer": Scope.ANY},
    Action.MODERATE: {"reviewer": Scope.ANY, "admin": Scope.ANY},
}

#: The action a change of an amendment's status to each status is.
STATUS_ACTIONS = {"accepted": Action.DECIDE, "rejected": Action.DECIDE, "fallen": Action.DECIDE,
                  "withdrawn": Action.WITHDRAW, "draft": Action.WITHDRAW, "proposed": Action.WITHDRAW}


def decide(principal: Principal, action: Action, owner: str | None = None, *, public: bool = False) -> bool:
    """Whether ``principal`` may take ``action`` on something belonging to the
    stakeholder ``owner`` (``None``: nothing owns it, so ``OWN`` never matches) that is
    ``public`` or not (for ``OWN_OR_PUBLIC``)."""
    scope = POLICY[action].get(principal.role)
    if scope is Scope.ANY or (scope is Scope.OWN_OR_PUBLIC and public):
        return True
    return scope in (Scope.OWN, Scope.OWN_OR_PUBLIC) and owner is not None and principal.stakeholder == owner


def authorize(principal: Principal, action: Action, owner: str | None = None, *, public: bool = False) -> None:
    if decide(principal, action, owner, public=public):
        return
    if not principal.authenticated:
        raise Unauthenticated(f"{action.value} needs an API token: send 'Authorization: Bearer <token>'",
                              action=action.value)
    if POLICY[action].get(principal.role) is Scope.OWN_OR_PUBLIC:
        raise Forbidden(f"token {principal.name!r} speaks for stakeholder {principal.stakeholder!r}: it may "
                        f"{action.value} on its own things and public ones, and this is {owner!r}'s draft",
                        action=action.value, role=principal.role, owner=owner)
    if POLICY[action].get(principal.role) is Scope.OWN:
        raise Forbidden(f"token {principal.name!r} speaks for stakeholder {principal.stakeholder!r}: it may "
                        f"{action.value} only for that stakeholder, not for {owner!r}",
                        action=action.value, role=principal.role, owner=owner)
    allowed = ", ".join(role for role in POLICY[action] if role != ANONYMOUS_ROLE)
    raise Forbidden(f"token {principal.name!r} has the role {principal.role}, which may not {action.value} "
                    f"(roles that may: {allowed})", action=action.value, role=principal.role)


def require_token(principal: Principal) -> None:
    """Refuse anonymous writers before their request is read further."""
    if not principal.authenticated:
        raise Unauthenticated("changes need an API token: send 'Authorization: Bearer <token>'")


# Checks of a whole request -------------------------------------------------------

def _stakeholder_slug(session: Session, stakeholder_id: int) -> str:
    from regdraft.store.models import Stakeholder

    return session.get(Stakeholder, stakeholder_id).slug


def check_proposal(session: Session, principal: Principal, document: Document, proposer: str,
                   cited_responses: Iterable[str]) -> None:
    """Proposing for ``proposer``, citing the responses named. A response that does
    not exist is left for the proposal itself to report."""
    from regdraft.services.documents import find_response

    authorize(principal, Action.PROPOSE, owner=proposer)
    for slug in dict.fromkeys(cited_responses):  # each response read once, however often cited
        response = find_response(session, document, slug)
        if response is not None:
            authorize(principal, Action.CITE, owner=_stakeholder_slug(session, response.stakeholder_id))


def check_status_change(session: Session, principal: Principal, amendment: Amendment, status: str) -> None:
    """Changing ``amendment`` to ``status``. An unknown status is the workflow's to report
    (it changes nothing)."""
    action = STATUS_ACTIONS.get(status)
    if action is not None:
        authorize(principal, action, owner=_stakeholder_slug(session, amendment.proposer_id))


def check_response(session: Session, principal: Principal, document: Document, slug: str, stakeholder: str) -> None:
    """Writing response ``slug`` as ``stakeholder``'s: a stakeholder may write only its
    own responses, and may not take over another's by naming itself."""
    from regdraft.services.documents import find_response

    authorize(principal, Action.PUT_RESPONSE, owner=stakeholder)
    existing = find_response(session, document, slug)
    if existing is not None:
        authorize(principal, Action.PUT_RESPONSE, owner=_stakeholder_slug(session, existing.stakeholder_id))
