"""Read-only listings: documents, versions, amendments and the event log."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import (DocumentOption, StatusName, database, document_of, one_line, short,
                                 stakeholder_slug, utc_time)


@app.command("documents")
def list_documents() -> None:
    """List the documents: slug, number of versions, title."""
    from regdraft.services import documents

    with database(read_only=True) as session:
        rows, _ = documents.list_documents(session, limit=10_000)
        lines = [f"{d.slug}  {documents.count_versions(session, d)} versions  {d.title}" for d in rows]
    for line in lines:
        typer.echo(line)


@app.command()
def versions(document: DocumentOption = None) -> None:
    """List a document's versions: number, time, author, hash prefix, message."""
    from regdraft.services import documents
    from regdraft.store.models import Amendment

    with database(read_only=True) as session:
        doc = document_of(session, document)
        lines = []
        for v in documents.list_versions(session, doc):
            producer = session.get(Amendment, v.produced_by_id) if v.produced_by_id else None
            made = f" [accepted {producer.slug}]" if producer else ""
            lines.append(f"{v.number}  {utc_time(v.created_at)}  {v.author}  {short(v.content_hash)}  "
                         f"{one_line(v.message)}{made}".rstrip())
    for line in lines:
        typer.echo(line)


@app.command("amendments")
def list_amendments(
    document: DocumentOption = None,
    status: Annotated[Optional[StatusName], typer.Option(help="Only amendments with this status.",
                                                         show_default=False)] = None,
) -> None:
    """List a document's amendments: slug, status, base version, proposer, title."""
    from regdraft.services import amendments as amendment_service
    from regdraft.store.models import Version

    with database(read_only=True) as session:
        doc = document_of(session, document)
        rows, _ = amendment_service.list_amendments(session, doc, status=status.value if status else None,
                                                    limit=100_000)
        lines = [f"{a.slug}  {a.status}  @{session.get(Version, a.base_version_id).number}  "
                 f"{stakeholder_slug(session, a.proposer_id)}  {a.title}" for a in rows]
    for line in lines:
        typer.echo(line)


@app.command()
def log(
    document: Annotated[Optional[str], typer.Option(
        "--document", "-d", metavar="SLUG", show_default=False,
        help="Only this document's events (default: every event).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show the last N events.")] = 50,
) -> None:
    """The event log, oldest first, one line per event:
    time, actor, action, target, before→after hash prefixes, and the reason a decision gave."""
    from regdraft.services import documents, events

    with database(read_only=True) as session:
        document_id = documents.get_document(session, document).id if document else None
        _, total = events.list_events(session, document_id=document_id, limit=1)
        rows, _ = events.list_events(session, document_id=document_id, offset=max(total - limit, 0), limit=limit)
        lines = [f"{utc_time(e.at)}  {e.actor}  {e.action}  {e.target}  {short(e.before_hash)}→{short(e.after_hash)}"
                 + _reason_of(e.detail) for e in rows]
    for line in lines:
        typer.echo(line)


def _reason_of(detail: str) -> str:
    """``  reason: …`` for an event whose detail gives a reason, on one line."""
    import json

    reason = json.loads(detail or "{}").get("reason")
    return f"  reason: {one_line(reason)}" if reason else ""


@app.command()
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY", help=(
        'Words (all must occur, stemmed), "a phrase", `or` between two terms, -word to exclude.'))],
    document: Annotated[Optional[str], typer.Option(
        "--document", "-d", metavar="SLUG", show_default=False, help="Only this document.")] = None,
    version: Annotated[Optional[str], typer.Option(
        metavar="N|head", show_default=False, help="Document text of version N only, or of the head.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option(
        metavar="KIND", show_default=False, help="provision, amendment or response (repeat for several).")] = None,
    stakeholder: Annotated[Optional[str], typer.Option(
        metavar="SLUG", show_default=False, help="Amendments proposed by, responses from, this stakeholder.")] = None,
    category: Annotated[Optional[str], typer.Option(show_default=False, help="Amendments of this category.")] = None,
    status: Annotated[Optional[StatusName], typer.Option(show_default=False,
                                                         help="Amendments with this status.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many hits.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=200, help="Show at most this many hits.")] = 20,
) -> None:
    """Search documents' text, amendments and responses, best hits first: one line per hit
    (kind, where, label, versions or status) and its snippet, matched words in [brackets]."""
    import html
    import re

    from regdraft.services import search as search_service

    with database(read_only=True) as session:
        filters = search_service.filters_from(session, document=document, version=version, kinds=kind or [],
                                              stakeholder=stakeholder, category=category,
                                              status=status.value if status else None)
        found = search_service.search(session, query, filters, offset=offset, limit=limit)
    for hit in found.hits:
        where = f"{hit.document}/{hit.target}" if hit.target else hit.document
        if hit.kind == "provision":
            extra = f"versions {hit.version_from}-{hit.version_until - 1}" if hit.version_until else \
                f"version {hit.version_from} to the head"
        else:
            extra = hit.status or hit.stakeholder or ""
        snippet = html.unescape(re.sub(r"</?mark>", lambda m: "]" if m.group().startswith("</") else "[",
                                       hit.snippet))
        typer.echo(f"{hit.kind}  {where}  {one_line(hit.label)}  ({extra})  {hit.url}")
        typer.echo(f"    {one_line(snippet)}")
    total = found.total if found.total_exact else f"more than {found.total}"
    typer.echo(f"{total} hit{'s' if total != 1 else ''}" + (f", {offset + 1}-{offset + len(found.hits)} shown"
                                                             if found.total > len(found.hits) else ""))
