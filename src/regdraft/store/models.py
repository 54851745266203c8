"""The tables. Alembic migrations (``store/migrations``) create them; nothing calls
``create_all`` outside tests of the migrations themselves.

Invariants the schema itself enforces, so that concurrent writers cannot break them
even if a service forgets:

- a document's versions are numbered uniquely and each version has at most one child
  (``uq_version_parent``), so history is one linear chain;
- a version is produced by at most one amendment (``uq_version_produced_by``);
- slugs are unique per document (amendments, responses) or globally (documents,
  stakeholders).

Times are timezone-aware UTC, to the second.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, LargeBinary, Text,
                        UniqueConstraint)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str
    description: str = ""
    notice: str = ""
    kind: str = Field(default="uk-si", max_length=16)
    """The drafting tradition (``core.traditions.KINDS``); fixed once the document has a version."""
    strict: bool = False
    """Whether a version whose structure draws warnings is refused."""
    created_at: datetime = Field(default_factory=utcnow)


class DocumentCategory(SQLModel, table=True):
    """The categories a document's consultation sorts amendments into, in file order.
    A document that declares none lets amendments name any category (a slug)."""

    __tablename__ = "document_category"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    slug: str = Field(max_length=32, primary_key=True)
    title: str = ""
    position: int = 0


class Stakeholder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str
    kind: str = ""


class DocumentStakeholder(SQLModel, table=True):
    """Which stakeholders take part in a document's consultation, in file order."""

    __tablename__ = "document_stakeholder"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", primary_key=True)
    position: int = 0


class Version(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_version_number"),
        UniqueConstraint("parent_id", name="uq_version_parent"),
        UniqueConstraint("produced_by_id", name="uq_version_produced_by"),
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    parent_id: int | None = Field(default=None, foreign_key="version.id")
    author: str
    message: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    content_hash: str = Field(max_length=64, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # The version/amendment foreign keys form a cycle; this side is added by ALTER.
    produced_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("amendment.id", use_alter=True,
                                             name="fk_version_produced_by"), nullable=True),
    )


class VersionSource(SQLModel, table=True):
    """Where an imported version came from: its format, the point in time a revised
    source's text stood at, the source's own metadata (FRBR work and expression URIs...),
    the source's provision ids beside regdraft's, and the import's report. One row per
    imported version; a version typed or produced by an amendment has none."""

    __tablename__ = "version_source"
    version_id: int = Field(foreign_key="version.id", primary_key=True)
    format: str = Field(max_length=16)
    point_in_time: str = Field(default="", max_length=32)
    source_metadata: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    """JSON object: the reader's metadata pairs."""
    source_ids: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    """JSON list of [source id, regdraft id] pairs, in document order."""
    report: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Response(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("document_id", "slug", name="uq_response_slug"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", index=True)
    slug: str = Field(max_length=80)
    title: str
    source: str = ""
    url: str = ""
    date: str = ""
    stance: str = ""
    provenance: str = ""
    text: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)


# The amendment's revision, also the mapper's version counter (below).
_amendment_revision = Column("revision", Integer, nullable=False)


class Amendment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("document_id", "slug", name="uq_amendment_slug"),
        Index("ix_amendment_document_status_slug", "document_id", "status", "slug"),  # filtered pages, in order
    )
    # Every UPDATE of an amendment says "... WHERE id = ? AND revision = <the revision
    # read>", and fails (StaleDataError, a 409) when another transaction changed it in
    # between: without this, two writers that read the same revision on PostgreSQL
    # (READ COMMITTED) would both succeed and the later would silently overwrite the
    # earlier. The services set the next revision themselves (version_id_generator=False).
    __mapper_args__ = {"version_id_col": _amendment_revision, "version_id_generator": False}
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    slug: str = Field(max_length=80)
    title: str
    proposer_id: int = Field(foreign_key="stakeholder.id", index=True)
    status: str = Field(max_length=16)
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False))
    patch_text: str = Field(sa_column=Column(Text, nullable=False))
    base_version_id: int = Field(foreign_key="version.id", index=True)
    base_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    revision: int = Field(default=1, sa_column=_amendment_revision)


class AmendmentCategory(SQLModel, table=True):
    __tablename__ = "amendment_category"
    __table_args__ = (Index("ix_amendment_category_category_amendment", "category", "amendment_id"),)  # covering
    amendment_id: int = Field(foreign_key="amendment.id", primary_key=True)
    category: str = Field(max_length=32, primary_key=True)
    position: int = 0


class Hunk(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("amendment_id", "index", name="uq_hunk_index"),)
    id: int | None = Field(default=None, primary_key=True)
    amendment_id: int = Field(foreign_key="amendment.id")
    index: int
    header: str
    start: int
    end: int
    new_start: int
    new_end: int


class HunkProvision(SQLModel, table=True):
    """A provision a hunk touches: in the base, or created by the hunk."""

    __tablename__ = "hunk_provision"
    hunk_id: int = Field(foreign_key="hunk.id", primary_key=True)
    provision_id: str = Field(max_length=120, primary_key=True, index=True)
    label: str
    position: int = 0


class Citation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    amendment_id: int = Field(foreign_key="amendment.id", index=True)
    response_id: int = Field(foreign_key="response.id", index=True)
    position: int = 0
    quote: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""


class Event(SQLModel, table=True):
    """Append-only: nothing updates or deletes a row of this table."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str
    action: str = Field(max_length=40)
    target_type: str = Field(max_length=20)
    target: str
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    before_hash: str | None = None
    after_hash: str | None = None
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Generation(SQLModel, table=True):
    """One row: the store-wide generation, a number that moves with every committed
    transaction that appended an event of no document (stakeholders, which every
    document shows, and tokens). With a document's own (:class:`DocumentGeneration`) it
    keys the render cache (``services.events.generation``). Triggers on ``event`` move
    both (migrations 0003 and 0004), so no code path can write without moving them, and
    reading them costs two rows however long the event log grows."""

    __table_args__ = (CheckConstraint("id = 1", name="ck_generation_one_row"),)

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class DocumentGeneration(SQLModel, table=True):
    """A document's generation: moves with every committed transaction that appended
    an event of the document (migration 0004); made by its first."""

    __tablename__ = "document_generation"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class Token(SQLModel, table=True):
    """An API token. Only the SHA-256 of the secret is stored; the secret itself is
    shown once, when the token is made (``regdraft token create``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    #: The person who holds it: the author of the versions it makes ("" : its name is).
    person: str = Field(default="", max_length=120)
    role: str = Field(max_length=16)
    #: The stakeholder a ``stakeholder`` token acts for (``None`` for the other roles).
    stakeholder_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Decision(SQLModel, table=True):
    """One change of an amendment's status, with the reason given for it: the amendment's
    decision history, newest last. A table rather than a column on ``amendment`` so that
    every decision keeps its reason (a rejection and a later reopening both stand), a
    bulk decision can name its ``batch``, and an amendment that fell can name the one
    whose acceptance it fell with, all without touching the amendment's row."""

    __table_args__ = (Index("ix_decision_amendment_id", "amendment_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    amendment_id: int = Field(foreign_key="amendment.id")
    status: str = Field(max_length=16)
    previous: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    actor: str
    at: datetime = Field(default_factory=utcnow)
    revision: int
    """The amendment's revision once decided."""
    batch: str | None = Field(default=None, max_length=40, index=True)
    """The bulk decision it was part of (``POST .../decisions``), if any."""
    cause_id: int | None = Field(default=None, foreign_key="amendment.id")
    """For a fall: the amendment whose acceptance it fell with."""


class AmendmentFall(SQLModel, table=True):
    """``amendment`` falls if ``adopted`` is accepted (the order of an amendment list):
    accepting ``adopted`` marks ``amendment`` fallen, if it is still open."""

    __tablename__ = "amendment_fall"
    amendment_id: int = Field(foreign_key="amendment.id", primary_key=True)
    adopted_id: int = Field(foreign_key="amendment.id", primary_key=True, index=True)


class SearchItem(SQLModel, table=True):
    """One thing a search can find (migration 0008, ``services/search.py``): a provision's
    own text over the versions it stood in, an amendment, or a response. Derived from
    the other tables and kept in the same transactions; on PostgreSQL it also has a
    generated ``tsv`` column, on SQLite an FTS5 index (``search_fts``) beside it."""

    __tablename__ = "search_item"
    __table_args__ = (Index("ix_search_item_document_kind_target", "document_id", "kind", "target"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    kind: str = Field(max_length=16)
    """``provision``, ``amendment`` or ``response`` (``services.search.ITEM_KINDS``)."""
    target: str = Field(max_length=120)
    """What it is within the document: a provision id, an amendment's or a response's slug."""
    label: str = Field(sa_column=Column(Text, nullable=False))
    version_from: int | None = None
    """A provision's text: the first version holding it, and the first that no longer
    does (``None``: the head still does)."""
    version_until: int | None = None
    amendment_id: int | None = Field(default=None, foreign_key="amendment.id", index=True)
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    stakeholder_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    body: str = Field(sa_column=Column(Text, nullable=False))


class AmendmentRebase(SQLModel, table=True):
    """An amendment's latest rebase onto a newer head (migration 0009,
    ``services/rebasing.py``): done (``rebased``), waiting for a drafter to confirm
    fuzzy hunks or a renumbering (``needs-confirmation``, with the patch it would
    take), or impossible (``needs-rebase``: the amendment stays on its old base).
    ``report`` is JSON: the hunk-by-hunk report and any renumbering."""

    __tablename__ = "amendment_rebase"
    amendment_id: int = Field(foreign_key="amendment.id", primary_key=True)
    state: str = Field(max_length=20)
    from_version: int
    to_version: int
    revision: int
    """The amendment's revision the rebase was worked out from (before it, if it was applied)."""
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    report: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    patch_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class VersionStructure(SQLModel, table=True):
    """A version's structure as the parser read it when the version was stored, so no
    later reading parses it again (``services.structures``). Keyed by what the reading
    depends on: the text (by content hash), the kind it was read as, and the parser's
    version; versions with the same text share one row."""

    __tablename__ = "version_structure"
    content_hash: str = Field(max_length=64, primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    parser_version: str = Field(max_length=16, primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """``services.structures.encode``: the provisions in columns, with the warnings and
    front matter and the text's stretches (``core.stretches``), compressed
    (``parser_version`` also names that encoding)."""


class VersionRendering(SQLModel, table=True):
    """A version's text rendered as HTML piece by piece when the version was stored, for
    redlines into it to splice the pieces they leave unchanged (``services.renderings``).
    Keyed by what the rendering depends on: the text (by content hash), the kind it was
    read as, and the parser's, renderer's and encoding's versions."""

    __tablename__ = "version_rendering"
    content_hash: str = Field(max_length=64, primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    renderer_version: str = Field(max_length=32, primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """``services.renderings.encode``: the pieces with their HTML."""


# The comment's revision, also the mapper's version counter (as an amendment's).
_comment_revision = Column("revision", Integer, nullable=False)


class Comment(SQLModel, table=True):
    """A comment in a document's discussion (migration 0011, ``services/comments.py``): on
    a provision of a version (anchored by its quote, :class:`CommentAnchor`), an
    amendment, a passage of a response, or one of an amendment's citations (by its
    number, which survives the amendment's revisions); or a reply in another's thread.
    Never deleted: a reviewer hides one with a reason, and the row (and the event log)
    keeps what it said."""

    __mapper_args__ = {"version_id_col": _comment_revision, "version_id_generator": False}
    __table_args__ = (Index("ix_comment_document_target", "document_id", "target"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    target: str = Field(max_length=16)
    """``provision``, ``amendment``, ``response`` or ``citation`` (a reply: its thread's)."""
    version_id: int | None = Field(default=None, foreign_key="version.id")
    """A provision's: the version it was made on."""
    provision_id: str | None = Field(default=None, max_length=120)
    amendment_id: int | None = Field(default=None, foreign_key="amendment.id", index=True)
    citation: int | None = None
    """A citation's number in its amendment, from 1."""
    response_id: int | None = Field(default=None, foreign_key="response.id", index=True)
    thread_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    """A reply's thread: the comment that started it (``None`` for that one)."""
    reply_to_id: int | None = Field(default=None, foreign_key="comment.id")
    author: str
    """The token's name (the event log's actor)."""
    author_role: str = Field(max_length=16)
    stakeholder_id: int | None = Field(default=None, foreign_key="stakeholder.id")
    """The stakeholder a stakeholder token speaks for."""
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    hidden_at: datetime | None = None
    hidden_by: str | None = None
    hidden_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    revision: int = Field(default=1, sa_column=_comment_revision)


class CommentAnchor(SQLModel, table=True):
    """Where a comment's quote stands: for a provision, one row per version from the one
    it was made on (re-anchored as each version lands: ``exact``, ``moved``, ``fuzzy``
    with its score, or ``orphaned``); for a response passage, one row (``version_id``
    ``None``), moved when the response's text changes."""

    __tablename__ = "comment_anchor"
    __table_args__ = (UniqueConstraint("comment_id", "version_id", name="uq_comment_anchor_version"),
                      Index("ix_comment_anchor_version", "version_id"))
    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="comment.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="version.id")
    quote: str = Field(sa_column=Column(Text, nullable=False))
    """The words anchored (a re-attachment's new quote)."""
    state: str = Field(max_length=16)
    start: int | None = None
    end: int | None = None
    prefix: str = Field(default="", sa_column=Column(Text, nullable=False))
    suffix: str = Field(default="", sa_column=Column(Text, nullable=False))
    score: float | None = None
    provision_id: str | None = Field(default=None, max_length=120)
    """The innermost provision holding the place (``None`` when orphaned)."""
    label: str = Field(default="", sa_column=Column(Text, nullable=False))
    reattached_by: str | None = None
    at: datetime = Field(default_factory=utcnow)
