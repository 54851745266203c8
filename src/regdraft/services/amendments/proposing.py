"""Proposing and revising: the proposer's input checked, its patch made and read for
provisions (the heavy part prepared outside the writing transaction), and the content
written (title, rationale, patch, categories, hunks, citations) as a new amendment or
the next revision of one; and rebasing's write of a new base."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, select

from regdraft.core.amendments import Analysis, analyse
from regdraft.core.errors import AlreadyExists, InvalidInput, InvalidTransition
from regdraft.core.instructions import parse as parse_instructions
from regdraft.core.patching import make_patch
from regdraft.core.policy import check_edit
from regdraft.core.text import content_hash, content_hash_of_edit, normalise
from regdraft.services import documents, search
from regdraft.services.amendments.citations import (MAX_CITATIONS, MAX_QUOTE_CHARS, Anchored, CitationInput,
                                                    anchor_citations)
from regdraft.services.amendments.lookup import describe, find_amendment
from regdraft.services.amendments.workflow import STATUSES, check_revision, write_revision
from regdraft.services.events import record
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, Hunk, HunkProvision, Response,
                                   Stakeholder, Version, utcnow)

MAX_CATEGORIES = 20
"""Categories one amendment may be filed under (its document's consultation declares
which there are: ``documents.categories``)."""


@dataclass
class AmendmentInput:
    """What a proposer supplies. Exactly one of ``patch_text``, ``new_text`` and ``instructions``."""

    slug: str
    title: str
    proposer: str
    base: int
    categories: list[str]
    rationale: str = ""
    patch_text: str | None = None
    new_text: str | None = None
    instructions: str | None = None
    """Amending instructions in the document's drafting tradition, applied to the base
    to give ``new_text`` (docs/instructions.md)."""
    citations: list[CitationInput] = field(default_factory=list)
    status: str = "proposed"
    created_at: datetime | None = None


def _check_input(session: Session, document: Document, data: AmendmentInput, *, allow_any_status: bool) -> None:
    documents.check_slug(data.slug, "amendment slug")
    if not data.title.strip():
        raise InvalidInput("an amendment needs a title", field="title")
    declared = documents.categories(session, document)
    if not data.categories:
        raise InvalidInput("an amendment needs at least one category" + (
            f", from: {', '.join(c.slug for c in declared)}" if declared else ""), field="categories")
    if len(data.categories) > MAX_CATEGORIES:
        raise InvalidInput(f"{len(data.categories)} categories are given; an amendment may have at most "
                           f"{MAX_CATEGORIES}", field="categories", limit=MAX_CATEGORIES)
    documents.check_categories(session, document, data.categories, declared=declared)
    if len(set(data.categories)) != len(data.categories):
        raise InvalidInput("categories are repeated", field="categories")
    allowed = STATUSES if allow_any_status else ("draft", "proposed")
    if data.status not in allowed:
        raise InvalidInput(f"status {data.status!r} is not one of: {', '.join(allowed)}", field="status")
    if len(data.citations) > MAX_CITATIONS:
        raise InvalidInput(f"{len(data.citations)} citations are given; an amendment may make at most "
                           f"{MAX_CITATIONS}", field="citations", limit=MAX_CITATIONS)
    for number, citation in enumerate(data.citations, start=1):
        if len(citation.quote) > MAX_QUOTE_CHARS:
            raise InvalidInput(f"citation {number}: the quote is {len(citation.quote)} characters; the most is "
                               f"{MAX_QUOTE_CHARS}", field="citations", citation=number, limit=MAX_QUOTE_CHARS)
    if sum(given is not None for given in (data.patch_text, data.new_text, data.instructions)) != 1:
        raise InvalidInput("give exactly one of patch_text (a diff-match-patch patch), new_text "
                           "(the edited full text) and instructions (amending instructions)", field="patch_text")


def _with_instructions_applied(document: Document, base: Version, data: AmendmentInput) -> AmendmentInput:
    """``data`` with its instructions, if it has them, applied to the base as ``new_text``."""
    if data.instructions is None:
        return data
    return replace(data, instructions=None,
                   new_text=parse_instructions(data.instructions, base.text, kind=document.kind))


@dataclass(frozen=True)
class Prepared:
    """The heavy part of proposing, done from the texts alone: the patch applied to its
    base and read for provisions, the citations anchored. A request computes it outside
    the writing transaction (no lock held) and :func:`propose` stores it, if the base
    and the responses it was computed from are still the ones stored."""

    base_hash: str
    analysis: Analysis
    anchored: tuple[Anchored, ...]

    def holds(self, session: Session, base: Version) -> bool:
        if base.content_hash != self.base_hash:
            return False
        wanted = {a.response_id: a.response_hash for a in self.anchored}
        stored = dict(session.exec(select(Response.id, Response.content_hash)
                                   .where(Response.id.in_(list(wanted)))).all()) if wanted else {}
        return stored == wanted


def prepare(session: Session, document: Document, data: AmendmentInput, *,
            allow_any_status: bool = False) -> Prepared:
    """What proposing ``data`` computes (:class:`Prepared`); it reads, never writes."""
    base, analysis = analysed(session, document, data, allow_any_status=allow_any_status)
    return Prepared(base.content_hash, analysis, tuple(anchor_citations(session, document, data.citations)))


def analysed(session: Session, document: Document, data: AmendmentInput, *,
             allow_any_status: bool = False) -> tuple[Version, Analysis]:
    """``data`` checked as proposing checks it, and its patch made, applied to its base
    and read for provisions: the base and the analysis (its citations are not looked at:
    :func:`~regdraft.services.amendments.citations.check_citations`). It reads, never writes."""
    _check_input(session, document, data, allow_any_status=allow_any_status)
    base = documents.get_version(session, document, data.base)
    data = _with_instructions_applied(document, base, data)
    patch_text = data.patch_text
    if data.new_text is not None:
        new_text = normalise(data.new_text, what="new_text")
        if new_text == base.text:
            raise InvalidInput("new_text is the same as the base version: there is nothing to amend",
                               field="new_text")
        patch_text = make_patch(base.text, new_text)
    analysis = analyse(base.text, patch_text, document.kind)
    check_edit(analysis.result, analysis.changed, "patch_text")
    return base, analysis


def propose(session: Session, document: Document, data: AmendmentInput, *, actor: str,
            allow_any_status: bool = False, prepared: Prepared | None = None) -> Amendment:
    """Store a new amendment against version ``data.base``.

    The patch must apply exactly to its base; each citation's quote must be found in
    the named response. Nothing is written unless everything checks out. ``prepared``
    (from :func:`prepare`, in another transaction) is used if it still holds, and
    worked out again here if not.
    """
    _check_input(session, document, data, allow_any_status=allow_any_status)
    check_slug_free(session, document, data.slug)
    proposer = documents.get_stakeholder(session, data.proposer)
    base = documents.get_version(session, document, data.base)
    if prepared is None or not prepared.holds(session, base):
        prepared = prepare(session, document, data, allow_any_status=allow_any_status)
    analysis = prepared.analysis
    now = utcnow()
    amendment = Amendment(document_id=document.id, slug=data.slug, title=data.title, proposer_id=proposer.id,
                          status=data.status, rationale=data.rationale.strip(), patch_text=analysis.patch.text,
                          base_version_id=base.id, base_hash=base.content_hash,
                          created_at=data.created_at or now, updated_at=data.created_at or now)
    session.add(amendment)
    session.flush()
    _store_details(session, amendment, data.categories, analysis, list(prepared.anchored))
    search.index_amendment(session.connection(), amendment)
    record(session, actor, "amendment.proposed", "amendment", f"{document.slug}/{data.slug}", document.id,
           before=base.content_hash, after=content_hash_of_edit(analysis.result, analysis.changed),
           detail={"status": data.status, "base": base.number, "hunks": len(analysis.hunks)})
    return amendment


def check_slug_free(session: Session, document: Document, slug: str) -> None:
    """Refuse a new amendment's slug that the document has given another already."""
    if find_amendment(session, document, slug) is not None:
        raise AlreadyExists(f"document {document.slug!r} already has an amendment {slug!r}", amendment=slug)


def revise(session: Session, amendment: Amendment, data: AmendmentInput, *, actor: str) -> bool:
    """Bring a stored amendment in line with ``data`` (used when files change);
    returns whether anything changed. An accepted amendment's patch is history."""
    document = session.get(Document, amendment.document_id)
    _check_input(session, document, data, allow_any_status=True)
    base = documents.get_version(session, document, data.base)
    data = _with_instructions_applied(document, base, data)
    analysis = analyse(base.text, data.patch_text if data.new_text is None else make_patch(base.text, data.new_text),
                       document.kind)
    check_edit(analysis.result, analysis.changed, "patch_text")
    anchored = anchor_citations(session, document, data.citations)
    proposer = documents.get_stakeholder(session, data.proposer)
    current = describe(session, amendment)
    wanted = {"title": data.title, "proposer": proposer.slug, "status": data.status, "base": base.number,
              "rationale": data.rationale.strip(), "patch_text": analysis.patch.text,
              "categories": list(data.categories),
              "citations": [(c.response, c.quote) for c in data.citations]}
    if current == wanted:
        return False
    if amendment.status == "accepted" and (current["patch_text"], current["base"]) != (wanted["patch_text"],
                                                                                         wanted["base"]):
        raise InvalidTransition(f"amendment {amendment.slug!r} is accepted: its patch cannot change")
    amendment.proposer_id, amendment.status = proposer.id, data.status
    _write_content(session, document, amendment, data, base, analysis, anchored, actor=actor, detail={})
    return True


OPEN = ("draft", "proposed")
"""The statuses in which an amendment can be revised by its proposer."""


def revise_open(session: Session, amendment: Amendment, data: AmendmentInput, *, actor: str, revision: int,
                prepared: Prepared | None = None) -> Amendment:
    """Make ``data`` (new text, citations, categories, title, rationale, on its base or
    another version) the next revision of an open amendment, guarded by the ``revision``
    its writer read: a stale one is :class:`InvalidTransition` and changes nothing. Its
    slug, proposer and status stay; ``prepared`` is used as :func:`propose` uses it."""
    document = session.get(Document, amendment.document_id)
    check_revisable(amendment, revision)
    data = replace(data, slug=amendment.slug, status=amendment.status,
                   proposer=session.get(Stakeholder, amendment.proposer_id).slug)
    base = documents.get_version(session, document, data.base)
    if prepared is None or not prepared.holds(session, base):
        prepared = prepare(session, document, data)
    _write_content(session, document, amendment, data, base, prepared.analysis, list(prepared.anchored),
                   actor=actor, detail={"base": base.number, "hunks": len(prepared.analysis.hunks)})
    return amendment


def check_revisable(amendment: Amendment, revision: int) -> None:
    """Refuse to revise an amendment that is not open, or was changed since ``revision``."""
    if amendment.status not in OPEN:
        raise InvalidTransition(f"amendment {amendment.slug!r} is {amendment.status}: only a draft or proposed "
                                "amendment can be revised (propose it again first)", status=amendment.status,
                                revision=amendment.revision)
    check_revision(amendment, revision)


def _write_content(session: Session, document: Document, amendment: Amendment, data: AmendmentInput, base: Version,
                   analysis: Analysis, anchored: list[Anchored], *, actor: str, detail: dict) -> None:
    """Write the amendment's title, rationale, patch on ``base``, categories and citations
    as its next revision (guarded by the revision it was read at), with the event."""
    before = amendment.patch_text

    def change() -> None:
        amendment.title, amendment.rationale = data.title, data.rationale.strip()
        amendment.patch_text = analysis.patch.text
        amendment.base_version_id, amendment.base_hash = base.id, base.content_hash

    write_revision(session, amendment, change)
    _clear_details(session, amendment)
    _store_details(session, amendment, data.categories, analysis, anchored)
    search.index_amendment(session.connection(), amendment)
    record(session, actor, "amendment.revised", "amendment", f"{document.slug}/{amendment.slug}", document.id,
           before=content_hash(before), after=content_hash(amendment.patch_text),
           detail={**detail, "revision": amendment.revision} if detail else {})


def _store_details(session: Session, amendment: Amendment, categories: list[str], analysis,
                   anchored: list[Anchored]) -> None:
    for position, category in enumerate(categories):
        session.add(AmendmentCategory(amendment_id=amendment.id, category=category, position=position))
    _store_hunks(session, amendment, analysis)
    for position, a in enumerate(anchored):
        session.add(Citation(amendment_id=amendment.id, response_id=a.response_id, position=position,
                             quote=a.quote, start=a.start, end=a.end, prefix=a.prefix, suffix=a.suffix))
    session.flush()


def _store_hunks(session: Session, amendment: Amendment, analysis) -> None:
    for item in analysis.hunks:
        h = item.hunk
        hunk = Hunk(amendment_id=amendment.id, index=h.index, header=h.header, start=h.start, end=h.end,
                    new_start=h.new_start, new_end=h.new_end)
        session.add(hunk)
        session.flush()
        for position, ref in enumerate(item.provisions):
            session.add(HunkProvision(hunk_id=hunk.id, provision_id=ref.id, label=ref.label, position=position))


def _clear_details(session: Session, amendment: Amendment) -> None:
    for row in session.exec(select(AmendmentCategory).where(AmendmentCategory.amendment_id == amendment.id)):
        session.delete(row)
    _clear_hunks(session, amendment)
    for row in session.exec(select(Citation).where(Citation.amendment_id == amendment.id)):
        session.delete(row)
    session.flush()


def _clear_hunks(session: Session, amendment: Amendment) -> None:
    for hunk in session.exec(select(Hunk).where(Hunk.amendment_id == amendment.id)).all():
        for link in session.exec(select(HunkProvision).where(HunkProvision.hunk_id == hunk.id)):
            session.delete(link)
        session.flush()
        session.delete(hunk)
    session.flush()


def move_base(session: Session, amendment: Amendment, version: Version, patch_text: str, *, actor: str,
              detail: dict) -> Amendment:
    """Make ``patch_text`` against ``version`` the amendment's next revision: its new
    base and hunks, its title, categories and citations kept (a rebase). Guarded by the
    revision read, as a status change is."""
    analysis = analyse(version.text, patch_text)
    before = amendment.patch_text

    def change() -> None:
        amendment.patch_text = analysis.patch.text
        amendment.base_version_id, amendment.base_hash = version.id, version.content_hash

    write_revision(session, amendment, change)
    _clear_hunks(session, amendment)
    _store_hunks(session, amendment, analysis)
    session.flush()
    search.index_amendment(session.connection(), amendment)
    record(session, actor, "amendment.rebased", "amendment", amendment.slug, amendment.document_id,
           before=content_hash(before), after=content_hash(amendment.patch_text),
           detail={**detail, "revision": amendment.revision})
    return amendment
