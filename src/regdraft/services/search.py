"""Search: one full-text search over documents' provisions (in any version, one, or
the head), amendments (title, rationale, the words inserted and removed) and
consultation responses, and the discussion's comments, with filters, highlighted
snippets and pagination.

The index is the ``search_item`` table (migration 0008): one row per thing a search
can find. A provision's row holds its *own* text (the words before its first
sub-provision, so every word of a version is in exactly one row) and the run of
versions it stood in unchanged (``version_from`` to ``version_until``, ``None`` while the
head still holds it): a new version closes the rows of the provisions it changes and
adds rows for their new text, so a consultation of twenty versions does not index
twenty copies of the regulation. The rows are written here, in the transaction of the
write they follow (a version created, an amendment proposed or revised, a response
put); on SQLite FTS5 triggers, on PostgreSQL a generated ``tsvector``, follow the rows.

Both backends read one query language (:func:`parse_query`): words (all must occur,
stemmed: "profits" finds "profit"), ``"a phrase"``, ``or`` between two terms, and
``-word`` to exclude. It is translated for FTS5 and for ``websearch_to_tsquery``, so
the same query means the same thing on both.

A new kind of item is a new ``kind`` value with its own ``index_*`` function and a
link in :func:`_links`; the search itself does not change. Comments are one: a row per
comment that is not hidden (its words and its quote), with its author's stakeholder
and, on an amendment or a citation, the amendment (so ``status`` and ``category``
filters reach them).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from regdraft.core.errors import InvalidInput
from regdraft.core.patching import parse_patch
from regdraft.core.structure import parse_structure
from regdraft.core.text import lines_in_pieces
from regdraft.store.models import (Amendment, Comment, CommentAnchor, Document, Response, SearchItem, Stakeholder,
                                   Version)

ITEM_KINDS = ("provision", "amendment", "response", "comment")
MAX_QUERY_CHARS = 200
MAX_TERMS = 16
"""A query is a few words: longer ones are refused rather than given to the index."""
SNIPPET_WORDS = 24
# Private-use characters mark a match in a snippet until it is escaped; the indexed
# text never holds them (:func:`_indexable`), so a text cannot forge a mark.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKERS = re.compile(f"[{_OPEN}{_CLOSE}]")
_HEADING_MARKS = re.compile(r"^#+[ \t]*", re.MULTILINE)

items = SearchItem.__table__


# The query language ---------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match (a group matches when any of its terms
    does), and no excluded term may. A term is a word or a phrase."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    def fts5(self) -> str:
        def quoted(term: str) -> str:
            return '"' + term.replace('"', '""') + '"'

        expression = " AND ".join("(" + " OR ".join(quoted(t) for t in group) + ")" for group in self.groups)
        return expression + "".join(f" NOT {quoted(t)}" for t in self.excluded)

    def websearch(self) -> str:
        def quoted(term: str) -> str:
            return '"' + term.replace('"', " ") + '"'

        words = [" or ".join(quoted(t) for t in group) for group in self.groups]
        return " ".join(words + [f"-{quoted(t)}" for t in self.excluded])


_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def parse_query(q: str) -> Query:
    """Read a search query; :class:`InvalidInput` (field ``q``) when it has nothing to
    look for, is longer than :data:`MAX_QUERY_CHARS` or has more than :data:`MAX_TERMS` terms."""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"a search query is at most {MAX_QUERY_CHARS} characters; this one has {len(q)}",
                           field="q")
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    count = 0
    for match in _TERM.finditer(q):
        negated = bool(match.group(1) or match.group(3))
        term = " ".join((match.group(2) if match.group(2) is not None else match.group(4)).split())
        if match.group(4) is not None and term.lower() == "or" and not negated:
            join_next = bool(groups)
            continue
        if not any(c.isalnum() for c in term):  # punctuation alone finds nothing on either backend
            continue
        count += 1
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if count > MAX_TERMS:
        raise InvalidInput(f"a search query has at most {MAX_TERMS} terms; this one has {count}", field="q")
    if not groups:
        raise InvalidInput("give at least one word to search for (a word prefixed with - only excludes)", field="q")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


# Keeping the index ----------------------------------------------------------------

def _indexable(body: str) -> str:
    # Line by line in pieces (core.text.PIECE), so a long response holds no other thread up.
    return "".join(_MARKERS.sub("", _HEADING_MARKS.sub("", piece)) for piece in lines_in_pieces(body)).strip()


def provision_pieces(text_: str, kind: str, provisions: tuple | None = None) -> dict[str, tuple[str, str]]:
    """Each provision's own text, by id: ``{id: (label, text)}``; the words before the
    first provision (a title) are the piece with id ``""``. ``provisions``: the text's
    as already read (a new version's, kept by ``services.structures``), not read again."""
    if provisions is None:
        provisions = parse_structure(text_, kind=kind, strict=False).provisions
    pieces: dict[str, tuple[str, str]] = {}
    first = provisions[0].start if provisions else len(text_)
    if _indexable(text_[:first]):
        pieces[""] = ("title", _indexable(text_[:first]))
    for i, p in enumerate(provisions):
        end = min(p.end, provisions[i + 1].start) if i + 1 < len(provisions) else p.end
        body = _indexable(text_[p.start:end])
        if body and p.id not in pieces:
            pieces[p.id] = (p.label, body)
    return pieces


def _turnover(held: dict[str, tuple[str, str]], pieces: dict[str, tuple[str, str]]) -> tuple[list[str], dict]:
    """Which of the provision texts ``held`` (by id) a version with ``pieces`` no longer
    holds, and which of its pieces are new."""
    gone = [target for target, piece in held.items() if pieces.get(target) != piece]
    new = {target: piece for target, piece in pieces.items() if held.get(target) != piece}
    return gone, new


def _provision_row(document_id: int, target: str, piece: tuple[str, str], since: int,
                   until: int | None = None) -> dict:
    return {"document_id": document_id, "kind": "provision", "target": target, "label": piece[0],
            "body": piece[1], "version_from": since, "version_until": until}


def index_version(connection: Connection, document_id: int, kind: str, number: int, text_: str,
                  provisions: tuple | None = None, *, pieces: dict[str, tuple[str, str]] | None = None) -> None:
    """Version ``number`` (the new head) of a document: close the rows of provisions
    whose text it changes or drops, add rows for its new text (``provisions``: its
    structure's, if already read; ``pieces``: :func:`provision_pieces` of it, if made)."""
    current = connection.execute(
        select(items.c.id, items.c.target, items.c.label, items.c.body)
        .where(items.c.document_id == document_id, items.c.kind == "provision", items.c.version_until.is_(None))
    ).all()
    gone, new = _turnover({row.target: (row.label, row.body) for row in current},
                          provision_pieces(text_, kind, provisions) if pieces is None else pieces)
    ids = {row.target: row.id for row in current}
    if gone:
        connection.execute(update(items).where(items.c.id.in_([ids[t] for t in gone])).values(version_until=number))
    if new:
        connection.execute(insert(items), [_provision_row(document_id, t, piece, number) for t, piece in new.items()])


def amendment_body(title: str, rationale: str, patch_text: str) -> str:
    patch = parse_patch(patch_text)
    inserted = "\n".join(h.inserted.strip() for h in patch.hunks if h.inserted.strip())
    deleted = "\n".join(h.deleted.strip() for h in patch.hunks if h.deleted.strip())
    return _indexable("\n\n".join(part for part in (title, rationale, inserted, deleted) if part))


def _amendment_row(amendment) -> dict:
    return {"document_id": amendment.document_id, "kind": "amendment", "target": amendment.slug,
            "label": amendment.title, "amendment_id": amendment.id, "stakeholder_id": amendment.proposer_id,
            "body": amendment_body(amendment.title, amendment.rationale, amendment.patch_text)}


def _response_row(response) -> dict:
    return {"document_id": response.document_id, "kind": "response", "target": response.slug,
            "label": response.title, "response_id": response.id, "stakeholder_id": response.stakeholder_id,
            "body": _indexable(f"{response.title}\n\n{response.text}")}


def index_amendment(connection: Connection, amendment: Amendment) -> None:
    """An amendment proposed, revised or rebased: its row holds what it says now."""
    connection.execute(delete(items).where(items.c.amendment_id == amendment.id))
    connection.execute(insert(items).values(**_amendment_row(amendment)))


def index_response(connection: Connection, response: Response) -> None:
    connection.execute(delete(items).where(items.c.response_id == response.id))
    connection.execute(insert(items).values(**_response_row(response)))


def _comment_row(comment, quote: str | None, version: int | None) -> dict:
    return {"document_id": comment.document_id, "kind": "comment", "target": str(comment.id),
            "label": f"Comment {comment.id} by {comment.author}", "version_from": version,
            "amendment_id": comment.amendment_id, "response_id": comment.response_id,
            "stakeholder_id": comment.stakeholder_id,
            "body": _indexable("\n\n".join(part for part in (comment.body, quote) if part))}


def index_comment(connection: Connection, comment: Comment, *, quote: str | None = None,
                  version: int | None = None) -> None:
    """A comment posted or edited: its row holds its words (and the quote it is on, the
    version it was made on); a hidden one has none."""
    connection.execute(delete(items).where(items.c.document_id == comment.document_id, items.c.kind == "comment",
                                           items.c.target == str(comment.id)))
    if comment.hidden_at is None:
        connection.execute(insert(items).values(**_comment_row(comment, quote, version)))


_BATCH = 5000
_NO_LINKS = {"version_from": None, "version_until": None, "amendment_id": None, "response_id": None,
             "stakeholder_id": None}


def rebuild(connection: Connection) -> int:
    """Index everything stored, from nothing (migration 0008, the benchmark's bulk load);
    returns the rows written. The same rows as writing each version, amendment and
    response in turn, made in memory and inserted in batches. Reads only the columns it
    needs, so that later migrations adding columns do not break this one."""
    connection.execute(delete(items))
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # One transaction writes the whole index: with SQLite's default 2 MB page cache
        # its dirty pages spill to the WAL and are read back for every insert, and a
        # store of 20 000 versions took over half an hour instead of minutes.
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB, for this connection
    try:
        return _rebuild(connection)
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def _rebuild(connection: Connection) -> int:
    rows: list[dict] = []

    def add(row: dict) -> None:
        rows.append({**_NO_LINKS, **row})  # one batch, one set of columns
        if len(rows) >= _BATCH:
            connection.execute(insert(items), rows)
            rows.clear()

    documents, versions = Document.__table__, Version.__table__
    for document_id, kind in connection.execute(select(documents.c.id, documents.c.kind)).all():
        held: dict[str, tuple[tuple[str, str], int]] = {}  # target -> (piece, since)
        for number, text_ in connection.execute(select(versions.c.number, versions.c.text)
                                                .where(versions.c.document_id == document_id)
                                                .order_by(versions.c.number)):
            gone, new = _turnover({t: piece for t, (piece, _) in held.items()}, provision_pieces(text_, kind))
            for target in gone:
                piece, since = held.pop(target)
                add(_provision_row(document_id, target, piece, since, number))
            held.update((target, (piece, number)) for target, piece in new.items())
        for target, (piece, since) in held.items():
            add(_provision_row(document_id, target, piece, since))
    a = Amendment.__table__
    for row in connection.execute(select(a.c.id, a.c.document_id, a.c.slug, a.c.title, a.c.rationale,
                                         a.c.patch_text, a.c.proposer_id)):
        add(_amendment_row(row))
    r = Response.__table__
    for row in connection.execute(select(r.c.id, r.c.document_id, r.c.slug, r.c.title, r.c.text,
                                         r.c.stakeholder_id)):
        add(_response_row(row))
    if inspect(connection).has_table("comment"):  # migration 0008 runs this before comments exist
        c, anchors = Comment.__table__, CommentAnchor.__table__
        first = (select(anchors.c.quote).where(anchors.c.comment_id == c.c.id).order_by(anchors.c.id).limit(1)
                 .scalar_subquery())
        for row in connection.execute(select(c.c.id, c.c.document_id, c.c.author, c.c.body, c.c.amendment_id,
                                             c.c.response_id, c.c.stakeholder_id, first.label("quote"),
                                             versions.c.number).outerjoin(versions, versions.c.id == c.c.version_id)
                                      .where(c.c.hidden_at.is_(None))):
            add(_comment_row(row, row.quote, row.number))
    if rows:
        connection.execute(insert(items), rows)
    return connection.execute(select(text("count(*)")).select_from(items)).scalar_one()


# Searching ------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    document: Document | None = None
    kinds: tuple[str, ...] = ()
    version: int | None = None
    head: bool = False
    stakeholder: Stakeholder | None = None
    category: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    document: str
    target: str
    label: str
    snippet: str
    """HTML: the text around the match, escaped, the matched words in ``<mark>``."""
    url: str
    """The page that shows it (a provision: its anchor in the version)."""
    api_url: str
    version_from: int | None = None
    version_until: int | None = None
    status: str | None = None
    stakeholder: str | None = None


def filters_from(session: Session, *, document: str | None = None, version: str | None = None,
                 kinds: list[str] = (), stakeholder: str | None = None, category: str | None = None,
                 status: str | None = None) -> Filters:
    """The filters as the API, CLI and pages take them (slugs, ``version`` a number or
    ``head``), checked: unknown slugs are :class:`NotFound`, unknown values :class:`InvalidInput`."""
    from regdraft.services import amendments, documents  # they index through this module

    for kind in kinds:
        if kind not in ITEM_KINDS:
            raise InvalidInput(f"kind {kind!r} is not one of: {', '.join(ITEM_KINDS)}", field="kind")
    chosen = documents.get_document(session, document) if document else None
    if category is not None:
        # Held to the document's categories where one is named; across documents, any slug.
        if chosen is not None:
            documents.check_categories(session, chosen, [category], field="category")
        else:
            documents.check_category_slug(category, "category")
    if status is not None and status not in amendments.STATUSES:
        raise InvalidInput(f"status {status!r} is not one of: {', '.join(amendments.STATUSES)}", field="status")
    number = None
    if version is not None and version != "head":
        if not version.isascii() or not version.isdigit() or not 1 <= int(version) < 2**31:
            raise InvalidInput(f"version {version!r} is not a version number or 'head'", field="version")
        number = int(version)
    return Filters(document=chosen,
                   kinds=tuple(dict.fromkeys(kinds)), version=number, head=version == "head",
                   stakeholder=documents.get_stakeholder(session, stakeholder) if stakeholder else None,
                   category=category, status=status)


_COLUMNS = ("si.id, si.document_id, si.kind, si.target, si.label, si.version_from, si.version_until, "
            "si.amendment_id, si.stakeholder_id")


def _conditions(filters: Filters, params: dict, *, sqlite: bool) -> list[str]:
    """SQL conditions on ``si`` (a ``search_item`` row) for what the FTS5 scope does not
    already narrow (on SQLite, document, kind and head are scope tokens)."""
    where = []
    if not sqlite:
        if filters.document is not None:
            where.append("si.document_id = :document_id")
            params["document_id"] = filters.document.id
        if filters.kinds:
            where.append("si.kind IN (" + ", ".join(f":kind_{i}" for i in range(len(filters.kinds))) + ")")
            params.update({f"kind_{i}": k for i, k in enumerate(filters.kinds)})
        if filters.head:
            where.append("si.version_until IS NULL")
    if filters.version is not None:
        where.append("(si.kind <> 'provision' OR (si.version_from <= :version AND "
                     "(si.version_until IS NULL OR si.version_until > :version)))")
        params["version"] = filters.version
    if filters.stakeholder is not None:
        where.append("si.stakeholder_id = :stakeholder_id")
        params["stakeholder_id"] = filters.stakeholder.id
    if filters.status is not None:
        where.append("si.amendment_id IN (SELECT id FROM amendment WHERE status = :status)")
        params["status"] = filters.status
    if filters.category is not None:
        where.append("si.amendment_id IN (SELECT amendment_id FROM amendment_category WHERE category = :category)")
        params["category"] = filters.category
    return where


def _fts5_match(query: Query, filters: Filters) -> str:
    scope = []
    if filters.document is not None:
        scope.append(f"xdoc{filters.document.id}")
    if filters.kinds:
        scope.append("(" + " OR ".join(f"xkind{k}" for k in filters.kinds) + ")")
    if filters.head:
        scope.append("xhead")
    body = f"body : ({query.fts5()})"
    return f"scope : ({' AND '.join(scope)}) AND {body}" if scope else body


def _narrowed(filters: Filters) -> Filters:
    """Filters of amendments alone (status, category) search amendments alone."""
    if (filters.status or filters.category) and not filters.kinds:
        return Filters(**{**filters.__dict__, "kinds": ("amendment",)})
    return filters


MAX_RANKED = 1000
"""A search ranks at most this many matches, and counts exactly up to this many: a word
in nearly every row (50 000 amendments say "amendment") would otherwise be ranked and
counted whole for every page (140-150 ms at the listing benchmark's scale)."""


@dataclass(frozen=True)
class Page:
    """A page of hits, best first, and how many match: ``total`` exactly when
    ``total_exact``, otherwise at least ``total`` (more than :data:`MAX_RANKED` match,
    and the hits are the best of the :data:`MAX_RANKED` most recently indexed)."""

    hits: list[Hit]
    total: int
    total_exact: bool = True


def search(session: Session, q: str, filters: Filters = Filters(), *, offset: int = 0,
           limit: int = 20) -> Page:
    """A page of hits, best first. A query that more than :data:`MAX_RANKED` rows match
    is answered as a search engine does: the candidates are the :data:`MAX_RANKED` most
    recently indexed matches (highest row id, cheap to find on both backends: FTS5 walks
    its doclists by rowid, PostgreSQL sorts ids without reading the rows' tsvectors),
    only they are ranked, and the total is a lower bound. A query that fewer match is
    ranked and counted whole, as before: the same hits in the same order."""
    query = parse_query(q)
    filters = _narrowed(filters)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    params: dict = {"limit": limit, "offset": offset, "open": _OPEN, "close": _CLOSE, "candidates": MAX_RANKED + 1}
    where = _conditions(filters, params, sqlite=sqlite)
    if sqlite:
        params["match"] = _fts5_match(query, filters)
        source = "search_fts JOIN search_item si ON si.id = search_fts.rowid"
        condition = " AND ".join(["search_fts MATCH :match", *where])
        candidates = connection.execute(text(
            f"SELECT search_fts.rowid FROM {source} WHERE {condition} ORDER BY search_fts.rowid DESC "
            f"LIMIT :candidates"), params).scalars().all()
        if len(candidates) > MAX_RANKED:
            # FTS5 narrows a MATCH to a rowid range itself: only the candidates are ranked.
            condition += " AND search_fts.rowid >= :first"
            params["first"] = candidates[MAX_RANKED - 1]
        rows = connection.execute(text(
            f"SELECT {_COLUMNS}, snippet(search_fts, 0, :open, :close, '…', {SNIPPET_WORDS}) AS snippet "
            f"FROM {source} WHERE {condition} ORDER BY search_fts.rank, si.id LIMIT :limit OFFSET :offset"),
            params).all()
    else:
        params["query"] = query.websearch()
        params["options"] = (f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=8, "
                             "MaxFragments=2, FragmentDelimiter=\" … \"")
        condition = " AND ".join(["si.tsv @@ q.q", *where])
        table = "search_item"
        if filters.document is not None:
            # A document's rows are few; a common word's are many, and the planner,
            # which cannot tell how many a tsquery matches, would read them all from
            # the GIN index (159 ms p95 at 1000 documents): read the document's first.
            table = "(SELECT * FROM search_item WHERE document_id = :document_id OFFSET 0)"
        source = f"{table} si, websearch_to_tsquery('english', :query) AS q(q)"
        candidates = connection.execute(text(
            f"SELECT si.id FROM {source} WHERE {condition} ORDER BY si.id DESC LIMIT :candidates"),
            params).scalars().all()
        # Ranked by id: the candidates are read again by primary key, not from the GIN index.
        params["ids"] = list(candidates[:MAX_RANKED])
        rows = connection.execute(text(
            f"SELECT page.*, ts_headline('english', body.body, q.q, :options) AS snippet FROM ("
            f"SELECT {_COLUMNS}, ts_rank_cd(si.tsv, q.q) AS score "
            f"FROM search_item si, websearch_to_tsquery('english', :query) AS q(q) WHERE si.id = ANY(:ids) "
            f"ORDER BY score DESC, si.id LIMIT :limit OFFSET :offset) AS page "
            f"JOIN search_item body ON body.id = page.id, websearch_to_tsquery('english', :query) AS q(q) "
            f"ORDER BY page.score DESC, page.id"), params).all()
    return Page(_hits(session, rows), min(len(candidates), MAX_RANKED), len(candidates) <= MAX_RANKED)


def _hits(session: Session, rows) -> list[Hit]:
    """The page's rows as hits: the documents, statuses and stakeholders they name, in
    three queries however long the page."""
    slugs = dict(session.exec(select(Document.id, Document.slug)
                              .where(Document.id.in_({r.document_id for r in rows}))).all()) if rows else {}
    statuses = dict(session.exec(select(Amendment.id, Amendment.status).where(
        Amendment.id.in_({r.amendment_id for r in rows if r.amendment_id}))).all()) if rows else {}
    people = dict(session.exec(select(Stakeholder.id, Stakeholder.slug).where(
        Stakeholder.id.in_({r.stakeholder_id for r in rows if r.stakeholder_id}))).all()) if rows else {}
    hits = []
    for r in rows:
        document = slugs[r.document_id]
        url, api_url = _links(document, r.kind, r.target, r.version_from, r.version_until)
        hits.append(Hit(kind=r.kind, document=document, target=r.target, label=r.label, url=url, api_url=api_url,
                        snippet=marked_snippet(r.snippet), version_from=r.version_from,
                        version_until=r.version_until, status=statuses.get(r.amendment_id),
                        stakeholder=people.get(r.stakeholder_id)))
    return hits


def marked_snippet(snippet: str) -> str:
    """A snippet from the index, escaped, with its match marks as ``<mark>``."""
    return html.escape(snippet or "").replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _links(document: str, kind: str, target: str, version_from: int | None,
           version_until: int | None) -> tuple[str, str]:
    base = f"/documents/{document}"
    if kind == "provision":
        # Text still in the head is shown there; text since changed, in the last version that held it.
        version = f"?version={version_until - 1}" if version_until is not None else ""
        number = version_until - 1 if version_until is not None else version_from
        return f"{base}{version}#{target}" if target else f"{base}{version}", f"/api{base}/versions/{number}"
    plural = {"amendment": "amendments", "response": "responses", "comment": "comments"}[kind]
    return f"{base}/{plural}/{target}", f"/api{base}/{plural}/{target}"


def matching_amendments(connection: Connection, document: Document, q: str):
    """The ids of the document's amendments that ``q`` finds, as a subquery
    (``?q=`` on the amendment list)."""
    query = parse_query(q)
    if connection.dialect.name == "sqlite":
        return text("SELECT si.amendment_id FROM search_fts JOIN search_item si ON si.id = search_fts.rowid "
                    "WHERE search_fts MATCH :search_match").bindparams(
            search_match=_fts5_match(query, Filters(document=document, kinds=("amendment",)))
        ).columns(items.c.amendment_id)
    return text("SELECT si.amendment_id FROM search_item si WHERE si.document_id = :search_document "
                "AND si.kind = 'amendment' AND si.tsv @@ websearch_to_tsquery('english', :search_query)").bindparams(
        search_document=document.id, search_query=query.websearch()).columns(items.c.amendment_id)
