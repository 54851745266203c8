"""``load`` and ``export``: the database and the ``drafts/`` and ``amendments/`` files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import ActorOption, actor_name, database, load_settings
from regdraft.core.errors import InvalidInput


RootOption = Annotated[Optional[Path], typer.Option(
    "--root", metavar="DIR", show_default=False,
    help="Folder holding drafts/ and amendments/ (default: $REGDRAFT_ROOT, else the current directory).")]


def _root(root: Path | None, *, must_exist: bool = True) -> Path:
    root = root if root is not None else load_settings().root
    if must_exist and not root.is_dir():
        raise InvalidInput(f"{root}: no such directory", path=str(root))
    return root


@app.command()
def load(root: RootOption = None, actor: ActorOption = None) -> None:
    """Import drafts/ and amendments/ into the database, in one transaction.

    Unchanged files change nothing; an invalid file stops the whole load before
    anything is written, with one line naming the file and the line.
    """
    from regdraft import files

    folder = _root(root)
    with database() as session:
        report = files.load(session, folder, actor=actor_name(actor))
        lines = report.lines()  # "nothing changed (...)", or one line per kind of thing
    for line in lines:
        typer.echo(line)


@app.command()
def export(
    root: RootOption = None,
    document: Annotated[Optional[list[str]], typer.Option(
        "--document", "-d", metavar="SLUG", show_default=False,
        help="Export only this document (repeatable; default: every document).")] = None,
    list_paths: Annotated[bool, typer.Option("--list", help="Print every path written, one a line.")] = False,
) -> None:
    """Write the database out as drafts/ and amendments/ files (the form load reads)."""
    from regdraft import files

    folder = _root(root, must_exist=False)
    with database(read_only=True) as session:
        if document:
            from regdraft.services import documents as document_service

            for slug in document:
                document_service.get_document(session, slug)
        written = files.export(session, folder, documents=list(document) if document else None)
    if list_paths:
        for path in written:
            typer.echo(str(path))
    else:
        typer.echo(f"{len(written)} file{'s' if len(written) != 1 else ''} written under {folder}")
