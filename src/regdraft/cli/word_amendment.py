"""``regdraft import FILE --as-amendment``: an edited Word export's tracked changes as a
proposed amendment (services/word_amendments.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer

from regdraft.cli.common import database, document_of, usage_error

AmendmentOption = Annotated[Optional[str], typer.Option(
    "--amendment", metavar="SLUG", show_default=False,
    help="With --as-amendment: the amendment's slug (default: made from the file's name).")]
ProposerOption = Annotated[Optional[str], typer.Option(
    "--proposer", metavar="STAKEHOLDER", show_default=False,
    help="With --as-amendment: the proposer (default: the first revision author who is a stakeholder).")]
CategoryOption = Annotated[Optional[list[str]], typer.Option(
    "--category", metavar="CATEGORY", show_default=False, help="With --as-amendment: a category (repeat for more).")]
PartialOption = Annotated[bool, typer.Option(
    "--partial", help="With --as-amendment: propose the changes that can be placed even if some cannot "
                      "(they are listed).")]


def import_as_amendment(file: Path, data: bytes, *, document: str | None, slug: str | None, title: str,
                        proposer: str | None, categories: list[str] | None, partial: bool, actor: str) -> None:
    from regdraft.services.word_amendments import propose_from_word

    if not categories:
        raise usage_error("--as-amendment needs at least one --category")
    slug = slug or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-") or "from-word"
    with database() as session:
        doc = document_of(session, document)
        amendment, word = propose_from_word(session, doc, data, slug=slug, title=title or f"Tracked changes in "
                                            f"{file.name}", categories=categories, actor=actor, proposer=proposer,
                                            partial=partial)
        lines = [f"proposed amendment {amendment.slug} against version {word.base.number} of {doc.slug} "
                 f"({len(word.citations)} citation(s)); revision authors: {', '.join(word.candidates) or '-'}"]
        lines += [f"not placed: {u.kind} {u.text!r} ({u.author or 'unknown'}): {u.reason}" for u in word.unplaced]
        lines += [f"not proposed: {u.text!r}: {u.reason}" for u in word.untracked]
    for line in lines:
        typer.echo(line)
