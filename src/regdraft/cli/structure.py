"""``structure``: the units a file's text is divided into and what looks wrong, as the
parser reads it for a document kind. A file command: it never opens the database."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from regdraft import json_text
from regdraft.cli.app import app
from regdraft.cli.common import out, read_text
from regdraft.core.structure import Structure, parse_structure
from regdraft.core.structure_report import levels, structure_report, unit_counts
from regdraft.core.traditions import DEFAULT_KIND, KINDS

Kind = Enum("Kind", {kind: kind for kind in KINDS}, type=str)


class StructureFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def structure(
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False)],
    kind: Annotated[Kind, typer.Option(
        "--kind", "-k", help="The document kind whose drafting tradition the text follows.")] = Kind(DEFAULT_KIND),
    format: Annotated[StructureFormat, typer.Option(
        "--format", "-f", help="text: one unit a line, indented by level; json: units, counts and warnings.")
    ] = StructureFormat.text,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Refuse the text (exit 2, one line naming the line and unit) if anything is warned of.")
    ] = False,
) -> None:
    """Print the units of FILE (id, label, level, start and end offsets) and the warnings
    the parser gives: a long text with no units, duplicate labels, jumps and steps back
    in numbering, quoted amending text, consolidation markers, labels the kind does not
    know. The file is read as UTF-8 and normalised first, as a version would be."""
    found = parse_structure(read_text(file), kind=kind.value, strict=strict)
    out(json_text.pretty(structure_report(found)) if format is StructureFormat.json
        else structure_lines(found))


def structure_lines(found: Structure) -> str:
    depth = levels(found)
    lines = [f"{found.kind}: {len(found.provisions)} units ("
             + ", ".join(f"{n} {k}" for k, n in unit_counts(found).items())
             + ")"]
    width = max((2 * depth[p.id] + len(p.id) for p in found.provisions), default=0)
    for p in found.provisions:
        name = "  " * depth[p.id] + p.id
        lines.append(f"{name:<{width}}  {p.label}  [{p.kind}, level {depth[p.id]}]  {p.start}-{p.end}"
                     + (f"  {p.heading}" if p.heading else ""))
    for w in found.warnings:
        lines.append(f"warning: line {w.line}" + (f" ({w.provision_id})" if w.provision_id else "")
                     + f": {w.code}: {w.message}")
    return "\n".join(lines) + "\n"
