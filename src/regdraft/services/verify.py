"""Checking the whole store: what must hold whatever happened (crashes, concurrent
writers, hand edits of the database).

- every version's text hashes to its ``content_hash``;
- each document's versions form one chain 1, 2, ... N, each the child of the one before;
- every accepted amendment produced exactly one version, and replaying it on that
  version's parent gives that version's text; no other amendment produced a version;
- every amendment's ``base_hash`` is its base version's hash, and its patch applies
  exactly to that base;
- every citation's quote is still found in its response, where it says;
- every amendment's latest decision gave it the status it has, a rejection has its
  reason, and a fallen amendment names an accepted one it fell with;
- every amendment's categories are among those its document declares (if it declares any);
- every version's structure kept in the store (``services.structures``) is what reading
  its text afresh gives;
- every version's rendering kept in the store (``services.renderings``) is what
  rendering its text afresh gives;
- every comment anchored ``exact`` or ``moved`` holds its quote, character for
  character, where it says (``services.comments.anchor_problems``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from regdraft.core.amendments import result_is_normalised
from regdraft.core.anchors import FoldedText
from regdraft.core.errors import RegdraftError
from regdraft.core.patching import apply_patch, parse_patch
from regdraft.core.diffing import read_structure
from regdraft.core.redline import render_text
from regdraft.core.text import content_hash
from regdraft.services import amendments as amendment_service
from regdraft.services import comments, decisions, documents, renderings, structures
from regdraft.services.decisions import REASON_REQUIRED
from regdraft.store.models import Amendment, Citation, Decision, Document, Response, Version


@dataclass
class Report:
    checked: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, what: str) -> None:
        self.checked[what] = self.checked.get(what, 0) + 1


def verify(session: Session) -> Report:
    report = Report()
    for document in session.exec(select(Document).order_by(Document.slug)).all():
        _verify_document(session, document, report)
    folded: dict[int, FoldedText] = {}  # each response folded once, however often cited
    for citation, response in session.exec(select(Citation, Response).join(Response,
                                                                          Response.id == Citation.response_id)
                                           .order_by(Citation.response_id)):
        report.count("citations")
        if response.id not in folded:
            folded.clear()  # ordered by response: one folded text held at a time
            folded[response.id] = FoldedText(response.text)
        try:
            anchor = folded[response.id].find(citation.quote, prefix=citation.prefix, suffix=citation.suffix)
        except RegdraftError:
            report.problems.append(f"citation {citation.id}: quote no longer found in response {response.slug!r}")
            continue
        if (anchor.start, anchor.end) != (citation.start, citation.end):
            report.problems.append(f"citation {citation.id}: quote moved in response {response.slug!r} "
                                   f"({citation.start}-{citation.end} → {anchor.start}-{anchor.end})")
    for problem in comments.anchor_problems(session, lambda: report.count("comment anchors")):
        report.problems.append(problem)
    return report


def _verify_document(session: Session, document: Document, report: Report) -> None:
    versions = list(session.exec(select(Version).where(Version.document_id == document.id)
                                 .order_by(Version.number)).all())
    by_id = {v.id: v for v in versions}
    damaged: set[int] = set()
    previous = None
    for expected, version in enumerate(versions, start=1):
        report.count("versions")
        name = f"{document.slug}@{version.number}"
        if version.number != expected:
            report.problems.append(f"{name}: numbering has a gap (expected version {expected})")
        if content_hash(version.text) != version.content_hash:
            report.problems.append(f"{name}: text does not match its content hash")
            damaged.add(version.id)
        if version.parent_id != (previous.id if previous else None):
            report.problems.append(f"{name}: parent is not the previous version")
        previous = version
        # A damaged text is reported above: its hash's structure is the undamaged text's.
        try:
            kept = None if version.id in damaged else structures.stored(session, version.content_hash, document.kind,
                                                                        version.text)
        except ValueError as error:
            report.problems.append(f"{name}: its stored structure cannot be read ({error})")
            kept = None
        if kept is not None:
            report.count("structures")
            if not structures.same_reading(kept, read_structure(version.text, document.kind)):
                report.problems.append(f"{name}: its stored structure is not what reading its text gives")
        if version.id not in damaged:
            _verify_rendering(session, document, version, name, report)
    amendments = list(session.exec(select(Amendment).where(Amendment.document_id == document.id)).all())
    produced = {v.produced_by_id: v for v in versions if v.produced_by_id is not None}
    latest = decisions.latest_each(session, amendments)
    declared = {c.slug for c in documents.categories(session, document)}
    for amendment in amendments:
        report.count("amendments")
        name = f"{document.slug}/{amendment.slug}"
        undeclared = [c for c in amendment_service.categories_of(session, amendment) if declared and c not in declared]
        if undeclared:
            report.problems.append(f"{name}: filed under {', '.join(undeclared)}, which the document does not declare")
        decision = latest.get(amendment.id)
        if decision is not None:
            report.count("decisions")
            report.problems.extend(f"{name}: {problem}" for problem in _decision_problems(session, amendment, decision))
        base = session.get(Version, amendment.base_version_id)
        if base is None or base.content_hash != amendment.base_hash:
            report.problems.append(f"{name}: base_hash does not match its base version")
            continue
        result = apply_patch(parse_patch(amendment.patch_text), base.text)
        if not result.exact:
            report.problems.append(f"{name}: patch does not apply exactly to its base")
        elif base.id not in damaged and not result_is_normalised(result):
            report.problems.append(f"{name}: its patch's result is not normalised (blanks at a line end?): "
                                   f"accepted, it would make a version that replaying it does not give")
        version = produced.get(amendment.id)
        if amendment.status == "accepted":
            if version is None:
                report.problems.append(f"{name}: accepted but produced no version")
                continue
            parent = by_id.get(version.parent_id)
            replay = apply_patch(parse_patch(amendment.patch_text), parent.text if parent else "")
            if replay.text != version.text:
                report.problems.append(f"{name}: replaying it on {document.slug}@{parent.number if parent else '?'} "
                                       f"does not give version {version.number}")
            report.count("replays")
        elif version is not None:
            report.problems.append(f"{name}: is {amendment.status} but produced version {version.number}")


def _verify_rendering(session: Session, document: Document, version: Version, name: str, report: Report) -> None:
    try:
        kept = renderings.stored(session, version.content_hash, document.kind)
    except ValueError as error:
        report.problems.append(f"{name}: its stored rendering cannot be read ({error})")
        return
    if kept is not None:
        report.count("renderings")
        if kept != render_text(version.text, read_structure(version.text, document.kind)):
            report.problems.append(f"{name}: its stored rendering is not what rendering its text gives")


def _decision_problems(session: Session, amendment: Amendment, decision: Decision) -> list[str]:
    if decision.status != amendment.status:
        return [f"is {amendment.status}, but its latest decision made it {decision.status}"]
    if decision.status in REASON_REQUIRED and not decision.reason.strip():
        return [f"was {decision.status} without a reason"]
    if decision.status == "fallen":
        cause = session.get(Amendment, decision.cause_id) if decision.cause_id is not None else None
        if cause is None or cause.status != "accepted":
            return ["fell, but not with an accepted amendment"]
    return []
