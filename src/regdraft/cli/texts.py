"""Commands on texts: ``patch``, ``apply`` and ``diff``. On files they never open the
database (like ``git diff --no-index``); on versions and amendments they do."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from regdraft import json_text
from regdraft.cli.app import app
from regdraft.cli.common import (FAILED, DocumentOption, KindOption, database, document_of, hunk_line, out,
                                 print_report, read_patch, read_text, say, slug_list, usage_error, version_number)
from regdraft.core.errors import InvalidInput
from regdraft.core.patching import apply_patch, make_patch, parse_patch

if TYPE_CHECKING:
    from regdraft.services.comparisons import Comparison


@app.command()
def patch(
    old: Annotated[Path, typer.Argument(metavar="OLD.md", show_default=False)],
    new: Annotated[Path, typer.Argument(metavar="NEW.md", show_default=False)],
) -> None:
    """Print the patch that turns OLD into NEW (diff-match-patch patch text, as upstream
    patch_toText writes and patch_fromText reads). Both files are read as UTF-8 and
    normalised first. Identical texts give an empty patch."""
    out(make_patch(read_text(old), read_text(new)))


@app.command()
def apply(
    args: Annotated[list[str], typer.Argument(
        metavar="PATCH FILE | AMENDMENT", show_default=False,
        help="File mode: a patch file and the file to patch. Database mode (with --document or "
             "--version): the amendments to apply, in order.")],
    document: Annotated[Optional[str], typer.Option(
        "--document", "-d", metavar="SLUG", show_default=False,
        help="Database mode: the document whose amendments to apply.")] = None,
    version: Annotated[Optional[int], typer.Option(
        "--version", "-v", metavar="N", min=1, show_default=False,
        help="Database mode: the version to apply them to (default: the head).")] = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="When hunks fail, print the text with the other hunks applied.")] = False,
    report: Annotated[bool, typer.Option(
        "--report", help="Print the hunk report on stderr even when every hunk applied.")] = False,
) -> None:
    """Apply a patch to a file, or amendments to a version, and print the result.

    Every hunk is reported (exact, shifted, fuzzy or failed). If any hunk failed the
    report goes to stderr, nothing goes to stdout (unless --partial), and the exit
    status is 1.
    """
    if document is not None or version is not None:
        _apply_amendments(args, document, version, partial=partial, report=report)
        return
    if len(args) != 2:
        raise usage_error(
            f"file mode takes PATCH and FILE.md (got {len(args)} argument{'s' if len(args) != 1 else ''}); "
            "to apply amendments give --document SLUG or --version N")
    patch_text = read_patch(Path(args[0]))
    text = read_text(Path(args[1]))
    result = apply_patch(parse_patch(patch_text), text, partial=partial)
    lines = [hunk_line(h) for h in result.hunks]
    if not result.ok:
        if result.text is not None:
            out(result.text)
        print_report(lines)
        failed = sum(not h.applied for h in result.hunks)
        say(f"patch does not apply to {args[1]}: {failed} of {len(result.hunks)} hunks failed")
        raise typer.Exit(FAILED)
    out(result.text or "")
    if report:
        print_report(lines)


def _apply_amendments(slugs: list[str], document: str | None, version: int | None, *, partial: bool,
                      report: bool) -> None:
    from regdraft.services import amendments as amendment_service
    from regdraft.services import documents

    with database(read_only=True) as session:
        doc = document_of(session, document)
        base = documents.get_version(session, doc, version_number(session, doc, version))
        chosen = amendment_service.resolve(session, doc, slugs)
        outcome = amendment_service.apply_amendments(session, doc, base, chosen, partial=partial)
        # Everything printed is read before the session closes (its rows expire then).
        name = f"{doc.slug}@{base.number}"
        lines = [f"{step.amendment.slug}: {hunk_line(h)}" for step in outcome.steps for h in step.hunks]
        lines += [f"{a.slug}: not applied (an earlier amendment failed)" for a in chosen[len(outcome.steps):]]
        failed = [step.amendment.slug for step in outcome.steps if not step.ok]
    if failed:
        if partial and outcome.text is not None:
            out(outcome.text)
        print_report(lines)
        say(f"{', '.join(failed)} {'does' if len(failed) == 1 else 'do'} not apply to {name}"
             + ("" if partial else ": nothing applied"))
        raise typer.Exit(FAILED)
    out(outcome.text or "")
    if report:
        print_report(lines)


# --------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------

class DiffFormat(str, Enum):
    unified = "unified"
    json = "json"


_VERSION_SPEC = re.compile(r"^(?:(?P<doc>[a-z0-9]+(?:-[a-z0-9]+)*)@)?(?P<n>\d+|head)$")


def side_of(arg: str) -> tuple[str, Any]:
    """What one side of a diff names: ``("file", Path)`` for an existing file, else
    ``("version", (document or None, number or None for head))``."""
    path = Path(arg)
    if path.is_file():
        return "file", path
    match = _VERSION_SPEC.match(arg)
    if match is None:
        if path.exists():
            raise InvalidInput(f"{arg}: is not a file")
        raise InvalidInput(f"{arg}: no such file, and not a version (N, head, or document@N)")
    n = match.group("n")
    return "version", (match.group("doc"), None if n == "head" else int(n))


def comparison_of(a: str, b: str | None, amendments: list[str], document: str | None,
                  kind: str | None = None) -> Comparison:
    """What ``diff A B`` and ``render A B`` compare (files, versions, or a version and
    amendments), resolved in a read-only transaction of its own when the database is needed.
    Files are read as ``kind`` (default: a stored version's document's kind, else uk-si);
    stored versions of one document, always as their document's kind."""
    from regdraft.core.traditions import DEFAULT_KIND
    from regdraft.services import comparisons

    _check_kind(kind)
    sides = [side_of(a)] + ([side_of(b)] if b is not None else [])
    if amendments:
        if sides[0][0] != "version":
            raise InvalidInput("--amendments compares a version with amendments: give a version, not a file")
    if all(kind == "file" for kind, _ in sides):
        (_, old), (_, new) = sides
        return comparisons.compare_texts(str(old), read_text(old), str(new), read_text(new), kind or DEFAULT_KIND,
                                         normalised=True)
    # Files are read before the database is opened: a bad file is reported as such.
    texts = {i: read_text(value) for i, (kind, value) in enumerate(sides) if kind == "file"}
    with database(read_only=True) as session:
        from regdraft.services import documents

        resolved = []
        for i, (kind, value) in enumerate(sides):
            if kind == "file":
                resolved.append((str(value), texts[i], None))
                continue
            doc_slug, number = value
            if doc_slug and document and doc_slug != document:
                raise InvalidInput(f"{a if i == 0 else b} names document {doc_slug!r} but --document is {document!r}")
            doc = document_of(session, doc_slug or document)
            v = documents.get_version(session, doc, version_number(session, doc, number))
            resolved.append((f"{doc.slug}@{v.number}", v.text, (doc, v.number)))
        if amendments:
            doc, number = resolved[0][2]
            return comparisons.compare_amendments(session, doc, number, amendments)
        (old_name, old_text, old_ref), (new_name, new_text, new_ref) = resolved
        if old_ref and new_ref and old_ref[0].id == new_ref[0].id:
            return comparisons.compare_versions(session, old_ref[0], old_ref[1], new_ref[1])
        stored = next(ref[0] for ref in (old_ref, new_ref) if ref)
        # Files are read normalised (read_text), and so are stored texts.
        return comparisons.compare_texts(old_name, old_text, new_name, new_text, kind or stored.kind,
                                         normalised=True)


def _check_kind(kind: str | None) -> None:
    from regdraft.core.traditions import KINDS

    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"--kind {kind!r} is not a kind of document: use one of {', '.join(KINDS)}")


def unified_of_files(a: str, b: str | None, amendments: list[str], kind: str | None) -> str | None:
    """The unified diff of ``diff A B`` where A and B are both files (``None`` where
    either is a version, or amendments are given: :func:`comparison_of` decides those).
    A unified diff is difflib's line diff labelled by the old text's provisions, so the
    provision diff the other forms need (both texts' structure, aligned and word-diffed)
    is not made for it: the same text, in half the time."""
    from regdraft.core.diffing import unified_diff
    from regdraft.core.traditions import DEFAULT_KIND

    _check_kind(kind)
    if amendments or b is None:
        return None
    (old_side, old), (new_side, new) = side_of(a), side_of(b)
    if old_side != "file" or new_side != "file":
        return None
    return unified_diff(read_text(old), read_text(new), old_name=str(old), new_name=str(new),
                        kind=kind or DEFAULT_KIND)


def compared_amendments(b: str | None, amendments: list[str] | None) -> list[str]:
    """The slugs of ``--amendments``, checked against B: one or the other is needed."""
    slugs = slug_list(amendments)
    if amendments is not None and not slugs:
        raise usage_error("--amendments needs at least one amendment slug")
    if slugs and b is not None:
        raise usage_error("give either B or --amendments, not both")
    if not slugs and b is None:
        raise usage_error("missing B: give two files or versions, or a version and --amendments")
    return slugs


AmendmentsOption = Annotated[Optional[list[str]], typer.Option(
    "--amendments", "-a", metavar="SLUG[,SLUG...]", show_default=False,
    help="Compare version A with these amendments applied to it in order.")]


@app.command()
def diff(
    a: Annotated[str, typer.Argument(metavar="A", show_default=False,
                                     help="A file, or a version: N, head, or document@N.")],
    b: Annotated[Optional[str], typer.Argument(metavar="B", show_default=False,
                                               help="A file or a version (leave out with --amendments).")] = None,
    format: Annotated[DiffFormat, typer.Option(
        "--format", "-f", case_sensitive=False,
        help="unified: line diff with provision labels in the @@ headers; json: changes grouped by "
             "provision (the API's shape).")] = DiffFormat.unified,
    document: DocumentOption = None,
    kind: KindOption = None,
    amendments: AmendmentsOption = None,
    unchanged: Annotated[bool, typer.Option(
        "--unchanged", help="json: include the unchanged provisions too (they rebuild both texts).")] = False,
) -> None:
    """Compare two files, two versions, a file with a version, or a version with
    amendments applied to it. Two existing files never touch the database (like
    git diff --no-index). The exit status is 0 whether or not there are differences."""
    slugs = compared_amendments(b, amendments)
    if format is DiffFormat.unified and (files := unified_of_files(a, b, slugs, kind)) is not None:
        out(files)
        return
    comparison = comparison_of(a, b, slugs, document, kind)
    if format is DiffFormat.json:
        out(json_text.pretty(comparison.as_json(unchanged=unchanged)))
    else:
        out(comparison.unified())
