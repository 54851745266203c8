"""``regdraft load``: import ``drafts/`` and ``amendments/`` into the database.

Two phases:

1. :func:`read_tree` reads and checks every file, touching nothing but the disk:
   names, formats, version hashes and numbering, stakeholders, every amendment's base
   hash, patch and citations, and every ``produced_by`` link. A bad file stops the load
   here, before anything is written.
2. :func:`load` writes through the services, in the caller's session (the caller
   commits, or rolls back on error, so a failed load imports nothing). The few checks
   that need the database (a stored version that differs from its file, an accepted
   amendment whose patch changed) raise :class:`InvalidFile` too, naming the file and
   the line of the key concerned.

Loading the same files twice changes nothing the second time: no row and no event.
A document that is in the database but not in the files is left alone, and so is
anything of a loaded document that the files do not mention.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlmodel import Session, select

from regdraft.core.anchors import FoldedText
from regdraft.core.amendments import analyse
from regdraft.core.errors import (InvalidFile, InvalidPatch, InvalidTransition, PatchDoesNotApply, QuoteNotFound,
                                  RegdraftError)
from regdraft.core.patching import apply_patch, parse_patch
from regdraft.core.text import content_hash
from regdraft.files.exporter import finish_interrupted_export
from regdraft.files.formats import (AmendmentFile, DocumentFile, ResponseFile, StakeholderEntry, format_time,
                                    is_slug, parse_amendment, parse_document, parse_response, parse_version,
                                    version_file_name, version_number_of)
from regdraft.files.exporter import source_file_name
from regdraft.formats import FORMATS
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions
from regdraft.services import documents as document_service
from regdraft.services import imports
from regdraft.services.events import record
from regdraft.store.models import Amendment, Document, Stakeholder, Version, VersionSource

KINDS = ("documents", "stakeholders", "versions", "responses", "amendments")


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------

@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    """How many of each kind of thing a load created, updated or found unchanged."""

    documents: Counts = field(default_factory=Counts)
    stakeholders: Counts = field(default_factory=Counts)
    versions: Counts = field(default_factory=Counts)
    responses: Counts = field(default_factory=Counts)
    amendments: Counts = field(default_factory=Counts)

    def counts(self, kind: str) -> Counts:
        return getattr(self, kind)

    @property
    def changed(self) -> bool:
        return any(self.counts(k).created or self.counts(k).updated for k in KINDS)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {k: {"created": self.counts(k).created, "updated": self.counts(k).updated,
                    "unchanged": self.counts(k).unchanged} for k in KINDS}

    def lines(self) -> list[str]:
        """What ``regdraft load`` prints: one line per kind, or one line when nothing changed."""
        if not self.changed:
            found = ", ".join(f"{c.unchanged} {kind if c.unchanged != 1 else kind[:-1]}"
                              for kind in KINDS for c in [self.counts(kind)])
            return [f"nothing changed ({found} unchanged)"]
        return [f"{kind}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
                for kind in KINDS for c in [self.counts(kind)]]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# --------------------------------------------------------------------------------------
# Phase 1: reading and checking the files
# --------------------------------------------------------------------------------------

@dataclass
class DocumentTree:
    """One document's files, parsed and checked against each other."""

    document: DocumentFile
    texts: dict[int, str]
    """The text of each version, by number."""
    version_paths: dict[int, str]
    responses: list[ResponseFile]
    amendments: list[AmendmentFile]
    sources: dict[int, VersionSource] = field(default_factory=dict)
    """Where each imported version came from (``sources/NNNN.json``), by number; its
    ``version_id`` is set when the version is stored."""
    source_paths: dict[int, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.document.slug

    def files(self) -> list[str]:
        """Every file of this document, as paths relative to the root."""
        return ([self.document.path, *self.version_paths.values(), *self.source_paths.values(),
                 *(r.path for r in self.responses), *(a.path for a in self.amendments)])


@dataclass
class Tree:
    documents: list[DocumentTree]

    def files(self) -> list[str]:
        return [path for document in self.documents for path in document.files()]


class _Root:
    """Reads under one root, refusing names that are not slugs and symbolic links
    that lead out of the root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.real = self.root.resolve()

    def check_inside(self, path: Path, rel: str) -> Path:
        real = path.resolve()
        if real != self.real and not real.is_relative_to(self.real):
            raise InvalidFile(rel, None, "is a symbolic link that leads outside the root; refusing to follow it")
        return real

    def entries(self, folder: Path, rel: str) -> Iterator[tuple[str, Path, str]]:
        """(name, path, relative path) of each entry of a folder, hidden ones skipped."""
        self.check_inside(folder, rel)
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.name.startswith("."):
                continue
            yield path.name, path, f"{rel}/{path.name}"

    def read(self, path: Path, rel: str) -> bytes:
        real = self.check_inside(path, rel)
        if not real.is_file():
            raise InvalidFile(rel, None, "is not a file")
        return real.read_bytes()

    def is_dir(self, path: Path, rel: str) -> bool:
        if not path.exists():
            return False
        self.check_inside(path, rel)
        return path.is_dir()


def _slug_name(name: str, rel: str, suffix: str = "") -> str:
    """The slug a file (``<slug>.md``) or folder (``<slug>``) name stands for."""
    if suffix and not name.endswith(suffix):
        raise InvalidFile(rel, None, f"unexpected file: expected <slug>{suffix} files only")
    stem = name[:len(name) - len(suffix)]
    if not is_slug(stem):
        what = f"a slug followed by {suffix}" if suffix else "a slug"
        raise InvalidFile(rel, None, f"name {name!r} is not {what}: use 1-80 lower-case letters, digits and "
                                     f"single hyphens")
    return stem


def read_tree(root: Path) -> Tree:
    """Read and check every file under ``root/drafts`` and ``root/amendments``."""
    base = _Root(root)
    drafts, amendments = base.root / "drafts", base.root / "amendments"
    has_drafts, has_amendments = base.is_dir(drafts, "drafts"), base.is_dir(amendments, "amendments")
    if not has_drafts and not has_amendments:
        raise InvalidFile("drafts", None, f"no drafts/ folder under {base.root}: nothing to load")
    documents: dict[str, DocumentTree] = {}
    if has_drafts:
        for name, path, rel in base.entries(drafts, "drafts"):
            if not path.is_dir():
                raise InvalidFile(rel, None, "unexpected file: drafts/ holds one folder per document")
            _slug_name(name, rel)
            documents[name] = _read_document(base, path, rel, name)
    if has_amendments:
        for name, path, rel in base.entries(amendments, "amendments"):
            if not path.is_dir():
                raise InvalidFile(rel, None, "unexpected file: amendments/ holds one folder per document")
            _slug_name(name, rel)
            if name not in documents:
                raise InvalidFile(rel, None, f"there is no drafts/{name}/ folder for these amendments")
            tree = documents[name]
            for file_name, file_path, file_rel in base.entries(path, rel):
                if file_path.is_dir():
                    raise InvalidFile(file_rel, None, "unexpected folder: expected <amendment>.md files only")
                slug = _slug_name(file_name, file_rel, ".md")
                tree.amendments.append(parse_amendment(file_rel, base.read(file_path, file_rel), expected_slug=slug))
    trees = [documents[slug] for slug in sorted(documents)]
    _check_stakeholders_agree(trees)
    for tree in trees:
        _check_amendments(tree)
        _check_produced_by(tree)
    return Tree(trees)


def _read_document(base: _Root, folder: Path, rel: str, slug: str) -> DocumentTree:
    entries = {name: (path, entry_rel) for name, path, entry_rel in base.entries(folder, rel)}
    for name, (path, entry_rel) in entries.items():
        if name not in ("document.yaml", "versions", "responses", "sources"):
            raise InvalidFile(entry_rel, None, "unexpected file: a document folder holds document.yaml, "
                                               "versions/, sources/ and responses/ only")
    if "document.yaml" not in entries:
        raise InvalidFile(f"{rel}/document.yaml", None, "missing: every document folder needs a document.yaml")
    path, yaml_rel = entries["document.yaml"]
    document = parse_document(yaml_rel, base.read(path, yaml_rel), expected_slug=slug)
    lines = document.lines

    texts: dict[int, str] = {}
    version_paths: dict[int, str] = {}
    if "versions" in entries:
        path, versions_rel = entries["versions"]
        if not base.is_dir(path, versions_rel):
            raise InvalidFile(versions_rel, None, "must be a folder of NNNN.md files")
        for name, file_path, file_rel in base.entries(path, versions_rel):
            number = version_number_of(name)
            if number is None or file_path.is_dir():
                raise InvalidFile(file_rel, None, "unexpected file: versions/ holds NNNN.md files "
                                                  "(0001.md, 0002.md, ...)")
            if number > len(document.versions):
                raise InvalidFile(file_rel, None, f"version {number} is not listed in {yaml_rel} "
                                                  f"(it lists {len(document.versions)})")
            version_paths[number] = file_rel
            texts[number] = parse_version(file_rel, base.read(file_path, file_rel), document.kind, document.strict)
    for version in document.versions:
        at = ("versions", version.number - 1)
        if version.number not in texts:
            raise InvalidFile(yaml_rel, lines.item(*at), f"version {version.number}: its text "
                                                         f"{rel}/versions/{version_file_name(version.number)} "
                                                         f"is missing")
        actual = content_hash(texts[version.number])
        if version.content_hash is None:  # left out of document.yaml: the text names itself
            version.content_hash = actual
        elif actual != version.content_hash:
            raise InvalidFile(yaml_rel, lines.of(*at, "content_hash"),
                              f"version {version.number}: content_hash does not match "
                              f"versions/{version_file_name(version.number)}, whose hash is {actual}")

    responses: list[ResponseFile] = []
    if "responses" in entries:
        path, responses_rel = entries["responses"]
        if not base.is_dir(path, responses_rel):
            raise InvalidFile(responses_rel, None, "must be a folder of <response>.md files")
        stakeholders = {s.slug for s in document.stakeholders}
        for name, file_path, file_rel in base.entries(path, responses_rel):
            if file_path.is_dir():
                raise InvalidFile(file_rel, None, "unexpected folder: expected <response>.md files only")
            response_slug = _slug_name(name, file_rel, ".md")
            response = parse_response(file_rel, base.read(file_path, file_rel), expected_slug=response_slug)
            if response.stakeholder not in stakeholders:
                raise InvalidFile(file_rel, response.lines.of("stakeholder"),
                                  f"stakeholder {response.stakeholder!r} is not listed in {yaml_rel}")
            responses.append(response)
    sources: dict[int, VersionSource] = {}
    source_paths: dict[int, str] = {}
    if "sources" in entries:
        path, sources_rel = entries["sources"]
        if not base.is_dir(path, sources_rel):
            raise InvalidFile(sources_rel, None, "must be a folder of NNNN.json files")
        for name, file_path, file_rel in base.entries(path, sources_rel):
            number = int(name[:-len(".json")]) if re.fullmatch(r"\d{4,}\.json", name) else 0
            if number < 1 or source_file_name(number) != name or file_path.is_dir():
                raise InvalidFile(file_rel, None, "unexpected file: sources/ holds NNNN.json files "
                                                  "(0001.json: where version 1 was imported from)")
            if number > len(document.versions):
                raise InvalidFile(file_rel, None, f"version {number} is not listed in {yaml_rel}")
            sources[number] = parse_source(file_rel, base.read(file_path, file_rel))
            source_paths[number] = file_rel
    return DocumentTree(document, texts, version_paths, responses, [], sources, source_paths)


def _same_source(one: VersionSource, other: VersionSource) -> bool:
    """Whether two sources say the same (their JSON compared as values, not as text)."""
    return (one.format, one.point_in_time) == (other.format, other.point_in_time) and all(
        json.loads(getattr(one, name)) == json.loads(getattr(other, name))
        for name in ("source_metadata", "source_ids", "report"))


def parse_source(rel: str, data: bytes) -> VersionSource:
    """A version's source as :func:`~regdraft.files.exporter.serialise_source` writes it."""
    try:
        fields = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidFile(rel, None, f"is not JSON: {exc}") from None
    shapes = {"format": str, "point_in_time": str, "metadata": dict, "report": dict, "source_ids": list}
    if not isinstance(fields, dict) or set(fields) != set(shapes):
        raise InvalidFile(rel, None, "must be an object of " + ", ".join(shapes))
    for key, shape in shapes.items():
        if not isinstance(fields[key], shape):
            raise InvalidFile(rel, None, f"{key} must be a JSON {shape.__name__.replace('dict', 'object')}")
    if fields["format"] not in FORMATS:
        raise InvalidFile(rel, None, f"format {fields['format']!r} is not one regdraft reads ({', '.join(FORMATS)})")
    if not all(isinstance(v, str) for v in fields["metadata"].values()):
        raise InvalidFile(rel, None, "metadata must map names to strings")
    if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(i, str) for i in p)
               for p in fields["source_ids"]):
        raise InvalidFile(rel, None, "source_ids must be [source id, regdraft id] pairs of strings")
    return VersionSource(format=fields["format"], point_in_time=fields["point_in_time"],
                         source_metadata=json.dumps(fields["metadata"], ensure_ascii=False),
                         source_ids=json.dumps(fields["source_ids"], ensure_ascii=False),
                         report=json.dumps(fields["report"], ensure_ascii=False))


def _check_stakeholders_agree(trees: list[DocumentTree]) -> None:
    """Stakeholders are shared by all documents: two document.yaml files must not give
    one stakeholder two names (each load would rename it back and forth)."""
    seen: dict[str, tuple[StakeholderEntry, str, int]] = {}
    for tree in trees:
        for i, entry in enumerate(tree.document.stakeholders):
            line = tree.document.lines.of("stakeholders", i, "slug")
            first = seen.setdefault(entry.slug, (entry, tree.document.path, line))
            if (first[0].name, first[0].kind) != (entry.name, entry.kind):
                raise InvalidFile(tree.document.path, tree.document.lines.item("stakeholders", i),
                                  f"stakeholder {i + 1}: {entry.slug!r} has another name or kind in "
                                  f"{first[1]}:{first[2]} (stakeholders are shared by all documents)")


def _check_amendments(tree: DocumentTree) -> None:
    document = tree.document
    stakeholders = {s.slug for s in document.stakeholders}
    responses = {r.slug: r for r in tree.responses}
    folded: dict[str, FoldedText] = {}  # each response folded once, however often cited
    yaml_rel = document.path
    slugs = {a.slug for a in tree.amendments}
    declared = [c.slug for c in document.categories]
    for amendment in tree.amendments:
        path, lines = amendment.path, amendment.lines
        for i, other in enumerate(amendment.falls_if):
            if other not in slugs:
                raise InvalidFile(path, lines.of("falls_if", i),
                                  f"falls_if names amendment {other!r}, but there is no "
                                  f"amendments/{document.slug}/{other}.md")
        if amendment.decision is not None:
            try:
                decisions.check_reason(amendment.status, amendment.decision.reason)
            except RegdraftError as exc:
                raise InvalidFile(path, lines.of("decision", "reason"), exc.message) from None
        for i, category in enumerate(amendment.categories):
            if declared and category not in declared:
                raise InvalidFile(path, lines.item("categories", i),
                                  f"categories: {category!r} is not a category of document {document.slug!r}; "
                                  f"{yaml_rel} lists: {', '.join(declared)}")
        if amendment.proposer not in stakeholders:
            raise InvalidFile(path, lines.of("proposer"),
                              f"proposer {amendment.proposer!r} is not a stakeholder listed in {yaml_rel}")
        if amendment.base_version > len(document.versions):
            raise InvalidFile(path, lines.of("base_version"),
                              f"base_version {amendment.base_version}: document {document.slug!r} has "
                              f"{len(document.versions)} version{'s' if len(document.versions) != 1 else ''}")
        base = document.versions[amendment.base_version - 1]
        if amendment.base_hash != base.content_hash:
            raise InvalidFile(path, lines.of("base_hash"),
                              f"base_hash does not match version {base.number}, whose hash is {base.content_hash}")
        try:
            analyse(tree.texts[base.number], amendment.patch_text, document.kind)
        except (InvalidPatch, PatchDoesNotApply) as exc:
            raise InvalidFile(path, _hunk_line(amendment, exc), f"{exc.message} (version {base.number})") from None
        for i, citation in enumerate(amendment.citations):
            response = responses.get(citation.response)
            if response is None:
                raise InvalidFile(path, lines.of("citations", i, "response"),
                                  f"citation {i + 1}: document {document.slug!r} has no response "
                                  f"{citation.response!r}")
            if citation.response not in folded:
                folded[citation.response] = FoldedText(response.text)
            try:
                folded[citation.response].find(citation.quote)
            except QuoteNotFound:
                raise InvalidFile(path, lines.of("citations", i, "quote"),
                                  f"citation {i + 1}: quote not found in response {citation.response!r}") from None


def _hunk_line(amendment: AmendmentFile, exc: RegdraftError) -> int:
    """The line of the header of the first hunk that did not apply exactly (else the
    first line of the patch)."""
    bad = [h["hunk"] for h in exc.extra.get("hunks", []) if h.get("status") != "exact"]
    if bad:
        headers = [i for i, line in enumerate(amendment.patch_text.split("\n")) if line.startswith("@@")]
        if bad[0] - 1 < len(headers):
            return amendment.lines.of("patch") + headers[bad[0] - 1]
    return amendment.lines.of("patch")


def _check_produced_by(tree: DocumentTree) -> None:
    document = tree.document
    amendments = {a.slug: a for a in tree.amendments}
    produced: dict[str, int] = {}
    for version in document.versions:
        if version.produced_by is None:
            continue
        at = ("versions", version.number - 1, "produced_by")
        line = document.lines.of(*at)

        def fail(problem: str) -> InvalidFile:
            return InvalidFile(document.path, line, f"version {version.number}: {problem}")

        amendment = amendments.get(version.produced_by)
        if amendment is None:
            raise fail(f"produced_by names amendment {version.produced_by!r}, but there is no "
                       f"amendments/{document.slug}/{version.produced_by}.md")
        if amendment.status != "accepted":
            raise fail(f"produced_by names amendment {amendment.slug!r}, which is {amendment.status}, "
                       f"not accepted")
        if version.produced_by in produced:
            raise fail(f"amendment {amendment.slug!r} already produced version {produced[version.produced_by]}")
        if amendment.base_version >= version.number:
            raise fail(f"amendment {amendment.slug!r} is based on version {amendment.base_version}, so it cannot "
                       f"have produced version {version.number}")
        result = apply_patch(parse_patch(amendment.patch_text), tree.texts[version.number - 1])
        if result.text != tree.texts[version.number]:
            raise fail(f"applying amendment {amendment.slug!r} to version {version.number - 1} does not give "
                       f"the text of version {version.number}")
        produced[version.produced_by] = version.number
    for amendment in tree.amendments:
        if amendment.status == "accepted" and amendment.slug not in produced:
            raise InvalidFile(amendment.path, amendment.lines.of("status"),
                              f"the amendment is accepted, but no version in {document.path} names it "
                              f"in produced_by")


# --------------------------------------------------------------------------------------
# Phase 2: writing through the services
# --------------------------------------------------------------------------------------

def load(session: Session, root: Path, *, actor: str) -> LoadReport:
    """Import every document under ``root``; see the module docstring. The caller owns
    the transaction: commit on success, roll back on any error. An export interrupted
    under ``root`` is finished (or undone) first, so the trees read are whole."""
    finish_interrupted_export(Path(root))
    tree = read_tree(Path(root))
    report = LoadReport()
    stakeholders: dict[str, Stakeholder] = {}
    for document_tree in tree.documents:
        _Writer(session, document_tree, actor, report, stakeholders).run()
    return report


class _Writer:
    def __init__(self, session: Session, tree: DocumentTree, actor: str, report: LoadReport,
                 stakeholders: dict[str, Stakeholder]) -> None:
        self.session, self.tree, self.actor, self.report = session, tree, actor, report
        self.stakeholders = stakeholders
        self.file = tree.document
        self.document: Document | None = None

    def run(self) -> None:
        outcome = self._document()
        # Who takes part, and the categories, are part of the document's file: a change there updates it.
        if self._stakeholders() and outcome == "unchanged":
            outcome = "updated"
        if self._categories() and outcome == "unchanged":
            outcome = "updated"
        self._count("documents", outcome)
        versions = self._versions()
        retexted = self._responses()
        self._amendments()
        self._reanchor(retexted)
        self._links(versions)

    # -- helpers -------------------------------------------------------------------

    def _count(self, kind: str, outcome: str) -> None:
        counts = self.report.counts(kind)
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    def _blame(self, path: str, line: int | None, exc: RegdraftError) -> InvalidFile:
        return InvalidFile(path, line, exc.message)

    # -- the steps -----------------------------------------------------------------

    def _document(self) -> str:
        """Create or update the document; says which."""
        file, lines = self.file, self.file.lines
        document = self.session.exec(
            select(Document).where(Document.slug == file.slug)).first()
        try:
            if document is None:
                document = document_service.create_document(
                    self.session, slug=file.slug, title=file.title, description=file.description,
                    notice=file.notice, kind=file.kind, strict=file.strict, actor=self.actor)
                outcome = "created"
            elif document_service.update_document(self.session, document, title=file.title,
                                                  description=file.description, notice=file.notice,
                                                  kind=file.kind, strict=file.strict, actor=self.actor):
                outcome = "updated"
            else:
                outcome = "unchanged"
        except InvalidFile:
            raise
        except RegdraftError as exc:
            field = exc.extra.get("field")
            raise self._blame(file.path, lines.of(field if field in ("title", "kind") else "slug"), exc) from exc
        self.document = document
        return outcome

    def _categories(self) -> bool:
        """Make the file's categories the document's; says whether that changed."""
        try:
            return document_service.set_categories(
                self.session, self.document, [document_service.Category(c.slug, c.title)
                                              for c in self.file.categories], actor=self.actor)
        except RegdraftError as exc:
            raise self._blame(self.file.path, self.file.lines.of("categories"), exc) from exc

    def _stakeholders(self) -> bool:
        """Create or update the stakeholders, and set who takes part; says whether that changed."""
        rows = []
        for i, entry in enumerate(self.file.stakeholders):
            row = self.stakeholders.get(entry.slug)
            if row is None:
                existing = self.session.exec(select(Stakeholder)
                                             .where(Stakeholder.slug == entry.slug)).first()
                before = None if existing is None else (existing.name, existing.kind)
                try:
                    row = document_service.upsert_stakeholder(self.session, slug=entry.slug, name=entry.name,
                                                              kind=entry.kind, actor=self.actor)
                except InvalidFile:
                    raise
                except RegdraftError as exc:
                    raise self._blame(self.file.path, self.file.lines.item("stakeholders", i), exc) from exc
                self._count("stakeholders", "created" if before is None else
                            "unchanged" if before == (entry.name, entry.kind) else "updated")
                self.stakeholders[entry.slug] = row
            rows.append(row)
        return document_service.set_document_stakeholders(self.session, self.document, rows, actor=self.actor)

    def _versions(self) -> dict[int, tuple[Version, bool]]:
        """Create the versions the database lacks; returns each version and whether it
        was created by this load."""
        file, lines = self.file, self.file.lines
        stored = {v.number: v for v in document_service.list_versions(self.session, self.document)}
        out: dict[int, tuple[Version, bool]] = {}
        for entry in file.versions:
            at = ("versions", entry.number - 1)
            row = stored.get(entry.number)
            if row is not None:
                name = version_file_name(entry.number)
                for key, in_db, in_file in (
                        ("content_hash", row.content_hash, entry.content_hash),
                        ("author", row.author, entry.author),
                        ("message", row.message, entry.message),
                        ("created", format_time(row.created_at), format_time(entry.created))):
                    if in_db != in_file:
                        if key == "content_hash":
                            what = (f"versions/{name} hashes to {in_file}, but the stored version's hash is "
                                    f"{in_db}")
                        else:
                            what = f"{key} is {in_file!r}, but the stored version's is {in_db!r}"
                        raise InvalidFile(file.path, lines.of(*at, key),
                                          f"version {entry.number}: {what}; a stored version cannot change")
                out[entry.number] = (row, False)
                # may become "updated" when linked below
                self._count("versions", "updated" if self._source(row, entry.number) else "unchanged")
                continue
            try:
                row = document_service.create_version(
                    self.session, self.document, text=self.tree.texts[entry.number], parent=entry.parent,
                    author=entry.author, message=entry.message, created_at=entry.created, actor=self.actor)
            except RegdraftError as exc:
                raise self._blame(file.path, lines.of(*at, "number"), exc) from exc
            self._source(row, entry.number)
            out[entry.number] = (row, True)
            self._count("versions", "created")
        return out

    def _source(self, row: Version, number: int) -> bool:
        """Store where version ``number`` was imported from, when the files say and the
        database does not yet; says whether it did. A stored source is never changed."""
        source = self.tree.sources.get(number)
        if source is None:
            return False
        stored = imports.source_of(self.session, row)
        if stored is None:
            self.session.add(VersionSource(version_id=row.id, format=source.format,
                                           point_in_time=source.point_in_time,
                                           source_metadata=source.source_metadata, source_ids=source.source_ids,
                                           report=source.report))
            self.session.flush()
            return True
        if not _same_source(stored, source):
            raise InvalidFile(self.tree.source_paths[number], None,
                              f"version {number}'s source differs from the stored one; a stored version's "
                              "source cannot change")
        return False

    def _responses(self) -> list[ResponseFile]:
        """Create or update the responses; return those whose text changed, whose
        citations are re-anchored once the amendments citing them are loaded."""
        retexted = []
        for response in self.tree.responses:
            stakeholder = self.stakeholders[response.stakeholder]
            existing = document_service.find_response(self.session, self.document, response.slug)
            fields = {"title": response.title, "source": response.source, "url": response.url,
                      "date": response.date, "stance": response.stance, "provenance": response.provenance}
            same = existing is not None and existing.stakeholder_id == stakeholder.id and \
                existing.text == response.text and all(getattr(existing, k) == v for k, v in fields.items())
            try:
                if existing is not None and existing.text != response.text:
                    retexted.append(response)
                document_service.put_response(self.session, self.document, slug=response.slug,
                                              stakeholder=stakeholder, text=response.text, actor=self.actor,
                                              reanchor=False, **fields)
            except RegdraftError as exc:
                raise self._blame(response.path, response.lines.of("slug"), exc) from exc
            self._count("responses", "created" if existing is None else "unchanged" if same else "updated")
        return retexted

    def _reanchor(self, retexted: list[ResponseFile]) -> None:
        for response in retexted:
            try:
                document_service.reanchor_citations(
                    self.session, document_service.get_response(self.session, self.document, response.slug))
            except RegdraftError as exc:
                raise self._blame(response.path, response.lines.of("slug"), exc) from exc

    def _amendments(self) -> None:
        for file in self.tree.amendments:
            data = amendment_service.AmendmentInput(
                slug=file.slug, title=file.title, proposer=file.proposer, base=file.base_version,
                categories=list(file.categories), rationale=file.rationale, patch_text=file.patch_text,
                citations=[amendment_service.CitationInput(c.response, c.quote) for c in file.citations],
                status=file.status, created_at=file.created)
            existing = amendment_service.find_amendment(self.session, self.document, file.slug)
            try:
                if existing is None:
                    row = amendment_service.propose(self.session, self.document, data, actor=self.actor,
                                                    allow_any_status=True)
                    self._decision(file, row, "proposed")
                    self._count("amendments", "created")
                    continue
                self._check_stored_amendment(file, existing)
                previous = existing.status
                changed = amendment_service.revise(self.session, existing, data, actor=self.actor)
                changed = self._decision(file, existing, previous) or changed
                self._count("amendments", "updated" if changed else "unchanged")
            except InvalidFile:
                raise
            except RegdraftError as exc:
                raise _amendment_error(file, exc) from exc
        self._falls()

    def _decision(self, file: AmendmentFile, row: Amendment, previous: str) -> bool:
        """Record the file's decision unless it is the stored amendment's latest; returns
        whether it was recorded."""
        wanted = file.decision
        if wanted is None:
            return False
        latest = decisions.latest(self.session, row)
        if latest is not None and (latest.status, latest.reason, latest.actor, format_time(latest.at)) == (
                row.status, wanted.reason, wanted.by, format_time(wanted.at)):
            return False
        decisions.record(self.session, row, previous, actor=wanted.by, reason=wanted.reason, at=wanted.at)
        record(self.session, self.actor, "amendment.decision_loaded", "amendment",
               f"{self.document.slug}/{row.slug}", self.document.id,
               detail={"status": row.status, "reason": wanted.reason, "by": wanted.by, "at": format_time(wanted.at)})
        return True

    def _falls(self) -> None:
        """Which amendments fall with which, as the files say (once all are loaded)."""
        rows = {a.slug: a for a in self.session.exec(select(Amendment).where(Amendment.document_id == self.document.id))}
        for file in self.tree.amendments:
            try:
                decisions.set_falls_if(self.session, rows[file.slug], [rows[s] for s in file.falls_if],
                                       actor=self.actor)
            except RegdraftError as exc:
                raise InvalidFile(file.path, file.lines.of("falls_if"), exc.message) from exc

    def _check_stored_amendment(self, file: AmendmentFile, row: Amendment) -> None:
        if format_time(row.created_at) != format_time(file.created):
            raise InvalidFile(file.path, file.lines.of("created"),
                              f"created is {format_time(file.created)!r}, but the stored amendment's is "
                              f"{format_time(row.created_at)!r}; it cannot change")
        produced = amendment_service.produced_version(self.session, row)
        if produced is not None and file.status != "accepted":
            raise InvalidFile(file.path, file.lines.of("status"),
                              f"the stored amendment is accepted (it produced version {produced.number}): "
                              f"its status cannot become {file.status}")

    def _links(self, versions: dict[int, tuple[Version, bool]]) -> None:
        file, lines = self.file, self.file.lines
        for entry in file.versions:
            row, created = versions[entry.number]
            line = lines.of("versions", entry.number - 1, "produced_by")
            current = self.session.get(Amendment, row.produced_by_id) if row.produced_by_id is not None else None
            if entry.produced_by is None:
                if current is not None:
                    raise InvalidFile(file.path, line,
                                      f"version {entry.number}: produced_by is null, but the stored version was "
                                      f"produced by amendment {current.slug!r}")
                continue
            if current is not None:
                if current.slug != entry.produced_by:
                    raise InvalidFile(file.path, line,
                                      f"version {entry.number}: produced_by is {entry.produced_by!r}, but the "
                                      f"stored version was produced by amendment {current.slug!r}")
                continue
            amendment = amendment_service.get_amendment(self.session, self.document, entry.produced_by)
            try:
                amendment_service.link_produced_version(self.session, amendment, row, actor=self.actor)
            except RegdraftError as exc:
                raise InvalidFile(file.path, line, f"version {entry.number}: {exc.message}") from exc
            if not created:
                self.report.versions.unchanged -= 1
                self.report.versions.updated += 1


def _amendment_error(file: AmendmentFile, exc: RegdraftError) -> InvalidFile:
    """An error from the amendment services, pinned to the line of the key it concerns."""
    extra, lines = exc.extra, file.lines
    if "citation" in extra:
        line = lines.of("citations", extra["citation"] - 1, "quote" if isinstance(exc, QuoteNotFound) else "response")
    elif isinstance(exc, (PatchDoesNotApply, InvalidPatch, InvalidTransition)):
        line = _hunk_line(file, exc)
    elif "stakeholder" in extra:
        line = lines.of("proposer")
    elif "version" in extra:
        line = lines.of("base_version")
    elif extra.get("field") in ("title", "categories", "status"):
        line = lines.of(extra["field"])
    else:
        line = lines.of("slug")
    return InvalidFile(file.path, line, exc.message)
