"""``regdraft export``: write the database out as ``drafts/`` and ``amendments/`` files,
in exactly the form :func:`regdraft.files.load` reads, so that exporting an unchanged
database over the files it was loaded from changes no byte.

Each file is written atomically (a temporary file beside it, then ``os.replace``), and
only when its bytes change. Files the export does not produce are left alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlmodel import Session, select

from regdraft.core.errors import InvalidFile, InvalidInput
from regdraft.files.formats import (AmendmentFile, CitationEntry, DocumentFile, ResponseFile, StakeholderEntry,
                                    VersionEntry, is_slug, serialise_amendment, serialise_document,
                                    serialise_response, serialise_version, version_file_name)
from regdraft.services import amendments as amendment_service
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
                  for v in versions]))
    for version in versions:
        files[f"{folder}/versions/{version_file_name(version.number)}"] = serialise_version(version.text)
    stakeholder_slugs = {s.id: s.slug for s in stakeholders}
    for response in responses:
        files[f"{folder}/responses/{response.slug}.md"] = serialise_response(ResponseFile(
            slug=response.slug, stakeholder=stakeholder_slugs[response.stakeholder_id], title=response.title,
            text=response.text, source=response.source, url=response.url, date=response.date,
            stance=response.stance, provenance=response.provenance))
    for amendment in amendments:
        base = session.get(Version, amendment.base_version_id)
        files[f"amendments/{slug}/{amendment.slug}.md"] = serialise_amendment(AmendmentFile(
            slug=amendment.slug, title=amendment.title, proposer=stakeholder_slugs[amendment.proposer_id],
            categories=amendment_service.categories_of(session, amendment), status=amendment.status,
            base_version=base.number, base_hash=amendment.base_hash, created=amendment.created_at,
            patch_text=amendment.patch_text, rationale=amendment.rationale,
            citations=[CitationEntry(response.slug, citation.quote)
                       for citation, response in amendment_service.citations_of(session, amendment)]))
    return files


def render(session: Session, documents: list[str] | None = None) -> dict[str, str]:
    """The files of the named documents (default: all), path relative to the root → text."""
    files: dict[str, str] = {}
    for document in _documents(session, documents):
        files.update(render_document(session, document))
    return files


def export(session: Session, root: Path, documents: list[str] | None = None) -> list[Path]:
    """Write the named documents (default: every document) under ``root``; returns the
    path of every file of the export (``root / relative path``), in order."""
    files = render(session, documents)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    writer = _Writer(root)
    return [writer.write(rel, text) for rel, text in files.items()]


def _documents(session: Session, slugs: list[str] | None) -> list[Document]:
    if slugs is None:
        return list(session.exec(select(Document).order_by(Document.slug)).all())
    for slug in slugs:
        if not is_slug(slug):
            raise InvalidInput(f"document slug {slug!r} is not a slug", field="documents")
    return [document_service.get_document(session, slug) for slug in slugs]


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.real = root.resolve()
        mask = os.umask(0)
        os.umask(mask)
        self.mode = 0o666 & ~mask

    def _folder(self, parts: tuple[str, ...], rel: str) -> Path:
        """Make the folders of ``parts`` under the root, refusing to pass through a
        symbolic link that leads outside it."""
        folder = self.root
        for part in parts:
            folder = folder / part
            if folder.is_symlink() or folder.exists():
                real = folder.resolve()
                if not real.is_relative_to(self.real):
                    raise InvalidFile(rel, None, "is under a symbolic link that leads outside the root; "
                                                 "refusing to write there")
                if not real.is_dir():
                    raise InvalidFile(rel, None, f"cannot write: {folder} is not a folder")
            else:
                folder.mkdir()
        return folder

    def write(self, rel: str, text: str) -> Path:
        parts = tuple(rel.split("/"))
        folder = self._folder(parts[:-1], rel)
        target = folder / parts[-1]
        data = text.encode("utf-8")
        mode = self.mode
        if target.is_symlink():
            pass  # replaced by a regular file below, never followed
        elif target.is_file():
            if target.read_bytes() == data:
                return self.root / rel
            mode = target.stat().st_mode & 0o7777
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{parts[-1]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return self.root / rel
