"""The one entry point, :func:`parse_structure`: which reader reads a text (the
drafting-format scanner, markdown-it, or line by line for a text without Markdown),
its front matter, and the checks on what was read."""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Iterator

from regdraft.core.errors import InvalidStructure
from regdraft.core.structure.builder import Builder
from regdraft.core.structure.markdown import read_with_markdown_it
from regdraft.core.structure.model import Provision, Structure, StructureWarning
from regdraft.core.structure.scanner import scanned
from regdraft.core.traditions import DEFAULT_KIND, Tradition, tradition


PARSER_VERSION = "5"  # 5: EU subparagraphs, Annex Parts, "Chapter 1"; an SI Schedule's Parts; markup
"""Names what :func:`parse_structure` reads from a text: bump it with any change to its
output, so structures kept by content hash (``services.structures``) are read again."""


def parse_structure(text: str, *, kind: str = DEFAULT_KIND, strict: bool = True, chunk_bytes: int = 65536) -> Structure:
    """Find the provisions of ``text``, a document of ``kind`` (see
    :mod:`regdraft.core.traditions`).

    Whatever looks wrong is given in ``warnings``; with ``strict`` a warning raises
    :class:`InvalidStructure` naming its line and unit (a duplicate id names both
    lines). Without it (for texts in the middle of being amended, where two amendments
    may each add a regulation 5) a later duplicate is given the id ``reg-5~2``.
    ``chunk_bytes`` only bounds memory (see :func:`_block_tokens`); it never changes
    the result.

    Texts written in the drafting format are read by :func:`scanned`, a line scanner
    for the part of CommonMark the format uses; any other Markdown text, and any text
    where the scanner is unsure, is read by markdown-it. Both give the same provisions.
    A text with no Markdown heading at all (one pasted as published) is read line by
    line (:func:`_read_lines`). YAML front matter is metadata, and a form feed is a space.
    """
    traditions = tradition(kind)
    metadata, readable = _without_front_matter(text)
    if "\x0c" in readable:
        readable = readable.replace("\x0c", " ")
    with collector_paused():
        build = Builder(strict, traditions)
        if _MARKUP.match(readable):
            # Legislation.gov.uk's XML (or any markup) read as text would give a unit per
            # tag line; it is no text of the kind at all, and is said so once.
            provisions = build.provisions(readable.count("\n") + 1, len(readable))
            warnings = (StructureWarning("markup", "the text is XML or HTML markup, not a text in the drafting format: "
                                         "read the file with `regdraft import FILE` (CLML, Akoma Ntoso, eCFR)", 1,
                                         None),)
        elif not HEADING_LINE.search(readable):
            provisions = _read_lines(readable, build)
        else:
            try:
                provisions = scanned(readable, strict, build)
            except InvalidStructure:
                # The scan may have stopped at a duplicate before reaching a line it declines
                # (a setext underline can turn an earlier paragraph into a heading), so the
                # error is markdown-it's to give.
                provisions = None
            if provisions is None:
                build = Builder(strict, traditions)
                provisions = read_with_markdown_it(readable, strict, chunk_bytes, build)
        if not _MARKUP.match(readable):
            warnings = _checked(readable, provisions, build, traditions)
    if strict and warnings:
        first = warnings[0]
        at = f"line {first.line}" + (f", {_label_of(provisions, first.provision_id)}" if first.provision_id else "")
        raise InvalidStructure(f"{at}: {first.message}", provision=first.provision_id, lines=[first.line],
                               code=first.code)
    return Structure(text, provisions, warnings, kind, metadata)


def _label_of(provisions: tuple[Provision, ...], provision_id: str) -> str:
    return next((p.label for p in provisions if p.id == provision_id), provision_id)


# Front matter: "---" on the first line, key: value lines, "---" (or "...") closing it.
_FRONT_MATTER = re.compile(r"---[ ]*\n(?P<body>(?:.*\n)*?)(?:---|\.\.\.)[ ]*(?:\n|\Z)")
_FRONT_MATTER_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ ]*(?P<value>.*)$", re.M)
# A text that is markup from its first character to its last: an XML file (``<?xml``,
# ``<Legislation …>``) or an HTML page, given where a text is expected.
_MARKUP = re.compile(r"\A\s*<(?:\?xml\b|!DOCTYPE\b|[A-Za-z][\w.:-]*[\s/>])[\s\S]*</[\w.:-]+>\s*\Z")
# A Markdown heading: a text without one is read line by line.
HEADING_LINE = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]|$)", re.M)


def _without_front_matter(text: str) -> tuple[dict, str]:
    """The front matter's keys and values, and the text with the front matter blanked
    (its lines kept, as empty lines, so offsets and line numbers stay the text's)."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return {}, text
    metadata = {k.group("key"): k.group("value").strip().strip('"')
                for k in _FRONT_MATTER_KEY.finditer(m.group("body"))}
    blank = re.sub(r"[^\n]", " ", m.group())
    return metadata, blank + text[m.end():]


def markdown_start(text: str) -> int | None:
    """Where the Markdown of ``text`` starts, past its YAML front matter (0 if it has
    none); ``None`` for a text with no Markdown heading there, which is read line by line."""
    m = _FRONT_MATTER.match(text)
    start = m.end() if m else 0
    return start if HEADING_LINE.search(text, start) else None


# --- Reading a text without Markdown ---------------------------------------------

_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<content>\S[^\n]*)$", re.M)


def _read_lines(text: str, build: Builder) -> tuple[Provision, ...]:
    """A text as published (no Markdown headings): each line a block, its indentation
    its depth, a heading where its words are a unit's."""
    line = counted = 0
    for m in _LINE.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        indent = m.group("indent").expandtabs(4)
        build.line(m.group("content").rstrip(), len(indent), line, m.start())
    return build.provisions(text.count("\n") + 1, len(text))


# --- Checks on what was read ------------------------------------------------------

# A text this long is expected to have numbered units.
_NO_UNITS_OVER = 3000
_AMENDMENT_MARKER = re.compile(r"\[F[0-9]+")


def _checked(text: str, provisions: tuple[Provision, ...], build: Builder,
             traditions: Tradition) -> tuple[StructureWarning, ...]:
    warnings = [*build.warnings, *build.numbering]
    if len(text) > _NO_UNITS_OVER and not any(p[3] for p in provisions):  # p.number
        body = traditions.unit(traditions.body)
        warnings.append(StructureWarning(
            "no-units", f"no {body.kind}s found in {len(text)} characters: a {traditions.name} numbers them "
            f"as headings such as “### {traditions.example_heading}”", 1, None))
    if "[F" in text:
        structure = Structure(text, provisions)
        marked: set[str] = set()
        for m in _AMENDMENT_MARKER.finditer(text):
            hit = structure.at(m.start())
            if hit is not None and hit.id not in marked:
                marked.add(hit.id)
                warnings.append(StructureWarning(
                    "amendment-marker", f"consolidation marker {m.group()} in {hit.label}: read past, the text "
                    "keeps it", text.count("\n", 0, m.start()) + 1, hit.id))
    warnings.sort(key=lambda w: w.line)
    return tuple(warnings)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while provisions are read or a diff is
    grouped, and resumed after, however that ends (left off if it was off).

    Both make a few objects per provision (hundreds of thousands for 5 MB), all kept
    until the result is made or let go together, and none in a reference cycle
    (tested, on both readers' paths): a collection in the middle finds nothing to
    free, but walks every one of them, over and over as they age (at 5 MB, 160 ms of
    a 1.3 s diff pipeline). Paused, they are walked once, after. Only cycles made
    meanwhile by other threads wait, for as long as the reading takes; nothing else
    about the collector changes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
