"""The Word round trip: an exported .docx, edited with tracked changes and sent back,
becomes a proposed amendment.

- **Against which version**: the one the file was exported from, named in its custom
  properties (``regdraft.document``, ``regdraft.version``, ``regdraft.content-hash``);
  a file from another document, or naming a version whose text is not the one it was
  exported from, is refused.
- **What it changes**: the file's text with every revision rejected is the text the
  reviewer started from; with every revision accepted, what they want. Where the first
  is the version's text (the file was edited only with tracking on), the amendment is
  exactly the accepted text. Where it is not (someone edited with tracking off), the
  tracked changes alone are placed onto the version as a patch, fuzzily; a change
  that cannot be placed is listed in :attr:`WordAmendment.unplaced`, and so are
  revisions outside the text's lines (text boxes): nothing is dropped silently. With
  anything unplaced, nothing is stored unless the caller allows it (``partial``).
- **Who**: the revision authors are the proposer candidates, in the order they first
  revised; the proposer is the one named, else the first candidate who is one of the
  document's stakeholders (by name or slug).
- **Why**: each Word comment that quotes (in “…” or "…") words found in one of the
  document's consultation responses becomes a citation of that response; the other
  comments, with their authors, become the rationale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from regdraft.core.errors import InvalidInput
from regdraft.core.patching import DELETE, INSERT, apply_patch, make_patch, parse_patch
from regdraft.core.text import normalise
from regdraft.formats.read.tracked_changes import Comment, TrackedDocument, read_tracked_changes
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.store.models import Amendment, Document, Version

_QUOTED = re.compile(r"“([^”]{3,})”|\"([^\"]{3,})\"")


@dataclass(frozen=True)
class Unplaced:
    """A tracked change (or untracked difference) that could not be put into the version."""

    kind: str
    """``insert`` or ``delete``; ``untracked`` for a difference made with tracking off."""
    text: str
    author: str
    reason: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "author": self.author, "reason": self.reason}


@dataclass(frozen=True)
class WordAmendment:
    """What an edited export proposes, before it is stored."""

    base: Version
    new_text: str
    candidates: list[str]
    """Who made the revisions: proposer candidates, in order."""
    rationale: str
    citations: list[amendment_service.CitationInput]
    unplaced: list[Unplaced] = field(default_factory=list)
    untracked: list[Unplaced] = field(default_factory=list)
    """Differences between the version and the file made with change tracking off:
    listed, not applied (only tracked changes are proposed)."""


def read_word_amendment(session: Session, document: Document, data: bytes) -> WordAmendment:
    """The amendment an edited Word export of ``document`` proposes."""
    tracked = read_tracked_changes(data)
    base = _exported_from(session, document, tracked.properties)
    if not tracked.revisions() and not tracked.unplaced:
        raise InvalidInput("the file has no tracked changes: switch on Track Changes in Word and edit again",
                           field="file")
    started_from, wanted = _normalised(tracked.rejected()), _normalised(tracked.accepted())
    untracked: list[Unplaced] = []
    if started_from == base.text:
        new_text, unplaced = wanted, []
    else:
        untracked = _changes(base.text, started_from, "untracked", "", "made with change tracking off; not proposed")
        new_text, unplaced = _placed(base.text, started_from, wanted)
    unplaced += [Unplaced(run.kind, run.text, run.author, "outside the document's lines (a text box or note)")
                 for run in tracked.unplaced]
    rationale, citations = _reasons(session, document, tracked.comments)
    return WordAmendment(base, new_text, tracked.authors, rationale, citations, unplaced, untracked)


def propose_from_word(session: Session, document: Document, data: bytes, *, slug: str, title: str,
                      categories: list[str], actor: str, proposer: str | None = None, status: str = "proposed",
                      partial: bool = False,
                      check: Callable[[str, list[str]], None] | None = None) -> tuple[Amendment, WordAmendment]:
    """Store the amendment the file proposes. Refused when a change could not be
    placed, unless ``partial`` (the unplaced ones are then listed, not applied).
    ``check(proposer, cited responses)`` may refuse before anything is stored (the
    API's authorization)."""
    word = read_word_amendment(session, document, data)
    if word.unplaced and not partial:
        raise InvalidInput(f"{len(word.unplaced)} tracked change(s) cannot be placed in version {word.base.number}; "
                           "see `unplaced` (propose the rest with partial)", field="file",
                           unplaced=[u.as_dict() for u in word.unplaced])
    if word.new_text == word.base.text:
        raise InvalidInput("the tracked changes leave the version as it is: there is nothing to amend", field="file")
    chosen = proposer or _proposer(session, document, word.candidates)
    if check is not None:
        check(chosen, [citation.response for citation in word.citations])
    amendment = amendment_service.propose(session, document, amendment_service.AmendmentInput(
        slug=slug, title=title, proposer=chosen, base=word.base.number, categories=categories,
        rationale=word.rationale, new_text=word.new_text, citations=word.citations, status=status), actor=actor)
    return amendment, word


def _normalised(text: str) -> str:
    return normalise(text, what="the Word file's text")


def _exported_from(session: Session, document: Document, properties: dict[str, str]) -> Version:
    named = properties.get("regdraft.document")
    if named is None or "regdraft.version" not in properties:
        raise InvalidInput("the file does not say which version it was exported from (no regdraft custom "
                           "properties): export the version with `regdraft render N -f docx` and edit that",
                           field="file")
    if named != document.slug:
        raise InvalidInput(f"the file was exported from document {named!r}, not {document.slug!r}", field="document")
    try:
        number = int(properties["regdraft.version"])
    except ValueError:
        raise InvalidInput(f"the file's regdraft.version {properties['regdraft.version']!r} is not a number",
                           field="file") from None
    version = documents.get_version(session, document, number)
    if properties.get("regdraft.content-hash", version.content_hash) != version.content_hash:
        raise InvalidInput(f"the file was exported from a version {number} whose text is not this one's "
                           "(its content hash differs)", field="file")
    return version


def _changes(old: str, new: str, kind: str, author: str, reason: str) -> list[Unplaced]:
    hunks = parse_patch(make_patch(old, new)).hunks
    return [Unplaced(kind, "".join(op.text for op in hunk.ops if op.kind != "equal"), author, reason)
            for hunk in hunks]


def _placed(base: str, started_from: str, wanted: str) -> tuple[str, list[Unplaced]]:
    """The tracked changes (``started_from`` → ``wanted``) applied to ``base``, and
    those whose place in ``base`` cannot be found."""
    patch = parse_patch(make_patch(started_from, wanted))
    result = apply_patch(patch, base, partial=True)
    unplaced = [Unplaced(op.kind, op.text, "", "its words are not in the version (edited without tracking?)")
                for hunk_result in result.hunks if not hunk_result.applied
                for op in patch.hunks[hunk_result.index].ops if op.kind in (INSERT, DELETE)]
    return result.text if result.text is not None else base, unplaced


def _reasons(session: Session, document: Document,
             comments: tuple[Comment, ...]) -> tuple[str, list[amendment_service.CitationInput]]:
    responses = documents.list_responses(session, document)
    rationale, citations = [], []
    for comment in comments:
        cited = False
        for match in _QUOTED.finditer(comment.text):
            quote = (match.group(1) or match.group(2)).strip()
            found = next((r for r in responses if quote in r.text), None)
            if found is not None:
                citations.append(amendment_service.CitationInput(found.slug, quote))
                cited = True
        if not cited and comment.text:
            rationale.append(f"{comment.author}: {comment.text}" if comment.author else comment.text)
    return "\n\n".join(rationale), citations


def _proposer(session: Session, document: Document, candidates: list[str]) -> str:
    stakeholders = documents.list_stakeholders(session, document)
    by_name = {s.name.casefold(): s.slug for s in stakeholders} | {s.slug.casefold(): s.slug for s in stakeholders}
    for candidate in candidates:
        if candidate.casefold() in by_name:
            return by_name[candidate.casefold()]
    raise InvalidInput("name the proposer: none of the revision authors (" + (", ".join(candidates) or "none")
                       + ") is a stakeholder of the document", field="proposer", candidates=candidates)
