"""The Keeling schedule: the text as amended, every change marked and attributed, and a
numbered note per change listing the consultation responses behind it.

Amendments that conflict with each other are not applied: the schedule cannot know
which the drafter wants, so it says so at the place of the conflict instead of
guessing. Choosing which amendments to apply is the caller's business; this module
renders what it is given.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from regdraft.core.diffing import TextDiff
from regdraft.core.policy import link_target
from regdraft.core.redline import END_OF_TEXT, Change, Source, render_html_utf8


@dataclass(frozen=True)
class CitationNote:
    stakeholder: str
    quote: str
    href: str
    """Where the quote stands in its response (a relative or http(s) link)."""


@dataclass(frozen=True)
class AmendmentNote:
    slug: str
    title: str
    proposer: str
    href: str
    citations: tuple[CitationNote, ...]
    status: str = ""
    reason: str = ""
    """Why it was given its status, if a decision said."""


@dataclass(frozen=True)
class ConflictNotice:
    provision: str
    """The provision of the amended text before which the notice stands, or
    :data:`~regdraft.core.redline.END_OF_TEXT` (after the last one)."""
    message: str


@dataclass(frozen=True)
class Keeling:
    body: bytes
    """The amended text as an HTML fragment in UTF-8, as the redline is made: a str of
    it would take up to four times the room (see :func:`render_html_utf8`)."""
    notes: str
    changes: tuple[Change, ...]
    conflicts: tuple[ConflictNotice, ...]


def render_keeling(diff: TextDiff, amendments: dict[str, AmendmentNote], conflicts: list[ConflictNotice]) -> Keeling:
    """``diff`` is the base against the amendments applied in order, each change
    attributed to its amendment (:func:`regdraft.core.history.diff_steps`)."""
    sources = {slug: Source(a.title, a.proposer) for slug, a in amendments.items()}
    notices: dict[str, list[str]] = {}
    for conflict in conflicts:
        notices.setdefault(conflict.provision, []).append(conflict.message)
    # Only the provisions a conflict names are looked for: a set of every provision of a
    # long text is half a megabyte at 1 MB, held through the rendering.
    named = {c.provision for c in conflicts} - {END_OF_TEXT}
    placed = named.intersection(diff.provisions()) if named else named
    unplaced = [c for c in conflicts if c.provision not in placed and c.provision != END_OF_TEXT]
    at_end = [c for c in conflicts if c.provision == END_OF_TEXT]
    body, changes = render_html_utf8(diff, sources=sources, notes=True, notices=notices)
    if unplaced or at_end:
        body = b"".join((_notices(unplaced).encode(), body, _notices(at_end).encode()))
    return Keeling(body, _notes(changes, amendments), tuple(changes), tuple(conflicts))


def _notices(conflicts: list[ConflictNotice]) -> str:
    return "".join(f'<div class="rd-notice" role="note">{html.escape(c.message)}</div>' for c in conflicts)


def _link(href: str, label_html: str) -> str:
    target = link_target(href)
    if target is None:
        return label_html
    return f'<a href="{html.escape(target, quote=True)}">{label_html}</a>'


def _verb(change: Change) -> str:
    if change.deleted.strip() and change.inserted.strip():
        return "Substituted"
    return "Inserted" if change.inserted.strip() else "Omitted"


def _notes(changes: list[Change], amendments: dict[str, AmendmentNote]) -> str:
    items = []
    for change in changes:
        amendment = amendments.get(change.source or "")
        e = html.escape
        if amendment is None:
            who = "by a direct edit of the text" if change.source is None else f"by {e(change.source)}"
            items.append(f'<li id="note-{change.number}">{_verb(change)} in {e(change.label)} {who}. '
                         f'<a href="#ref-{change.number}">Back to the text</a></li>')
            continue
        cited = "".join(
            f'<li>{e(c.stakeholder)}: <q>{e(c.quote)}</q>'
            + f" ({_link(c.href, 'in the response')})"
            + "</li>" for c in amendment.citations)
        citations = f"<ul>{cited}</ul>" if cited else " No consultation response is cited."
        decided = (f' <span class="rd-decision">{e(amendment.status.capitalize())}: {e(amendment.reason)}</span>'
                   if amendment.reason else "")
        items.append(
            f'<li id="note-{change.number}">{_verb(change)} in {e(change.label)} by amendment '
            f'{_link(amendment.href, e(amendment.title))}, '
            f'proposed by {e(amendment.proposer)}.{decided}{citations} '
            f'<a href="#ref-{change.number}">Back to the text</a></li>')
    return f'<ol class="rd-notes">{"".join(items)}</ol>' if items else ""
