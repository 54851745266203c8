"""``regdraft render``: a redline, a Keeling schedule or one version in any of the
API's formats, written to stdout or to a file. Two files are compared without the
database. Word and PDF are not text: they go to a file (``-o``) or a pipe, never to a
terminal. ``regdraft outcome``: the consultation's outcome."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import urlsplit

import typer

from regdraft import json_text
from regdraft.cli.app import app
from regdraft.cli.common import (DocumentOption, KindOption, database, document_of, out, slug_list, usage_error,
                                 version_number)
from regdraft.cli.texts import AmendmentsOption, compared_amendments, comparison_of, side_of, unified_of_files
from regdraft.core.errors import InvalidInput
from regdraft.services.rendering_formats import BINARY, FORMATS

RenderFormat = Enum("RenderFormat", {name: name for name in FORMATS}, type=str)


@app.command()
def render(
    a: Annotated[str, typer.Argument(metavar="A", show_default=False,
                                     help="A file, or a version: N, head, or document@N.")],
    b: Annotated[Optional[str], typer.Argument(
        metavar="B", show_default=False,
        help="A file or a version (leave out with --amendments or --keeling, or to render version A "
             "itself).")] = None,
    format: Annotated[RenderFormat, typer.Option(
        "--format", "-f", case_sensitive=False,
        help="html: a complete printable page; fragment: the html body alone; criticmarkup: Markdown with "
             "CriticMarkup marks; unified: a line diff; json: changes by provision; instructions: "
             "numbered amending instructions; docx: Word, changes as tracked changes; pdf: the Word document "
             "laid out for print; akn: one version as an Akoma Ntoso 3.0 act (with --amendments SLUG: that "
             "amendment as an AKN amendment document).")] = RenderFormat.html,
    document: DocumentOption = None,
    kind: KindOption = None,
    amendments: AmendmentsOption = None,
    keeling: Annotated[bool, typer.Option(
        "--keeling", help="A Keeling schedule of version A as amended by --amendments (default: every draft, "
                          "proposed or accepted amendment of A); conflicting amendments are stated, not "
                          "applied.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="Write to FILE (replaced whole, only once the rendering succeeded) instead of stdout.")] = None,
    link_base: Annotated[Optional[str], typer.Option(
        "--link-base", metavar="URL", show_default=False,
        help="With --keeling: link the notes to the reviewer pages of the regdraft site at URL "
             "(https://host[:port]), so that a file opened away from the site still leads to the amendments "
             "and the quoted responses (default: the API's paths on the same site).")] = None,
) -> None:
    """Render a comparison (two files, two versions, a file and a version, or a version
    and amendments) or a Keeling schedule, in the formats the API serves."""
    if link_base is not None and not keeling:
        raise usage_error("--link-base applies to --keeling, whose notes carry links")
    if keeling:
        if b is not None:
            raise usage_error("--keeling renders one version: give A only")
        text = _schedule(a, slug_list(amendments) if amendments is not None else None, document, format.value,
                         None if link_base is None else _site(link_base))
    elif b is None and amendments is None:
        text = _version(a, document, format.value)
    elif b is None and format.value == "akn":
        text = _amendment(a, slug_list(amendments), document)
    else:
        slugs = compared_amendments(b, amendments)
        files = unified_of_files(a, b, slugs, kind) if format.value == "unified" else None
        if files is not None:
            text = files
        else:
            from regdraft.services.rendering import render as render_as

            text = render_as(comparison_of(a, b, slugs, document, kind), format.value)
    if output is None:
        _out(text, format.value)
    else:
        _write(output, text)


def _out(rendering: str | bytes, format: str) -> None:
    if isinstance(rendering, str):
        out(rendering)
        return
    if format in BINARY and sys.stdout.isatty():
        raise usage_error(f"{format} is not text: write it to a file with --output FILE (or pipe it)")
    sys.stdout.flush()
    sys.stdout.buffer.write(rendering)
    sys.stdout.buffer.flush()


def _version(a: str, document: str | None, format: str) -> str | bytes:
    """Version A itself: a whole document (akn, docx, pdf), or the clean text."""
    from regdraft.services import rendering

    doc_slug, number = _version_side(a, document, "rendering one version")
    with database(read_only=True) as session:
        doc = document_of(session, doc_slug or document)
        return rendering.render(rendering.version_export(session, doc, version_number(session, doc, number)), format)


def _amendment(a: str, slugs: list[str], document: str | None) -> bytes:
    """One amendment of version A (its base) as an Akoma Ntoso amendment document."""
    from regdraft.services import rendering

    if len(slugs) != 1:
        raise usage_error("-f akn renders one amendment: give --amendments SLUG")
    doc_slug, number = _version_side(a, document, "rendering an amendment")
    with database(read_only=True) as session:
        doc = document_of(session, doc_slug or document)
        export = rendering.amendment_export(session, doc, slugs[0])
        if version_number(session, doc, number) != export.about.base.version:
            raise InvalidInput(f"amendment {slugs[0]!r} is made against version {export.about.base.version}, "
                               f"not {a}: an AKN amendment document is of its own base", field="version")
        return rendering.render(export, "akn")


def _version_side(a: str, document: str | None, what: str) -> tuple[str | None, str]:
    kind, value = side_of(a)
    if kind != "version":
        raise InvalidInput(f"{a}: {what} needs a version (N, head, or document@N), not a file")
    doc_slug, number = value
    if doc_slug and document and doc_slug != document:
        raise InvalidInput(f"{a} names document {doc_slug!r} but --document is {document!r}")
    return doc_slug, number


def _site(url: str) -> str:
    """``--link-base``: an http(s) site, without a path, query or fragment."""
    site = urlsplit(url.strip())
    if site.scheme not in ("http", "https") or not site.netloc or site.path.strip("/") or site.query or site.fragment:
        raise InvalidInput(f"--link-base {url!r}: give the site as http(s)://host[:port]", field="link-base")
    return f"{site.scheme}://{site.netloc}"


def _schedule(a: str, slugs: list[str] | None, document: str | None, format: str, site: str | None) -> str | bytes:
    from regdraft.services import rendering

    if slugs == []:
        raise usage_error("--amendments needs at least one amendment slug")
    doc_slug, number = _version_side(a, document, "--keeling")
    with database(read_only=True) as session:
        doc = document_of(session, doc_slug or document)
        n = version_number(session, doc, number)
        chosen = rendering.schedule_amendments(session, doc, n) if slugs is None else slugs
        # Rendered inside the transaction: the schedule's rows expire when it ends.
        links = rendering.Links() if site is None else rendering.page_links(site)
        return rendering.render(rendering.keeling_schedule(session, doc, n, chosen, links), format)


def _write(path: Path, rendering: str | bytes) -> None:
    """Write beside the target and rename over it, so a failure never leaves half a file."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidInput(f"{path}: no such directory {str(directory)!r}")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        data = rendering.encode("utf-8") if isinstance(rendering, str) else rendering
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutcomeFormat(str, Enum):
    md = "md"
    html = "html"
    json = "json"


@app.command()
def outcome(
    document: DocumentOption = None,
    format: Annotated[OutcomeFormat, typer.Option("--format", "-f", help="md (Markdown), html (a printable "
                                                                         "page) or json.")] = OutcomeFormat.md,
    site: Annotated[Optional[str], typer.Option(
        "--site", metavar="URL", show_default=False,
        help="The server's address, so the Markdown's links work away from it (default: relative links).")] = None,
) -> None:
    """The consultation's outcome, as a government response sets it out: for each
    provision, in drafting order, who responded and with what stance, the passages the
    amendments cite (linked to the quoted place), the amendments, and what was decided
    and why."""
    from regdraft.services import outcome as outcome_service

    with database(read_only=True) as session:
        result = outcome_service.outcome(session, document_of(session, document))
    if format is OutcomeFormat.json:
        text = json_text.pretty(outcome_service.as_json(result))
    elif format is OutcomeFormat.html:
        text = outcome_service.render_html(result)
    else:
        text = outcome_service.render_markdown(result, site=(site or "").rstrip("/"))
    typer.echo(text, nl=False)
