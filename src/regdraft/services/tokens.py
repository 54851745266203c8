"""API tokens: made by ``regdraft token create``, stored hashed, looked up per request.

A token is ``rdt_`` followed by 43 URL-safe characters (32 random bytes). Only its
SHA-256 is stored: with that much entropy a fast hash cannot be searched backwards, so
no salt or slow hash is needed, and the lookup is one indexed equality. The secret is
returned once, by :func:`create_token`, and cannot be recovered afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from regdraft.core.errors import AlreadyExists, InvalidInput, NotFound, Unauthenticated
from regdraft.core.policy import check_text
from regdraft.services import documents
from regdraft.services.auth import ROLES, Principal
from regdraft.services.events import record
from regdraft.store.models import Stakeholder, Token, utcnow

PREFIX = "rdt_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: Token
    #: The bearer secret: shown once, never stored.
    secret: str


def create_token(session: Session, *, role: str, stakeholder: str | None = None, name: str | None = None,
                 person: str = "", actor: str) -> IssuedToken:
    """A new token for ``role``; a ``stakeholder`` token names the stakeholder it speaks
    for (and only that role does). ``name`` (default: the stakeholder or role and a
    random suffix) is the actor the event log records; ``person``, who holds it, is the
    author of the versions it makes."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not one of: {', '.join(ROLES)}", field="role")
    if (role == "stakeholder") != (stakeholder is not None):
        raise InvalidInput("a stakeholder token needs --stakeholder SLUG, and only a stakeholder token takes one",
                           field="stakeholder")
    speaks_for = documents.get_stakeholder(session, stakeholder) if stakeholder is not None else None
    name = (name or "").strip() or f"{stakeholder or role}-{secrets.token_hex(3)}"
    if len(name) > 120:
        raise InvalidInput("a token name is at most 120 characters", field="name")
    if session.exec(select(Token).where(Token.name == name)).first() is not None:
        raise AlreadyExists(f"a token named {name!r} exists", token=name)
    person = check_text(person.strip(), "person")
    if len(person) > 120:
        raise InvalidInput("a person's name is at most 120 characters", field="person")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(name=name, person=person, role=role, stakeholder_id=speaks_for.id if speaks_for else None,
                  secret_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    record(session, actor, "token.created", "token", name, None,
           detail={"role": role, "stakeholder": stakeholder})
    return IssuedToken(token, secret)


def author_of(session: Session, actor: str) -> str:
    """Who signs a version made by ``actor``: the person holding the token of that name,
    where the token names one; otherwise the actor itself (a token without a person, or
    the CLI's ``--actor``, which is already a person's name)."""
    person = session.exec(select(Token.person).where(Token.name == actor)).first()
    return person or actor


def list_tokens(session: Session) -> list[Token]:
    return list(session.exec(select(Token).order_by(Token.id)).all())


def revoke_token(session: Session, name: str, *, actor: str) -> Token:
    token = session.exec(select(Token).where(Token.name == name)).first()
    if token is None:
        raise NotFound(f"no token named {name!r}", token=name)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record(session, actor, "token.revoked", "token", name, None)
    return token


def authenticate(session: Session, secret: str) -> Principal:
    """The principal a bearer secret stands for; :class:`Unauthenticated` when it is
    unknown or revoked (one message for both: a caller learns nothing about which)."""
    token = session.exec(select(Token).where(Token.secret_hash == hash_secret(secret))).first() \
        if secret.startswith(PREFIX) else None
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("the bearer token is not valid (unknown or revoked)")
    stakeholder = session.get(Stakeholder, token.stakeholder_id).slug if token.stakeholder_id is not None else None
    return Principal(name=token.name, role=token.role, stakeholder=stakeholder)
