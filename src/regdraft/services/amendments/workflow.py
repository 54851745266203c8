"""The workflow: the statuses and the changes between them (each a decision and the
next revision, guarded by the revision read), accepting an amendment (the next version,
and the open amendments that fall with it) and linking a version it produced."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from regdraft.core.amendments import result_is_normalised
from regdraft.core.errors import InvalidInput, InvalidStructure, InvalidTransition, PatchDoesNotApply
from regdraft.core.patching import ApplyResult, HunkResult, apply_patch, parse_patch
from regdraft.core.text import content_hash
from regdraft.services import decisions, documents, tokens
from regdraft.services.events import record
from regdraft.store.models import Amendment, Document, Version, utcnow

STATUSES = ("draft", "proposed", "accepted", "rejected", "withdrawn", "fallen")
# Accepted is final: the version it produced is history. An open amendment becomes
# fallen only when one it falls with is accepted (``decisions.falls_if``); it can be
# proposed again, as a rejected one can.
TRANSITIONS = {
    "draft": {"proposed", "withdrawn", "fallen"},
    "proposed": {"draft", "accepted", "rejected", "withdrawn", "fallen"},
    "rejected": {"proposed"},
    "withdrawn": {"proposed"},
    "fallen": {"proposed"},
    "accepted": set(),
}


def check_revision(amendment: Amendment, revision: int | None) -> None:
    if revision is not None and revision != amendment.revision:
        raise InvalidTransition(
            f"amendment {amendment.slug!r} has changed: you have revision {revision}, it is at revision "
            f"{amendment.revision}", revision=amendment.revision, status=amendment.status)


def set_status(session: Session, amendment: Amendment, status: str, *, actor: str,
               revision: int | None = None, reason: str = "", batch: str | None = None,
               prepared: PreparedAcceptance | None = None) -> Amendment:
    """Change the status, with the ``reason`` for it (required to reject:
    ``decisions.REASON_REQUIRED``); kept as a decision and in the event log.
    ``prepared``: an acceptance's work, as :func:`accept_reporting` takes it."""
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r} is not one of: {', '.join(STATUSES)}", field="status")
    if status == "accepted":
        accept(session, amendment, actor=actor, revision=revision, reason=reason, batch=batch, prepared=prepared)
        return amendment
    if status == "fallen":
        raise InvalidTransition(f"amendment {amendment.slug!r} cannot be made to fall: it falls when an amendment "
                                f"it falls with is accepted (falls_if)", status=amendment.status, wanted=status)
    check_revision(amendment, revision)
    reason = _checked_reason(amendment, status, reason)
    before, previous = state_hash(amendment), amendment.status
    _transition(session, amendment, status)
    decisions.record(session, amendment, previous, actor=actor, reason=reason, batch=batch)
    record(session, actor, f"amendment.{status}", "amendment", amendment.slug, amendment.document_id,
           before=before, after=state_hash(amendment), detail=_decision_detail(amendment, reason, batch))
    return amendment


def _checked_reason(amendment: Amendment, status: str, reason: str) -> str:
    """The reason, checked once the change is one the workflow allows (a change it does
    not allow is a conflict whatever the reason)."""
    return decisions.check_reason(status, reason) if status in TRANSITIONS[amendment.status] else reason


def _decision_detail(amendment: Amendment, reason: str, batch: str | None, **more) -> dict:
    """An event's detail for a decision: the new revision, the reason and the batch when given."""
    detail = {"revision": amendment.revision, **more}
    if reason:
        detail["reason"] = reason
    if batch:
        detail["batch"] = batch
    return detail


def state_hash(amendment: Amendment) -> str:
    """SHA-256 of what a status change changes (status and revision) with the patch it
    applies to: the before and after of a status change in the event log."""
    return hashlib.sha256(f"{amendment.status}\n{amendment.revision}\n{amendment.patch_text}".encode()).hexdigest()


def _transition(session: Session, amendment: Amendment, status: str) -> None:
    """Change the status, if the workflow allows it, as the next revision (:func:`write_revision`)."""
    if status not in TRANSITIONS[amendment.status]:
        # Falling is not a status one asks for: an acceptance makes an amendment fall.
        allowed = ", ".join(sorted(TRANSITIONS[amendment.status] - {"fallen"})) or "none: it is final"
        raise InvalidTransition(
            f"amendment {amendment.slug!r} is {amendment.status}; it cannot become {status} "
            f"(allowed: {allowed})", status=amendment.status, wanted=status)
    write_revision(session, amendment, lambda: setattr(amendment, "status", status))


def write_revision(session: Session, amendment: Amendment, change) -> None:
    """Make ``change`` and write it at once as the next revision, guarded by the
    revision read (the mapper's version counter): if another transaction changed the
    amendment since, the write fails and :class:`InvalidTransition` says what it is now."""
    slug, seen = amendment.slug, amendment.revision
    try:
        # Inside a savepoint, so a stale write undoes only itself and the current state
        # can still be read in this transaction.
        with session.begin_nested():
            change()
            amendment.revision = seen + 1
            amendment.updated_at = utcnow()
            session.flush()
    except StaleDataError:
        session.refresh(amendment)
        raise InvalidTransition(
            f"amendment {slug!r} was changed by someone else meanwhile (you read revision {seen}): it is now "
            f"{amendment.status} at revision {amendment.revision}", revision=amendment.revision,
            status=amendment.status) from None


@dataclass(frozen=True)
class Accepted:
    """What accepting an amendment did."""

    version: Version
    hunks: tuple[HunkResult, ...]
    """How each hunk applied to the head."""
    fallen: tuple[Amendment, ...]
    """The open amendments that fell with it."""


@dataclass(frozen=True)
class PreparedAcceptance:
    """The heavy part of accepting, done from the texts alone: the amendment's patch
    applied to the head and the next version prepared from the result. A request
    computes it before the write lock is taken (:func:`prepare_acceptance`), and
    :func:`accept_reporting` uses it if the head and the patch are still those it was
    computed from (worked out again, under the lock, if not)."""

    head_hash: str
    patch_text: str
    result: ApplyResult
    version: documents.PreparedVersion | None
    """The next version, prepared; ``None`` when the result is not one (the patch does
    not apply, or leaves text that is not normalised: accepting then refuses)."""

    def holds(self, head: Version, amendment: Amendment) -> bool:
        return head.content_hash == self.head_hash and amendment.patch_text == self.patch_text


def prepare_acceptance(document: Document, amendment: Amendment, head_text: str,
                       head_hash: str | None = None) -> PreparedAcceptance:
    """:class:`PreparedAcceptance` of ``amendment`` on a head whose text is
    ``head_text``; it reads nothing. A structure the next version may not have is left
    for accepting to refuse (with the hint to rebase)."""
    result = apply_patch(parse_patch(amendment.patch_text), head_text)
    version = None
    if result.text is not None and result_is_normalised(result):
        try:
            version = documents.prepare_version(document, result.text)
        except (InvalidStructure, InvalidInput):
            version = None
    return PreparedAcceptance(head_hash or content_hash(head_text), amendment.patch_text, result, version)


def accept(session: Session, amendment: Amendment, *, actor: str, revision: int | None = None,
           created_at: datetime | None = None, reason: str = "", batch: str | None = None,
           prepared: PreparedAcceptance | None = None) -> Version:
    """Accept the amendment and create the next version from it, in one transaction.

    On its own base it applies exactly; on a later head fuzzily, and every hunk must
    apply (otherwise :class:`PatchDoesNotApply` with the report, and nothing changes).
    """
    return accept_reporting(session, amendment, actor=actor, revision=revision, created_at=created_at,
                            reason=reason, batch=batch, prepared=prepared).version


def accept_reporting(session: Session, amendment: Amendment, *, actor: str, revision: int | None = None,
                     created_at: datetime | None = None, reason: str = "", batch: str | None = None,
                     prepared: PreparedAcceptance | None = None) -> Accepted:
    """:func:`accept`, saying how each hunk applied. ``prepared`` (from
    :func:`prepare_acceptance`, outside the writing transaction) is used if it still
    holds."""
    check_revision(amendment, revision)
    reason = _checked_reason(amendment, "accepted", reason)
    previous = amendment.status
    _transition(session, amendment, "accepted")
    document = session.get(Document, amendment.document_id)
    current = documents.head(session, document)
    if prepared is None or not prepared.holds(current, amendment):
        prepared = prepare_acceptance(document, amendment, current.text, current.content_hash)
    result = prepared.result
    if result.text is None:
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} does not apply to the head (version {current.number})",
            hunks=[h.as_dict() for h in result.hunks], head=current.number)
    if not result_is_normalised(result):
        # Stored normalised, the version would not be what replaying the patch gives.
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} applied to the head (version {current.number}) leaves blanks at a "
            f"line end or text that is not normalised: rebase it on the head",
            hunks=[h.as_dict() for h in result.hunks], head=current.number)
    try:
        version = documents.create_version(
            session, document, text=result.text, parent=current.number,
            author=tokens.author_of(session, actor),
            message=f"Accepted amendment {amendment.slug}: {amendment.title}", created_at=created_at,
            produced_by_id=amendment.id, actor=actor, prepared=prepared.version)
    except InvalidStructure as error:
        if amendment.base_version_id == current.id:
            raise
        # Typically two amendments inserting a regulation 6: rebasing renumbers the later one.
        raise InvalidStructure(
            f"amendment {amendment.slug!r} was proposed against an earlier version, and on the head (version "
            f"{current.number}) it would make a text with {error.message}: rebase it onto the head first "
            f"(regdraft rebase {amendment.slug}, or POST .../amendments/{amendment.slug}/rebase), which proposes "
            f"renumbering for a drafter to confirm", **error.extra, amendment=amendment.slug,
            head=current.number) from None
    session.flush()
    decisions.record(session, amendment, previous, actor=actor, reason=reason, batch=batch)
    record(session, actor, "amendment.accepted", "amendment", amendment.slug, document.id,
           before=current.content_hash, after=version.content_hash,
           detail=_decision_detail(amendment, reason, batch, version=version.number))
    return Accepted(version, result.hunks, tuple(_fall_with(session, amendment, actor=actor, reason=reason,
                                                            batch=batch)))


def _fall_with(session: Session, adopted: Amendment, *, actor: str, reason: str,
               batch: str | None) -> list[Amendment]:
    """Mark fallen every open amendment that falls if ``adopted`` is, with the reason."""
    fallen = decisions.falling_with(session, adopted)
    why = f"Fell when amendment {adopted.slug} ({adopted.title}) was accepted" + (f": {reason}" if reason else ".")
    for amendment in fallen:
        before, previous = state_hash(amendment), amendment.status
        _transition(session, amendment, "fallen")
        decisions.record(session, amendment, previous, actor=actor, reason=why, batch=batch, cause=adopted)
        record(session, actor, "amendment.fallen", "amendment", amendment.slug, amendment.document_id,
               before=before, after=state_hash(amendment),
               detail=_decision_detail(amendment, why, batch, cause=adopted.slug))
    return fallen


def produced_version(session: Session, amendment: Amendment) -> Version | None:
    return session.exec(select(Version).where(Version.produced_by_id == amendment.id)).first()


def link_produced_version(session: Session, amendment: Amendment, version: Version, *, actor: str) -> bool:
    """Record that accepting ``amendment`` produced ``version``, a version that already
    exists (loading files, where versions are created before the amendments that made
    them). The amendment must be accepted, must not have produced another version, and
    replaying its patch on the version's parent must give exactly the version's text.
    Returns whether anything changed."""
    if version.produced_by_id == amendment.id:
        return False
    if version.document_id != amendment.document_id:
        raise InvalidInput(f"amendment {amendment.slug!r} belongs to another document")
    if amendment.status != "accepted":
        raise InvalidTransition(f"amendment {amendment.slug!r} is {amendment.status}, not accepted: it cannot "
                                f"have produced a version", status=amendment.status)
    if version.produced_by_id is not None:
        raise InvalidTransition(f"version {version.number} was produced by another amendment")
    other = produced_version(session, amendment)
    if other is not None:
        raise InvalidTransition(f"amendment {amendment.slug!r} already produced version {other.number}")
    parent = session.get(Version, version.parent_id) if version.parent_id is not None else None
    if parent is None:
        raise InvalidInput(f"version {version.number} has no parent: no amendment produced it")
    result = apply_patch(parse_patch(amendment.patch_text), parent.text)
    if result.text != version.text:
        raise PatchDoesNotApply(
            f"applying amendment {amendment.slug!r} to version {parent.number} does not give the text of "
            f"version {version.number}", hunks=[h.as_dict() for h in result.hunks])
    version.produced_by_id = amendment.id
    session.flush()
    document = session.get(Document, amendment.document_id)
    record(session, actor, "version.linked", "version", f"{document.slug}@{version.number}", document.id,
           after=version.content_hash, detail={"produced_by": amendment.slug})
    return True
