"""Word .docx drafts to storage Markdown.

Read with python-docx (see pyproject.toml for why), paragraph by paragraph in body
order, tables included:

- a ``Title`` style is the title; ``Heading N`` styles are headings, read by their words
  as the text reader reads lines (``Part 2``, ``Schedule 1``, ``3. Heading``);
- a paragraph's number is the one Word shows: typed (``(1) The ...``) or automatic
  (``w:numPr``), counted from ``numbering.xml`` (decimal, letter and roman formats) and
  written into the text as a drafter types it: ``3.`` for a decimal at the list's top
  level, ``(a)``, ``(ii)``, ``(2)`` for anything lettered or below;
- then each line goes through the plain-text reader's rules, so a numbered paragraph
  becomes a regulation, ``(1)`` a paragraph, ``(a)`` a sub-paragraph, whichever way
  Word numbered it; a table becomes ``| cell |`` rows.

The zip is checked before python-docx opens it: at most :data:`MAX_ENTRIES` entries and
:data:`MAX_UNPACKED` bytes unpacked in all, at most :data:`MAX_RATIO` times the packed
size per entry (a zip bomb fails here), and no part that declares a DTD or entities.
"""

from __future__ import annotations

import io
import zipfile

from regdraft.core.errors import InvalidFormat
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read import text_reader
from regdraft.formats.read.xml import parse

MAX_ENTRIES = 2000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, *, kind: str | None = None) -> ImportedDocument:
    _check_zip(data)
    import docx  # python-docx: imported here so that the XML readers do not need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a broken package
        raise InvalidFormat(f"not a Word document python-docx can open: {exc}", format="docx") from None
    lines, title = _lines(document)
    return text_reader.read_lines(lines, kind=kind, format="docx", title=title)


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidFormat(f"not a zip package: {exc}", format="docx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise InvalidFormat(f"the package has {len(entries)} parts (at most {MAX_ENTRIES} are read)",
                                format="docx")
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > MAX_UNPACKED or total > MAX_UNPACKED:
                raise InvalidFormat(f"the package unpacks to more than {MAX_UNPACKED} bytes (a zip bomb?)",
                                    format="docx", where=entry.filename)
            if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO and entry.file_size > 1 << 20:
                raise InvalidFormat(f"{entry.filename} is compressed {entry.file_size // entry.compress_size}:1 "
                                    f"(a zip bomb?)", format="docx", where=entry.filename)
        names = {entry.filename for entry in entries}
        if "word/document.xml" not in names:
            raise InvalidFormat("a Word package holds word/document.xml; this one does not", format="docx")
        for name in names:
            if name.endswith((".xml", ".rels")):
                with archive.open(name) as part:
                    data_part = part.read(MAX_UNPACKED + 1)
                if len(data_part) > MAX_UNPACKED:
                    raise InvalidFormat("a part unpacks beyond its declared size", format="docx", where=name)
                parse(data_part, "docx")  # refuses DTDs, entities and malformed XML


class _Numbering:
    """The numbers Word shows for automatically numbered paragraphs."""

    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (fmt, text, start)
        self.counters: dict[str, list[int]] = {}
        part = getattr(document.part, "numbering_part", None)
        if part is None:
            return
        root = part.element
        abstract = {}
        for node in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[int(lvl.get(f"{_W}ilvl"))] = (fmt.get(f"{_W}val") if fmt is not None else "decimal",
                                                     text.get(f"{_W}val") if text is not None else "",
                                                     int(start.get(f"{_W}val")) if start is not None else 1)
            abstract[node.get(f"{_W}abstractNumId")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val"), {}).items():
                self.levels[(num.get(f"{_W}numId"), ilvl)] = spec

    def number(self, paragraph) -> str:
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
        if (num_id, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        start = self.levels[(num_id, ilvl)][2]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        fmt, text, _ = self.levels[(num_id, ilvl)]
        if fmt in ("none", "bullet"):
            return ""
        # The paragraph's own number, as a drafter types it: a regulation ``3.`` at the top
        # level, anything below (or lettered) ``(a)``, whatever punctuation Word adds.
        own = _formatted(counters[ilvl] or 1, fmt)
        if ilvl == 0 and fmt == "decimal" and "(" not in text:
            return f"{own}."
        return f"({own})"


def _formatted(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    return str(value)


def _letters(value: int) -> str:
    # Word repeats the letter after z: aa, bb...
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    out = ""
    for amount, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                            (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while value >= amount:
            out += letters
            value -= amount
    return out


def _lines(document) -> tuple[list[str], str]:
    """Each paragraph's text with the number Word shows, tables as ``| cell |`` rows."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(document)
    lines: list[text_reader.Line] = []
    title = ""
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            paragraph = Paragraph(block, document)
            words = paragraph.text.strip()
            number = numbering.number(paragraph)
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if style == "Title" and not title:
                title = words
                continue
            if number:
                words = f"{number} {words}".strip()
            if words:
                lines.append(words)
        elif block.tag == f"{_W}tbl":
            table = Table(block, document)
            for row in table.rows:
                lines.append(tuple(cell.text.strip() for cell in row.cells))
    return lines, title
