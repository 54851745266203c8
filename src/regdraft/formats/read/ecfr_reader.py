"""eCFR XML (the Electronic Code of Federal Regulations' DIV structure) to storage Markdown.

``DIV5`` is a Part (``# PART 1005—TITLE``), ``DIV6`` a Subpart, ``DIV8`` a section
(``### § 1005.2 Definitions.``), ``DIV9`` an appendix or supplement; each ``P`` is a
paragraph whose markers ``(a)``, ``(1)``, ``(i)``, ``(A)``, italic ``(1)`` and italic
``(i)`` say its level, as the CFR's own paragraph sequence does. Italic markers are
written ``(*1*)``. The eCFR's ``NODE`` attribute is kept as the source id.
"""

from __future__ import annotations

import re

from lxml import etree

from regdraft.formats.model import ImportedDocument
from regdraft.formats.read.storage import StorageWriter, clean
from regdraft.formats.read.xml import path

_MARKER = re.compile(r"^\((\*?)([A-Za-z0-9]+)\1\)")
_ROMAN = re.compile(r"^(?=[ivxl]+$)x{0,3}(ix|iv|v?i{0,3})$")
_DIVS = {f"DIV{n}" for n in range(1, 10)}
_LEVELS = {"DIV5": 1, "DIV6": 2, "DIV7": 3, "DIV8": 3, "DIV9": 2}
"""The heading level each DIV's HEAD is written at."""


def sniff(root: etree._Element) -> bool:
    return root.tag in _DIVS | {"ECFR", "CFRGRANULE"} and next(root.iter("DIV5", "DIV8"), None) is not None


def read(root: etree._Element, *, kind: str | None = None) -> ImportedDocument:
    return _Reader(kind or "us-cfr").read(root)


def _level(marker: str, italic: bool, previous: int | None) -> int:
    """The CFR level of a paragraph marker: (a) 0, (1) 1, (i) 2, (A) 3, italic (1) 4, italic (i) 5.
    An ``(i)`` after ``(h)`` at level 0 is the letter i."""
    if italic:
        return 4 if marker.isdigit() else 5
    if marker.isdigit():
        return 1
    if marker.isupper():
        return 3
    if _ROMAN.match(marker) and not (previous == 0 and marker in ("i", "v", "x")):
        return 2
    return 0


class _Reader:
    def __init__(self, kind: str) -> None:
        self.out = StorageWriter(kind, "ecfr")
        self.level: int | None = None

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
        title = ""
        for div in root.iter(*_DIVS):
            if div.tag == "DIV5":
                title = title or self._inline(div.find("HEAD")) if div.find("HEAD") is not None else title
        holder = etree.Element("ECFR")  # so that a DIV at the root is read as one of its own
        holder.append(root) if root.tag in _DIVS else holder.extend(list(root))
        self._div(holder)
        return self.out.finish(title=title or "eCFR import", metadata=[("source_format", "eCFR XML")])

    def _div(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _DIVS:
                head = child.find("HEAD")
                words = self._inline(head) if head is not None else ""
                if tag in _LEVELS and words:
                    # The HEAD is written as the eCFR writes it (``PART 1005—...``, ``§ 1005.2 ...``).
                    self.out.heading_as_written(_LEVELS[tag], words, source_id=child.get("NODE"))
                self.level = None
                self._div(child)
            elif tag == "P":
                self._paragraph(child)
            elif tag in ("HEAD", ""):
                continue
            elif tag in ("AUTH", "SOURCE", "EDNOTE", "CITA", "SECAUTH", "NOTE", "FP", "HD1", "HD2", "HD3"):
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
            if self.level is None:
                self.out.block(words)
            else:
                self.out.continuation(self.level, words)
            return
        while match:  # ``(a)(1) Account means`` opens (a) and, inside it, (1)
            italic, marker = bool(match.group(1)), match.group(2)
            self.level = _level(marker, italic, self.level)
            words = words[match.end():].lstrip()
            match = _MARKER.match(words)
            self.out.item(self.level, f"*{marker}*" if italic else marker, "" if match else words)
