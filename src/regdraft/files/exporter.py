"""``regdraft export``: write the database out as ``drafts/`` and ``amendments/`` files,
in exactly the form :func:`regdraft.files.load` reads, so that exporting an unchanged
database over the files it was loaded from changes no byte.

The files that change are written into a hidden staging tree under the root and moved
into place once all are written (``os.replace``, each atomic); a file whose bytes do not
change is not touched. Files the export does not produce are left alone. Anything that
``load`` would not read back as written (a symbolic link on a file's path) is refused
before anything is written.
"""

from __future__ import annotations

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
from regdraft.store.models import Amendment, Document, Stakeholder, Version


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


def render(session: Session, documents: list[str] | None = None) -> dict[str, str]:
    """The files of the named documents (default: all), path relative to the root → text."""
    files: dict[str, str] = {}
    for document in _documents(session, documents):
        files.update(render_document(session, document))
    return files


def export(session: Session, root: Path, documents: list[str] | None = None) -> list[Path]:
    """Write the named documents (default: every document) under ``root``; returns the
    path of every file of the export (``root / relative path``), in order.

    All or nothing: every path is checked before anything is written, the files that
    change are written (and flushed to disk) into a hidden staging tree under the root,
    and only once all of them are there is each moved into place. A problem found
    before the moves (a symbolic link on the way, a folder where a file goes, a full
    disk) leaves the root as it was."""
    files = render(session, documents)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
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


def _write_all(root: Path, planned: list[_Planned]) -> None:
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".regdraft-export-"))
    try:
        staged = []
        for item in planned:
            path = staging / item.rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(item.data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, item.mode)
            staged.append((path, item))
        for path, item in staged:
            item.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, item.target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _documents(session: Session, slugs: list[str] | None) -> list[Document]:
    if slugs is None:
        return list(session.exec(select(Document).order_by(Document.slug)).all())
    for slug in slugs:
        if not is_slug(slug):
            raise InvalidInput(f"document slug {slug!r} is not a slug", field="documents")
    return [document_service.get_document(session, slug) for slug in slugs]
