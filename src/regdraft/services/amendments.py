"""Amendments: propose, look up, change status, accept, apply, find conflicts."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import defer
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, func, select

from regdraft.core.amendments import Analysis, analyse, result_is_normalised
from regdraft.core.anchors import FoldedText
from regdraft.core.conflicts import AmendmentChanges, ChangeSpan, ConflictPair, find_conflicts
from regdraft.core.errors import (AlreadyExists, InvalidInput, InvalidStructure, InvalidTransition, NotFound,
                                  PatchDoesNotApply, QuoteNotFound, RegdraftError)
from regdraft.core.instructions import parse as parse_instructions
from regdraft.core.patching import (ApplyResult, HunkResult, applied_in_turn, apply_patch, make_patch,
                                   parse_patch)
from regdraft.core.policy import check_edit
from regdraft.core.text import content_hash, content_hash_of_edit, normalise
from regdraft.services import decisions, documents, search, tokens
from regdraft.services.events import record
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, Hunk, HunkProvision,
                                   Response, Stakeholder, Version, utcnow)

MAX_CATEGORIES = 20
"""Categories one amendment may be filed under (its document's consultation declares
which there are: ``documents.categories``)."""
STATUSES = ("draft", "proposed", "accepted", "rejected", "withdrawn", "fallen")
# Accepted is final: the version it produced is history. An open amendment becomes
# fallen only when one it falls with is accepted (``decisions.falls_if``); it can be
# proposed again, as a rejected one can.
TRANSITIONS = {
    "draft": {"proposed", "withdrawn", "fallen"},
    "proposed": {"draft", "accepted", "rejected", "withdrawn", "fallen"},
    "rejected": {"proposed"},
    "withdrawn": {"proposed"},
    "fallen": {"proposed"},
    "accepted": set(),
}
MAX_NAMED = 80
"""Amendments a request may name, one by one (the API's lists and the pages' addresses
alike). Every named amendment is applied and rendered, so the names are its work: a
longer list, or one naming an amendment twice, is refused before any of it is done.
"Every amendment of a version" (the Keeling schedule's default) is asked for without
naming them."""
MAX_CITATIONS = 20
"""Citations one amendment may make: each is anchored in its response when proposed."""
MAX_QUOTE_CHARS = 2000
"""The longest quote a citation may make (a paragraph or two of a response)."""


@dataclass
class QuoteMinimum:
    """How much a citation must quote, unless its words stand only once in the response:
    one common word ("profit") stands in many places and says nothing of which it means.
    Set from ``REGDRAFT_CITATION_MIN_WORDS`` and ``REGDRAFT_CITATION_MIN_CHARS``."""

    words: int = 3
    chars: int = 12

    def set_from(self, settings) -> None:
        self.words, self.chars = settings.citation_min_words, settings.citation_min_chars

    def met_by(self, quote: str) -> bool:
        return len(quote.split()) >= self.words and len(" ".join(quote.split())) >= self.chars


QUOTE_MINIMUM = QuoteMinimum()


@dataclass(frozen=True)
class CitationInput:
    response: str
    quote: str


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
class _Anchored:
    response_id: int
    response_hash: str
    """The response text's hash when the quote was anchored in it."""
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Prepared:
    """The heavy part of proposing, done from the texts alone: the patch applied to its
    base and read for provisions, the citations anchored. A request computes it outside
    the writing transaction (no lock held) and :func:`propose` stores it, if the base
    and the responses it was computed from are still the ones stored."""

    base_hash: str
    analysis: Analysis
    anchored: tuple[_Anchored, ...]

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
    return Prepared(base.content_hash, analysis, tuple(_anchor_citations(session, document, data.citations)))


def analysed(session: Session, document: Document, data: AmendmentInput, *,
             allow_any_status: bool = False) -> tuple[Version, Analysis]:
    """``data`` checked as proposing checks it, and its patch made, applied to its base
    and read for provisions: the base and the analysis (its citations are not looked at:
    :func:`check_citations`). It reads, never writes."""
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
    anchored = _anchor_citations(session, document, data.citations)
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
                   analysis: Analysis, anchored: list[_Anchored], *, actor: str, detail: dict) -> None:
    """Write the amendment's title, rationale, patch on ``base``, categories and citations
    as its next revision (guarded by the revision it was read at), with the event."""
    before = amendment.patch_text

    def change() -> None:
        amendment.title, amendment.rationale = data.title, data.rationale.strip()
        amendment.patch_text = analysis.patch.text
        amendment.base_version_id, amendment.base_hash = base.id, base.content_hash

    _write_revision(session, amendment, change)
    _clear_details(session, amendment)
    _store_details(session, amendment, data.categories, analysis, anchored)
    search.index_amendment(session.connection(), amendment)
    record(session, actor, "amendment.revised", "amendment", f"{document.slug}/{amendment.slug}", document.id,
           before=content_hash(before), after=content_hash(amendment.patch_text),
           detail={**detail, "revision": amendment.revision} if detail else {})


def describe(session: Session, amendment: Amendment) -> dict:
    """The user-visible content of an amendment, for comparing with a file."""
    base = session.get(Version, amendment.base_version_id)
    return {"title": amendment.title, "proposer": session.get(Stakeholder, amendment.proposer_id).slug,
            "status": amendment.status, "base": base.number, "rationale": amendment.rationale,
            "patch_text": amendment.patch_text, "categories": categories_of(session, amendment),
            "citations": [(response.slug, citation.quote) for citation, response in citations_of(session, amendment)]}


@dataclass(frozen=True)
class CitationCheck:
    """One citation verified against its response as proposing verifies it: where its
    quote stands, or the error proposing would refuse it with."""

    number: int
    """Numbered from 1, as the errors number them."""
    citation: CitationInput
    response: Response | None = None
    anchored: _Anchored | None = None
    refusal: RegdraftError | None = None


def check_citations(session: Session, document: Document, citations: list[CitationInput]) -> list[CitationCheck]:
    """Each citation anchored in its response, or refused (no such response, a quote not
    in it, too short a quote standing in several places); each response is read and
    folded once, however many citations quote it."""
    checks = []
    folded: dict[str, tuple[Response, FoldedText]] = {}
    for number, citation in enumerate(citations, start=1):
        response = None
        try:
            response, text = _read_response(session, document, folded, number, citation)
            checks.append(CitationCheck(number, citation, response, _anchor(text, response, number, citation)))
        except (NotFound, QuoteNotFound, InvalidInput) as refusal:
            checks.append(CitationCheck(number, citation, response, refusal=refusal))
    return checks


def refused(checks: list[CitationCheck]) -> None:
    """Raise the first citation's refusal, if one is refused."""
    refusal = next((check.refusal for check in checks if check.refusal is not None), None)
    if refusal is not None:
        raise refusal


def _anchor_citations(session: Session, document: Document, citations: list[CitationInput]) -> list[_Anchored]:
    """Each citation anchored in its response; the first refused is raised."""
    checks = check_citations(session, document, citations)
    refused(checks)
    return [check.anchored for check in checks]


def _read_response(session: Session, document: Document, folded: dict[str, tuple[Response, FoldedText]],
                   number: int, citation: CitationInput) -> tuple[Response, FoldedText]:
    """The response citation ``number`` quotes, and its text folded (kept in ``folded``)."""
    if citation.response not in folded:
        response = documents.find_response(session, document, citation.response)
        if response is None:
            raise NotFound(f"citation {number}: document {document.slug!r} has no response "
                           f"{citation.response!r}", citation=number, response=citation.response)
        folded[citation.response] = response, FoldedText(response.text)
    return folded[citation.response]


def _anchor(text: FoldedText, response: Response, number: int, citation: CitationInput) -> _Anchored:
    """Citation ``number`` anchored in its response's folded ``text``."""
    try:
        anchor = text.find(citation.quote)
    except QuoteNotFound as exc:
        raise QuoteNotFound(f"citation {number}: {exc.message} in response {citation.response!r}",
                            citation=number, response=citation.response, quote=citation.quote) from None
    if not QUOTE_MINIMUM.met_by(citation.quote) and text.occurrences(citation.quote) > 1:
        raise InvalidInput(f"citation {number}: the quote {citation.quote!r} stands in several places of response "
                           f"{citation.response!r}: quote at least {QUOTE_MINIMUM.words} words and "
                           f"{QUOTE_MINIMUM.chars} characters, or words that stand in one place only",
                           field="citations", citation=number, response=citation.response,
                           min_words=QUOTE_MINIMUM.words, min_chars=QUOTE_MINIMUM.chars)
    return _Anchored(response.id, response.content_hash, citation.quote, anchor.start, anchor.end, anchor.prefix,
                     anchor.suffix)


def _store_details(session: Session, amendment: Amendment, categories: list[str], analysis,
                   anchored: list[_Anchored]) -> None:
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

    _write_revision(session, amendment, change)
    _clear_hunks(session, amendment)
    _store_hunks(session, amendment, analysis)
    session.flush()
    search.index_amendment(session.connection(), amendment)
    record(session, actor, "amendment.rebased", "amendment", amendment.slug, amendment.document_id,
           before=content_hash(before), after=content_hash(amendment.patch_text),
           detail={**detail, "revision": amendment.revision})
    return amendment


# Reading -------------------------------------------------------------------------

def find_amendment(session: Session, document: Document, slug: str) -> Amendment | None:
    return session.exec(select(Amendment).where(Amendment.document_id == document.id,
                                                Amendment.slug == slug)).first()


def get_amendment(session: Session, document: Document, slug: str) -> Amendment:
    return resolve(session, document, [slug])[0]


def list_amendments(session: Session, document: Document, *, status: str | None = None,
                    category: str | None = None, proposer: str | None = None, provision: str | None = None,
                    q: str | None = None, offset: int = 0, limit: int = 50) -> tuple[list[Amendment], int]:
    query = select(Amendment).where(Amendment.document_id == document.id)
    if q is not None:
        query = query.where(Amendment.id.in_(search.matching_amendments(session.connection(), document, q)))
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(f"status {status!r} is not one of: {', '.join(STATUSES)}", field="status")
        query = query.where(Amendment.status == status)
    if category is not None:
        documents.check_categories(session, document, [category], field="category")
        query = query.where(Amendment.id.in_(
            select(AmendmentCategory.amendment_id).where(AmendmentCategory.category == category)))
    if proposer is not None:
        query = query.where(Amendment.proposer_id.in_(select(Stakeholder.id).where(Stakeholder.slug == proposer)))
    if provision is not None:
        query = query.where(Amendment.id.in_(
            select(Hunk.amendment_id).join(HunkProvision, HunkProvision.hunk_id == Hunk.id)
            .where(HunkProvision.provision_id == provision)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Amendment.slug).offset(offset).limit(limit)).all()
    return list(rows), total


def categories_of(session: Session, amendment: Amendment) -> list[str]:
    return list(session.exec(select(AmendmentCategory.category).where(AmendmentCategory.amendment_id == amendment.id)
                             .order_by(AmendmentCategory.position)).all())


def hunks_of(session: Session, amendment: Amendment) -> list[tuple[Hunk, list[HunkProvision]]]:
    return hunks_of_each(session, [amendment])[amendment.id]


def hunks_of_each(session: Session,
                  amendments: list[Amendment]) -> dict[int, list[tuple[Hunk, list[HunkProvision]]]]:
    """Each amendment's hunks, in order, with the provisions each touches: two queries
    however many amendments and hunks (a consultation has hundreds)."""
    ids = [a.id for a in amendments]
    result: dict[int, list[tuple[Hunk, list[HunkProvision]]]] = {i: [] for i in ids}
    if not ids:
        return result
    links: defaultdict[int, list[HunkProvision]] = defaultdict(list)
    for link in session.exec(select(HunkProvision).join(Hunk, Hunk.id == HunkProvision.hunk_id)
                             .where(Hunk.amendment_id.in_(ids))
                             .order_by(HunkProvision.hunk_id, HunkProvision.position)).all():
        links[link.hunk_id].append(link)
    for hunk in session.exec(select(Hunk).where(Hunk.amendment_id.in_(ids)).order_by(Hunk.amendment_id, Hunk.index)):
        result[hunk.amendment_id].append((hunk, links[hunk.id]))
    return result


def citations_of(session: Session, amendment: Amendment) -> list[tuple[Citation, Response]]:
    return citations_of_each(session, [amendment])[amendment.id]


def citations_of_each(session: Session, amendments: list[Amendment]) -> dict[int, list[tuple[Citation, Response]]]:
    """Each amendment's citations, in order, with the responses they quote: one query."""
    result: dict[int, list[tuple[Citation, Response]]] = {a.id: [] for a in amendments}
    if result:
        for citation, response in session.exec(
                select(Citation, Response).join(Response, Response.id == Citation.response_id)
                # A response's text is read when used, once: not with every row citing it
                # (twenty citations of a 4 MB response were 80 MB decoded in one call).
                .options(defer(Response.text))
                .where(Citation.amendment_id.in_(list(result))).order_by(Citation.amendment_id, Citation.position)):
            result[citation.amendment_id].append((citation, response))
    return result


def produced_version(session: Session, amendment: Amendment) -> Version | None:
    return session.exec(select(Version).where(Version.produced_by_id == amendment.id)).first()


def check_not_already_in(session: Session, version: Version, amendments: list[Amendment]) -> None:
    """Refuse to apply an accepted amendment to the version it produced or a later one:
    its change is already there, and its context usually still is, so it would be made twice."""
    produced = dict(session.exec(select(Version.produced_by_id, Version.number)
                                 .where(Version.produced_by_id.in_([a.id for a in amendments]))).all())
    for amendment in amendments:
        number = produced.get(amendment.id)
        if number is not None and number <= version.number:
            raise InvalidInput(f"amendment {amendment.slug!r} is already in version {version.number}: "
                               f"accepting it produced version {number}",
                               field="amendments", amendment=amendment.slug, version=number)


# Changing status -----------------------------------------------------------------

def check_revision(amendment: Amendment, revision: int | None) -> None:
    if revision is not None and revision != amendment.revision:
        raise InvalidTransition(
            f"amendment {amendment.slug!r} has changed: you have revision {revision}, it is at revision "
            f"{amendment.revision}", revision=amendment.revision, status=amendment.status)


def set_status(session: Session, amendment: Amendment, status: str, *, actor: str,
               revision: int | None = None, reason: str = "", batch: str | None = None,
               prepared: PreparedAcceptance | None = None) -> Amendment:
    """Change the status, with the ``reason`` for it (required to reject:
    ``decisions.REASON_REQUIRED``); kept as a decision and in the event log.
    ``prepared``: an acceptance's work, as :func:`accept_reporting` takes it."""
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r} is not one of: {', '.join(STATUSES)}", field="status")
    if status == "accepted":
        accept(session, amendment, actor=actor, revision=revision, reason=reason, batch=batch, prepared=prepared)
        return amendment
    if status == "fallen":
        raise InvalidTransition(f"amendment {amendment.slug!r} cannot be made to fall: it falls when an amendment "
                                f"it falls with is accepted (falls_if)", status=amendment.status, wanted=status)
    check_revision(amendment, revision)
    reason = _checked_reason(amendment, status, reason)
    before, previous = state_hash(amendment), amendment.status
    _transition(session, amendment, status)
    decisions.record(session, amendment, previous, actor=actor, reason=reason, batch=batch)
    record(session, actor, f"amendment.{status}", "amendment", amendment.slug, amendment.document_id,
           before=before, after=state_hash(amendment), detail=_decision_detail(amendment, reason, batch))
    return amendment


def _checked_reason(amendment: Amendment, status: str, reason: str) -> str:
    """The reason, checked once the change is one the workflow allows (a change it does
    not allow is a conflict whatever the reason)."""
    return decisions.check_reason(status, reason) if status in TRANSITIONS[amendment.status] else reason


def _decision_detail(amendment: Amendment, reason: str, batch: str | None, **more) -> dict:
    """An event's detail for a decision: the new revision, the reason and the batch when given."""
    detail = {"revision": amendment.revision, **more}
    if reason:
        detail["reason"] = reason
    if batch:
        detail["batch"] = batch
    return detail


def state_hash(amendment: Amendment) -> str:
    """SHA-256 of what a status change changes (status and revision) with the patch it
    applies to: the before and after of a status change in the event log."""
    return hashlib.sha256(f"{amendment.status}\n{amendment.revision}\n{amendment.patch_text}".encode()).hexdigest()


def _transition(session: Session, amendment: Amendment, status: str) -> None:
    """Change the status, if the workflow allows it, as the next revision (:func:`_write_revision`)."""
    if status not in TRANSITIONS[amendment.status]:
        # Falling is not a status one asks for: an acceptance makes an amendment fall.
        allowed = ", ".join(sorted(TRANSITIONS[amendment.status] - {"fallen"})) or "none: it is final"
        raise InvalidTransition(
            f"amendment {amendment.slug!r} is {amendment.status}; it cannot become {status} "
            f"(allowed: {allowed})", status=amendment.status, wanted=status)
    _write_revision(session, amendment, lambda: setattr(amendment, "status", status))


def _write_revision(session: Session, amendment: Amendment, change) -> None:
    """Make ``change`` and write it at once as the next revision, guarded by the
    revision read (the mapper's version counter): if another transaction changed the
    amendment since, the write fails and :class:`InvalidTransition` says what it is now."""
    slug, seen = amendment.slug, amendment.revision
    try:
        # Inside a savepoint, so a stale write undoes only itself and the current state
        # can still be read in this transaction.
        with session.begin_nested():
            change()
            amendment.revision = seen + 1
            amendment.updated_at = utcnow()
            session.flush()
    except StaleDataError:
        session.refresh(amendment)
        raise InvalidTransition(
            f"amendment {slug!r} was changed by someone else meanwhile (you read revision {seen}): it is now "
            f"{amendment.status} at revision {amendment.revision}", revision=amendment.revision,
            status=amendment.status) from None


@dataclass(frozen=True)
class Accepted:
    """What accepting an amendment did."""

    version: Version
    hunks: tuple[HunkResult, ...]
    """How each hunk applied to the head."""
    fallen: tuple[Amendment, ...]
    """The open amendments that fell with it."""


@dataclass(frozen=True)
class PreparedAcceptance:
    """The heavy part of accepting, done from the texts alone: the amendment's patch
    applied to the head and the next version prepared from the result. A request
    computes it before the write lock is taken (:func:`prepare_acceptance`), and
    :func:`accept_reporting` uses it if the head and the patch are still those it was
    computed from (worked out again, under the lock, if not)."""

    head_hash: str
    patch_text: str
    result: ApplyResult
    version: documents.PreparedVersion | None
    """The next version, prepared; ``None`` when the result is not one (the patch does
    not apply, or leaves text that is not normalised: accepting then refuses)."""

    def holds(self, head: Version, amendment: Amendment) -> bool:
        return head.content_hash == self.head_hash and amendment.patch_text == self.patch_text


def prepare_acceptance(document: Document, amendment: Amendment, head_text: str,
                       head_hash: str | None = None) -> PreparedAcceptance:
    """:class:`PreparedAcceptance` of ``amendment`` on a head whose text is
    ``head_text``; it reads nothing. A structure the next version may not have is left
    for accepting to refuse (with the hint to rebase)."""
    result = apply_patch(parse_patch(amendment.patch_text), head_text)
    version = None
    if result.text is not None and result_is_normalised(result):
        try:
            version = documents.prepare_version(document, result.text)
        except (InvalidStructure, InvalidInput):
            version = None
    return PreparedAcceptance(head_hash or content_hash(head_text), amendment.patch_text, result, version)


def accept(session: Session, amendment: Amendment, *, actor: str, revision: int | None = None,
           created_at: datetime | None = None, reason: str = "", batch: str | None = None,
           prepared: PreparedAcceptance | None = None) -> Version:
    """Accept the amendment and create the next version from it, in one transaction.

    On its own base it applies exactly; on a later head fuzzily, and every hunk must
    apply (otherwise :class:`PatchDoesNotApply` with the report, and nothing changes).
    """
    return accept_reporting(session, amendment, actor=actor, revision=revision, created_at=created_at,
                            reason=reason, batch=batch, prepared=prepared).version


def accept_reporting(session: Session, amendment: Amendment, *, actor: str, revision: int | None = None,
                     created_at: datetime | None = None, reason: str = "", batch: str | None = None,
                     prepared: PreparedAcceptance | None = None) -> Accepted:
    """:func:`accept`, saying how each hunk applied. ``prepared`` (from
    :func:`prepare_acceptance`, outside the writing transaction) is used if it still
    holds."""
    check_revision(amendment, revision)
    reason = _checked_reason(amendment, "accepted", reason)
    previous = amendment.status
    _transition(session, amendment, "accepted")
    document = session.get(Document, amendment.document_id)
    current = documents.head(session, document)
    if prepared is None or not prepared.holds(current, amendment):
        prepared = prepare_acceptance(document, amendment, current.text, current.content_hash)
    result = prepared.result
    if result.text is None:
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} does not apply to the head (version {current.number})",
            hunks=[h.as_dict() for h in result.hunks], head=current.number)
    if not result_is_normalised(result):
        # Stored normalised, the version would not be what replaying the patch gives.
        raise PatchDoesNotApply(
            f"amendment {amendment.slug!r} applied to the head (version {current.number}) leaves blanks at a "
            f"line end or text that is not normalised: rebase it on the head",
            hunks=[h.as_dict() for h in result.hunks], head=current.number)
    try:
        version = documents.create_version(
            session, document, text=result.text, parent=current.number,
            author=tokens.author_of(session, actor),
            message=f"Accepted amendment {amendment.slug}: {amendment.title}", created_at=created_at,
            produced_by_id=amendment.id, actor=actor, prepared=prepared.version)
    except InvalidStructure as error:
        if amendment.base_version_id == current.id:
            raise
        # Typically two amendments inserting a regulation 6: rebasing renumbers the later one.
        raise InvalidStructure(
            f"amendment {amendment.slug!r} was proposed against an earlier version, and on the head (version "
            f"{current.number}) it would make a text with {error.message}: rebase it onto the head first "
            f"(regdraft rebase {amendment.slug}, or POST .../amendments/{amendment.slug}/rebase), which proposes "
            f"renumbering for a drafter to confirm", **error.extra, amendment=amendment.slug,
            head=current.number) from None
    session.flush()
    decisions.record(session, amendment, previous, actor=actor, reason=reason, batch=batch)
    record(session, actor, "amendment.accepted", "amendment", amendment.slug, document.id,
           before=current.content_hash, after=version.content_hash,
           detail=_decision_detail(amendment, reason, batch, version=version.number))
    return Accepted(version, result.hunks, tuple(_fall_with(session, amendment, actor=actor, reason=reason,
                                                            batch=batch)))


def _fall_with(session: Session, adopted: Amendment, *, actor: str, reason: str,
               batch: str | None) -> list[Amendment]:
    """Mark fallen every open amendment that falls if ``adopted`` is, with the reason."""
    fallen = decisions.falling_with(session, adopted)
    why = f"Fell when amendment {adopted.slug} ({adopted.title}) was accepted" + (f": {reason}" if reason else ".")
    for amendment in fallen:
        before, previous = state_hash(amendment), amendment.status
        _transition(session, amendment, "fallen")
        decisions.record(session, amendment, previous, actor=actor, reason=why, batch=batch, cause=adopted)
        record(session, actor, "amendment.fallen", "amendment", amendment.slug, amendment.document_id,
               before=before, after=state_hash(amendment),
               detail=_decision_detail(amendment, why, batch, cause=adopted.slug))
    return fallen


def link_produced_version(session: Session, amendment: Amendment, version: Version, *, actor: str) -> bool:
    """Record that accepting ``amendment`` produced ``version``, a version that already
    exists (loading files, where versions are created before the amendments that made
    them). The amendment must be accepted, must not have produced another version, and
    replaying its patch on the version's parent must give exactly the version's text.
    Returns whether anything changed."""
    if version.produced_by_id == amendment.id:
        return False
    if version.document_id != amendment.document_id:
        raise InvalidInput(f"amendment {amendment.slug!r} belongs to another document")
    if amendment.status != "accepted":
        raise InvalidTransition(f"amendment {amendment.slug!r} is {amendment.status}, not accepted: it cannot "
                                f"have produced a version", status=amendment.status)
    if version.produced_by_id is not None:
        raise InvalidTransition(f"version {version.number} was produced by another amendment")
    other = produced_version(session, amendment)
    if other is not None:
        raise InvalidTransition(f"amendment {amendment.slug!r} already produced version {other.number}")
    parent = session.get(Version, version.parent_id) if version.parent_id is not None else None
    if parent is None:
        raise InvalidInput(f"version {version.number} has no parent: no amendment produced it")
    result = apply_patch(parse_patch(amendment.patch_text), parent.text)
    if result.text != version.text:
        raise PatchDoesNotApply(
            f"applying amendment {amendment.slug!r} to version {parent.number} does not give the text of "
            f"version {version.number}", hunks=[h.as_dict() for h in result.hunks])
    version.produced_by_id = amendment.id
    session.flush()
    document = session.get(Document, amendment.document_id)
    record(session, actor, "version.linked", "version", f"{document.slug}@{version.number}", document.id,
           after=version.content_hash, detail={"produced_by": amendment.slug})
    return True


# Applying and comparing ------------------------------------------------------------

@dataclass(frozen=True)
class AppliedAmendment:
    amendment: Amendment
    hunks: tuple[HunkResult, ...]
    """How each of its hunks applied. The text it made is not kept: only the last is
    the outcome, and a run of hundreds of amendments to a long text would otherwise
    hold every text in between."""

    @property
    def ok(self) -> bool:
        return all(h.applied for h in self.hunks)


@dataclass(frozen=True)
class ApplyOutcome:
    version: Version
    text: str | None
    steps: tuple[AppliedAmendment, ...]

    @property
    def ok(self) -> bool:
        return self.text is not None


def apply_amendments(session: Session, document: Document, version: Version, amendments: list[Amendment], *,
                     partial: bool = False) -> ApplyOutcome:
    """Apply amendments in order to ``version``. All-or-nothing unless ``partial``:
    a failed hunk stops the run and no text is returned."""
    if not amendments:
        raise InvalidInput("name at least one amendment to apply", field="amendments")
    check_not_already_in(session, version, amendments)
    steps: list[AppliedAmendment] = []
    text: str | None = None
    for amendment, result in zip(amendments, applied_in_turn([parse_patch(a.patch_text) for a in amendments],
                                                             version.text, partial=partial)):
        steps.append(AppliedAmendment(amendment, result.hunks))
        text = result.text
    return ApplyOutcome(version, text if len(steps) == len(amendments) else None, tuple(steps))


def conflicts(session: Session, document: Document, amendments: list[Amendment], *,
              context: bool = True) -> list[ConflictPair]:
    """Every conflicting pair (``core.conflicts.find_conflicts``); without ``context``,
    not the pairs of that kind, which take applying the near pairs to find."""
    # History is linear, so a version numbered at or below an amendment's base is in it.
    produced = session.exec(select(Version.number, Amendment.slug)
                            .join(Amendment, Version.produced_by_id == Amendment.id)
                            .where(Version.document_id == document.id)).all()
    base_numbers = dict(session.exec(select(Version.id, Version.number)
                                     .where(Version.id.in_({a.base_version_id for a in amendments}))).all())
    hunks = hunks_of_each(session, amendments)
    patches = {a.slug: parse_patch(a.patch_text) for a in amendments} if context else {}
    changes = []
    for amendment in amendments:
        looked_for = {h.index: h.looks_for for h in patches[amendment.slug].hunks} if context else {}
        spans = tuple(ChangeSpan(h.start, h.end, tuple((p.provision_id, p.label) for p in links),
                                 looked_for.get(h.index))
                      for h, links in hunks[amendment.id])
        base_number = base_numbers[amendment.base_version_id]
        built_on = frozenset(slug for number, slug in produced if number <= base_number)
        changes.append(AmendmentChanges(amendment.slug, amendment.base_hash, spans, built_on,
                                        content_hash(amendment.patch_text)))
    by_slug = {a.slug: a for a in amendments}

    def do_not_combine(first: str, second: str) -> bool:
        """Whether either amendment fails to apply after the other, on their base."""
        base = session.get(Version, by_slug[first].base_version_id).text
        return any(result.text is None for order in ((first, second), (second, first))
                   for result in applied_in_turn([patches[slug] for slug in order], base))

    return find_conflicts(changes, do_not_combine) if context else find_conflicts(changes)


def check_named(slugs: list[str], *, field: str = "amendments") -> list[str]:
    """``slugs`` if a request may name them: at most :data:`MAX_NAMED`, none twice."""
    if len(slugs) > MAX_NAMED:
        raise InvalidInput(f"{len(slugs)} amendments are named; at most {MAX_NAMED} may be", field=field,
                           limit=MAX_NAMED)
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise InvalidInput(f"amendment {slug!r} is named twice; name each amendment once", field=field,
                               amendment=slug)
        seen.add(slug)
    return slugs


def resolve(session: Session, document: Document, slugs: list[str]) -> list[Amendment]:
    """The amendments named, in the order named (one query); an unknown slug is a 404
    naming the first, a slug named twice a 422."""
    if len(set(slugs)) != len(slugs):
        check_named(slugs)
    found = {a.slug: a for a in session.exec(select(Amendment).where(
        Amendment.document_id == document.id, Amendment.slug.in_(set(slugs))))} if slugs else {}
    missing = next((slug for slug in slugs if slug not in found), None)
    if missing is not None:
        raise NotFound(f"document {document.slug!r} has no amendment {missing!r}", amendment=missing)
    return [found[slug] for slug in slugs]


def open_amendments(session: Session, document: Document) -> list[Amendment]:
    return list(session.exec(select(Amendment).where(Amendment.document_id == document.id,
                                                     Amendment.status.in_(("draft", "proposed")))
                             .order_by(Amendment.slug)).all())
