"""``version add``, ``stakeholder add`` and ``response add``: what the API's
``POST …/versions`` and ``PUT …/stakeholders|responses`` and the pages' forms add, from
files and options. Documents are made by ``new`` and ``import`` (``importing``).

Each refuses what would overwrite (a stakeholder already taking part or known under
another name, a response slug that is taken, a version whose parent is not the head):
the command that changes a thing is ``load`` of the files, or the API's PUT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import ActorOption, DocumentOption, actor_name, database, document_of, read_text, short

version_app = typer.Typer(name="version", no_args_is_help=True, rich_markup_mode=None,
                          help="Add a document's next version from a file of its text.")
stakeholder_app = typer.Typer(name="stakeholder", no_args_is_help=True, rich_markup_mode=None,
                              help="Add a stakeholder to a document's consultation.")
response_app = typer.Typer(name="response", no_args_is_help=True, rich_markup_mode=None,
                           help="Add a consultation response from a file of its text.")
for group in (version_app, stakeholder_app, response_app):
    app.add_typer(group)

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", show_default=False,
                                              help="The text, UTF-8 Markdown (docs/drafting-format.md).")]


def _checked_text(path: Path) -> str:
    """A file's text, held to the one text policy the API and the pages apply."""
    from regdraft.core.policy import check_text

    return check_text(read_text(path), str(path))


@version_app.command("add")
def add_version(
    file: FileArgument,
    document: DocumentOption = None,
    parent: Annotated[Optional[int], typer.Option(
        "--parent", metavar="N", min=1, show_default=False,
        help="The version FILE was edited from: refused unless it is still the head (default: the head).")] = None,
    author: Annotated[str, typer.Option("--author", metavar="NAME", show_default=False,
                                        help="The version's author (default: --actor).")] = "",
    message: Annotated[str, typer.Option("--message", "-m", metavar="TEXT", show_default=False,
                                         help="What changed and why.")] = "",
    actor: ActorOption = None,
) -> None:
    """Add FILE, stored as it is (normalised), as the document's next version; print its
    number and hash, and any structure warnings on stderr (a strict document refuses them).

    For CLML, Akoma Ntoso, eCFR, Word or plain text use 'regdraft import FILE --as-version'.
    """
    from regdraft.core.policy import check_text
    from regdraft.services import documents

    text = _checked_text(file)
    check_text(message, "message")
    check_text(author, "author")
    who = actor_name(actor)
    with database() as session:
        doc = document_of(session, document)
        head = documents.head(session, doc)
        version = documents.create_version(session, doc, text=text, author=author.strip() or who,
                                           parent=parent if parent is not None else head.number if head else None,
                                           message=message.strip(), actor=who)
        warnings = documents.version_structure(session, doc, version).warnings
        added = (doc.slug, version.number, version.content_hash)
    typer.echo(f"added version {added[1]} {short(added[2])} to document {added[0]}")
    for warning in warnings:
        typer.echo(f"{file}:{warning.line}: warning: {warning.message}", err=True)


@stakeholder_app.command("add")
def add_stakeholder(
    slug: Annotated[str, typer.Argument(metavar="SLUG", show_default=False, help="The stakeholder's slug.")],
    name: Annotated[str, typer.Option("--name", metavar="TEXT", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", metavar="TEXT", show_default=False,
                                      help="charity, local authority, professional body…")] = "",
    document: DocumentOption = None,
    actor: ActorOption = None,
) -> None:
    """Add a stakeholder to the document's consultation: a new one, or one another document
    knows already (give the same name and kind: adding never renames)."""
    from regdraft.services import documents

    with database() as session:
        doc = document_of(session, document)
        stakeholder = documents.add_stakeholder(session, doc, slug=slug, name=name, kind=kind,
                                                actor=actor_name(actor))
        added = (stakeholder.slug, doc.slug)
    typer.echo(f"added stakeholder {added[0]} to document {added[1]}")


@response_app.command("add")
def add_response(
    slug: Annotated[str, typer.Argument(metavar="SLUG", show_default=False, help="The response's slug.")],
    stakeholder: Annotated[str, typer.Option("--stakeholder", "-s", metavar="SLUG", show_default=False,
                                             help="Whose response it is.")],
    file: Annotated[Path, typer.Option("--file", "-f", metavar="FILE", show_default=False,
                                       help="Its text (Markdown; raw HTML is refused).")],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", show_default=False)],
    source: Annotated[str, typer.Option("--source", metavar="TEXT", show_default=False,
                                        help="Where it was published.")] = "",
    url: Annotated[str, typer.Option("--url", metavar="URL", show_default=False,
                                     help="An http or https address of it.")] = "",
    date: Annotated[str, typer.Option("--date", metavar="YYYY-MM-DD", show_default=False)] = "",
    stance: Annotated[str, typer.Option("--stance", metavar="TEXT", show_default=False)] = "",
    provenance: Annotated[str, typer.Option("--provenance", metavar="TEXT", show_default=False,
                                            help="How the text was obtained.")] = "",
    document: DocumentOption = None,
    actor: ActorOption = None,
) -> None:
    """Add a consultation response: its text from FILE, the stakeholder and its details.
    Amendments can then cite it (propose --cite)."""
    from regdraft.services import documents

    text = read_text(file)
    with database() as session:
        doc = document_of(session, document)
        response = documents.add_response(
            session, doc, slug=slug, stakeholder=documents.get_stakeholder(session, stakeholder), text=text,
            actor=actor_name(actor), title=title.strip(), source=source.strip(), url=url.strip(),
            date=date.strip(), stance=stance.strip(), provenance=provenance.strip())
        added = (response.slug, doc.slug, response.content_hash)
    typer.echo(f"added response {added[0]} {short(added[2])} to document {added[1]}")
