"""Writing the storage Markdown every reader produces (docs/drafting-format.md).

Each reader walks its source and tells a :class:`StorageWriter` what it met: a Part, a
regulation or section, a numbered paragraph, a lettered item, an annotation, something
it does not understand. The writer spells each unit as the document's kind spells it
(:data:`HEADINGS`, data rather than branches), escapes text that Markdown would read as
structure, and remembers where each source element's text starts. The regdraft ids are
then the ones regdraft's own parser gives the text at those places, so a reader never
works out an id itself and cannot disagree with the parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from regdraft.core.errors import InvalidFormat, InvalidStructure
from regdraft.core.structure import Structure, parse_structure
from regdraft.core.text import normalise
from regdraft.core.traditions import KINDS
from regdraft.formats.model import Finding, ImportedDocument, ImportReport, count_units


# How each kind writes its headed units (BRIEF's storage convention). ``{num}`` is the
# unit's number as the source writes it, ``{heading}`` its heading; a unit without a
# heading drops the separator before it.
HEADINGS: dict[str, dict[str, tuple[str, str]]] = {
    # unit: (prefix with {num}, separator before the heading)
    "uk-si": {"part": ("## Part {num}", ": "), "chapter": ("### Chapter {num}", ": "),
              "provision": ("### {num}.", " "), "schedule": ("## Schedule {num}", ": "),
              "schedule-part": ("### Part {num}", ": "), "schedule-paragraph": ("### {num}.", " "),
              "crossheading": ("###", " "), "section": ("##", " ")},
    "uk-act": {"part": ("## Part {num}", ": "), "chapter": ("### Chapter {num}", ": "),
               "provision": ("### {num}", " "), "schedule": ("## Schedule {num}", ": "),
               "schedule-part": ("### Part {num}", ": "), "schedule-paragraph": ("### {num}", " "),
               "crossheading": ("###", " "), "section": ("##", " ")},
    "us-cfr": {"part": ("# PART {num}", "—"), "subpart": ("## Subpart {num}", "—"),
               "provision": ("### § {num}", " "), "section": ("##", " "), "crossheading": ("###", " ")},
    "eu-act": {"title": ("## Title {num}", ": "), "part": ("## Part {num}", ": "),
               "chapter": ("## Chapter {num}", ": "), "eu-section": ("### Section {num}", ": "),
               "provision": ("### Article {num}", ": "), "schedule": ("## Annex {num}", ": "),
               "schedule-part": ("### Part {num}", ": "),
               "crossheading": ("###", " "), "section": ("##", " ")},
}

# How a numbered paragraph block is labelled: ``(1)`` in the UK and CFR traditions, ``1.``
# (an ordered list item, as the EU writes its article paragraphs) in an EU act.
PARAGRAPH_LABELS = {"uk-si": "({num})", "uk-act": "({num})", "us-cfr": "({num})", "eu-act": "{num}."}

_SPACE = re.compile(r"\s+")
# Line starts that Markdown reads as structure rather than text: ATX headings, block
# quotes, bullets, ordered-list markers, fences, HTML blocks, thematic breaks.
_STRUCTURAL_START = re.compile(r"^(?:#{1,6}(?:\s|$)|>|[-+*](?:\s|$)|\d{1,9}[.)](?:\s|$)|```|~~~|<|={3,}|_{3,})")


def clean(text: str) -> str:
    """One line of text: whitespace runs (newlines included) become one space, NFC."""
    return unicodedata.normalize("NFC", _SPACE.sub(" ", text)).strip()


def escape_start(text: str) -> str:
    """``text`` with a backslash before a start that Markdown would read as structure,
    so a sentence that begins ``1. `` or ``- `` stays a sentence."""
    return "\\" + text if _STRUCTURAL_START.match(text) else text


def bracketed(number: str) -> str:
    """``(a)`` from ``a``, ``(a)``, ``a)``, ``a.``: the form paragraphs and items take."""
    bare = number.strip().strip("().").strip()
    return f"({bare})" if bare else ""


def bare_number(number: str, *words: str) -> str:
    """A heading's number without decoration: ``3`` from ``3.``, ``SEC. 3.``, ``Part 3``."""
    text = number.strip()
    for word in words:
        if text.lower().startswith(word.lower()):
            text = text[len(word):]
    return text.strip().strip(".:—-").strip()


@dataclass
class _Pending:
    element: str
    where: str
    offset: int
    note: str


class StorageWriter:
    def __init__(self, kind: str, format: str) -> None:
        if kind not in KINDS:
            raise InvalidFormat(f"unknown document kind {kind!r}; the kinds are {', '.join(KINDS)}", format=format)
        self.kind = kind
        self.format = format
        self._lines: list[str] = []
        self._size = 0  # characters written so far, as joined
        self._last_was_item = False
        # (source id, where its words start, whether a unit starting there is its own
        # rather than the innermost: "(a)(1) …" starts (a) and (1) at one place)
        self._anchors: list[tuple[str, int, bool]] = []
        self._pending: list[_Pending] = []
        self._notes: list[str] = []
        self.annotations = 0

    # -- writing ------------------------------------------------------------------------

    def _emit(self, line: str, *, item: bool = False, source_id: str | None = None) -> int:
        """Add one line (a block, or a list item that joins the list above it); returns
        where the line's text starts in the final text."""
        if self._lines:
            separator = "\n" if item and self._last_was_item else "\n\n"
            self._lines.append(separator)
            self._size += len(separator)
        start = self._size
        self._lines.append(line)
        self._size += len(line)
        self._last_was_item = item
        if source_id:
            self._anchors.append((source_id, start + len(line) - len(line.lstrip()), False))
        return start

    def as_laid_out(self, markdown: str, words: str, *, source_ids: list[str] = ()) -> None:
        """``words`` after ``markdown``, both exactly as given: a source that records the
        storage Markdown around its words (regdraft's own Akoma Ntoso) is rebuilt as it
        was written, not re-spelt. Each of ``source_ids`` is placed where ``words`` start."""
        self._lines.append(markdown + words)
        self._size += len(markdown)
        self._anchors.extend((source_id, self._size, True) for source_id in source_ids)
        self._size += len(words)
        self._last_was_item = False

    def title(self, text: str) -> None:
        text = clean(text)
        if text:
            self._emit("# " + text)

    def heading(self, unit: str, number: str = "", heading: str = "", *, source_id: str | None = None) -> None:
        spelling = HEADINGS[self.kind].get(unit) or HEADINGS[self.kind]["section"]
        prefix, separator = spelling
        number, heading = clean(number), clean(heading)
        line = prefix.format(num=number).rstrip() if "{num}" in prefix else prefix
        if heading:
            line += (separator if "{num}" in prefix else " ") + heading
        if line.strip("# ") == "":
            return
        self._emit(line, source_id=source_id)

    def heading_as_written(self, level: int, words: str, *, source_id: str | None = None) -> None:
        """A heading whose words already spell the unit (the eCFR's ``§ 1005.2 Definitions.``)."""
        words = clean(words)
        if words:
            self._emit("#" * level + " " + words, source_id=source_id)

    def block(self, text: str, *, number: str = "", source_id: str | None = None) -> None:
        """A paragraph block: ``(1) text``, or plain text when ``number`` is empty."""
        text = clean(text)
        bare = bracketed(number)[1:-1]
        label = PARAGRAPH_LABELS[self.kind].format(num=bare) if bare else ""
        if not text and not label:
            return
        if label:
            line = f"{label} {text}".rstrip()
        else:
            line = escape_start(text)
        self._emit(line, source_id=source_id)

    def item(self, depth: int, number: str, text: str, *, source_id: str | None = None) -> None:
        """A list item ``- (a) text`` at ``depth`` (0 for a sub-paragraph, 1 for a head...)."""
        text = clean(text)
        label = bracketed(number)
        body = f"{label} {text}".strip() if label else escape_start(text)
        if not body:
            return
        self._emit("  " * depth + "- " + body, item=True, source_id=source_id)

    def continuation(self, depth: int, text: str) -> None:
        """Text after an item's own children (the words that close a list), kept in the item."""
        text = clean(text)
        if text:
            self._emit("  " * (depth + 1) + escape_start(text), item=True)

    def quote(self, text: str) -> None:
        """A block quote of one paragraph: an annotation line (``> F1 Words substituted by ...``)
        or quoted text. A number at its start is escaped (``> \\(2)``): the parser would
        otherwise read quoted words as a paragraph of this document."""
        text = clean(text)
        if text:
            self._emit("> " + ("\\" + text if text.startswith("(") else escape_start(text)))

    def annotation(self, text: str) -> None:
        self.annotations += 1
        self.quote(text)

    def table(self, rows: list[list[str]]) -> None:
        """A table as one paragraph of ``| cell | cell |`` lines: its words stay in the
        provision that holds it, and a reader sees the columns."""
        lines = ["| " + " | ".join(clean(cell).replace("|", "\\|") for cell in row) + " |" for row in rows if row]
        if lines:
            self._emit("\n".join(lines))

    def not_understood(self, element: str, where: str, text: str, note: str = "") -> None:
        """Keep an element the reader cannot place as a text block where it stood, and list it."""
        text = clean(text)
        if text:
            offset = self._emit(escape_start(text))
        else:  # nothing to keep: it belongs to what was written last
            offset = max(self._size - 1, 0)
        self._pending.append(_Pending(element, where, offset, note))

    def note(self, text: str) -> None:
        self._notes.append(text)

    # -- finishing ----------------------------------------------------------------------

    def finish(self, *, title: str, metadata: list[tuple[str, str]]) -> ImportedDocument:
        text = normalise("".join(self._lines), what=f"the {self.format} import")
        if not text.strip():
            raise InvalidFormat("nothing to import: the file holds no text", format=self.format)
        structure = _structure(text, self.kind, self.format)
        findings = tuple(Finding(p.element, p.where, _at(structure, p.offset), p.note) for p in self._pending)
        source_ids = tuple((source, found) for source, offset, outermost in self._anchors
                           if (found := _starting_at(structure, offset) if outermost else None)
                           or (found := _at(structure, offset)) is not None)
        report = ImportReport(format=self.format, units=count_units([p.kind for p in structure.provisions]),
                              not_understood=findings, annotations=self.annotations, notes=tuple(self._notes))
        return ImportedDocument(title=clean(title), kind=self.kind, text=text, report=report,
                                metadata=tuple((k, v) for k, v in metadata if v), source_ids=source_ids)


def _structure(text: str, kind: str, format: str) -> Structure:
    try:
        return parse_structure(text, kind=kind, strict=False)
    except InvalidStructure as exc:  # the parser refuses a text it cannot number at all
        raise InvalidFormat(f"the text read cannot be numbered: {exc.message}", format=format) from None


def _starting_at(structure: Structure, offset: int) -> str | None:
    """The outermost provision whose text starts at ``offset``, if one does."""
    return next((p.id for p in structure.provisions if p.start == offset), None)


def _at(structure: Structure, offset: int) -> str | None:
    provision = structure.at(min(offset, max(len(structure.text) - 1, 0)))
    return provision.id if provision is not None else None
