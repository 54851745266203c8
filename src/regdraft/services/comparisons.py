"""Comparisons: version against version, or a version against amendments applied to it
in order, with every change attributed.

Between versions, changes are attributed along the chain of versions from the older
to the newer: to the amendment that produced each version, or to the version itself
(:func:`~regdraft.core.history.version_source`, a source no amendment's slug can be)
where it was a direct edit. Against amendments, each change is attributed to the
amendment that made it.

The CLI's file commands compare two files with :func:`compare_texts` and no database,
so the store's modules (SQLModel, SQLAlchemy) are imported by the functions that query
it, not by this module.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property, partial
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from regdraft import json_text
from regdraft.core.diffing import ProvisionDiff, TextDiff, diff_texts, read_structure, unified_diff
from regdraft.core.errors import PatchDoesNotApply
from regdraft.core.history import History, Step, diff_steps, edited_version, version_source
from regdraft.core.patching import ApplyResult, applied_in_turn, parse_patch
from regdraft.core.redline import Source, TextRendering, may_splice
from regdraft.core.segments import PlacedChange, Utf16, placed_changes
from regdraft.core.structure import Structure, collector_paused
from regdraft.core.text import content_hash, normalised_hash
from regdraft.core.traditions import DEFAULT_KIND
from regdraft.services.kept import KeptInMemory, held_bytes

if TYPE_CHECKING:
    from sqlmodel import Session

    from regdraft.formats.write import Provenance, Revision
    from regdraft.store.models import Amendment, Document, Version

# Part of every ETag: bump it when any rendering changes, so caches are not reused.
RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Comparison:
    """Two texts and how they differ; names say what each side is."""

    old_name: str
    new_name: str
    old: str | Callable[[], tuple[str, Structure]]
    """The old text; or, for a stored version, how to read it and its reading again
    (:func:`plan_versions`), should a form need them (the unified diff, the JSON, the
    instructions). The html redline needs neither: its diff holds all it shows, so a
    stored comparison does not hold the old text while the page is made."""
    new_text: str
    diff: TextDiff
    sources: dict[str, Source]
    """What each change's source (an amendment slug) stands for."""
    etag: str
    """Derived from content hashes and amendment patches: the same inputs, the same tag."""
    kind: str = DEFAULT_KIND
    """The kind of document the texts are: their provisions are read as that kind."""
    old_structure_read: Structure | None = field(default=None, repr=False, compare=False)
    """The old text's structure, if already read (where ``old`` is the text)."""
    base: Provenance | None = field(default=None, compare=False)
    """The version compared from, when the old side is one (an export names it)."""
    editors: dict[str, Revision] = field(default_factory=dict, compare=False)
    """Who made the direct edits (source :func:`~regdraft.core.history.version_source`)
    the diff shows, and when."""
    new_structure: Structure | None = field(default=None, repr=False, compare=False)
    """The new text's structure, if already read."""
    structure_reader: Callable[[str], Structure] | None = field(default=None, repr=False, compare=False)
    """How a structure not given is read, when the JSON needs it: a document's kept
    reading (``services.structures``); parsed as ``kind`` if none."""
    hashes: tuple[str, str] | None = field(default=None, compare=False)
    """The two texts' content hashes, where already known (stored versions')."""
    rendering_reader: Callable[[], TextRendering] | None = field(default=None, repr=False, compare=False)
    """How the new text's stored rendering is read (a stored version's,
    ``services.renderings``), when an html redline needs it."""

    @cached_property
    def _old_side(self) -> tuple[str, Structure | None]:
        return (self.old, self.old_structure_read) if isinstance(self.old, str) else self.old()

    @property
    def old_text(self) -> str:
        return self._old_side[0]

    @property
    def old_structure(self) -> Structure | None:
        """The old text's structure, if already read, or read with it (a stored version's)."""
        return self._old_side[1]

    @cached_property
    def rendering(self) -> TextRendering | None:
        """The new text's stored rendering, whose unchanged pieces the html redline splices."""
        return self.rendering_reader() if self.rendering_reader is not None else None

    def rendering_to_splice(self) -> TextRendering | None:
        """:attr:`rendering`, where an html redline of the diff may splice enough of it to
        pay for reading it (``redline.may_splice``: a diff that changes much leaves
        little unchanged)."""
        return self.rendering if may_splice(self.diff) else None

    @cached_property
    def old_hash(self) -> str:
        return self.hashes[0] if self.hashes else content_hash(self.old_text)

    @cached_property
    def new_hash(self) -> str:
        return self.hashes[1] if self.hashes else content_hash(self.new_text)

    def unified(self) -> str:
        return unified_diff(self.old_text, self.new_text, old_name=self.old_name, new_name=self.new_name,
                            kind=self.kind, old_structure=self.old_structure)

    def instructions(self) -> str:
        """The amending instructions that make the new text of the old, in the kind's words."""
        from regdraft.core.instructions import generate, render_instructions  # only here: a diff does without

        return render_instructions(generate(self.old_text, self.new_text, kind=self.kind), kind=self.kind)

    def as_json(self, *, unchanged: bool = False) -> dict:
        """The diff as the API and ``regdraft diff -f json`` give it (``docs/rendering.md``):
        each change with its provision's kind, its place in both texts, its ops and their
        plain-text segments; offsets in code points, and in UTF-16 code units too where
        a text holds a character beyond U+FFFF."""
        head, changes = self._json_parts(unchanged)
        # Three objects an op and a segment, tens of thousands for a long diff, none in
        # a reference cycle (tests/unit/test_json_diff.py): a collection meanwhile would
        # walk them, and what the diff just made, over and over to free nothing.
        with collector_paused():
            return {**head, "changes": list(changes)}

    def json_utf8(self, *, unchanged: bool = False, indented: bool = True) -> bytes:
        """``json_text.pretty_utf8(self.as_json(unchanged=unchanged))`` (``compact`` if
        not ``indented``), each change written as it is placed and let go: the objects
        of every change are never all held (nor walked by the collector when it
        resumes, which took a tenth of the JSON of 10% of lines)."""
        head, changes = self._json_parts(unchanged)
        with collector_paused():
            return (json_text.pretty_utf8_listing if indented else json_text.compact_listing)(head, "changes", changes)

    def _json_parts(self, unchanged: bool) -> tuple[dict, Iterator[dict]]:
        """What :meth:`as_json` gives but its changes, and its changes one at a time."""
        read = self.structure_reader or partial(read_structure, kind=self.kind)
        old_structure = self.old_structure or read(self.old_text)
        new_structure = self.new_structure or read(self.new_text)
        out = _JsonOut(self.old_text, self.new_text)
        head = {"old": {"name": self.old_name, "hash": self.old_hash},
                "new": {"name": self.new_name, "hash": self.new_hash},
                "stats": self.diff.stats()}
        return head, out.changes(placed_changes(self.diff, old_structure, new_structure, unchanged=unchanged))


class _JsonOut:
    """Placed values of a diff of ``old_text`` into ``new_text`` as JSON: their ranges
    in each text, and what made a change."""

    def __init__(self, old_text: str, new_text: str) -> None:
        self.old16, self.new16 = Utf16.of(old_text), Utf16.of(new_text)
        self.sources: dict[str, dict] = {}

    def changes(self, placed: Iterable[PlacedChange]) -> Iterator[dict]:
        """Each change, its ops and its segments as JSON, one change at a time. A long
        diff has thousands of segments: their objects are written out here, key by key
        in the order the contract shows, each range as code points first (the UTF-16
        offsets, where a text needs them, are added after to the same objects)."""
        by = self.by
        utf16 = self.old16 is not None or self.new16 is not None
        for change in placed:
            ops = []
            for kind, text, source, old_start, old_end, new_start, new_end in change.ops:
                op = {"op": kind, "text": text, "old": {"start": old_start, "end": old_end},
                      "new": {"start": new_start, "end": new_end}}
                if source is not None:
                    made_by = by(source)
                    if made_by["kind"] == "amendment":  # its slug as ``amendment`` too, as before
                        op["amendment"] = source
                    op["by"] = made_by
                ops.append(op)
            segments = []
            for role, markup, provision, (kind, text, source, old_start, old_end, new_start, new_end) \
                    in change.segments:
                if markup:
                    segment = {"op": kind, "role": role, "markup": markup, "provision": provision, "text": text,
                               "old": {"start": old_start, "end": old_end}, "new": {"start": new_start, "end": new_end}}
                else:
                    segment = {"op": kind, "role": role, "provision": provision, "text": text,
                               "old": {"start": old_start, "end": old_end}, "new": {"start": new_start, "end": new_end}}
                if source:
                    segment["by"] = by(source)
                segments.append(segment)
            group = change.group
            out = {"provision": group.provision, "label": group.label}
            if change.kind is not None:
                out["kind"] = change.kind
            out["status"] = group.status
            out["old"] = {"start": change.old_start, "end": change.old_end}
            out["new"] = {"start": change.new_start, "end": change.new_end}
            out["ops"], out["segments"] = ops, segments
            if group.relocation:
                out[group.relocation.kind] = group.relocation.as_json()
            if utf16:
                self._add_utf16(out)
            yield out

    def _add_utf16(self, change: dict) -> None:
        """Each range of a change into a text holding a character beyond U+FFFF given its
        UTF-16 offsets too."""
        for side, utf16 in (("old", self.old16), ("new", self.new16)):
            if utf16 is None:
                continue
            for placed in itertools.chain((change,), change["ops"], change["segments"]):
                at = placed[side]
                at["start_utf16"], at["end_utf16"] = utf16(at["start"]), utf16(at["end"])

    def by(self, source: str) -> dict:
        """A change's source: an amendment (its slug) or a version's direct edits (its
        number), never one taken for the other."""
        by = self.sources.get(source)
        if by is None:
            number = edited_version(source)
            by = self.sources[source] = ({"kind": "version", "number": number} if number is not None
                                         else {"kind": "amendment", "slug": source})
        return by


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
        from regdraft.store.models import Stakeholder

        name = self[stakeholder_id] = self.session.get(Stakeholder, stakeholder_id).name
        return name

    def read(self, stakeholder_ids: set[int]) -> "StakeholderNames":
        """Read these names now, in one query."""
        from sqlmodel import select

        from regdraft.store.models import Stakeholder

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
    """What an export of ``version`` (a row of its number, hash, author and time will do)
    says it is of."""
    from sqlmodel import select

    from regdraft.formats.write import Provenance
    from regdraft.store.models import Version

    # The first version's time, not its row: a row is a whole text.
    first = version.created_at if version.number == 1 else session.exec(
        select(Version.created_at).where(Version.document_id == document.id, Version.number == 1)).one()
    return Provenance(document.slug, document.title, document.kind, version.number,
                      version.content_hash, version.author, iso_time(version.created_at), iso_time(first))


def iso_time(when: datetime) -> str:
    """A stored time as ISO 8601 in UTC (``2014-06-20T00:00:00Z``); a time stored without
    a zone is UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def compare_texts(old_name: str, old: str, new_name: str, new: str, kind: str = DEFAULT_KIND, *,
                  normalised: bool = False) -> Comparison:
    """Two texts compared; ``normalised`` says both are normalised already (files the CLI
    read, stored texts), so their hashes are taken as they are."""
    hash_of = normalised_hash if normalised else content_hash
    hashes = hash_of(old), hash_of(new)
    old_structure, new_structure = read_structure(old, kind), read_structure(new, kind)
    return Comparison(old_name, new_name, old, new,
                      diff_texts(old, new, kind, old_structure=old_structure, new_structure=new_structure), {},
                      etag("texts", kind, *hashes), kind, old_structure, new_structure=new_structure, hashes=hashes)


@dataclass(frozen=True)
class Plan:
    """A comparison as known before any text is read or diffed: its ETag and sources
    (from content hashes, amendments' patches and a few rows), and how to make it. A
    conditional request is answered from the plan alone."""

    etag: str
    sources: dict[str, Source]
    make: Callable[..., Comparison] = field(repr=False, compare=False)
    """``make()``, the comparison; ``make(with_old_text=False)``, one that reads its old
    side again only if a form asks for it, for a form drawn from the diff alone
    (:data:`DIFF_FORMS`): the old text is let go before the rendering is made."""


DIFF_FORMS = frozenset({"html", "fragment", "criticmarkup"})
"""The forms of a comparison drawn from its diff alone, neither text read again."""


DIFFS = KeptInMemory(128 * 1024 * 1024)
"""Diffs (and the amended text) by everything they are a function of: the kind, the
texts' content hashes and each step's source, or the base's hash and the amendments'
patches. The html, json and page forms of one comparison, and any process state,
share one diff; a write never makes an entry wrong (its key names the content)."""

# What a kept diff holds besides its new text (traced on the bench's 1 MB texts: 1%,
# 10% and 30% of lines changed, a moved block): its new owners' table, where the text
# has provisions whose text goes on after their children (about 25 bytes a provision,
# the columns copied), and each changed group with its ops and their text (820-960
# bytes a change, of which about 130 characters of text); the runs of unchanged
# provisions are offsets into the new text.
_PROVISION_BYTES = 30
_CHANGE_BYTES = 1200


def _kept_diff(key: tuple, make: Callable[[], tuple[TextDiff, str]]) -> tuple[TextDiff, str]:
    kept = DIFFS.get(key)
    if kept is None:
        kept = make()
        diff, new_text = kept
        DIFFS.put(key, kept, weight(diff, new_text))
    return kept


def weight(diff: TextDiff, new_text: str) -> int:
    """About what a kept diff holds in memory, in bytes (counted without making its
    unchanged groups or walking its ops)."""
    changed = sum(isinstance(part, ProvisionDiff) for part in diff.parts)
    return held_bytes(new_text) + _PROVISION_BYTES * diff.group_estimate() + _CHANGE_BYTES * changed


def plan_versions(session: Session, document: Document, old: int, new: int) -> Plan:
    """Version ``old`` against version ``new``, planned from the versions' hashes and
    producers (no text read)."""
    from sqlmodel import select

    from regdraft.formats.write import Revision
    from regdraft.services import documents, renderings
    from regdraft.store.models import Amendment, Version

    low, high = sorted((old, new))
    rows = {row.number: row for row in session.exec(
        select(Version.number, Version.content_hash, Version.produced_by_id, Version.author,
               Version.created_at)
        .where(Version.document_id == document.id, Version.number >= low, Version.number <= high))}
    for number in (old, new):
        if number not in rows:
            raise documents.no_version(document, number)
    producers: list[Amendment] = []
    editors: dict[str, Revision] = {}
    steps: list[tuple[str, str]] = []  # (content hash, source) of each version after the old one
    if old < new:
        for number in range(old + 1, new + 1):
            row = rows[number]
            producer = session.get(Amendment, row.produced_by_id) if row.produced_by_id else None
            if producer is not None:
                producers.append(producer)
            else:
                editors[version_source(number)] = Revision(row.author, iso_time(row.created_at))
            steps.append((row.content_hash, producer.slug if producer else version_source(number)))
    old_hash, new_hash = rows[old].content_hash, rows[new].content_hash

    def old_side() -> tuple[str, Structure]:
        version = documents.get_version(session, document, old)
        return version.text, documents.version_structure(session, document, version)

    def make(*, with_old_text: bool = True) -> Comparison:
        (old_text, old_structure), b = old_side(), documents.get_version(session, document, new)
        new_structure = documents.version_structure(session, document, b)

        def diffed() -> tuple[TextDiff, str]:
            if len(steps) <= 1:  # one step is one diff: provisions aligned, moves found
                return diff_texts(old_text, b.text, document.kind, old_structure=old_structure,
                                  new_structure=new_structure, source=steps[0][1] if steps else None), b.text
            chain = [Step(v.text, source) for v, (_, source) in zip(documents.versions_between(
                session, document, old + 1, new), steps)]
            return diff_steps(old_text, chain, document.kind, base_structure=old_structure,
                              last_structure=new_structure), b.text

        diff, _ = _kept_diff(("versions", document.kind, old_hash, new_hash, tuple(steps)), diffed)
        return Comparison(f"{document.slug}@{old}", f"{document.slug}@{new}",
                          old_text if with_old_text else old_side, b.text, diff, sources, tag, document.kind,
                          old_structure if with_old_text else None, provenance(session, document, rows[old]), editors,
                          new_structure, hashes=(old_hash, new_hash),
                          rendering_reader=partial(renderings.read, session, b.text, document.kind, new_hash))

    sources, tag = sources_of(session, producers), etag("versions", document.kind, old_hash, new_hash)
    return Plan(tag, sources, make)


def compare_versions(session: Session, document: Document, old: int, new: int) -> Comparison:
    return plan_versions(session, document, old, new).make()


def amended(version: Version, amendments: list[Amendment], kind: str = DEFAULT_KIND,
            base_structure: Structure | None = None) -> History:
    """The version as the amendments applied in order leave it, with who changed what;
    each text is let go as the next is made. All or nothing: the first that does not
    apply raises :class:`PatchDoesNotApply`."""
    history, left_out = _amended(version, amendments, kind, base_structure, past_failures=False)
    if left_out:
        amendment, result = left_out[0]
        done = amendments[:amendments.index(amendment)]
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} does not apply to version {version.number}"
            + (f" after {', '.join(a.slug for a in done)}" if done else ""),
            amendment=amendment.slug, hunks=[h.as_dict() for h in result.hunks])
    return history


def amended_where_possible(version: Version, amendments: list[Amendment], kind: str = DEFAULT_KIND,
                           base_structure: Structure | None = None
                           ) -> tuple[History, list[tuple[Amendment, ApplyResult]]]:
    """The version as the amendments applied in order leave it, each one that does not
    apply to the text the ones before it made left out (and the next applied without
    it); and those left out, with their results. ``base_structure``: the version's
    structure, if already read."""
    return _amended(version, amendments, kind, base_structure, past_failures=True)


def _amended(version: Version, amendments: list[Amendment], kind: str, base_structure: Structure | None, *,
             past_failures: bool) -> tuple[History, list[tuple[Amendment, ApplyResult]]]:
    history = History(version.text, kind, base_structure)
    left_out: list[tuple[Amendment, ApplyResult]] = []
    patches = [parse_patch(a.patch_text) for a in amendments]
    for amendment, result in zip(amendments, applied_in_turn(patches, version.text, past_failures=past_failures)):
        if result.text is None:
            left_out.append((amendment, result))
        else:
            history.add(Step(result.text, amendment.slug, result.changed))
    return history, left_out


def plan_amendments(session: Session, document: Document, version: int, slugs: list[str]) -> Plan:
    """The version against the amendments applied to it in order (all-or-nothing),
    planned from the version's hash and the amendments' patches."""
    from regdraft.services import amendments as amendment_service
    from regdraft.services import documents, structures

    base_row = documents.version_row(session, document, version)
    base_hash = base_row.content_hash
    chosen = amendment_service.resolve(session, document, slugs)
    amendment_service.check_not_already_in(session, base_row, chosen)
    keys = tuple(map(amendment_key, chosen))

    def make(*, with_old_text: bool = True) -> Comparison:  # the base is given either way (it is amended)
        base = documents.get_version(session, document, version)
        base_structure = documents.version_structure(session, document, base)

        def diffed() -> tuple[TextDiff, str]:
            history = amended(base, chosen, document.kind, base_structure)
            return history.diff(documents.structure_of(document, history.current)), history.current

        diff, new_text = _kept_diff(("amendments", document.kind, base_hash, keys), diffed)
        return Comparison(f"{document.slug}@{version}", f"{document.slug}@{version}+{'+'.join(slugs)}",
                          base.text, new_text, diff, sources, tag, document.kind, base_structure,
                          provenance(session, document, base),
                          # The kind, not the row: the comparison outlives its session.
                          structure_reader=partial(structures.read, kind=document.kind))

    sources, tag = sources_of(session, chosen), etag("amendments", document.kind, base_hash, *keys)
    return Plan(tag, sources, make)


def compare_amendments(session: Session, document: Document, version: int, slugs: list[str]) -> Comparison:
    """The version against the amendments applied to it in order (all-or-nothing)."""
    return plan_amendments(session, document, version, slugs).make()
