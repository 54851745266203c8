"""Plain text as legislation.gov.uk and departments publish it, to storage Markdown.

The shape read (SI 2014/2407's text is the reference)::

    STATUTORY INSTRUMENTS                 preamble lines
    2014 No. 2407
    The ... Regulations 2014              the title: the first line naming the instrument
    Made 9th September 2014               preamble lines
    Citation and commencement             a heading: a short line before a numbered line
    1. These Regulations may be cited...  regulation 1 (``3.—(1) ...`` opens paragraph (1))
    (1) ...                               a paragraph
    (a) ...                               a sub-paragraph; ``(i)`` under a letter is a head
    PART 2 / SCHEDULE 1                   a Part or Schedule (its heading on the same or next line)
    Edward Timpson                        short lines after the last provision: the signature
    EXPLANATORY NOTE                      the explanatory note, to the end

Nothing is dropped: a line the reader cannot place is kept as a text block where it
stood.
"""

from __future__ import annotations

import re

from regdraft.core.errors import InvalidFormat, InvalidText
from regdraft.core.text import decode, normalise
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read.storage import StorageWriter, clean

_NUMBERED = re.compile(r"^(\d+[A-Z]*)\.\s*(?:—|–|-)?\s*(.*)$")
_PART = re.compile(r"^PART\s+(\d+[A-Z]*|[IVXLC]+)\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_SCHEDULE = re.compile(r"^(?:THE\s+)?SCHEDULE\s*(\d+[A-Z]*)?\b[\s:.—–-]*(.*)$", re.IGNORECASE)
_BRACKETED = re.compile(r"^\((\d+[A-Z]*|[a-z]{1,4}|[A-Z]{1,3})\)\s*(.*)$")
_ROMAN = re.compile(r"^(?=[ivxl]+$)x{0,3}(ix|iv|v?i{0,3})$")
_NOTE = re.compile(r"^EXPLANATORY NOTE\b", re.IGNORECASE)
_INSTRUMENT = re.compile(r"\b(Regulations|Order|Rules|Act|Scheme|Directions)\b(?: \d{4})?")
_SHORT = 90
_TABLE = "\x00table"  # stands for a table in the list of lines; no cleaned line holds a NUL


Line = str | tuple[str, ...]
"""A line of text, or a table row (its cells) from a Word table."""


def read(data: bytes, *, kind: str | None = None) -> ImportedDocument:
    try:
        text = normalise(decode(data, what="the file"), what="the file")
    except InvalidText as exc:  # binary or broken bytes: not a text regdraft can read
        raise InvalidFormat(exc.message, format="text", where=f"offset {exc.extra.get('offset')}") from None
    return read_lines(text.split("\n"), kind=kind, format="text")


def read_lines(lines: list[Line], *, kind: str | None, format: str, title: str = "") -> ImportedDocument:
    """The reading of the text reader, over lines another reader has taken from its source."""
    return _Reader(kind or "uk-si", format).read(lines, title)


class _Reader:
    def __init__(self, kind: str, format: str) -> None:
        self.out = StorageWriter(kind, format)
        self.format = format
        self.in_schedule = False
        self.letter_open = False  # a lettered item is open, so (i) is a head
        self.last_letter = ""

    def read(self, source: list[Line], title: str) -> ImportedDocument:
        lines: list[str] = []
        self.tables: dict[int, list[list[str]]] = {}  # line index -> the table that stands there
        for line in source:
            if isinstance(line, tuple):
                if not lines or lines[-1] != _TABLE:
                    lines.append(_TABLE)
                    self.tables[len(lines) - 1] = []
                self.tables[len(lines) - 1].append(list(line))
            elif clean(line):
                lines.append(clean(line))
        if title:
            self.out.title(title)
        first_unit = next((i for i, line in enumerate(lines) if self._starts_unit(lines, i)), len(lines))
        if not title:  # the first line naming the instrument heads the document
            title = next((line for line in lines[:first_unit] if _INSTRUMENT.search(line) and len(line) > 20
                          and not line[0].isdigit() and line != _TABLE), "")
            self.out.title(title)
        for index, line in enumerate(lines[:first_unit]):
            if line == _TABLE:
                self._table(index)
            elif line != title:
                self.out.block(line)
        i = first_unit
        while i < len(lines):
            line = lines[i]
            if _NOTE.match(line):
                self._note(lines[i:], i)
                break
            if self._signature_starts(lines, i):
                i = self._signature(lines, i)
                continue
            i = self._line(lines, i)
        return self.out.finish(title=title, metadata=[("source_format", {"text": "plain text"}.get(self.format,
                                                                                                  self.format))])

    def _table(self, index: int) -> None:
        rows = self.tables[index]
        self.out.table(rows)
        self.out.note(f"table kept as | rows | ({len(rows)} rows)")

    def _starts_unit(self, lines: list[str], i: int) -> bool:
        line = lines[i]
        if _PART.match(line) or (_SCHEDULE.match(line) and line.isupper()):
            return True
        return self._is_heading(lines, i) or bool(_NUMBERED.match(line))

    def _is_heading(self, lines: list[str], i: int) -> bool:
        """A short line without closing punctuation, followed by a numbered line."""
        line = lines[i]
        return (line != _TABLE and i + 1 < len(lines) and len(line) < _SHORT and not line.endswith((".", ";", ",", ":", "—"))
                and not _BRACKETED.match(line) and bool(_NUMBERED.match(lines[i + 1]))
                and not _NUMBERED.match(line))

    def _signature_starts(self, lines: list[str], i: int) -> bool:
        """Short lines after the provisions with no numbered line before the note: the signature."""
        if lines[i] == _TABLE or len(lines[i]) >= _SHORT or _NUMBERED.match(lines[i]) or _BRACKETED.match(lines[i]):
            return False
        for line in lines[i:]:
            if _NOTE.match(line):
                return True
            if _NUMBERED.match(line) or _PART.match(line) or _SCHEDULE.match(line) or len(line) >= _SHORT:
                return False
        return True

    def _signature(self, lines: list[str], i: int) -> int:
        self.out.heading("section", "", "Signature")
        while i < len(lines) and not _NOTE.match(lines[i]):
            self._table(i) if lines[i] == _TABLE else self.out.block(lines[i])
            i += 1
        return i

    def _note(self, lines: list[str], start: int) -> None:
        self.out.heading("section", "", "Explanatory note")
        for offset, line in enumerate(lines[1:], start=1):
            if line == _TABLE:
                self._table(start + offset)
            else:
                self.out.block("\\" + line if line.startswith("(") else line)

    def _line(self, lines: list[str], i: int) -> int:
        line = lines[i]
        if line == _TABLE:
            self._table(i)
            return i + 1
        part, schedule = _PART.match(line), _SCHEDULE.match(line)
        if part:
            heading, i = self._heading_after(part.group(2), lines, i)
            self.out.heading("schedule-part" if self.in_schedule else "part", part.group(1), heading)
            return i + 1
        if schedule and line.isupper() or (schedule and schedule.group(1) and len(line) < _SHORT):
            self.in_schedule = True
            heading, i = self._heading_after(schedule.group(2), lines, i)
            self.out.heading("schedule", schedule.group(1) or "1", heading)
            return i + 1
        if self._is_heading(lines, i):
            numbered = _NUMBERED.match(lines[i + 1])
            self._numbered(numbered.group(1), line, numbered.group(2))
            return i + 2
        numbered = _NUMBERED.match(line)
        if numbered:
            self._numbered(numbered.group(1), "", numbered.group(2))
            return i + 1
        bracketed = _BRACKETED.match(line)
        if bracketed:
            self._bracketed(bracketed.group(1), bracketed.group(2))
            return i + 1
        self.out.block(line)
        self.letter_open = False
        return i + 1

    def _heading_after(self, same_line: str, lines: list[str], i: int) -> tuple[str, int]:
        """A Part's or Schedule's heading: the rest of its line, or the next line when that
        is a short line that does not start a unit."""
        if same_line:
            return same_line, i
        if i + 1 < len(lines) and len(lines[i + 1]) < _SHORT and not _NUMBERED.match(lines[i + 1]) \
                and not _BRACKETED.match(lines[i + 1]) and not self._is_heading(lines, i + 1):
            return lines[i + 1], i + 1
        return "", i

    def _numbered(self, number: str, heading: str, rest: str) -> None:
        self.out.heading("schedule-paragraph" if self.in_schedule else "provision", number, heading)
        self.letter_open = False
        bracketed = _BRACKETED.match(rest)
        if bracketed and bracketed.group(1).isdigit():
            self._bracketed(bracketed.group(1), bracketed.group(2))
        else:
            self.out.block(rest)

    def _bracketed(self, number: str, words: str) -> None:
        if number[0].isdigit():
            self.out.block(words, number=number)
            self.letter_open = False
        elif number.isupper():
            self.out.item(2, number, words)
        elif _ROMAN.match(number) and self.letter_open and not (number in ("i", "v", "x")
                                                               and _next_letter(self.last_letter) == number):
            self.out.item(1, number, words)
        else:
            self.out.item(0, number, words)
            self.letter_open = True
            self.last_letter = number


def _next_letter(letter: str) -> str:
    return chr(ord(letter[-1]) + 1) if letter and letter[-1] < "z" else ""
