"""The Typer app and its error contract: every error one line on stderr
(``regdraft: <message>``) with an exit status by kind, never a traceback for
something a user did.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup
from typer.main import get_group

from regdraft.cli.common import (FAILED, OK, PROG, USAGE, SettingsError, click_exceptions, exit_status,
                                 hunk_dict_line, one_line, say)
from regdraft.core.errors import PatchDoesNotApply, RegdraftError


def _report_error(error: RegdraftError) -> int:
    hunks = error.extra.get("hunks") if isinstance(error, PatchDoesNotApply) else None
    prefix = f"{error.extra['amendment']}: " if isinstance(error.extra.get("amendment"), str) else ""
    for hunk in hunks or ():
        if isinstance(hunk, dict) and "hunk" in hunk:
            typer.echo(prefix + hunk_dict_line(hunk), err=True)
    say(error.message)
    return exit_status(error)


def _usage_hint(error: click_exceptions.UsageError) -> str:
    ctx = error.ctx
    if ctx is None:
        return ""
    return f" (see '{ctx.command_path} --help')"


# Every command by name, with the module of regdraft.cli that defines it, in the order
# --help lists them. A module is imported the first time one of its commands is looked
# up, so a file command does not pay for importing (and Typer for reading the signatures
# of) the thirty others; --help imports them all.
COMMANDS: dict[str, str] = {
    "patch": "texts", "apply": "texts", "diff": "texts", "structure": "structure", "render": "rendering",
    "outcome": "rendering", "load": "files", "export": "files", "import": "importing", "new": "importing",
    "version": "adding", "stakeholder": "adding", "response": "adding",
    "documents": "listing", "versions": "listing", "amendments": "listing", "log": "listing",
    "search": "listing", "propose": "drafting", "accept": "drafting", "status": "drafting",
    "conflicts": "drafting", "xref": "drafting", "decide": "drafting", "falls-if": "drafting",
    "rebase": "drafting", "stale": "drafting", "comments": "discussion", "serve": "server",
    "openapi": "server", "verify": "trust", "instructions": "instructions", "comment": "discussion",
    "token": "trust",
}


class LazyCommands(MutableMapping[str, Any]):
    """The group's Click commands by name: those of :data:`COMMANDS` are built when first
    looked up, after their module is imported (which registers them on :data:`app`)."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self._built = dict(built)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in COMMANDS:
            self._load(COMMANDS[name])
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in COMMANDS

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def _load(self, module: str) -> None:
        commands, groups = len(app.registered_commands), len(app.registered_groups)
        importlib.import_module(f"regdraft.cli.{module}")
        registered = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
        registered.registered_commands = app.registered_commands[commands:]
        registered.registered_groups = app.registered_groups[groups:]
        for name, command in get_group(registered).commands.items():
            self._built.setdefault(name, command)


class RegdraftGroup(TyperGroup):
    """Typer's group, with every error reported on one line and mapped to an exit status,
    and its commands built as they are asked for (:class:`LazyCommands`).

    Click runs in non-standalone mode so that its exceptions, and ours, come back here
    instead of being printed as usage blocks or tracebacks.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(self.commands)  # the names alone: building every command is --help's cost only

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        sys.exit(self._run(args, prog_name or PROG, complete_var, **extra))

    def _run(self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exceptions.NoArgsIsHelpError as error:
            typer.echo(error.ctx.get_help() if error.ctx else "", err=True)
            return USAGE
        except click_exceptions.UsageError as error:
            say(error.format_message().rstrip(".") + _usage_hint(error))
            return error.exit_code
        except click_exceptions.ClickException as error:
            say(error.format_message())
            return error.exit_code
        except typer.Abort:
            say("aborted")
            return FAILED
        except RegdraftError as error:
            return _report_error(error)
        except SettingsError as error:
            say(str(error))
            return USAGE
        except Exception as error:  # noqa: BLE001 - environment failures, reported on one line
            described = _describe_environment_error(error)
            if described is None:
                raise
            say(described)
            return FAILED
        return result if isinstance(result, int) else OK


def _describe_environment_error(error: Exception) -> str | None:
    """One line for failures of the environment (database unreachable, disk full);
    ``None`` for anything else, which is a bug and keeps its traceback."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, DBAPIError):
        original = getattr(error, "orig", None) or error
        return f"database error: {one_line(str(original)).split(' [SQL:')[0]}"
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return None


def _version_callback(value: bool) -> None:
    if value:
        import regdraft

        typer.echo(f"{PROG} {regdraft.__version__}")
        raise typer.Exit()


app = typer.Typer(
    name=PROG, cls=RegdraftGroup, no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    pretty_exceptions_enable=False, context_settings={"help_option_names": ["-h", "--help"]},
    help="Versioned draft regulations, amendments as patches, traceable redlines. "
         "See docs/cli.md for every command with examples.")


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Annotated[Optional[str], typer.Option(
        "--database-url", metavar="URL",
        help="SQLAlchemy URL of the database (default: $REGDRAFT_DATABASE_URL, else "
             "sqlite:///var/regdraft.sqlite under the current directory).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {"database_url": database_url}
