"""Comparisons: version against version, or a version against amendments applied to it
in order, with every change attributed.

Between versions, changes are attributed along the chain of versions from the older
to the newer: to the amendment that produced each version, or to the version itself
(``version-N``) where it was a direct edit. Against amendments, each change is
attributed to the amendment that made it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlmodel import Session, select

from regdraft.core.diffing import TextDiff, diff_texts, unified_diff
from regdraft.core.errors import PatchDoesNotApply
from regdraft.core.history import History, Step, diff_steps
from regdraft.core.instructions import generate, render_instructions
from regdraft.core.patching import ApplyResult, applied_in_turn, parse_patch
from regdraft.core.redline import Source
from regdraft.core.text import content_hash
from regdraft.core.traditions import DEFAULT_KIND
from regdraft.formats.write import Provenance, Revision
from regdraft.services import amendments as amendment_service
from regdraft.services import documents
from regdraft.store.models import Amendment, Document, Stakeholder, Version

# Part of every ETag: bump it when any rendering changes, so caches are not reused.
RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Comparison:
    """Two texts and how they differ; names say what each side is."""

    old_name: str
    new_name: str
    old_text: str
    new_text: str
    diff: TextDiff
    sources: dict[str, Source]
    """What each change's source (an amendment slug) stands for."""
    etag: str
    """Derived from content hashes and amendment patches: the same inputs, the same tag."""
    kind: str = DEFAULT_KIND
    """The kind of document the texts are: their provisions are read as that kind."""
    base: Provenance | None = field(default=None, compare=False)
    """The version compared from, when the old side is one (an export names it)."""
    editors: dict[str, Revision] = field(default_factory=dict, compare=False)
    """Who made the direct edits (source ``version-N``) the diff shows, and when."""

    @property
    def old_hash(self) -> str:
        return content_hash(self.old_text)

    @property
    def new_hash(self) -> str:
        return content_hash(self.new_text)

    def unified(self) -> str:
        return unified_diff(self.old_text, self.new_text, old_name=self.old_name, new_name=self.new_name,
                            kind=self.kind)

    def instructions(self) -> str:
        """The amending instructions that make the new text of the old, in the kind's words."""
        return render_instructions(generate(self.old_text, self.new_text, kind=self.kind), kind=self.kind)

    def as_json(self, *, unchanged: bool = False) -> dict:
        groups = self.diff.groups if unchanged else self.diff.changes
        return {
            "old": {"name": self.old_name, "hash": self.old_hash},
            "new": {"name": self.new_name, "hash": self.new_hash},
            "stats": self.diff.stats(),
            "changes": [{"provision": g.provision, "label": g.label, "status": g.status,
                         "ops": [{"op": op.kind, "text": op.text, **({"amendment": op.source} if op.source else {})}
                                 for op in g.ops]} for g in groups],
        }


def etag(*parts: str) -> str:
    return hashlib.sha256("\x1f".join((RENDERER_VERSION,) + parts).encode()).hexdigest()[:32]


def amendment_key(amendment: Amendment) -> str:
    return f"{amendment.slug}:{hashlib.sha256(amendment.patch_text.encode()).hexdigest()[:16]}"


class StakeholderNames(dict[int, str]):
    """Stakeholders' names by id, each read once. ``session.get`` alone reads a row again
    on every call once nothing refers to the object (the session's identity map holds
    objects weakly): a Keeling schedule asked for the same dozen names 46 times."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def __missing__(self, stakeholder_id: int) -> str:
        name = self[stakeholder_id] = self.session.get(Stakeholder, stakeholder_id).name
        return name

    def read(self, stakeholder_ids: set[int]) -> "StakeholderNames":
        """Read these names now, in one query."""
        wanted = stakeholder_ids - self.keys()
        if wanted:
            self.update(self.session.exec(select(Stakeholder.id, Stakeholder.name)
                                          .where(Stakeholder.id.in_(wanted))).all())
        return self


def sources_of(session: Session, amendments: list[Amendment],
               names: StakeholderNames | None = None) -> dict[str, Source]:
    names = StakeholderNames(session) if names is None else names
    return {a.slug: Source(a.title, names[a.proposer_id], proposed=iso_time(a.created_at)) for a in amendments}


def provenance(session: Session, document: Document, version: Version) -> Provenance:
    """What an export of ``version`` says it is of."""
    first = version if version.number == 1 else documents.get_version(session, document, 1)
    return Provenance(document.slug, document.title, document.kind, version.number,
                      version.content_hash, version.author, iso_time(version.created_at), iso_time(first.created_at))


def iso_time(when: datetime) -> str:
    """A stored time as ISO 8601 in UTC (``2014-06-20T00:00:00Z``); a time stored without
    a zone is UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def compare_texts(old_name: str, old: str, new_name: str, new: str, kind: str = DEFAULT_KIND) -> Comparison:
    return Comparison(old_name, new_name, old, new, diff_texts(old, new, kind), {},
                      etag("texts", kind, content_hash(old), content_hash(new)), kind)


def compare_versions(session: Session, document: Document, old: int, new: int) -> Comparison:
    a, b = documents.get_version(session, document, old), documents.get_version(session, document, new)
    producers: list[Amendment] = []
    editors: dict[str, Revision] = {}
    if a.number < b.number:
        steps = []
        for version in documents.list_versions(session, document)[a.number:b.number]:
            producer = session.get(Amendment, version.produced_by_id) if version.produced_by_id else None
            if producer is not None:
                producers.append(producer)
            else:
                editors[f"version-{version.number}"] = Revision(version.author, iso_time(version.created_at))
            steps.append(Step(version.text, producer.slug if producer else f"version-{version.number}"))
        diff = diff_steps(a.text, steps, document.kind)
    else:
        diff = diff_texts(a.text, b.text, document.kind)
    return Comparison(f"{document.slug}@{a.number}", f"{document.slug}@{b.number}", a.text, b.text, diff,
                      sources_of(session, producers), etag("versions", document.kind, a.content_hash, b.content_hash),
                      document.kind, provenance(session, document, a), editors)


def amended(version: Version, amendments: list[Amendment], kind: str = DEFAULT_KIND) -> History:
    """The version as the amendments applied in order leave it, with who changed what;
    each text is let go as the next is made. All or nothing: the first that does not
    apply raises :class:`PatchDoesNotApply`."""
    history, left_out = _amended(version, amendments, kind, past_failures=False)
    if left_out:
        amendment, result = left_out[0]
        done = amendments[:amendments.index(amendment)]
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} does not apply to version {version.number}"
            + (f" after {', '.join(a.slug for a in done)}" if done else ""),
            amendment=amendment.slug, hunks=[h.as_dict() for h in result.hunks])
    return history


def amended_where_possible(version: Version, amendments: list[Amendment], kind: str = DEFAULT_KIND
                           ) -> tuple[History, list[tuple[Amendment, ApplyResult]]]:
    """The version as the amendments applied in order leave it, each one that does not
    apply to the text the ones before it made left out (and the next applied without
    it); and those left out, with their results."""
    return _amended(version, amendments, kind, past_failures=True)


def _amended(version: Version, amendments: list[Amendment], kind: str, *, past_failures: bool
             ) -> tuple[History, list[tuple[Amendment, ApplyResult]]]:
    history = History(version.text, kind)
    left_out: list[tuple[Amendment, ApplyResult]] = []
    patches = [parse_patch(a.patch_text) for a in amendments]
    for amendment, result in zip(amendments, applied_in_turn(patches, version.text, past_failures=past_failures)):
        if result.text is None:
            left_out.append((amendment, result))
        else:
            history.add(Step(result.text, amendment.slug, result.changed))
    return history, left_out


def compare_amendments(session: Session, document: Document, version: int, slugs: list[str]) -> Comparison:
    """The version against the amendments applied to it in order (all-or-nothing)."""
    base = documents.get_version(session, document, version)
    chosen = amendment_service.resolve(session, document, slugs)
    amendment_service.check_not_already_in(session, base, chosen)
    history = amended(base, chosen, document.kind)
    return Comparison(f"{document.slug}@{base.number}", f"{document.slug}@{base.number}+{'+'.join(slugs)}",
                      base.text, history.current, history.diff(),
                      sources_of(session, chosen),
                      etag("amendments", document.kind, base.content_hash, *map(amendment_key, chosen)), document.kind,
                      provenance(session, document, base))
