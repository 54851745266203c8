"""eCFR XML (the Electronic Code of Federal Regulations' DIV structure) to storage Markdown.

Two shapes are read: the eCFR API's DIV tree (a ``DIV5`` part or ``DIV8`` section at the
root), and GPO's bulk files (``DLPSTEXTCLASS``: a TEI-like ``HEADER``, then the title's
DIVs under ``TEXT/BODY/ECFRBRWS``, with the title's table of contents in ``CFRTOC`` and
the date it is current to in ``AMDDATE``). ``DIV1`` is the title, ``DIV3`` a chapter,
``DIV4`` a subchapter (headings above the parts; the title's heading is the document's
title), ``DIV7`` a subject group (an undesignated heading among sections).
``DIV5`` is a Part (``# PART 1005—TITLE``), ``DIV6`` a Subpart, ``DIV8`` a section
(``### § 1005.2 Definitions.``), ``DIV9`` an appendix or supplement; each ``P`` is a
paragraph whose markers ``(a)``, ``(1)``, ``(i)``, ``(A)``, italic ``(1)`` and italic
``(i)`` say its level, as the CFR's own paragraph sequence does. Italic markers are
written ``(*1*)``. The eCFR's ``NODE`` attribute is kept as the source id.
"""

from __future__ import annotations

import re

from lxml import etree

from regdraft.core.structure import number_value
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read.storage import StorageWriter, clean
from regdraft.formats.read.xml import path

_MARKER = re.compile(r"^\((\*?)([A-Za-z0-9]+)\1\)")
# A definition in a definitions section: ``*Term* means …`` (also "includes", "has the
# meaning", "refers to"). The CFR lists definitions unlettered and in alphabetical order,
# each with numbered paragraphs of its own, so a definition ends the paragraphs before it.
_DEFINITION = re.compile(r"^\*[^*]+\*,?\s+(?:\([^)]*\)\s+)?(?:means|includes|has the meaning|refers to|is defined)\b")
_ROMAN = re.compile(r"^(?=[ivxl]+$)x{0,3}(ix|iv|v?i{0,3})$")
_DIVS = {f"DIV{n}" for n in range(1, 10)}
_LEVELS = {"DIV3": 1, "DIV4": 1, "DIV5": 1, "DIV6": 2, "DIV7": 3, "DIV8": 3, "DIV9": 2}
"""The heading level each DIV's HEAD is written at (a title's ``DIV1`` heads the document)."""
_ROOTS = _DIVS | {"ECFR", "CFRGRANULE", "DLPSTEXTCLASS", "ECFRBRWS"}
_SKIPPED = {"HEAD", "CFRTOC", "AMDDATE", "HEADER", ""}
"""What is not text of the regulation: headings (written from their DIV), the title's
table of contents, the currency date (kept as metadata), the bulk file's TEI header."""


def sniff(root: etree._Element) -> bool:
    return root.tag in _ROOTS and next(root.iter("DIV5", "DIV8"), None) is not None


def read(root: etree._Element, *, kind: str | None = None) -> ImportedDocument:
    return _Reader(kind or "us-cfr").read(root)


def _iso_date(amended: str) -> str:
    """``2022-12-29`` from the eCFR's ``Dec. 29, 2022(fm)`` ("fm": front matter), or ``""``."""
    m = re.match(r"\s*([A-Z][a-z]{2})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4})", amended)
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    if m is None or m.group(1) not in months:
        return ""
    return f"{m.group(3)}-{months.index(m.group(1)) + 1:02d}-{int(m.group(2)):02d}"


def _level(marker: str, italic: bool, previous: int | None, letter: str | None, next_marker: str | None) -> int:
    """The CFR level of a paragraph marker: (a) 0, (1) 1, (i) 2, (A) 3, italic (1) 4, italic (i) 5.
    A roman-looking letter is the letter where it comes right after the last letter at
    level 0 and is not followed by the roman numeral after it: ``(i)`` after ``(h)``,
    written under ``(h)(4)``, is a letter unless an ``(ii)`` follows."""
    if italic:
        return 4 if marker.isdigit() else 5
    if marker.isdigit():
        return 1
    if marker.isupper():
        return 3
    if not _ROMAN.match(marker):
        return 0
    follows_letter = letter is not None and len(marker) == 1 and ord(marker) == ord(letter) + 1
    if previous == 0 and marker in ("i", "v", "x"):
        return 0
    if follows_letter and not _roman_after(marker, next_marker):
        return 0
    return 2


def _roman_after(numeral: str, after: str | None) -> bool:
    """Whether ``after`` is the roman numeral following ``numeral`` (ii after i)."""
    if after is None or not _ROMAN.match(after):
        return False
    return number_value("roman", after)[0] == number_value("roman", numeral)[0] + 1


def _next_marker(p: etree._Element) -> str | None:
    """The first marker of the next paragraph that has one, in the same DIV."""
    for sibling in p.itersiblings("P"):
        m = _MARKER.match(" ".join("".join(sibling.itertext()).split()).replace("(<I>", "("))
        if m is not None:
            return m.group(2)
    return None


class _Reader:
    def __init__(self, kind: str) -> None:
        self.out = StorageWriter(kind, "ecfr")
        self.level: int | None = None
        self.letter: str | None = None  # the last marker at level 0 in the section being read

    def _inline(self, element: etree._Element) -> str:
        parts = [element.text or ""]
        for child in element:
            if child.tag == "I" and clean(self._inline(child)):  # italics: defined terms, italic markers
                parts.append(f"*{self._inline(child)}*")
            else:
                parts.append(self._inline(child))
            parts.append(child.tail or "")
        return clean("".join(parts))

    def read(self, root: etree._Element) -> ImportedDocument:
        heads = {div.tag: div.find("HEAD") for div in reversed(list(root.iter("DIV1", "DIV5")))}
        title = next((self._inline(heads[tag]) for tag in ("DIV1", "DIV5") if heads.get(tag) is not None), "")
        amended = root.find(".//AMDDATE")
        body = root.find(".//ECFRBRWS") if root.tag == "DLPSTEXTCLASS" else root
        holder = etree.Element("ECFR")  # so that a DIV at the root is read as one of its own
        holder.append(body) if body.tag in _DIVS else holder.extend(list(body))
        self._div(holder)
        current_to = _iso_date(amended.text or "") if amended is not None else ""
        if current_to:
            self.out.note(f"the eCFR's text as amended to {current_to}")
        return self.out.finish(title=title or "eCFR import",
                               metadata=[("source_format", "eCFR XML"), ("point_in_time", current_to)])

    def _div(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _DIVS:
                head = child.find("HEAD")
                words = self._inline(head) if head is not None else ""
                if tag in _LEVELS and words:
                    # The HEAD is written as the eCFR writes it (``PART 1005—...``, ``§ 1005.2 ...``).
                    self.out.heading_as_written(_LEVELS[tag], words, source_id=child.get("NODE"))
                self.level = self.letter = None
                self._div(child)
            elif tag == "P":
                self._paragraph(child)
            elif tag in _SKIPPED:
                continue
            elif tag == "EXTRACT":  # quoted matter (a form, a sample notice): text of the section that quotes it
                for line in child.iter("P", "FP", "FRP", "FP-DASH", "FP-1", "FP-2", "HD1", "HD2", "HD3"):
                    self.out.quote(self._inline(line))
            elif tag == "DIV" and next(child.iter("TABLE"), None) is not None:  # a table's HTML wrapper
                self._div(child)
            elif tag in ("AUTH", "SOURCE", "EDNOTE", "CITA", "SECAUTH", "NOTE", "FP", "HD1", "HD2", "HD3",
                         "FTNT", "EXAMPLE"):
                self.out.block(" ".join([self._inline(child)] if not len(child) else
                                        [clean(child.text or "")] + [self._inline(c) for c in child]))
            elif tag in ("GPOTABLE", "TABLE"):
                rows = [[self._inline(c) for c in row] for row in child.iter("ROW", "TR")]
                self.out.table(rows)
            else:
                self.out.not_understood(tag, path(child), self._inline(child))

    def _paragraph(self, p: etree._Element) -> None:
        words = self._inline(p)
        match = _MARKER.match(words)
        if not match:
            if self.level is None or _DEFINITION.match(words):
                self.level = None
                self.out.block(words)
            else:
                self.out.continuation(self.level, words)
            return
        while match:  # ``(a)(1) Account means`` opens (a) and, inside it, (1)
            italic, marker = bool(match.group(1)), match.group(2)
            self.level = _level(marker, italic, self.level, self.letter, _next_marker(p))
            if self.level == 0:
                self.letter = marker
            words = words[match.end():].lstrip()
            match = _MARKER.match(words)
            self.out.item(self.level, f"*{marker}*" if italic else marker, "" if match else words)
