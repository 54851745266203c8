"""Documents, their versions, stakeholders and responses.

Services flush; the caller (request or CLI command) owns the transaction and commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from regdraft.core.anchors import FoldedText
from regdraft.core.errors import AlreadyExists, InvalidInput, NotFound, QuoteNotFound, StaleParent
from regdraft.core.structure import Structure, parse_structure
from regdraft.core.text import content_hash, normalise
from regdraft.core.traditions import DEFAULT_KIND, KINDS
from regdraft.services import comments, renderings, search, structures
from regdraft.services.events import record
from regdraft.core.policy import check_text, check_url
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, DocumentCategory,
                                   DocumentStakeholder, Response, Stakeholder, Version, utcnow)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_slug(slug: str, what: str) -> str:
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 80:
        raise InvalidInput(
            f"{what} {slug!r} is not a slug: use 1-80 lower-case letters, digits and single hyphens",
            field=what)
    return slug


# Documents -----------------------------------------------------------------------

def create_document(session: Session, *, slug: str, title: str, description: str = "", notice: str = "",
                    kind: str = DEFAULT_KIND, strict: bool = False, actor: str) -> Document:
    check_slug(slug, "document slug")
    if not title.strip():
        raise InvalidInput("a document needs a title", field="title")
    check_kind(kind)
    if session.exec(select(Document).where(Document.slug == slug)).first():
        raise AlreadyExists(f"document {slug!r} already exists", document=slug)
    document = Document(slug=slug, title=title, description=description, notice=notice, kind=kind, strict=strict)
    session.add(document)
    session.flush()
    record(session, actor, "document.created", "document", slug, document.id)
    return document


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"{kind!r} is not a kind of document: use one of {', '.join(KINDS)}", field="kind")
    return kind


def update_document(session: Session, document: Document, *, title: str, description: str = "", notice: str = "",
                    kind: str | None = None, strict: bool | None = None, actor: str) -> bool:
    """Change a document's title, description, notice, kind and strictness (used when
    files change); returns whether anything changed. Nothing is recorded when nothing
    changed. ``None`` leaves the kind or strictness as it is. The kind cannot change once
    the document has a version: its versions' provisions were read as that kind."""
    if not title.strip():
        raise InvalidInput("a document needs a title", field="title")
    kind = document.kind if kind is None else check_kind(kind)
    strict = document.strict if strict is None else strict
    if kind != document.kind and count_versions(session, document):
        raise InvalidInput(f"document {document.slug!r} is a {document.kind} document with versions: its kind "
                           f"cannot change to {kind}", field="kind")
    wanted = (title, description, notice, kind, strict)
    if (document.title, document.description, document.notice, document.kind, document.strict) == wanted:
        return False
    document.title, document.description, document.notice, document.kind, document.strict = wanted
    session.flush()
    record(session, actor, "document.updated", "document", document.slug, document.id)
    return True


def structure_of(document: Document, text: str, *, session: Session | None = None,
                 text_hash: str | None = None) -> Structure:
    """The provisions of ``text`` (a version of ``document``, or an amended text), read as
    the document's kind; duplicates are tolerated, as in a text being amended. Read
    once: kept in memory, and for a version in the store (``services.structures``), which
    a ``session`` lets it look in; ``text_hash`` is the text's content hash, if known."""
    return structures.read(text, document.kind, session=session, text_hash=text_hash)


def version_structure(session: Session, document: Document, version: Version) -> Structure:
    """The structure of a version of ``document``, as :func:`structure_of` keeps it."""
    return structure_of(document, version.text, session=session, text_hash=version.content_hash)


def get_document(session: Session, slug: str) -> Document:
    document = session.exec(select(Document).where(Document.slug == slug)).first()
    if document is None:
        raise NotFound(f"no document {slug!r}", document=slug)
    return document


def list_documents(session: Session, *, offset: int = 0, limit: int = 50) -> tuple[list[Document], int]:
    total = session.exec(select(func.count()).select_from(Document)).one()
    rows = session.exec(select(Document).order_by(Document.slug).offset(offset).limit(limit)).all()
    return list(rows), total


# Categories ----------------------------------------------------------------------

MAX_CATEGORY_CHARS = 32
"""A category's slug is at most this long (the store's column)."""
MAX_DOCUMENT_CATEGORIES = 50
"""Categories a document may declare."""


@dataclass(frozen=True)
class Category:
    slug: str
    title: str = ""


def categories(session: Session, document: Document) -> list[Category]:
    """The categories the document's consultation declares, in its order (none: any goes)."""
    return [Category(row.slug, row.title) for row in session.exec(
        select(DocumentCategory).where(DocumentCategory.document_id == document.id)
        .order_by(DocumentCategory.position)).all()]


def category_choices(session: Session, document: Document | None = None) -> list[str]:
    """The categories to offer as filters: a document's declared ones in order, then any
    its amendments are filed under besides (a document that declares none); of every
    document, sorted, when none is named."""
    used = select(AmendmentCategory.category).distinct().join(Amendment, Amendment.id == AmendmentCategory.amendment_id)
    if document is None:
        return sorted({*session.exec(select(DocumentCategory.slug)).all(), *session.exec(used).all()})
    declared = [c.slug for c in categories(session, document)]
    extra = set(session.exec(used.where(Amendment.document_id == document.id)).all()) - set(declared)
    return declared + sorted(extra)


def check_category_slug(slug: str, field: str) -> str:
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > MAX_CATEGORY_CHARS:
        raise InvalidInput(f"category {slug!r} is not a slug: use 1-{MAX_CATEGORY_CHARS} lower-case letters, "
                           "digits and single hyphens", field=field)
    return slug


def check_categories(session: Session, document: Document, chosen: list[str], *, field: str = "categories",
                     declared: list[Category] | None = None) -> list[str]:
    """``chosen`` (an amendment's categories, or a filter's one), if the document's
    consultation declares each of them; where it declares none, any slugs will do."""
    declared = categories(session, document) if declared is None else declared
    names = [c.slug for c in declared]
    for category in chosen:
        if names and category not in names:
            raise InvalidInput(f"unknown category {category!r}; document {document.slug!r} has the categories: "
                               f"{', '.join(names)}", field=field, categories=names)
        check_category_slug(category, field)
    return chosen


def set_categories(session: Session, document: Document, wanted: list[Category], *, actor: str) -> bool:
    """Make ``wanted``, in this order, the document's categories; says whether anything
    changed (an event when it did). A category an amendment of the document is filed
    under cannot be taken away: its amendments would name what the document lacks."""
    if len(wanted) > MAX_DOCUMENT_CATEGORIES:
        raise InvalidInput(f"{len(wanted)} categories are given; a document may have at most {MAX_DOCUMENT_CATEGORIES}",
                           field="categories", limit=MAX_DOCUMENT_CATEGORIES)
    seen: set[str] = set()
    for category in wanted:
        check_category_slug(category.slug, "categories")
        check_text(category.title, "categories")
        if category.slug in seen:
            raise InvalidInput(f"category {category.slug!r} is listed twice", field="categories")
        seen.add(category.slug)
    before = categories(session, document)
    if before == wanted:
        return False
    used = session.exec(select(AmendmentCategory.category).distinct()
                        .join(Amendment, Amendment.id == AmendmentCategory.amendment_id)
                        .where(Amendment.document_id == document.id)).all()
    missing = sorted(set(used) - seen) if wanted else []
    if missing:
        raise InvalidInput(f"document {document.slug!r} has amendments filed under {', '.join(missing)}: "
                           "a category in use cannot be taken away", field="categories", in_use=missing)
    for row in session.exec(select(DocumentCategory).where(DocumentCategory.document_id == document.id)):
        session.delete(row)
    session.flush()
    for position, category in enumerate(wanted):
        session.add(DocumentCategory(document_id=document.id, slug=category.slug, title=category.title,
                                     position=position))
    session.flush()
    record(session, actor, "document.categories_changed", "document", document.slug, document.id,
           detail={"categories": [c.slug for c in wanted],
                   "added": [c.slug for c in wanted if c.slug not in {b.slug for b in before}],
                   "removed": [b.slug for b in before if b.slug not in seen]})
    return True


# Versions ------------------------------------------------------------------------

def head(session: Session, document: Document) -> Version | None:
    return session.exec(
        select(Version).where(Version.document_id == document.id).order_by(Version.number.desc()).limit(1)
    ).first()


def get_version(session: Session, document: Document, number: int) -> Version:
    version = session.exec(
        select(Version).where(Version.document_id == document.id, Version.number == number)).first()
    if version is None:
        raise no_version(document, number)
    return version


def version_row(session: Session, document: Document, number: int):
    """A version's id, number and content hash, without its text."""
    row = session.exec(select(Version.id, Version.number, Version.content_hash)
                       .where(Version.document_id == document.id, Version.number == number)).first()
    if row is None:
        raise no_version(document, number)
    return row


def no_version(document: Document, number: int) -> NotFound:
    return NotFound(f"document {document.slug!r} has no version {number}", document=document.slug, version=number)


def versions_between(session: Session, document: Document, first: int, last: int) -> list[Version]:
    """Versions ``first`` to ``last`` (numbers, inclusive), in order."""
    return list(session.exec(select(Version).where(Version.document_id == document.id, Version.number >= first,
                                                   Version.number <= last).order_by(Version.number)).all())


def list_versions(session: Session, document: Document) -> list[Version]:
    return list(session.exec(
        select(Version).where(Version.document_id == document.id).order_by(Version.number)).all())


def count_versions(session: Session, document: Document) -> int:
    return session.exec(select(func.count()).select_from(Version).where(Version.document_id == document.id)).one()


@dataclass(frozen=True)
class PreparedVersion:
    """What storing a version's text computes from the text alone: the text normalised
    and checked, its hash, its structure read and encoded as stored, and the pieces
    the search index keeps. Worked out before the write lock is taken
    (:func:`prepare_version`), so that :func:`create_version` only writes."""

    kind: str
    text: str
    content_hash: str
    structure: Structure
    encoded: bytes
    pieces: dict[str, tuple[str, str]]


def prepare_version(document: Document, text: str) -> PreparedVersion:
    """:class:`PreparedVersion` of ``text`` as a version of ``document``: refused as
    :func:`create_version` refuses it (empty, a structure the document may not have)."""
    text = normalise(text, what="version text")
    if not text:
        raise InvalidInput("a version's text cannot be empty", field="text")
    # A strict document refuses every warning (as the strict reading words it); any
    # document, duplicate provision numbers.
    structure = structure_of(document, text)
    if document.strict and structure.warnings:
        parse_structure(text, kind=document.kind, strict=True)
    structure.refuse(("duplicate",))
    return PreparedVersion(document.kind, text, content_hash(text), structure, structures.encode(structure),
                           search.provision_pieces(text, document.kind, structure.provisions))


def create_version(session: Session, document: Document, *, text: str, parent: int | None, author: str,
                   message: str = "", created_at: datetime | None = None, produced_by_id: int | None = None,
                   actor: str, prepared: PreparedVersion | None = None) -> Version:
    """Add the next version. ``parent`` must be the head's number (``None`` only for the
    first version): otherwise :class:`StaleParent` names the head, and nothing is lost.
    ``prepared`` (:func:`prepare_version` of ``text``) spares the work done from the
    text alone."""
    if prepared is None or prepared.kind != document.kind or prepared.text != text:
        prepared = prepare_version(document, text)
    text, structure = prepared.text, prepared.structure
    if not author.strip():
        raise InvalidInput("a version needs an author", field="author")
    current = head(session, document)
    current_number = current.number if current else None
    if parent != current_number:
        the_head = f"the head is version {current_number}" if current else "it has no versions yet"
        # A parent after the head is no version at all (a number typed or a form tampered
        # with): saying it is "not the head" would have the user look for it.
        which = (f"{document.slug!r} has no version {parent}" if parent is not None and parent > (current_number or 0)
                 else f"version {parent} is not the head of {document.slug!r}" if parent is not None
                 else f"{document.slug!r} has versions already")
        raise StaleParent(f"{which}; {the_head}", document=document.slug, head=current_number,
                          head_hash=current.content_hash if current else None)
    version = Version(document_id=document.id, number=(current_number or 0) + 1,
                      parent_id=current.id if current else None, author=author, message=message,
                      created_at=created_at or utcnow(), content_hash=prepared.content_hash, text=text,
                      produced_by_id=produced_by_id)
    slug = document.slug
    try:
        # Added inside the savepoint: its flush then holds this insert alone, so a
        # violation undoes just the insert and the transaction stays usable (on
        # PostgreSQL a failed statement outside a savepoint aborts the transaction).
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        # Another writer added a version (or accepted the same amendment) between our
        # read of the head and our insert.
        latest = head(session, document)
        raise StaleParent(f"version {parent} is no longer the head of {slug!r}; the head is version "
                          f"{latest.number if latest else None}", document=slug,
                          head=latest.number if latest else None,
                          head_hash=latest.content_hash if latest else None) from None
    structures.keep(session, structure, version.content_hash, encoded=prepared.encoded)
    renderings.keep(session, text, document.kind, version.content_hash,
                    structures.read(text, document.kind, text_hash=version.content_hash))
    search.index_version(session.connection(), document.id, document.kind, version.number, version.text,
                         pieces=prepared.pieces)
    record(session, actor, "version.created", "version", f"{document.slug}@{version.number}", document.id,
           before=current.content_hash if current else None, after=version.content_hash,
           detail={"message": message, "produced_by": produced_by_id})
    comments.reanchor_version(session, document, current, version, structure, actor=actor)
    return version


# Stakeholders --------------------------------------------------------------------

def upsert_stakeholder(session: Session, *, slug: str, name: str, kind: str = "", actor: str) -> Stakeholder:
    check_slug(slug, "stakeholder slug")
    stakeholder = session.exec(select(Stakeholder).where(Stakeholder.slug == slug)).first()
    if stakeholder is None:
        stakeholder = Stakeholder(slug=slug, name=name, kind=kind)
        session.add(stakeholder)
        session.flush()
        record(session, actor, "stakeholder.created", "stakeholder", slug, None)
    elif (stakeholder.name, stakeholder.kind) != (name, kind):
        stakeholder.name, stakeholder.kind = name, kind
        session.flush()
        record(session, actor, "stakeholder.updated", "stakeholder", slug, None)
    return stakeholder


def add_stakeholder(session: Session, document: Document, *, slug: str, name: str, kind: str = "",
                    actor: str) -> Stakeholder:
    """Add a stakeholder to the document's consultation, as the pages' and the CLI's
    "add" do: a new one, or one that other documents know already under the same name
    and kind. Adding never renames (stakeholders are shared by every document, so a
    different name for a known slug is refused rather than changed everywhere), and a
    stakeholder already taking part is refused, so nothing typed is silently dropped."""
    for field, value in (("name", name), ("kind", kind)):
        check_text(value, field)
    if not name.strip():
        raise InvalidInput("a stakeholder needs a name", field="name")
    check_slug(slug, "stakeholder slug")
    name, kind = name.strip(), kind.strip()
    existing = session.exec(select(Stakeholder).where(Stakeholder.slug == slug)).first()
    if existing is not None:
        if any(s.id == existing.id for s in list_stakeholders(session, document)):
            raise AlreadyExists(f"stakeholder {slug!r} already takes part in the consultation on "
                                f"{document.slug!r}", stakeholder=slug)
        if (existing.name, existing.kind) != (name, kind):
            raise AlreadyExists(f"stakeholder {slug!r} exists already as {existing.name!r} (kind "
                                f"{existing.kind!r}): give that name and kind to add it here, or another "
                                f"short name", stakeholder=slug)
    stakeholder = upsert_stakeholder(session, slug=slug, name=name, kind=kind, actor=actor)
    take_part(session, document, stakeholder, actor=actor)
    return stakeholder


def take_part(session: Session, document: Document, stakeholder: Stakeholder, *, actor: str) -> bool:
    """Add ``stakeholder`` last to those taking part in the document's consultation;
    says whether it was not taking part before."""
    taking_part = list_stakeholders(session, document)
    if any(s.id == stakeholder.id for s in taking_part):
        return False
    return set_document_stakeholders(session, document, [*taking_part, stakeholder], actor=actor)


def get_stakeholder(session: Session, slug: str) -> Stakeholder:
    stakeholder = session.exec(select(Stakeholder).where(Stakeholder.slug == slug)).first()
    if stakeholder is None:
        raise NotFound(f"no stakeholder {slug!r}", stakeholder=slug)
    return stakeholder


def list_stakeholders(session: Session, document: Document | None = None) -> list[Stakeholder]:
    if document is None:
        return list(session.exec(select(Stakeholder).order_by(Stakeholder.slug)).all())
    return list(session.exec(
        select(Stakeholder).join(DocumentStakeholder, DocumentStakeholder.stakeholder_id == Stakeholder.id)
        .where(DocumentStakeholder.document_id == document.id).order_by(DocumentStakeholder.position)).all())


def set_document_stakeholders(session: Session, document: Document, stakeholders: list[Stakeholder], *,
                              actor: str) -> bool:
    """Make ``stakeholders``, in this order, the ones taking part in the document's
    consultation; a change of who takes part, or of their order, is an event. Says
    whether anything changed."""
    links = session.exec(select(DocumentStakeholder).where(DocumentStakeholder.document_id == document.id)
                         .order_by(DocumentStakeholder.position)).all()
    existing = {link.stakeholder_id: link for link in links}
    before = [link.stakeholder_id for link in links]
    for position, stakeholder in enumerate(stakeholders):
        link = existing.pop(stakeholder.id, None)
        if link is None:
            session.add(DocumentStakeholder(document_id=document.id, stakeholder_id=stakeholder.id,
                                            position=position))
        elif link.position != position:
            link.position = position
    for link in existing.values():
        session.delete(link)
    session.flush()
    if before == [s.id for s in stakeholders]:
        return False
    removed = session.exec(select(Stakeholder.slug).where(Stakeholder.id.in_(list(existing)))
                           .order_by(Stakeholder.slug)).all()
    record(session, actor, "document.stakeholders_changed", "document", document.slug, document.id,
           detail={"stakeholders": [s.slug for s in stakeholders],
                   "added": [s.slug for s in stakeholders if s.id not in before],
                   "removed": list(removed)})
    return True


# Responses -----------------------------------------------------------------------

RESPONSE_FIELDS = ("title", "source", "url", "date", "stance", "provenance")

# A response's date is as precise as its source: a day, a month (a letter dated
# "May 2014") or a year; whatever it says must be a day the calendar has.
RESPONSE_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_response_date(value: str) -> None:
    """Refuse a response date that is not YYYY-MM-DD, YYYY-MM or YYYY naming a real day,
    month or year (``2024-13-45`` or ``2024-02-30`` would sort and read as nonsense)."""
    match = RESPONSE_DATE.match(value)
    try:
        if match is None:
            raise ValueError
        year, month, day = match.groups()
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InvalidInput(f"date {value!r} is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY for a month "
                           f"or a year)", field="date") from None


def put_response(session: Session, document: Document, *, slug: str, stakeholder: Stakeholder, text: str,
                 actor: str, reanchor: bool = True, **fields: str) -> Response:
    """Create a response, or update it in place where the files say something new.

    A new text moves the citations of it (:func:`reanchor_citations`). A caller that is
    about to change those citations too (a load of files) passes ``reanchor=False`` and
    calls it once they are in place."""
    check_slug(slug, "response slug")
    text = normalise(text, what=f"response {slug!r}")
    if not text:
        raise InvalidInput(f"response {slug!r} has no text", field="text")
    unknown = set(fields) - set(RESPONSE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown response fields: {', '.join(sorted(unknown))}")
    response = find_response(session, document, slug)
    values = {"stakeholder_id": stakeholder.id, "text": text, "content_hash": content_hash(text),
              **{k: fields.get(k, "") for k in RESPONSE_FIELDS}}
    if not values["title"]:
        raise InvalidInput(f"response {slug!r} needs a title", field="title")
    if values["date"]:
        check_response_date(values["date"])
    if response is None:
        response = Response(document_id=document.id, slug=slug, **values)
        session.add(response)
        session.flush()
        search.index_response(session.connection(), response)
        record(session, actor, "response.created", "response", f"{document.slug}/{slug}", document.id,
               after=response.content_hash)
    elif any(getattr(response, k) != v for k, v in values.items()):
        before, old_text = response.content_hash, response.text
        for k, v in values.items():
            setattr(response, k, v)
        if old_text != text and reanchor:
            reanchor_citations(session, response)
        if old_text != text:
            comments.reanchor_response(session, response, old_text)
        session.flush()
        search.index_response(session.connection(), response)
        record(session, actor, "response.updated", "response", f"{document.slug}/{slug}", document.id,
               before=before, after=response.content_hash)
    return response


def add_response(session: Session, document: Document, *, slug: str, stakeholder: Stakeholder, text: str,
                 actor: str, **fields: str) -> Response:
    """A new response, as the pages' and the CLI's "add" make it: held to the text and
    link policies as the API's bodies are, and refused (nothing changed) when the
    document has a response ``slug`` already, where :func:`put_response` would replace it."""
    for field, value in (("text", text), *fields.items()):
        check_text(value, field)
    if fields.get("url"):
        check_url(fields["url"])
    if not fields.get("title", "").strip():
        raise InvalidInput("a response needs a title", field="title")
    check_slug(slug, "response slug")
    if find_response(session, document, slug) is not None:
        raise AlreadyExists(f"document {document.slug!r} already has a response {slug!r}", response=slug)
    return put_response(session, document, slug=slug, stakeholder=stakeholder, text=text, actor=actor, **fields)


def reanchor_citations(session: Session, response: Response) -> None:
    """A response's new text must still hold every quote cited from it. Each citation is
    found again (its old prefix and suffix choose among repeats) and its anchor moved;
    a quote that is gone refuses the whole update, so no citation ever points nowhere."""
    cited = session.exec(select(Citation, Amendment.slug).join(Amendment, Citation.amendment_id == Amendment.id)
                         .where(Citation.response_id == response.id)
                         .order_by(Amendment.slug, Citation.position)).all()
    text = FoldedText(response.text)
    for citation, amendment in cited:
        try:
            anchor = text.find(citation.quote, prefix=citation.prefix, suffix=citation.suffix)
        except QuoteNotFound:
            raise QuoteNotFound(f"the new text of response {response.slug!r} no longer contains the quote that "
                                f"amendment {amendment!r} cites: {citation.quote!r}",
                                response=response.slug, amendment=amendment, quote=citation.quote) from None
        citation.start, citation.end = anchor.start, anchor.end
        citation.prefix, citation.suffix = anchor.prefix, anchor.suffix


def find_response(session: Session, document: Document, slug: str) -> Response | None:
    return session.exec(select(Response).where(Response.document_id == document.id, Response.slug == slug)).first()


def get_response(session: Session, document: Document, slug: str) -> Response:
    response = find_response(session, document, slug)
    if response is None:
        raise NotFound(f"document {document.slug!r} has no response {slug!r}", response=slug)
    return response


def list_responses(session: Session, document: Document) -> list[Response]:
    return list(session.exec(select(Response).where(Response.document_id == document.id)
                             .order_by(Response.slug)).all())
