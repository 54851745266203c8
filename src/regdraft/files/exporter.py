"""``regdraft export``: write the database out as ``drafts/`` and ``amendments/`` files,
in exactly the form :func:`regdraft.files.load` reads, so that exporting an unchanged
database over the files it was loaded from changes no byte.

An export replaces whole trees, never file by file: each top folder that changes
(``drafts/``, ``amendments/``) is built anew in a hidden staging folder under the root
(unchanged files hard-linked in, so they keep their bytes, modes and times; files the
export does not produce carried over as they are), flushed to disk, and then swapped
in by renaming folders. A journal (``swap.json``, written atomically once the new
trees are complete) is the commit point: an export interrupted before it leaves the
old trees (the staging folder is thrown away by the next export or load), one
interrupted after it is finished by the next export or load
(:func:`finish_interrupted_export`). Either way ``load`` reads the old trees or the
new, never a mix. Anything that ``load`` would not read back as written (a symbolic
link on a file's path) is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from regdraft.core.errors import InvalidFile, InvalidInput
from regdraft.files.formats import (AmendmentFile, CategoryEntry, CitationEntry, DecisionEntry, DocumentFile, ResponseFile,
                                    StakeholderEntry, VersionEntry, is_slug, serialise_amendment, serialise_document,
                                    serialise_response, serialise_version, version_file_name)
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions
from regdraft.services import documents as document_service
from regdraft.services import imports
from regdraft.store.models import Amendment, Document, Stakeholder, Version, VersionSource


def render_document(session: Session, document: Document) -> dict[str, str]:
    """Every file of one document: path relative to the root → text."""
    slug = document.slug
    folder = f"drafts/{slug}"
    versions = document_service.list_versions(session, document)
    responses = document_service.list_responses(session, document)
    amendments = list(session.exec(select(Amendment).where(Amendment.document_id == document.id)
                                   .order_by(Amendment.slug)).all())
    by_id = {a.id: a for a in amendments}
    by_version = {v.id: v for v in versions}

    # The stakeholders taking part, in order; then any others that a response or an
    # amendment names (added through the API to another document), so that the files
    # are complete: the loader wants every stakeholder listed.
    stakeholders = document_service.list_stakeholders(session, document)
    listed = {s.id for s in stakeholders}
    others = {r.stakeholder_id for r in responses} | {a.proposer_id for a in amendments}
    extra = [session.get(Stakeholder, i) for i in others - listed]
    stakeholders += sorted(extra, key=lambda s: s.slug)

    files: dict[str, str] = {}
    files[f"{folder}/document.yaml"] = serialise_document(DocumentFile(
        slug=slug, title=document.title, description=document.description, notice=document.notice,
        kind=document.kind, strict=document.strict,
        stakeholders=[StakeholderEntry(s.slug, s.name, s.kind) for s in stakeholders],
        versions=[VersionEntry(number=v.number, parent=by_version[v.parent_id].number if v.parent_id else None,
                               author=v.author, message=v.message, created=v.created_at,
                               content_hash=v.content_hash,
                               produced_by=by_id[v.produced_by_id].slug if v.produced_by_id else None)
                  for v in versions],
        categories=[CategoryEntry(c.slug, c.title) for c in document_service.categories(session, document)]))
    for version in versions:
        files[f"{folder}/versions/{version_file_name(version.number)}"] = serialise_version(version.text)
        source = imports.source_of(session, version)
        if source is not None:
            files[f"{folder}/sources/{source_file_name(version.number)}"] = serialise_source(source)
    stakeholder_slugs = {s.id: s.slug for s in stakeholders}
    for response in responses:
        files[f"{folder}/responses/{response.slug}.md"] = serialise_response(ResponseFile(
            slug=response.slug, stakeholder=stakeholder_slugs[response.stakeholder_id], title=response.title,
            text=response.text, source=response.source, url=response.url, date=response.date,
            stance=response.stance, provenance=response.provenance))
    latest = decisions.latest_each(session, amendments)
    falls = decisions.falls_if_each(session, amendments)
    for amendment in amendments:
        base = session.get(Version, amendment.base_version_id)
        decision = latest.get(amendment.id)
        files[f"amendments/{slug}/{amendment.slug}.md"] = serialise_amendment(AmendmentFile(
            slug=amendment.slug, title=amendment.title, proposer=stakeholder_slugs[amendment.proposer_id],
            categories=amendment_service.categories_of(session, amendment), status=amendment.status,
            base_version=base.number, base_hash=amendment.base_hash, created=amendment.created_at,
            patch_text=amendment.patch_text, rationale=amendment.rationale,
            citations=[CitationEntry(response.slug, citation.quote)
                       for citation, response in amendment_service.citations_of(session, amendment)],
            decision=DecisionEntry(decision.reason, decision.actor, decision.at) if decision else None,
            falls_if=falls[amendment.id]))
    return files


def source_file_name(number: int) -> str:
    """The file of version ``number``'s source under ``sources/``: ``0001.json``."""
    return f"{number:04d}.json"


def serialise_source(source: VersionSource) -> str:
    """An imported version's source (docs/formats.md, "The source of a version") as the
    JSON ``load`` reads back: its format, point in time, metadata, the source's
    provision ids beside regdraft's (one pair a line), and the import's report."""
    pairs = json.loads(source.source_ids)
    fields = {"format": source.format, "point_in_time": source.point_in_time,
              "metadata": json.loads(source.source_metadata), "report": json.loads(source.report)}
    head = json.dumps(fields, ensure_ascii=False, indent=2)
    ids = ",\n".join("    " + json.dumps(pair, ensure_ascii=False) for pair in pairs)
    return head[:-2] + ',\n  "source_ids": [' + (f"\n{ids}\n  " if pairs else "") + "]\n}\n"


def render(session: Session, documents: list[str] | None = None) -> dict[str, str]:
    """The files of the named documents (default: all), path relative to the root → text."""
    files: dict[str, str] = {}
    for document in _documents(session, documents):
        files.update(render_document(session, document))
    return files


def export(session: Session, root: Path, documents: list[str] | None = None) -> list[Path]:
    """Write the named documents (default: every document) under ``root``; returns the
    path of every file of the export (``root / relative path``), in order.

    All or nothing: every path is checked before anything is written, the trees that
    change are built whole in a staging folder under the root, and only then swapped
    in (see the module docstring). A problem found before the swap (a symbolic link on
    the way, a folder where a file goes, a full disk) leaves the root as it was."""
    files = render(session, documents)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    finish_interrupted_export(root)
    planned = [_plan(root, rel, text) for rel, text in files.items()]
    changed = [item for item in planned if item.changes]
    if changed:
        _write_all(root, changed)
    return [item.target for item in planned]


@dataclass(frozen=True)
class _Planned:
    rel: str
    target: Path
    data: bytes
    mode: int
    changes: bool


def _plan(root: Path, rel: str, text: str) -> _Planned:
    """What writing ``rel`` takes, refusing what ``load`` would not read back as
    written: a symbolic link anywhere on its path (one leading out of the root is
    somewhere else altogether; one inside it makes the file appear where load does not
    expect it, or twice), or a non-folder where a folder goes."""
    parts = rel.split("/")
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            where = "leads outside the root" if not path.resolve().is_relative_to(root.resolve()) else \
                "would put the file somewhere other than where load reads it"
            raise InvalidFile(rel, None, f"is under a symbolic link that {where} "
                                         f"({path.relative_to(root).as_posix()}); refusing to write there")
        if path != root / rel and path.exists() and not path.is_dir():
            raise InvalidFile(rel, None, f"cannot write: {path} is not a folder")
    if path.is_dir():
        raise InvalidFile(rel, None, f"cannot write: {path} is a folder")
    data = text.encode("utf-8")
    if path.is_file():
        return _Planned(rel, path, data, path.stat().st_mode & 0o7777, path.read_bytes() != data)
    return _Planned(rel, path, data, 0o666 & ~_umask(), True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STAGING_PREFIX = ".regdraft-export-"
#: The staging folder's journal: its presence says the new trees are complete.
JOURNAL = "swap.json"


def _write_all(root: Path, planned: list[_Planned]) -> None:
    staging = Path(tempfile.mkdtemp(dir=root, prefix=STAGING_PREFIX))
    committed = False
    try:
        tops = sorted({item.rel.split("/", 1)[0] for item in planned})
        changed = {item.rel: item for item in planned}
        for top in tops:
            _build_tree(root / top, staging / "new" / top, top, changed)
        _fsync(staging / "new")
        _write_journal(staging, tops)
        committed = True
        _swap(root, staging, tops)
    except BaseException:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
        raise  # after the commit point the staging folder stays for finish_interrupted_export
    shutil.rmtree(staging, ignore_errors=True)


def _build_tree(old: Path, new: Path, top: str, changed: dict[str, _Planned]) -> None:
    """``new``: the folder ``old`` as the export leaves it: every file of ``old`` that
    the export does not rewrite linked in as it is, every changed file written."""
    new.mkdir(parents=True)
    if old.is_dir():
        shutil.copystat(old, new)
        for folder, subfolders, names in os.walk(old):
            rel = Path(folder).relative_to(old)
            for name in subfolders:
                source = Path(folder) / name
                if source.is_symlink():  # not followed by walk: carried over as a link
                    os.symlink(os.readlink(source), new / rel / name)
                else:
                    (new / rel / name).mkdir()
                    shutil.copystat(source, new / rel / name)
            for name in names:
                source, target = Path(folder) / name, new / rel / name
                if f"{top}/{(rel / name).as_posix()}" in changed:
                    continue
                if source.is_symlink():
                    os.symlink(os.readlink(source), target)
                else:
                    _link_or_copy(source, target)
    for rel, item in changed.items():
        if not rel.startswith(f"{top}/"):
            continue
        path = new.parent / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(item.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, item.mode)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links, or one that forbids them here
        shutil.copy2(source, target)


def _fsync(folder: Path) -> None:
    """Flush every folder under ``folder`` (the files were flushed as written), so the
    trees are on disk before the journal says they are complete."""
    for path, _, _ in os.walk(folder):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_journal(staging: Path, tops: list[str]) -> None:
    """The commit point: the journal appears whole (written aside, then renamed)."""
    draft = staging / f"{JOURNAL}.tmp"
    with open(draft, "w", encoding="utf-8") as handle:
        json.dump({"swap": tops}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, staging / JOURNAL)
    _fsync(staging)


def _swap(root: Path, staging: Path, tops: list[str]) -> None:
    """Move each new tree into place, the old one aside into the staging folder. Each
    step is one rename, and the state on disk says which steps are done, so the swap
    can be taken up again from any point."""
    (staging / "old").mkdir(exist_ok=True)
    for top in tops:
        new, current, old = staging / "new" / top, root / top, staging / "old" / top
        if not new.exists() and not new.is_symlink():
            continue  # this tree is in place already
        if (current.exists() or current.is_symlink()) and not old.exists():
            os.rename(current, old)
        os.rename(new, current)
    _fsync(root)


def finish_interrupted_export(root: Path) -> None:
    """Finish or undo an export that stopped under ``root`` (a kill, a power cut): one
    that reached its journal is completed, one that did not is thrown away (its new
    trees were never moved in). Called by every export and load before they read."""
    root = Path(root)
    if not root.is_dir():
        return
    for staging in sorted(root.glob(f"{STAGING_PREFIX}*")):
        if not staging.is_dir() or staging.is_symlink():
            continue
        journal = staging / JOURNAL
        if journal.is_file():
            _swap(root, staging, list(json.loads(journal.read_text(encoding="utf-8"))["swap"]))
        shutil.rmtree(staging, ignore_errors=True)


def _documents(session: Session, slugs: list[str] | None) -> list[Document]:
    if slugs is None:
        return list(session.exec(select(Document).order_by(Document.slug)).all())
    for slug in slugs:
        if not is_slug(slug):
            raise InvalidInput(f"document slug {slug!r} is not a slug", field="documents")
    return [document_service.get_document(session, slug) for slug in slugs]
