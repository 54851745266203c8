"""What the commands share: the error contract (one line on stderr, exit statuses),
reading input files, writing results, hunk report lines, the database session, and
the options every database command takes.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

try:  # typer >= 0.20 carries its own copy of click
    from typer._click import exceptions as click_exceptions
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on click
    from click import exceptions as click_exceptions
    from click import get_current_context

from regdraft.core.errors import (Conflict, InvalidInput, InvalidText, NotFound, PatchDoesNotApply,
                                  RegdraftError)
from regdraft.core.patching import HunkResult, HunkStatus, parse_patch
from regdraft.core.text import decode, line_of, normalise

if TYPE_CHECKING:
    from sqlmodel import Session

    from regdraft.settings import Settings
    from regdraft.store.models import Document

PROG = "regdraft"
HASH_PREFIX = 8

# Exit statuses.
OK, FAILED, USAGE = 0, 1, 2


# --------------------------------------------------------------------------------------
# Errors: one line on stderr, a status by kind.
# --------------------------------------------------------------------------------------

def one_line(message: str) -> str:
    return " ".join(str(message).split())


def say(message: str) -> None:
    typer.echo(f"{PROG}: {one_line(message)}", err=True)


def exit_status(error: RegdraftError) -> int:
    """2 for what the user asked wrongly (invalid input, names that do not exist);
    1 for a valid request that did not work (conflicts with the state, failed hunks)."""
    if isinstance(error, (Conflict, PatchDoesNotApply)):
        return FAILED
    if isinstance(error, (InvalidInput, NotFound)):
        return USAGE
    return FAILED


def hunk_dict_line(hunk: dict) -> str:
    """A report line from :meth:`HunkResult.as_dict` (errors carry the dicts)."""
    n, status = hunk["hunk"], hunk["status"]
    if status == HunkStatus.FAILED.value:
        return f"hunk {n}: failed (expected at offset {hunk['expected_at']})"
    shift, found = hunk.get("shift") or 0, hunk.get("found_at")
    if status == HunkStatus.EXACT.value:
        return f"hunk {n}: exact at offset {found}"
    if status == HunkStatus.SHIFTED.value:
        return f"hunk {n}: shifted by {shift:+d} (at offset {found})"
    score = f", score {hunk['score']}" if hunk.get("score") is not None else ""
    return f"hunk {n}: fuzzy match at offset {found}" + (f", shifted by {shift:+d}" if shift else "") + score


def hunk_line(result: HunkResult) -> str:
    """``hunk 1: exact at offset 1021``, ``hunk 1: shifted by +540 (at offset 1561)``,
    ``hunk 2: fuzzy match at offset 98, shifted by -3``,
    ``hunk 3: failed (expected at offset 1040)``. Hunks are numbered from 1."""
    return hunk_dict_line(result.as_dict())


def usage_error(message: str) -> click_exceptions.UsageError:
    """A usage error for the running command (exit status 2), to raise."""
    return click_exceptions.UsageError(message, get_current_context(silent=True))


class SettingsError(Exception):
    """Settings from the environment that cannot be used."""


# --------------------------------------------------------------------------------------
# Reading input and writing output.
# --------------------------------------------------------------------------------------

def read_bytes(path: Path) -> bytes:
    name = str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{name}: no such file", path=name) from None
    except IsADirectoryError:
        raise InvalidInput(f"{name}: is a directory, not a file", path=name) from None
    except PermissionError:
        raise InvalidInput(f"{name}: permission denied", path=name) from None
    except OSError as exc:
        raise InvalidInput(f"{name}: cannot be read: {exc.strerror or exc}", path=name) from None


def _decode(data: bytes, name: str) -> str:
    try:
        return decode(data, what=name)
    except InvalidText as exc:
        offset = exc.extra.get("offset", 0)
        line = data.count(b"\n", 0, offset) + 1
        raise InvalidText(f"{name}:{line}: not valid UTF-8 (byte {offset} is "
                          f"{data[offset:offset + 1]!r})", path=name, line=line, offset=offset) from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # a form feed is a line end (normalise)


def _no_controls(text: str, name: str) -> None:
    bad = _CONTROL.search(text)
    if bad is not None:
        line = line_of(text, bad.start())
        raise InvalidText(f"{name}:{line}: contains control character U+{ord(bad.group()):04X} "
                          f"(at offset {bad.start()})", path=name, line=line, offset=bad.start())


def read_text(path: Path) -> str:
    """A text file, decoded as UTF-8 and normalised (``core.text.normalise``); errors name
    the file and line."""
    name = str(path)
    text = _decode(read_bytes(path), name)
    try:
        return normalise(text, what=name)
    except InvalidText:
        # normalise refuses the same controls, but gives the offset in the text with its
        # line ends made "\n": the file's line and offset are found again only here, so
        # a good file is scanned for controls once.
        _no_controls(text.replace("\r", "\n"), name)
        raise


def read_patch(path: Path) -> str:
    """Patch text from a file, as written (CRLF line ends accepted: a real carriage return
    inside a hunk is escaped as ``%0D``); parsed once here so a bad patch is reported
    with the file's name and the line."""
    name = str(path)
    text = _decode(read_bytes(path), name).replace("\r\n", "\n")
    _no_controls(text, name)
    try:
        parse_patch(text)
    except RegdraftError as exc:
        raise type(exc)(f"{name}: {exc.message}", **exc.extra) from None
    return text


def out(text: str) -> None:
    """Write a result to stdout as it is (texts and patches carry their own final newline)."""
    typer.echo(text, nl=False)


def short(digest: str | None) -> str:
    return digest[:HASH_PREFIX] if digest else "-"


def utc_time(value: datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor_name(actor: str | None) -> str:
    if actor and actor.strip():
        return actor.strip()
    from_env = os.environ.get("REGDRAFT_ACTOR", "").strip()
    if from_env:
        return from_env
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown"


ActorOption = Annotated[Optional[str], typer.Option(
    "--actor", metavar="NAME", show_default=False,
    help="Who is acting, for the event log (default: $REGDRAFT_ACTOR, else the OS user name).")]
DocumentOption = Annotated[Optional[str], typer.Option(
    "--document", "-d", metavar="SLUG", show_default=False,
    help="The document (default: $REGDRAFT_DOCUMENT, else the only document in the database).")]
ReasonOption = Annotated[Optional[str], typer.Option(
    "--reason", "-r", metavar="TEXT", show_default=False,
    help="Why: kept with the decision, in the event log, on the pages, in Keeling notes and exports "
         "(required to reject).")]
ReasonFileOption = Annotated[Optional[Path], typer.Option(
    "--reason-file", metavar="FILE", show_default=False, help="The reason, read from a file.")]


def reason_text(reason: str | None, reason_file: Path | None) -> str:
    """The reason given by ``--reason`` or ``--reason-file``, held to the API's text rules."""
    from regdraft.core.policy import check_text

    if reason is not None and reason_file is not None:
        raise usage_error("give --reason or --reason-file, not both")
    return check_text(read_text(reason_file) if reason_file is not None else (reason or ""), "reason")


KindOption = Annotated[Optional[str], typer.Option(
    "--kind", "-k", metavar="KIND", show_default=False,
    help="How to read the texts' provisions: uk-si, uk-act, us-cfr or eu-act (default: the document's "
         "kind for stored versions, else uk-si).")]


# --------------------------------------------------------------------------------------
# The database.
# --------------------------------------------------------------------------------------

def load_settings() -> Settings:
    from pydantic import ValidationError

    from regdraft.settings import get_settings

    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"REGDRAFT_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None
    ctx = get_current_context(silent=True)
    url = ctx.find_root().obj.get("database_url") if ctx is not None and ctx.find_root().obj else None
    if url:
        settings = settings.model_copy(update={"database_url": url})
    from regdraft.services.amendments import QUOTE_MINIMUM
    QUOTE_MINIMUM.set_from(settings)
    return settings


@contextlib.contextmanager
def database(*, read_only: bool = False) -> Iterator[Session]:
    """A migrated database and one transaction: committed when the block succeeds,
    rolled back when it raises. ``read_only`` lets SQLite readers run beside a writer."""
    from sqlalchemy.exc import ArgumentError

    from regdraft.services import comments
    from regdraft.store.engine import make_engine, migrate, session_scope

    settings = load_settings()
    comments.configure(settings)
    try:
        engine = make_engine(settings.database_url)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(f"REGDRAFT_DATABASE_URL: {one_line(str(exc))}") from None
    try:
        migrate(engine)
        with session_scope(engine) as session:
            if read_only and engine.dialect.name == "sqlite":
                session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            yield session
    finally:
        engine.dispose()


def document_of(session: Session, slug: str | None) -> Document:
    from regdraft.services import documents

    slug = slug or os.environ.get("REGDRAFT_DOCUMENT", "").strip() or None
    if slug:
        return documents.get_document(session, slug)
    found, total = documents.list_documents(session, limit=2)
    if total == 1:
        return found[0]
    if total == 0:
        raise InvalidInput("there are no documents yet: run 'regdraft load' first")
    raise InvalidInput(f"there are {total} documents: name one with --document SLUG (see 'regdraft documents')")


def version_number(session: Session, document: Document, number: int | None) -> int:
    """``number``, or the head's number when it is ``None``."""
    from regdraft.services import documents

    if number is not None:
        return number
    head = documents.head(session, document)
    if head is None:
        raise NotFound(f"document {document.slug!r} has no versions yet", document=document.slug)
    return head.number


def stakeholder_slug(session: Session, stakeholder_id: int) -> str:
    from regdraft.store.models import Stakeholder

    return session.get(Stakeholder, stakeholder_id).slug


def provisions_text(provisions: Iterable[tuple[str, str]]) -> str:
    """``regulation 3(3) (reg-3-3), …`` of (label, id) pairs, or ``no provision``."""
    return ", ".join(f"{label} ({provision_id})" for label, provision_id in provisions) or "no provision"


class StatusName(str, Enum):
    """An amendment's status, as a command-line choice."""

    draft = "draft"
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    fallen = "fallen"


def print_report(lines: list[str]) -> None:
    """A hunk report, on stderr."""
    for line in lines:
        typer.echo(line, err=True)


def slug_list(values: list[str] | None) -> list[str]:
    """Slugs given as repeated options and/or comma-separated (``-a a,b -a c``)."""
    return [s.strip() for value in values or () for s in value.split(",") if s.strip()]
