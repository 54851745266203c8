"""HTML the pages build from texts and diffs: labelled redlines, a text with its
provision anchors, side-by-side rows, and response texts with cited quotes marked.

Everything here starts from HTML that ``core.redline`` rendered (markdown-it with raw
HTML off, every fragment escaped), so a tag in it was made by regdraft: text from a
user reaches it as ``&lt;ins`` and cannot match the patterns below.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import Markup

from regdraft.core.diffing import ProvisionDiff, TextDiff, diff_texts
from regdraft.core.patching import DELETE, INSERT
# Block syntax at a line start (a heading's hashes, list and quote markers): marks open after it.
from regdraft.core.redline.marking import BLOCK_PREFIX as LINE_START_SYNTAX
from regdraft.core.redline import (Change, Source, TextRendering, marks_between_text_nodes, render_html, render_marked,
                                   without_marks)

_CHANGE_TAG = re.compile(r'<(ins|del) ([^>]*?)data-change="(\d+)"([^>]*)>')
_BLOCK_ID = re.compile(r'(<(?:h[1-6]|p|li)\b[^>]*?) id="[^"]*"')
_SPOKEN = {"ins": "inserted", "del": "deleted"}


def label_changes(fragment: str, *, ids: bool = True, prefix: str = "") -> str:
    """Give every ``<ins>``/``<del>`` a visually hidden "inserted:"/"deleted:" label
    (read by screen readers, printed in no colour) and, with ``ids``, the first tag of
    each change ``id="{prefix}change-N"`` so a list of changes can link to it."""
    seen: set[str] = set()

    def relabel(match: re.Match) -> str:
        kind, before, number, after = match.groups()
        anchor = ""
        if ids and number not in seen:
            seen.add(number)
            anchor = f' id="{prefix}change-{number}"'
        return (f'<{kind}{anchor} {before}data-change="{number}"{after}>'
                f'<span class="vh">{_SPOKEN[kind]}: </span>')

    return _CHANGE_TAG.sub(relabel, fragment)


def redline(diff: TextDiff, sources: dict[str, Source] | None = None, *, prefix: str = "",
            provision_ids: bool = True, change_ids: bool = True,
            rendering: TextRendering | None = None) -> tuple[Markup, list[Change]]:
    """The inline redline of ``diff`` and its changes in order. ``prefix`` keeps the
    change ids of two redlines on one page apart; where a page shows the same text
    twice, one of them goes without provision ids or change ids. ``rendering``: the
    new text's stored rendering, spliced where the diff leaves it unchanged."""
    body, changes = render_html(diff, sources=sources, rendering=rendering)
    if not provision_ids:
        body = _BLOCK_ID.sub(r"\1", body)
    return Markup(label_changes(body, prefix=prefix, ids=change_ids)), changes


def anchored_text(text: str) -> Markup:
    """A text rendered with ``id`` = provision id on each provision's first block."""
    body, _ = render_html(diff_texts(text, text))
    return Markup(body)


@dataclass(frozen=True)
class SideBySideRow:
    anchor: str
    """The row's id: unique even where one provision spans several rows."""
    provision: str
    label: str
    status: str
    old: Markup
    new: Markup


def side_by_side(diff: TextDiff, sources: dict[str, Source] | None = None) -> list[SideBySideRow]:
    """One row per provision stretch: the old text with its deletions, the new text
    with its insertions, so the two sides stay aligned provision by provision."""
    rows = []
    for number, group in enumerate(diff.groups, 1):
        old = _one_side(group, INSERT, sources)
        new = _one_side(group, DELETE, sources)
        rows.append(SideBySideRow(f"row-{number}-{group.provision}", group.provision, group.label, group.status,
                                  old, new))
    return rows


def _one_side(group: ProvisionDiff, leave_out: str, sources: dict[str, Source] | None) -> Markup:
    ops = tuple(op for op in group.ops if op.kind != leave_out)
    if not "".join(op.text for op in ops).strip():
        return Markup("")
    body, _ = render_html(TextDiff((ProvisionDiff(group.provision, group.label, group.status, ops),)),
                          sources=sources)
    # The row carries the provision's id; the cells must not repeat it.
    return Markup(label_changes(_BLOCK_ID.sub(r"\1", body), ids=False))


# Quotes in a response -----------------------------------------------------------------

@dataclass(frozen=True)
class CitingAmendment:
    slug: str
    title: str
    href: str
    """The citation on the amendment's page."""


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    citing: tuple[CitingAmendment, ...]

    @property
    def anchor(self) -> str:
        return f"quote-{self.start}-{self.end}"


_OPEN, _CLOSE, _END = "\ue100", "\ue101", "\ue102"
_DIGITS = "".join(chr(0xE110 + d) for d in range(10))
_QUOTE_MARKER = re.compile(f"([{_OPEN}{_CLOSE}])([{_DIGITS}]+){_END}")


def _number(n: int) -> str:
    return "".join(_DIGITS[int(d)] for d in str(n)) + _END


def _unnumber(digits: str) -> int:
    return int("".join(str(ord(ch) - 0xE110) for ch in digits))


def marked_response(text: str, quotes: list[Quote]) -> Markup:
    """The response's Markdown rendered safely, each quoted passage in
    ``<mark id="quote-START-END">`` followed by links to the amendments citing it.

    Overlapping quotes share one highlight (with the first quote's id), and the
    others get an empty anchor where they start, so every ``#quote-…`` link lands.
    The passage is marked line by line after any block syntax, as redlines are, so a
    quote across paragraphs keeps the Markdown around it intact.
    """
    clusters = _clusters(sorted(quotes, key=lambda q: (q.start, q.end)))
    clean = without_marks(text)  # one character for one: offsets stay valid
    pieces: list[str] = []
    at = 0
    for number, cluster in enumerate(clusters):
        start, end = cluster[0].start, max(q.end for q in cluster)
        pieces.append(clean[at:start])
        line_start = start == 0 or clean[start - 1] == "\n"
        for line in re.split(r"(\n)", clean[start:end]):
            if line == "\n" or not line.strip():
                pieces.append(line)
                line_start = line == "\n" or line_start
                continue
            prefix = LINE_START_SYNTAX.match(line).group() if line_start else ""
            pieces.append(prefix + _OPEN + _number(number) + line[len(prefix):] + _CLOSE + _number(number))
            line_start = False
        at = end
    pieces.append(clean[at:])
    rendered = marks_between_text_nodes(render_marked("".join(pieces)), _QUOTE_MARKER, {_CLOSE: _OPEN})
    opened: set[int] = set()
    last_close = {number: m.start() for m in _QUOTE_MARKER.finditer(rendered)
                  for number in [_unnumber(m.group(2))] if m.group(1) == _CLOSE}

    def tag(match: re.Match) -> str:
        number = _unnumber(match.group(2))
        cluster = clusters[number]
        if match.group(1) == _OPEN:
            if number in opened:
                return '<mark class="quote">'
            opened.add(number)
            extra = "".join(f'<span class="quote-anchor" id="{q.anchor}"></span>' for q in cluster[1:])
            return f'<mark class="quote" id="{cluster[0].anchor}">{extra}'
        if match.start() != last_close[number]:
            return "</mark>"
        return "</mark>" + _LINKS + _number(number)

    return Markup(_links_outside_anchors(_QUOTE_MARKER.sub(tag, rendered), clusters))


_LINKS = "\ue103"
_ANCHOR_OR_LINKS = re.compile(f"(<a\\b[^>]*>|</a>|{_LINKS}[{_DIGITS}]+{_END})")


def _links_outside_anchors(rendered: str, clusters: list[list[Quote]]) -> str:
    """Each cluster's links to the amendments citing it, where its last mark closes,
    or after the link the quote ends in: a link inside a link is no link at all."""
    if _LINKS not in rendered:
        return rendered
    out: list[str] = []
    waiting: list[str] = []
    depth = 0
    for part in _ANCHOR_OR_LINKS.split(rendered):
        if part.startswith(_LINKS):
            (waiting if depth else out).append(_citing_links(clusters[_unnumber(part[1:-1])]))
            continue
        out.append(part)
        if part.startswith("<a"):
            depth += 1
        elif part == "</a>" and depth:
            depth -= 1
            if not depth:
                out.extend(waiting)
                waiting.clear()
    return "".join(out + waiting)


def _clusters(quotes: list[Quote]) -> list[list[Quote]]:
    clusters: list[list[Quote]] = []
    for quote in quotes:
        if clusters and quote.start < max(q.end for q in clusters[-1]):
            clusters[-1].append(quote)
        else:
            clusters.append([quote])
    return clusters


def _citing_links(cluster: list[Quote]) -> str:
    seen: dict[str, CitingAmendment] = {}
    for quote in cluster:
        for amendment in quote.citing:
            seen.setdefault(amendment.slug, amendment)
    links = ", ".join(f'<a href="{html.escape(a.href, quote=True)}" title="{html.escape(a.title, quote=True)}">'
                      f'{html.escape(a.slug)}</a>' for a in seen.values())
    return f' <sup class="cited-by"><span class="vh">cited by </span>[{links}]</sup>' if links else ""
