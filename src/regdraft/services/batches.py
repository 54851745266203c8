"""Bulk decisions: several amendments decided in one transaction, all or nothing.

The decisions are taken in the order given (an acceptance applies to the head the
ones before it left), each as :func:`services.amendments.set_status` takes it, with
its reason and the batch's id. If any fails, the error says which (``decision``,
numbered from 1, and ``amendment``) with the hunk report when hunks failed, and the
caller's transaction rolls back, so nothing was decided. A batch can be read back
(:func:`batch_report`) with each acceptance's hunk report, worked out again from the
version it produced.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from regdraft.core.errors import InvalidInput, RegdraftError
from regdraft.core.patching import HunkResult, apply_patch, parse_patch
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions, documents
from regdraft.store.models import Amendment, Document, Version

MAX_DECISIONS = 80
"""The most amendments one batch decides. A local limit for now: the shared limit of
names per request (``api/limits.py``, on the ``budget`` branch) should replace it."""


@dataclass(frozen=True)
class DecisionRequest:
    amendment: str
    status: str
    reason: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class Decided:
    """One decision of a batch, once taken."""

    amendment: Amendment
    status: str
    previous: str
    reason: str
    version: Version | None
    """The version an acceptance produced."""
    hunks: tuple[HunkResult, ...]
    """How an acceptance's hunks applied to the head (empty for other decisions)."""
    fallen: tuple[Amendment, ...]
    """The amendments that fell when this one was accepted."""


@dataclass(frozen=True)
class Batch:
    id: str
    decided: tuple[Decided, ...]


def deduplicated(requests: list[DecisionRequest]) -> list[DecisionRequest]:
    """The requests, each amendment once: a repeat of the same decision is dropped, two
    different decisions on one amendment are refused; at most :data:`MAX_DECISIONS`."""
    seen: dict[str, DecisionRequest] = {}
    for number, request in enumerate(requests, start=1):
        first = seen.setdefault(request.amendment, request)
        if first != request:
            raise InvalidInput(f"decision {number} decides amendment {request.amendment!r} again, differently: "
                               f"name each amendment once", field="decisions", decision=number,
                               amendment=request.amendment)
    if not seen:
        raise InvalidInput("name at least one amendment to decide", field="decisions")
    if len(seen) > MAX_DECISIONS:
        raise InvalidInput(f"{len(seen)} amendments are named; one batch decides at most {MAX_DECISIONS}",
                           field="decisions", limit=MAX_DECISIONS)
    return list(seen.values())


def prepare_all(session: Session, document: Document,
                requests: list[DecisionRequest]) -> dict[str, amendment_service.PreparedAcceptance]:
    """Each acceptance's heavy work (:func:`services.amendments.prepare_acceptance`),
    done in order from the head as the batch would leave it, by amendment slug; it
    reads, never writes, so a request does it before taking the write lock. It stops
    at the first acceptance that does not make a version: deciding reports that one."""
    requests = deduplicated(requests)
    chosen = amendment_service.resolve(session, document, [r.amendment for r in requests])
    head = documents.head(session, document)
    text, text_hash = head.text, head.content_hash
    prepared = {}
    for request, amendment in zip(requests, chosen):
        if request.status != "accepted":
            continue
        acceptance = amendment_service.prepare_acceptance(document, amendment, text, text_hash)
        prepared[amendment.slug] = acceptance
        if acceptance.version is None:
            break
        text, text_hash = acceptance.version.text, acceptance.version.content_hash
    return prepared


def decide_all(session: Session, document: Document, requests: list[DecisionRequest], *, actor: str,
               batch: str | None = None,
               prepared: dict[str, amendment_service.PreparedAcceptance] | None = None) -> Batch:
    """Take every decision, in order, as one batch (the caller owns the transaction
    and must roll it back when this raises). ``prepared``: from :func:`prepare_all`,
    each used if it still holds."""
    requests = deduplicated(requests)
    chosen = amendment_service.resolve(session, document, [r.amendment for r in requests])
    batch = batch or uuid.uuid4().hex
    prepared = prepared or {}
    decided = []
    for number, (request, amendment) in enumerate(zip(requests, chosen), start=1):
        previous = amendment.status
        try:
            if request.status == "accepted":
                accepted = amendment_service.accept_reporting(
                    session, amendment, actor=actor, revision=request.revision, reason=request.reason, batch=batch,
                    prepared=prepared.get(amendment.slug))
                version, hunks, fallen = accepted.version, accepted.hunks, accepted.fallen
            else:
                amendment_service.set_status(session, amendment, request.status, actor=actor,
                                             revision=request.revision, reason=request.reason, batch=batch)
                version, hunks, fallen = None, (), ()
        except RegdraftError as error:
            raise type(error)(f"decision {number} ({amendment.slug}): {error.message}; nothing was decided",
                              **{**error.extra, "decision": number, "amendment": amendment.slug}) from None
        decided.append(Decided(amendment, amendment.status, previous, decisions.latest(session, amendment).reason,
                               version, hunks, tuple(fallen)))
    return Batch(batch, tuple(decided))


def batch_report(session: Session, document: Document, batch: str) -> Batch:
    """A batch as it was decided, read back: each acceptance's hunk report is its
    patch applied again to the parent of the version it produced."""
    rows = decisions.in_batch(session, document, batch)
    taken = [(row, session.get(Amendment, row.amendment_id)) for row in rows]
    fell: dict[int, list[Amendment]] = {}
    for row, amendment in taken:
        if row.cause_id is not None:
            fell.setdefault(row.cause_id, []).append(amendment)
    decided = []
    for row, amendment in taken:
        if row.cause_id is not None:
            continue  # listed under the acceptance it fell with
        version = amendment_service.produced_version(session, amendment) if row.status == "accepted" else None
        hunks: tuple[HunkResult, ...] = ()
        if version is not None and version.parent_id is not None:
            hunks = apply_patch(parse_patch(amendment.patch_text), session.get(Version, version.parent_id).text).hunks
        decided.append(Decided(amendment, row.status, row.previous, row.reason, version, hunks,
                               tuple(fell.get(amendment.id, ()))))
    return Batch(batch, tuple(decided))
