"""Reading amendments: one by slug, the named ones, a filtered page of a document's,
the open ones; and what each holds (categories, hunks, citations), for one or many."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import defer
from sqlmodel import Session, func, select

from regdraft.core.errors import InvalidInput, NotFound
from regdraft.services import documents, search
from regdraft.services.amendments.workflow import STATUSES
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, Hunk, HunkProvision, Response,
                                   Stakeholder, Version)

MAX_NAMED = 80
"""Amendments a request may name, one by one (the API's lists and the pages' addresses
alike). Every named amendment is applied and rendered, so the names are its work: a
longer list, or one naming an amendment twice, is refused before any of it is done.
"Every amendment of a version" (the Keeling schedule's default) is asked for without
naming them."""


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


def describe(session: Session, amendment: Amendment) -> dict:
    """The user-visible content of an amendment, for comparing with a file."""
    base = session.get(Version, amendment.base_version_id)
    return {"title": amendment.title, "proposer": session.get(Stakeholder, amendment.proposer_id).slug,
            "status": amendment.status, "base": base.number, "rationale": amendment.rationale,
            "patch_text": amendment.patch_text, "categories": categories_of(session, amendment),
            "citations": [(response.slug, citation.quote) for citation, response in citations_of(session, amendment)]}


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
