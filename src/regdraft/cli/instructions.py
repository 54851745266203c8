"""``instructions``: amending instructions read from a file and applied to a text (a
file, or a stored version), or written for the change between two texts."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import DocumentOption, database, document_of, out, read_text, version_number
from regdraft.cli.texts import side_of
from regdraft.core.instructions import generate, parse, render_instructions
from regdraft.core.patching import make_patch
from regdraft.core.traditions import DEFAULT_KIND, KINDS

instructions_app = typer.Typer(name="instructions", no_args_is_help=True, rich_markup_mode=None,
                               help="Amending instructions: apply them to a text, or write them for a change.")
app.add_typer(instructions_app)

Kind = Enum("Kind", {kind: kind for kind in KINDS}, type=str)
KindOption = Annotated[Optional[Kind], typer.Option(
    "--kind", "-k", show_default=False,
    help=f"The drafting tradition the instructions are written in (default: {DEFAULT_KIND}).")]


class Output(str, Enum):
    text = "text"
    patch = "patch"


def _text_of(spec: str, document: str | None) -> str:
    """The text a VERSION argument names: a file, or a stored version (N, head, document@N)."""
    kind, value = side_of(spec)
    if kind == "file":
        return read_text(value)
    from regdraft.services import documents

    doc_slug, number = value
    with database(read_only=True) as session:
        doc = document_of(session, doc_slug or document)
        return documents.get_version(session, doc, version_number(session, doc, number)).text


@instructions_app.command("apply")
def apply_instructions(
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False,
                                         help="The instructions, as a UTF-8 text file.")],
    version: Annotated[str, typer.Argument(metavar="VERSION", show_default=False,
                                           help="A file, or a version: N, head, or document@N.")],
    kind: KindOption = None,
    output: Annotated[Output, typer.Option(
        "--output", "-o", help="text: the amended text; patch: the patch from VERSION to it, to propose.")
    ] = Output.text,
    document: DocumentOption = None,
) -> None:
    """Read the instructions in FILE and apply them, in order, to VERSION; print the
    amended text (or the patch). An instruction that cannot be read or applied is a
    one-line error naming it ("instruction 3: no provision 'regulation 9'"), exit 1."""
    instructions = read_text(file)
    old = _text_of(version, document)
    new = parse(instructions, old, kind=(kind.value if kind else DEFAULT_KIND))
    out(new if output is Output.text else make_patch(old, new))


@instructions_app.command("write")
def write_instructions(
    old: Annotated[str, typer.Argument(metavar="OLD", show_default=False,
                                       help="A file, or a version: N, head, or document@N.")],
    new: Annotated[str, typer.Argument(metavar="NEW", show_default=False, help="A file or a version.")],
    kind: KindOption = None,
    document: DocumentOption = None,
) -> None:
    """Print the numbered instructions that turn OLD into NEW, in the tradition of --kind;
    `instructions apply` reads them back to NEW exactly."""
    chosen = kind.value if kind else DEFAULT_KIND
    out(render_instructions(generate(_text_of(old, document), _text_of(new, document), kind=chosen), kind=chosen))
