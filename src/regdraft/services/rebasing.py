"""Rebasing: bringing open amendments proposed against an earlier version onto the head.

A rebase applies the amendment's patch to the head with the fuzzy apply of
``core/patching/`` and reports it hunk by hunk (``exact``, ``shifted`` by N,
``fuzzy`` with a score, ``failed``). Nothing is rebased silently, and what happens
depends on the report:

- every hunk exact or shifted, and the result a well-formed text: the amendment takes
  a new revision with the head as its base (its title, categories and citations kept),
  and the report is kept (state ``rebased``);
- some hunk fuzzy: the rebase waits for a drafter (state ``needs-confirmation``, with
  the patch it would take); confirming applies it if neither the head nor the
  amendment has moved since;
- some hunk failed: the amendment stays on its old base, flagged ``needs-rebase`` with
  the report, for its proposer to revise.

Numbering collisions. Two amendments that each insert a regulation 6: once one is
accepted, the other applies cleanly to the head but would give it two regulation 6s,
which no version may have. A drafter would renumber the later insertion, so that is
what the rebase proposes: the colliding provision takes the next number (7, when it is
the last of its kind; otherwise the inserted-provision number 6A, 6B, ...), the
references to it inside the text it inserts are renumbered too, and the rebase waits for
confirmation with the renumbering listed (``needs-confirmation``). Where the number
cannot be rewritten (a heading this does not recognise), the amendment is
``needs-rebase`` with the collision as the reason: still not a dead end, but work for
its proposer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from regdraft.core.errors import InvalidInput, InvalidStructure, InvalidTransition
from regdraft.core.patching import HunkStatus, apply_patch, make_patch, parse_patch
from regdraft.core.structure import parse_structure
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.services.events import record
from regdraft.store.models import Amendment, AmendmentRebase, Document, Version, utcnow

REBASED, NEEDS_CONFIRMATION, NEEDS_REBASE, UP_TO_DATE = "rebased", "needs-confirmation", "needs-rebase", "up-to-date"
OPEN = ("draft", "proposed")
MAX_NAMED = 200
"""Amendments one request may name; "all" takes every stale one without naming them."""


@dataclass(frozen=True)
class Renumbering:
    provision: str
    """The colliding provision's label (``regulation 6``)."""
    to: str
    """Its new label (``regulation 7``)."""
    references: tuple[str, ...] = ()
    """Each reference renumbered in the text the amendment inserts (``regulation 6(2) → regulation 7(2)``)."""


@dataclass(frozen=True)
class Outcome:
    amendment: str
    state: str
    from_version: int
    to_version: int
    reason: str = ""
    hunks: tuple[dict, ...] = ()
    renumbering: Renumbering | None = None
    revision: int = 0
    """The amendment's revision after this (a new one when ``rebased``)."""
    at: datetime | None = None

    def report(self) -> dict:
        return {"hunks": list(self.hunks),
                "renumbering": None if self.renumbering is None else {
                    "provision": self.renumbering.provision, "to": self.renumbering.to,
                    "references": list(self.renumbering.references)}}


def stored(row: AmendmentRebase, slug: str) -> Outcome:
    """A kept rebase as the outcome it was."""
    report = json.loads(row.report)
    renumbering = report.get("renumbering")
    return Outcome(slug, row.state, row.from_version, row.to_version, reason=row.reason,
                   hunks=tuple(report.get("hunks", ())), revision=row.revision, at=row.at,
                   renumbering=Renumbering(renumbering["provision"], renumbering["to"],
                                           tuple(renumbering["references"])) if renumbering else None)


def stale(session: Session, document: Document) -> list[Amendment]:
    """Open amendments whose base is not the head, by slug."""
    head = documents.head(session, document)
    if head is None:
        return []
    return [a for a in amendment_service.open_amendments(session, document) if a.base_version_id != head.id]


def latest(session: Session, amendments: list[Amendment]) -> dict[int, AmendmentRebase]:
    """Each amendment's latest rebase, where it still describes the amendment as it is
    (same revision): one query."""
    if not amendments:
        return {}
    revisions = {a.id: a.revision for a in amendments}
    rows = session.exec(select(AmendmentRebase).where(AmendmentRebase.amendment_id.in_(list(revisions)))).all()
    return {row.amendment_id: row for row in rows if revisions[row.amendment_id] == row.revision}


def rebase(session: Session, document: Document, slugs: list[str] | None, *, actor: str) -> list[Outcome]:
    """Rebase the amendments named (``None``: every stale one) onto the head; one
    outcome each, in order. A named amendment that is not open is refused; one already
    on the head is ``up-to-date``."""
    head = documents.head(session, document)
    if head is None:
        raise InvalidInput(f"document {document.slug!r} has no version to rebase onto")
    if slugs is not None:
        if not slugs:
            raise InvalidInput("name at least one amendment, or ask for all of them", field="amendments")
        if len(slugs) > MAX_NAMED:
            raise InvalidInput(f"name at most {MAX_NAMED} amendments at once, or ask for all of them",
                               field="amendments")
        chosen = amendment_service.resolve(session, document, list(dict.fromkeys(slugs)))
        for amendment in chosen:
            if amendment.status not in OPEN:
                raise InvalidTransition(f"amendment {amendment.slug!r} is {amendment.status}: only draft and "
                                        f"proposed amendments are rebased", status=amendment.status,
                                        amendment=amendment.slug)
    else:
        chosen = stale(session, document)
    return [_rebase_one(session, document, amendment, head, actor=actor) for amendment in chosen]


def _rebase_one(session: Session, document: Document, amendment: Amendment, head: Version, *,
                actor: str) -> Outcome:
    base = session.get(Version, amendment.base_version_id)
    if base.id == head.id:
        return Outcome(amendment.slug, UP_TO_DATE, base.number, head.number, revision=amendment.revision)
    applied = apply_patch(parse_patch(amendment.patch_text), head.text, partial=True)
    hunks = tuple(h.as_dict() for h in applied.hunks)
    failed = [h for h in applied.hunks if not h.applied]
    outcome = dict(amendment=amendment.slug, from_version=base.number, to_version=head.number, hunks=hunks,
                   revision=amendment.revision)
    if failed:
        numbers = ", ".join(str(h.index + 1) for h in failed)
        return _keep(session, amendment, Outcome(
            **outcome, state=NEEDS_REBASE,
            reason=f"hunk{'s' if len(failed) > 1 else ''} {numbers} of {len(hunks)} found no place in version "
                   f"{head.number}: the text {'they change' if len(failed) > 1 else 'it changes'} is no longer "
                   f"there; revise the amendment against version {head.number}"), "", actor=actor)
    text, renumbering = applied.text, None
    try:
        parse_structure(text, kind=document.kind)
    except InvalidStructure as error:
        renumbered = _renumber(text, document.kind, error, applied.changed)
        if isinstance(renumbered, str):
            return _keep(session, amendment, Outcome(
                **outcome, state=NEEDS_REBASE, reason=f"on version {head.number} it would make a text with "
                                                      f"{error.message}; {renumbered}"), "", actor=actor)
        text, renumbering = renumbered
    patch_text = make_patch(head.text, text)
    fuzzy = [h for h in applied.hunks if h.status is HunkStatus.FUZZY]
    if fuzzy or renumbering is not None:
        reasons = []
        if fuzzy:
            reasons.append(f"hunk{'s' if len(fuzzy) > 1 else ''} {', '.join(str(h.index + 1) for h in fuzzy)} "
                           f"placed by a fuzzy match (score {', '.join(str(h.score) for h in fuzzy)})")
        if renumbering is not None:
            reasons.append(f"version {head.number} already has a {renumbering.provision}: its "
                           f"{renumbering.provision} becomes {renumbering.to}")
        return _keep(session, amendment, Outcome(
            **outcome, state=NEEDS_CONFIRMATION, renumbering=renumbering,
            reason="; ".join(reasons) + ": a drafter must confirm the rebase"), patch_text, actor=actor)
    done = Outcome(**outcome, state=REBASED, reason=_placed(applied.hunks))
    return _apply(session, amendment, head, patch_text, done, actor=actor)


def _placed(hunks) -> str:
    moved = [f"hunk {h.index + 1} shifted by {h.shift}" for h in hunks if h.status is HunkStatus.SHIFTED]
    return "every hunk exact" if not moved else "; ".join(moved)


def confirm(session: Session, document: Document, amendment: Amendment, *, actor: str,
            revision: int | None = None) -> Outcome:
    """Apply a rebase that waits for confirmation: only if the head and the amendment
    are still what it was worked out from."""
    amendment_service.check_revision(amendment, revision)
    pending = latest(session, [amendment]).get(amendment.id)
    if pending is None or pending.state != NEEDS_CONFIRMATION:
        raise InvalidTransition(f"amendment {amendment.slug!r} has no rebase waiting for confirmation",
                                amendment=amendment.slug)
    head = documents.head(session, document)
    if head.number != pending.to_version:
        raise InvalidTransition(f"the rebase of {amendment.slug!r} was worked out for version "
                                f"{pending.to_version}, and the head is now version {head.number}: rebase it again",
                                amendment=amendment.slug, head=head.number)
    waiting = stored(pending, amendment.slug)
    done = Outcome(**{**waiting.__dict__, "state": REBASED, "reason": f"confirmed by {actor}: {pending.reason}"})
    return _apply(session, amendment, head, pending.patch_text, done, actor=actor)


def _apply(session: Session, amendment: Amendment, head: Version, patch_text: str, done: Outcome, *,
           actor: str) -> Outcome:
    amendment_service.move_base(session, amendment, head, patch_text, actor=actor, detail={
        "from": done.from_version, "to": done.to_version, **done.report()})
    done = Outcome(**{**done.__dict__, "revision": amendment.revision, "at": utcnow()})
    _store(session, amendment, done, "")
    return done


def _keep(session: Session, amendment: Amendment, outcome: Outcome, patch_text: str, *, actor: str) -> Outcome:
    """A rebase not applied: kept on the amendment, and in the event log."""
    _store(session, amendment, outcome, patch_text)
    record(session, actor, f"amendment.{outcome.state}", "amendment", amendment.slug, amendment.document_id,
           detail={"from": outcome.from_version, "to": outcome.to_version, "reason": outcome.reason,
                   **outcome.report()})
    return outcome


def _store(session: Session, amendment: Amendment, outcome: Outcome, patch_text: str) -> None:
    row = session.get(AmendmentRebase, amendment.id) or AmendmentRebase(amendment_id=amendment.id)
    row.state, row.from_version, row.to_version = outcome.state, outcome.from_version, outcome.to_version
    row.revision, row.reason = amendment.revision, outcome.reason
    row.report, row.patch_text, row.at = json.dumps(outcome.report()), patch_text, utcnow()
    session.add(row)
    session.flush()


# Renumbering a collision ------------------------------------------------------------

# A heading's own number: "### 6. Heading" (uk-si), "### 6 Heading" (uk-act), "### 6A. ...".
_HEADING_NUMBER = re.compile(r"(#{1,6}[ \t]+)(\d+)([A-Z]*)(?=\.?[ \t]|\.?$)")


def _renumber(text: str, kind: str, error: InvalidStructure,
              changed: tuple[int, int, int] | None) -> tuple[str, Renumbering] | str:
    """The text with the amendment's colliding provision renumbered, or why it cannot be."""
    lines = error.extra.get("lines") or []
    if len(lines) != 2 or changed is None:
        return "renumber the provision it inserts and revise the amendment"
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    ours = [line for line in lines if changed[0] <= starts[line - 1] < changed[2]]
    if len(ours) != 1:
        return "both provisions are its own or neither is: renumber one and revise the amendment"
    at = starts[ours[0] - 1]
    structure = parse_structure(text, kind=kind, strict=False)
    mine = next((p for p in structure.provisions if p.start == at), None)
    other = next((p for p in structure.provisions if p.line in lines and p is not mine), None)
    if mine is not None and other is not None and other.start == mine.end:
        # Both inserted at one place, ours first: the one accepted first keeps its place
        # and number, and ours follows it, as a drafter adding a later regulation would.
        text, at = _swapped(text, mine.start, mine.end, other.end)
        structure = parse_structure(text, kind=kind, strict=False)
        mine = next((p for p in structure.provisions if p.start == at), None)
    match = _HEADING_NUMBER.match(text, at)
    if match is None or mine is None:
        return "its number is not one this can rewrite: renumber it and revise the amendment"
    siblings = [p for p in structure.provisions if p.parent == mine.parent and p.kind == mine.kind]
    used = {p.number.upper() for p in siblings}
    later = [p for p in siblings if p.start > mine.start]
    number = match.group(2) + match.group(3)
    if not later:
        new = str(max(int(re.match(r"\d+", p.number).group()) for p in siblings if p.number[:1].isdigit()) + 1)
    else:
        base = match.group(2) + (match.group(3) or "")
        new = next(base + letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if (base + letter).upper() not in used)
    end = mine.end
    heading = match.group(1) + new
    body = text[match.end():end]
    word = mine.label.split()[0]
    references: list[str] = []

    def renamed(m: re.Match) -> str:
        reference = f"{m.group()[:len(word)]} {new}{m.group(1)}"  # "Regulation" keeps its capital
        references.append(f"{m.group()} → {reference}")
        return reference

    # "regulation 6", "Regulation 6(2)(a)": not "regulation 60" or "regulation 6A".
    body = re.sub(rf"\b{re.escape(word)} {re.escape(number)}(?![0-9A-Z])((?:\([^()\s]+\))*)", renamed, body,
                  flags=re.IGNORECASE)
    renumbered = text[:at] + heading + body + text[end:]
    try:
        parse_structure(renumbered, kind=kind)
    except InvalidStructure as still:
        return f"renumbering it as {new} still leaves {still.message}: renumber it and revise the amendment"
    label = mine.label.replace(number, new, 1)
    return renumbered, Renumbering(mine.label, label, tuple(references))


def _swapped(text: str, start: int, middle: int, end: int) -> tuple[str, int]:
    """``text`` with the blocks ``[start, middle)`` and ``[middle, end)`` in the other
    order, a blank line between them, and where the first block now starts."""
    first, second = text[start:middle].rstrip("\n"), text[middle:end].rstrip("\n")
    tail = text[start:end][len(text[start:end].rstrip("\n")):]
    return text[:start] + second + "\n\n" + first + tail + text[end:], start + len(second) + 2
