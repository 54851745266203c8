"""``import`` and ``new``: documents from outside files, and empty documents."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import ActorOption, actor_name, database, out, read_bytes, short
from regdraft.cli.word_amendment import (AmendmentOption, CategoryOption, PartialOption, ProposerOption,
                                         import_as_amendment)
from regdraft.core.traditions import DEFAULT_KIND, KINDS
from regdraft.formats import FORMATS

Kind = Enum("Kind", {kind.replace("-", "_"): kind for kind in KINDS}, type=str)  # type: ignore[misc]
Format = Enum("Format", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False,
                                         help="CLML or Akoma Ntoso XML, eCFR XML, a Word .docx, or plain text.")],
    kind: Annotated[Optional[Kind], typer.Option(
        "--kind", show_default=False,
        help="The document's kind (default: the kind the file declares, else uk-si).")] = None,
    document: Annotated[Optional[str], typer.Option(
        "--document", "-d", metavar="SLUG", show_default=False,
        help="The new document's slug (default: made from its title); with --as-version, the document.")] = None,
    as_version: Annotated[bool, typer.Option(
        "--as-version", help="Add the file as the next version of --document instead of a new document.")] = False,
    from_: Annotated[Optional[Format], typer.Option(
        "--from", show_default=False, help="The file's format (default: recognised from its content).")] = None,
    author: Annotated[str, typer.Option("--author", metavar="NAME", show_default=False,
                                        help="The version's author (default: --actor).")] = "",
    message: Annotated[str, typer.Option("--message", "-m", metavar="TEXT", show_default=False,
                                         help="The version's message (default: 'Imported from FORMAT').")] = "",
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print the text the import would store, and its report on stderr; store nothing.")] = False,
    as_amendment: Annotated[bool, typer.Option(
        "--as-amendment", help="FILE is a Word export of --document edited with tracked changes: propose them "
                               "as an amendment against the version it was exported from.")] = False,
    amendment: AmendmentOption = None,
    proposer: ProposerOption = None,
    category: CategoryOption = None,
    partial: PartialOption = False,
    actor: ActorOption = None,
) -> None:
    """Create a document, or a new version of one, from a file; or, with
    --as-amendment, an amendment from a Word file's tracked changes.

    Prints what was created, then the report: the provisions found by kind, the
    amendment annotations kept, and every element that could not be placed (kept as
    text in the nearest provision). Nothing is stored if the file cannot be read.
    """
    from regdraft.services import imports

    data = read_bytes(file)
    if as_amendment:
        return import_as_amendment(file, data, document=document, slug=amendment, title=message,
                                   proposer=proposer, categories=category, partial=partial, actor=actor_name(actor))
    format = from_.value if from_ is not None else None
    wanted = kind.value if kind is not None else None
    if dry_run:
        imported = imports.read(data, format=format, kind=wanted)
        out(imported.text)
        for line in imported.report.lines():
            typer.echo(line, err=True)
        return
    with database() as session:
        result = imports.import_file(session, data, format=format, kind=wanted, document_slug=document,
                                     as_version=as_version, author=author, message=message,
                                     actor=actor_name(actor))
        slug, number, digest = result.document.slug, result.version.number, result.version.content_hash
        created = result.created_document
        report = result.imported.report.lines()
        kind_name = result.document.kind
    what = f"document {slug} ({kind_name})" if created else f"document {slug}"
    typer.echo(f"{'created' if created else 'updated'} {what}: version {number} {short(digest)}")
    for line in report:
        typer.echo(line)


@app.command()
def new(
    slug: Annotated[str, typer.Argument(metavar="SLUG", show_default=False, help="The document's slug.")],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", show_default=False)],
    kind: Annotated[Kind, typer.Option("--kind", help="The document's kind.")] = Kind(DEFAULT_KIND),
    description: Annotated[str, typer.Option("--description", metavar="TEXT", show_default=False)] = "",
    actor: ActorOption = None,
) -> None:
    """Create an empty document (no versions yet): add its first version with
    ``regdraft import FILE --document SLUG --as-version`` or through the API."""
    from regdraft.services import documents

    with database() as session:
        document = documents.create_document(session, slug=slug, title=title, description=description,
                                             kind=kind.value, actor=actor_name(actor))
        created = (document.slug, document.kind)
    typer.echo(f"created document {created[0]} ({created[1]})")
