"""``comment`` (add, edit, hide, reattach) and ``comments`` (the discussion, listed).

The CLI is trusted as an admin (it opens the database itself), so it may comment on
anything, hide and re-attach; editing stays the author's (the ``--actor`` that posted
the comment), within the edit window, as everywhere else.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import (ActorOption, DocumentOption, actor_name, database, document_of, one_line,
                                 read_text, usage_error, utc_time)

comment_app = typer.Typer(name="comment", no_args_is_help=True, rich_markup_mode=None,
                          help="The discussion: add a comment or reply, edit yours, hide one, re-attach one.")
app.add_typer(comment_app)

TargetName = Enum("TargetName", {t: t for t in ("provision", "amendment", "response", "citation")}, type=str)
StateName = Enum("StateName", {s: s for s in ("exact", "moved", "fuzzy", "orphaned")}, type=str)
BodyOption = Annotated[Optional[str], typer.Option("--body", "-b", metavar="TEXT", show_default=False,
                                                   help="The comment (Markdown; raw HTML is refused).")]
BodyFileOption = Annotated[Optional[Path], typer.Option("--body-file", metavar="FILE", show_default=False,
                                                        help="The comment, read from a file.")]


def _body(body: str | None, body_file: Path | None, what: str = "body") -> str:
    from regdraft.core.policy import check_text

    if (body is None) == (body_file is None):
        raise usage_error(f"give --{what} or --{what}-file (one of them)")
    return check_text(read_text(body_file) if body_file is not None else body, what)


def _print(view, indent: str = "") -> None:
    c = view.comment
    on = {"provision": f"{c.provision_id} of version {view.version}", "amendment": view.amendment,
          "citation": f"{c.citation} of {view.amendment}", "response": view.response}[view.target]
    anchor = ""
    if view.anchor is not None:
        a = view.anchor
        where = f" at {a.label or a.provision} of version {a.version}" if a.version else ""
        score = f" (score {a.score:.3f}, threshold {a.threshold})" if a.state in ("fuzzy", "orphaned") else ""
        anchor = f"  [{a.state}{where}{score}] “{one_line(a.quote)}”"
    said = (f"hidden by {c.hidden_by}: {one_line(c.hidden_reason)}" if view.hidden else one_line(c.body))
    head = f"#{c.id} reply to #{c.reply_to_id}" if c.reply_to_id else f"#{c.id} on {view.target} {on}"
    typer.echo(f"{indent}{head}  {utc_time(c.created_at)}  {c.author}{anchor}")
    typer.echo(f"{indent}    {said}")
    for reply in view.replies:
        _print(reply, indent + "  ")


@comment_app.command("add")
def add(
    on: Annotated[Optional[TargetName], typer.Option("--on", show_default=False,
                                                     help="What it is on (not for a reply).")] = None,
    reply_to: Annotated[Optional[int], typer.Option("--reply-to", metavar="ID", show_default=False,
                                                    help="Reply in this comment's thread.")] = None,
    version: Annotated[Optional[int], typer.Option(min=1, show_default=False,
                                                   help="A provision's version (default: the head).")] = None,
    provision: Annotated[Optional[str], typer.Option(metavar="ID", show_default=False,
                                                     help="A provision id, e.g. reg-3-2.")] = None,
    quote: Annotated[Optional[str], typer.Option(metavar="TEXT", show_default=False,
                                                 help="The words of the provision or response it is about.")] = None,
    amendment: Annotated[Optional[str], typer.Option(metavar="SLUG", show_default=False)] = None,
    response: Annotated[Optional[str], typer.Option(metavar="SLUG", show_default=False)] = None,
    citation: Annotated[Optional[int], typer.Option(min=1, show_default=False,
                                                    help="A citation of --amendment, from 1.")] = None,
    body: BodyOption = None,
    body_file: BodyFileOption = None,
    document: DocumentOption = None,
    actor: ActorOption = None,
) -> None:
    """Add a comment (or a reply); prints its id and, on a provision, its anchor."""
    from regdraft.core.policy import check_text
    from regdraft.services import comments

    data = comments.CommentInput(body=_body(body, body_file), target=on.value if on else None, reply_to=reply_to,
                                 version=version, provision=provision,
                                 quote=check_text(quote, "quote") if quote is not None else None,
                                 amendment=amendment, response=response, citation=citation)
    with database() as session:
        doc = document_of(session, document)
        target = comments.resolve(session, doc, data)
        made = comments.post(session, doc, target, data, author=comments.Author(actor_name(actor), "admin"))
        _print(comments.view_of(session, doc, made))


@comment_app.command("edit")
def edit(comment: Annotated[int, typer.Argument(metavar="ID")], body: BodyOption = None,
         body_file: BodyFileOption = None, document: DocumentOption = None, actor: ActorOption = None) -> None:
    """Change your comment's words (its author only, within the edit window)."""
    from regdraft.services import comments

    with database() as session:
        doc = document_of(session, document)
        row = comments.get_comment(session, doc, comment)
        comments.edit(session, doc, row, _body(body, body_file), actor=actor_name(actor))
        _print(comments.view_of(session, doc, row))


@comment_app.command("hide")
def hide(comment: Annotated[int, typer.Argument(metavar="ID")],
         reason: Annotated[Optional[str], typer.Option("--reason", "-r", metavar="TEXT", show_default=False,
                                                       help="Why (required): shown in its place.")] = None,
         reason_file: Annotated[Optional[Path], typer.Option("--reason-file", metavar="FILE",
                                                             show_default=False)] = None,
         document: DocumentOption = None, actor: ActorOption = None) -> None:
    """Hide a comment, with the reason; it is kept (and its words stay in the event log)."""
    from regdraft.services import comments

    with database() as session:
        doc = document_of(session, document)
        row = comments.get_comment(session, doc, comment)
        comments.hide(session, doc, row, _body(reason, reason_file, "reason"), actor=actor_name(actor))
        _print(comments.view_of(session, doc, row))


@comment_app.command("reattach")
def reattach(comment: Annotated[int, typer.Argument(metavar="ID")],
             provision: Annotated[str, typer.Option(metavar="ID", show_default=False,
                                                    help="A provision of the head.")],
             quote: Annotated[str, typer.Option(metavar="TEXT", show_default=False, help="Its words now.")],
             document: DocumentOption = None, actor: ActorOption = None) -> None:
    """Anchor a provision comment (an orphaned one) to a quote in the head."""
    from regdraft.core.policy import check_text
    from regdraft.services import comments

    with database() as session:
        doc = document_of(session, document)
        row = comments.get_comment(session, doc, comment)
        comments.reattach(session, doc, row, provision=provision, quote=check_text(quote, "quote"),
                          actor=actor_name(actor))
        _print(comments.view_of(session, doc, row))


@app.command("comments")
def list_comments(
    document: DocumentOption = None,
    on: Annotated[Optional[TargetName], typer.Option("--on", show_default=False, help="Only threads on this.")] = None,
    amendment: Annotated[Optional[str], typer.Option(metavar="SLUG", show_default=False)] = None,
    provision: Annotated[Optional[str], typer.Option(metavar="ID", show_default=False)] = None,
    version: Annotated[Optional[int], typer.Option(min=1, show_default=False,
                                                   help="Anchors in this version (default: the head).")] = None,
    state: Annotated[Optional[StateName], typer.Option(show_default=False,
                                                       help="Only comments anchored so (orphaned: to re-attach).")]
    = None,
) -> None:
    """The discussion: each thread, oldest first, its replies indented; a provision
    comment's anchor state in the version (exact, moved, fuzzy with its score, orphaned)."""
    from regdraft.services import comments

    with database(read_only=True) as session:
        doc = document_of(session, document)
        for view in comments.list_comments(session, doc, target=on.value if on else None, amendment=amendment,
                                           provision=provision, version=version,
                                           state=state.value if state else None):
            _print(view)
