"""Importing a file: a new document, or a new version of one, from CLML, Akoma Ntoso,
eCFR XML, Word or plain text.

The file is read first (``regdraft.formats``, pure: a bad file is refused before
anything is written); then, in the caller's transaction, the document is created (or
found), the version added through :func:`documents.create_version` (which checks the
text as every version is checked), and the source kept beside the version
(:class:`~regdraft.store.models.VersionSource`). The caller commits, so a failure part
way leaves nothing behind.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, select

from regdraft.core.errors import InvalidInput
from regdraft.core.policy import check_text
from regdraft.formats import ImportedDocument, read_document
from regdraft.services import documents, tokens
from regdraft.store.models import Document, Version, VersionSource


@dataclass(frozen=True)
class ImportResult:
    document: Document
    version: Version
    imported: ImportedDocument
    created_document: bool


def read(data: bytes, *, format: str | None = None, kind: str | None = None) -> ImportedDocument:
    """What importing ``data`` would give, without storing anything."""
    return read_document(data, format=format, kind=kind)


def import_file(session: Session, data: bytes, *, format: str | None = None, kind: str | None = None,
                document_slug: str | None = None, as_version: bool = False, author: str = "", message: str = "",
                actor: str) -> ImportResult:
    """Create a document from ``data`` (its slug ``document_slug``, or one made from the
    title), or with ``as_version`` add ``data`` as the next version of ``document_slug``."""
    existing = None
    if as_version:
        if not document_slug:
            raise InvalidInput("importing as a new version needs the document it is a version of", field="document")
        existing = documents.get_document(session, document_slug)
        if kind is not None and kind != existing.kind:
            raise InvalidInput(f"document {existing.slug!r} is a {existing.kind} document; the file cannot be "
                               f"imported into it as {kind}", field="kind")
        kind = existing.kind
    imported = read_document(data, format=format, kind=kind)
    # A file is a door like any other: what it reads as is held to the one text policy
    # before anything is written (a pasted text may carry "<script>" or a bidi override).
    check_text(imported.title, "title")
    check_text(imported.text, "text")
    if existing is None:
        slug = document_slug or slug_of(imported.title)
        document = documents.create_document(session, slug=slug, title=imported.title or slug,
                                             description=_description(imported), kind=imported.kind, actor=actor)
    else:
        document = existing
    head = documents.head(session, document)
    version = documents.create_version(
        session, document, text=imported.text, parent=head.number if head else None,
        author=author.strip() or tokens.author_of(session, actor), message=message or f"Imported from {imported.report.format}",
        actor=actor)
    session.add(VersionSource(version_id=version.id, format=imported.report.format,
                              point_in_time=imported.meta("point_in_time") or "",
                              source_metadata=json.dumps(dict(imported.metadata), ensure_ascii=False),
                              source_ids=json.dumps([list(pair) for pair in imported.source_ids], ensure_ascii=False),
                              report=json.dumps(imported.report.as_dict(), ensure_ascii=False)))
    session.flush()
    return ImportResult(document, version, imported, existing is None)


def source_of(session: Session, version: Version) -> VersionSource | None:
    return session.exec(select(VersionSource).where(VersionSource.version_id == version.id)).first()


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(title: str) -> str:
    """A document slug from a title: ``the-insolvent-partnerships-amendment-order-2006``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")[:80].rstrip("-")
    if not slug:
        raise InvalidInput("the file has no title to name the document by: give the document's slug",
                           field="document")
    return slug


def _description(imported: ImportedDocument) -> str:
    source = imported.meta("frbr_expression") or imported.meta("source_uri")
    what = f"Imported from {imported.report.format}"
    return f"{what}: {source}" if source else what
