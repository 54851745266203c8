"""``token`` (create, list, revoke API tokens) and ``verify`` (check the whole store).

These commands open the database directly, so whoever runs them already holds
everything a token could grant: they need no token themselves.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import FAILED, ActorOption, actor_name, database, say, utc_time
from regdraft.services.auth import ROLES

token_app = typer.Typer(name="token", no_args_is_help=True, rich_markup_mode=None,
                        help="API tokens: create (printed once), list, revoke.")
app.add_typer(token_app)

RoleName = Enum("RoleName", {role: role for role in ROLES}, type=str)


@token_app.command("create")
def create_token(
    role: Annotated[RoleName, typer.Option(show_default=False,
                                           help="reader, stakeholder, drafter, reviewer or admin.")],
    stakeholder: Annotated[Optional[str], typer.Option(
        metavar="SLUG", show_default=False,
        help="The stakeholder a stakeholder token speaks for (that role only).")] = None,
    name: Annotated[Optional[str], typer.Option(
        metavar="NAME", show_default=False,
        help="The token's name, recorded as the actor of what it does (default: role or stakeholder "
             "and a random suffix).")] = None,
    person: Annotated[str, typer.Option(
        metavar="NAME", show_default=False,
        help="Who holds it: the author of the versions it makes (default: the token's name).")] = "",
    actor: ActorOption = None,
) -> None:
    """Make an API token and print it, once, on stdout (only its hash is stored).

    Send it as 'Authorization: Bearer <token>'.
    """
    from regdraft.services import tokens

    with database() as session:
        issued = tokens.create_token(session, role=role.value, stakeholder=stakeholder, name=name,
                                     person=person, actor=actor_name(actor))
        name = issued.token.name
    typer.echo(issued.secret)
    typer.echo(f"token {name!r} ({role.value}{f' for {stakeholder}' if stakeholder else ''}): "
               f"keep it now, it cannot be shown again", err=True)


@token_app.command("list")
def list_tokens() -> None:
    """List tokens (never their secrets): name, role, stakeholder, person, created, revoked."""
    from regdraft.cli.common import stakeholder_slug
    from regdraft.services import tokens

    with database(read_only=True) as session:
        lines = [f"{t.name}  {t.role}  {stakeholder_slug(session, t.stakeholder_id) if t.stakeholder_id else '-'}  "
                 f"{t.person or '-'}  {utc_time(t.created_at)}  {'revoked ' + utc_time(t.revoked_at) if t.revoked_at else 'active'}"
                 for t in tokens.list_tokens(session)]
    for line in lines:
        typer.echo(line)


@token_app.command("revoke")
def revoke_token(
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False)],
    actor: ActorOption = None,
) -> None:
    """Revoke a token by name: from now on it is refused (401)."""
    from regdraft.services import tokens

    with database() as session:
        token = tokens.revoke_token(session, name, actor=actor_name(actor))
        line = f"token {token.name!r} revoked at {utc_time(token.revoked_at)}"
    typer.echo(line)


@app.command()
def verify() -> int:
    """Check the whole store: hashes, parent chains, replays of accepted amendments,
    citations. Prints what was checked; each problem on its own line, exit status 1."""
    from regdraft.services.verify import verify as verify_store

    with database(read_only=True) as session:
        report = verify_store(session)
    for problem in report.problems:
        typer.echo(problem)
    checked = ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items())) or "nothing"
    if report.ok:
        typer.echo(f"ok: checked {checked}")
        return 0
    say(f"{len(report.problems)} problem(s) found (checked {checked})")
    return FAILED
