"""The drafter's commands: ``propose``, ``accept``, ``status``, ``conflicts`` and ``xref``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from regdraft.cli.app import app
from regdraft.cli.common import (FAILED, ActorOption, DocumentOption, ReasonFileOption, ReasonOption, StatusName,
                                 actor_name, database, document_of, hunk_dict_line, hunk_line, one_line, provisions_text,
                                 read_patch, read_text, reason_text, short, slug_list, stakeholder_slug, usage_error,
                                 version_number)
from regdraft.core.errors import InvalidInput, NotFound
from regdraft.core.policy import check_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from regdraft.services.previews import ProposalPreview
    from regdraft.store.models import Amendment, Document, HunkProvision


class ProposeStatus(str, Enum):
    draft = "draft"
    proposed = "proposed"


def _linked(links: Iterable[HunkProvision]) -> Iterator[tuple[str, str]]:
    """The (label, id) of each provision a stored hunk touches."""
    return ((link.label, link.provision_id) for link in links)


def _hunk_lines(session: Session, amendment: Amendment) -> list[str]:
    from regdraft.services import amendments as amendment_service

    return [f"hunk {hunk.index + 1}: {hunk.header} {provisions_text(_linked(links))}"
            for hunk, links in amendment_service.hunks_of(session, amendment)]


@app.command()
def propose(
    slug: Annotated[str, typer.Option("--slug", metavar="SLUG", show_default=False, help="The amendment's slug.")],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", show_default=False)],
    proposer: Annotated[str, typer.Option("--proposer", metavar="STAKEHOLDER", show_default=False,
                                          help="The proposing stakeholder's slug.")],
    from_: Annotated[Path, typer.Option(
        "--from", metavar="FILE", show_default=False,
        help="The edited full text of the base version (or, with --patch, a patch file against it).")],
    category: Annotated[list[str], typer.Option(
        "--category", "-c", metavar="CATEGORY", show_default=False,
        help="A category (repeatable), among those the document declares (`categories:` in its document.yaml; "
             "any slug where it declares none).")],
    document: DocumentOption = None,
    base: Annotated[Optional[int], typer.Option("--base", metavar="N", min=1, show_default=False,
                                                help="The base version (default: the head).")] = None,
    rationale: Annotated[Optional[str], typer.Option("--rationale", metavar="TEXT", show_default=False)] = None,
    rationale_file: Annotated[Optional[Path], typer.Option("--rationale-file", metavar="FILE",
                                                           show_default=False)] = None,
    cite: Annotated[Optional[list[str]], typer.Option(
        "--cite", metavar="RESPONSE:QUOTE", show_default=False,
        help="A citation (repeatable): a response's slug, a colon, and a quote found in it.")] = None,
    patch_file: Annotated[bool, typer.Option("--patch", help="--from is a patch file, not the edited text.")] = False,
    status: Annotated[ProposeStatus, typer.Option(help="Start as a draft or proposed.")] = ProposeStatus.proposed,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Store nothing: say how each hunk applies to the base and to the head, and whether "
                          "each citation would be accepted (exit 1 if proposing would be refused).")] = False,
    actor: ActorOption = None,
) -> None:
    """Propose an amendment from an edited copy of a version (or a patch).

    Prints the amendment's slug, then one line per hunk with the provisions it touches.
    """
    from regdraft.services import amendments as amendment_service

    if rationale is not None and rationale_file is not None:
        raise usage_error("give --rationale or --rationale-file, not both")
    reason = read_text(rationale_file) if rationale_file is not None else (rationale or "")
    citations = []
    for number, value in enumerate(cite or (), start=1):
        response, sep, quote = value.partition(":")
        if not sep or not response.strip() or not quote.strip():
            raise InvalidInput(f"--cite {number}: expected RESPONSE:QUOTE, got {value!r}")
        citations.append(amendment_service.CitationInput(response.strip(), quote.strip()))
    content = read_patch(from_) if patch_file else read_text(from_)
    # The text policy, as the API and the pages apply it (the text a patch makes is checked by the service).
    for field, value in (("title", title), ("rationale", reason), *(("quote", c.quote) for c in citations)):
        check_text(value, field)
    with database(read_only=preview) as session:
        doc = document_of(session, document)
        data = amendment_service.AmendmentInput(
            slug=slug, title=title.strip(), proposer=proposer, base=version_number(session, doc, base),
            categories=list(category), rationale=reason, citations=citations, status=status.value,
            patch_text=content if patch_file else None, new_text=None if patch_file else content)
        if preview:
            from regdraft.services.previews import preview_proposal

            previewed = preview_proposal(session, doc, data)
            lines = _preview_lines(previewed)
        else:
            amendment = amendment_service.propose(session, doc, data, actor=actor_name(actor))
            lines = [amendment.slug] + _hunk_lines(session, amendment)
    for line in lines:
        typer.echo(line)
    if preview and not previewed.proposable:
        raise typer.Exit(FAILED)


def _preview_lines(previewed: ProposalPreview) -> list[str]:
    """What ``propose --preview`` prints: the slug, the hunks with the provisions they
    touch, each hunk's report on the base and on the head, and each citation's check."""
    lines = [f"{previewed.slug} (preview: nothing stored)"]
    lines += [f"hunk {n}: {hunk.hunk.header} {provisions_text((ref.label, ref.id) for ref in hunk.provisions)}"
              for n, hunk in enumerate(previewed.analysis.hunks, start=1)]
    for trial in previewed.trials:
        where = "on the head, " if trial is previewed.on_head else "on the base, "
        lines += [f"{where}version {trial.version.number}: {hunk_line(result)}" for result in trial.result.hunks]
    for check in previewed.citations:
        lines.append(f"citation {check.number} ({check.citation.response}): ok" if check.refusal is None
                     else f"refused: {check.refusal}")  # which names the citation by its number
    return lines


@app.command()
def accept(
    amendment: Annotated[str, typer.Argument(metavar="AMENDMENT", show_default=False)],
    document: DocumentOption = None,
    reason: ReasonOption = None,
    reason_file: ReasonFileOption = None,
    actor: ActorOption = None,
) -> None:
    """Accept an amendment: apply it to the head and create the next version.

    Prints the new version. If a hunk fails on the head, the hunk report goes to
    stderr, nothing changes, and the exit status is 1.
    """
    from regdraft.services import amendments as amendment_service

    why = reason_text(reason, reason_file)
    with database() as session:
        doc = document_of(session, document)
        row = amendment_service.get_amendment(session, doc, amendment)
        version = amendment_service.accept(session, row, actor=actor_name(actor), reason=why)
        line = f"{row.slug}: accepted as {doc.slug}@{version.number} ({short(version.content_hash)})"
    typer.echo(line)


@app.command()
def status(
    amendment: Annotated[str, typer.Argument(metavar="AMENDMENT", show_default=False)],
    new_status: Annotated[StatusName, typer.Argument(metavar="STATUS", show_default=False,
                                                     help="draft, proposed, accepted, rejected or withdrawn.")],
    document: DocumentOption = None,
    reason: ReasonOption = None,
    reason_file: ReasonFileOption = None,
    actor: ActorOption = None,
) -> None:
    """Change an amendment's status (accepted is the same as the accept command), with
    the reason for it (required to reject)."""
    from regdraft.services import amendments as amendment_service

    why = reason_text(reason, reason_file)
    with database() as session:
        doc = document_of(session, document)
        row = amendment_service.get_amendment(session, doc, amendment)
        before = row.status
        amendment_service.set_status(session, row, new_status.value, actor=actor_name(actor), reason=why)
        line = f"{row.slug}: {before} → {row.status}"
        if new_status is StatusName.accepted:
            produced = amendment_service.produced_version(session, row)
            if produced is not None:
                line += f" ({doc.slug}@{produced.number})"
    typer.echo(line)


@app.command()
def conflicts(
    amendments: Annotated[Optional[list[str]], typer.Argument(
        metavar="AMENDMENT", show_default=False,
        help="The amendments to check together (default: every draft and proposed one).")] = None,
    document: DocumentOption = None,
) -> None:
    """Which amendments, chosen together, change the same text.

    One line per conflicting pair: both slugs, the kind (duplicate: the same change on
    the same base; overlap: their hunks meet in the common base; same-provision: they
    change the same provision), and the
    provisions. Exit status 0 when there are none, 1 when there are some.
    """
    from regdraft.services import amendments as amendment_service

    with database(read_only=True) as session:
        doc = document_of(session, document)
        slugs = slug_list(amendments)
        chosen = (amendment_service.resolve(session, doc, slugs) if slugs
                  else amendment_service.open_amendments(session, doc))
        pairs = amendment_service.conflicts(session, doc, chosen)
    if not pairs:
        typer.echo(f"no conflicts among {len(chosen)} amendment{'s' if len(chosen) != 1 else ''}")
        return
    for pair in pairs:
        where = ", ".join(f"{label} ({pid})" for pid, label in pair.provisions) or "the same text"
        typer.echo(f"{pair.first}  {pair.second}  {pair.kind}  {where}")
    raise typer.Exit(FAILED)


# --------------------------------------------------------------------------------------
# xref
# --------------------------------------------------------------------------------------

@app.command()
def xref(
    target: Annotated[str, typer.Argument(metavar="TARGET", show_default=False,
                                          help="A provision id (reg-3-a), a response slug or a stakeholder slug.")],
    document: DocumentOption = None,
) -> None:
    """Cross-references. TARGET is tried as a provision id, then a response, then a
    stakeholder; the first line says which it was.

    A provision lists the amendments touching it, with their hunks there and their
    citations; a response lists the amendments citing it; a stakeholder lists the
    amendments it proposed and those citing its responses.
    """
    with database(read_only=True) as session:
        doc = document_of(session, document)
        lines = _xref_lines(session, doc, target)
    for line in lines:
        typer.echo(line)


def _amendment_line(session: Session, amendment: Amendment) -> str:
    return (f"{amendment.slug} [{amendment.status}] {amendment.title} "
            f"(proposed by {stakeholder_slug(session, amendment.proposer_id)})")


def _quote(text: str) -> str:
    return "“" + one_line(text) + "”"


def _xref_lines(session: Session, doc: Document, target: str) -> list[str]:
    from sqlmodel import select

    from regdraft.services import amendments as amendment_service
    from regdraft.services import documents, xref as xref_service
    from regdraft.store.models import Stakeholder

    head = documents.head(session, doc)
    provision = documents.version_structure(session, doc, head).get(target) if head is not None else None
    touching = xref_service.amendments_touching(session, doc, target)
    if provision is not None or touching:
        lines = []
        label = provision.label if provision is not None else None
        body = []
        for amendment in touching:
            body.append(_amendment_line(session, amendment))
            for hunk, links in amendment_service.hunks_of(session, amendment):
                if any(link.provision_id == target for link in links):
                    label = label or next(link.label for link in links if link.provision_id == target)
                    body.append(f"  hunk {hunk.index + 1}: {hunk.header} {provisions_text(_linked(links))}")
            for citation, response in amendment_service.citations_of(session, amendment):
                body.append(f"  cites {response.slug}: {_quote(citation.quote)}")
        where = "" if provision is not None else f", not in {doc.slug}@{head.number if head else '?'}"
        lines.append(f"provision {target} ({label or target}{where}): "
                     f"{len(touching)} amendment{'s' if len(touching) != 1 else ''}")
        return lines + body
    response = documents.find_response(session, doc, target)
    if response is not None:
        citing = xref_service.amendments_citing(session, response)
        author = stakeholder_slug(session, response.stakeholder_id)
        lines = [f"response {response.slug} ({response.title}, from {author}): "
                 f"cited by {len(citing)} amendment{'s' if len(citing) != 1 else ''}"]
        for amendment in citing:
            lines.append(_amendment_line(session, amendment))
            for citation, cited in amendment_service.citations_of(session, amendment):
                if cited.id == response.id:
                    lines.append(f"  quotes {_quote(citation.quote)}")
        return lines
    stakeholder = session.exec(select(Stakeholder).where(Stakeholder.slug == target)).first()
    if stakeholder is not None:
        found = xref_service.stakeholder_amendments(session, doc, target)
        lines = [f"stakeholder {stakeholder.slug} ({stakeholder.name}): proposed {len(found['proposed'])}, "
                 f"cited by {len(found['cited'])}"]
        lines += [f"proposed {_amendment_line(session, a)}" for a in found["proposed"]]
        lines += [f"cited by {_amendment_line(session, a)}" for a in found["cited"]]
        return lines
    raise NotFound(f"{target!r} is not a provision, response or stakeholder of document {doc.slug!r}",
                   target=target)


# --------------------------------------------------------------------------------------
# decide: several at once
# --------------------------------------------------------------------------------------

@app.command()
def decide(
    decisions: Annotated[list[str], typer.Argument(
        metavar="AMENDMENT=STATUS[:REASON]", show_default=False,
        help="A decision (repeatable, taken in this order): accepted, rejected, withdrawn, draft or proposed, "
             "with its own reason after a colon.")],
    document: DocumentOption = None,
    reason: ReasonOption = None,
    reason_file: ReasonFileOption = None,
    actor: ActorOption = None,
) -> None:
    """Decide several amendments in one transaction, all or nothing.

    --reason is the reason of every decision that gives none of its own. Prints one
    line per decision (with an acceptance's hunk report and the amendments that fell
    with it), then the batch's id. If any decision fails, nothing is decided.
    """
    from regdraft.cli.common import hunk_line
    from regdraft.services import batches

    shared = reason_text(reason, reason_file)
    requests = []
    for number, value in enumerate(decisions, start=1):
        slug, sep, rest = value.partition("=")
        new_status, _, own = rest.partition(":")
        if not sep or not slug.strip() or not new_status.strip():
            raise InvalidInput(f"decision {number}: expected AMENDMENT=STATUS[:REASON], got {value!r}")
        requests.append(batches.DecisionRequest(slug.strip(), new_status.strip(),
                                                reason_text(own, None) if own.strip() else shared))
    with database() as session:
        doc = document_of(session, document)
        batch = batches.decide_all(session, doc, requests, actor=actor_name(actor))
        lines = []
        for decided in batch.decided:
            produced = f" ({doc.slug}@{decided.version.number})" if decided.version is not None else ""
            lines.append(f"{decided.amendment.slug}: {decided.previous} → {decided.status}{produced}")
            lines += [f"  {hunk_line(hunk)}" for hunk in decided.hunks]
            lines += [f"  fell: {fallen.slug}" for fallen in decided.fallen]
        lines.append(f"batch {batch.id}")
    for line in lines:
        typer.echo(line)


@app.command("falls-if")
def falls_if(
    amendment: Annotated[str, typer.Argument(metavar="AMENDMENT", show_default=False)],
    adopted: Annotated[Optional[list[str]], typer.Argument(
        metavar="OTHER", show_default=False,
        help="The amendments whose acceptance makes AMENDMENT fall (none: it falls with none).")] = None,
    document: DocumentOption = None,
    actor: ActorOption = None,
) -> None:
    """Say which amendments make AMENDMENT fall if accepted: accepting one of them marks
    it fallen, with the reason, while it is still open. Prints the list."""
    from regdraft.services import amendments as amendment_service
    from regdraft.services import decisions

    with database() as session:
        doc = document_of(session, document)
        row = amendment_service.get_amendment(session, doc, amendment)
        others = amendment_service.resolve(session, doc, slug_list(adopted))
        decisions.set_falls_if(session, row, others, actor=actor_name(actor))
        line = f"{row.slug} falls if accepted: {', '.join(sorted(a.slug for a in others)) or 'none'}"
    typer.echo(line)


@app.command()
def rebase(
    amendments: Annotated[Optional[list[str]], typer.Argument(
        metavar="[SLUG]...", show_default=False, help="The amendments to rebase (or --all).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every open amendment on an older base than the head.")] = False,
    confirm: Annotated[bool, typer.Option(
        "--confirm", help="Confirm the rebases of the amendments named that wait (fuzzy hunks, a renumbering).")]
    = False,
    document: DocumentOption = None,
    actor: ActorOption = None,
) -> None:
    """Rebase amendments onto the head, one line each (state, versions, why) and its
    hunk report; exits 1 if any stays on its old base (needs-rebase)."""
    from regdraft.services import amendments as amendment_service
    from regdraft.services import rebasing

    if bool(amendments) == every:
        raise typer.BadParameter("name the amendments to rebase, or give --all")
    if confirm and every:
        raise typer.BadParameter("--confirm takes the amendments by name")
    with database() as session:
        doc = document_of(session, document)
        if confirm:
            outcomes = [rebasing.confirm(session, doc, amendment, actor=actor_name(actor))
                        for amendment in amendment_service.resolve(session, doc, amendments)]
        else:
            outcomes = rebasing.rebase(session, doc, None if every else amendments, actor=actor_name(actor))
    for outcome in outcomes:
        typer.echo(f"{outcome.amendment}  {outcome.state}  version {outcome.from_version} → {outcome.to_version}"
                   + (f"  {outcome.reason}" if outcome.reason else ""))
        for hunk in outcome.hunks:
            typer.echo(f"    {hunk_dict_line(hunk)}")
        if outcome.renumbering is not None:
            typer.echo(f"    renumbered: {outcome.renumbering.provision} → {outcome.renumbering.to}")
            for reference in outcome.renumbering.references:
                typer.echo(f"    reference: {reference}")
    if not outcomes:
        typer.echo("nothing to rebase: every open amendment is on the head")
    if any(o.state == rebasing.NEEDS_REBASE for o in outcomes):
        raise typer.Exit(FAILED)


@app.command()
def stale(document: DocumentOption = None) -> None:
    """Open amendments on an older base than the head: slug, status, base → head, and
    the latest rebase's state and reason."""
    from regdraft.services import documents, rebasing
    from regdraft.store.models import Version

    with database(read_only=True) as session:
        doc = document_of(session, document)
        head = documents.head(session, doc)
        rows = rebasing.stale(session, doc)
        kept = rebasing.latest(session, rows)
        lines = []
        for a in rows:
            row = kept.get(a.id)
            tried = f"  {row.state}: {row.reason}" if row is not None else "  not rebased yet"
            lines.append(f"{a.slug}  {a.status}  version {session.get(Version, a.base_version_id).number} → "
                         f"{head.number}{tried}")
    for line in lines:
        typer.echo(line)
