"""Akoma Ntoso 3.0 (OASIS LegalDocML) acts and bills to storage Markdown.

The ``body`` hierarchy is read by its ``num``/``heading``/``content`` whatever the
elements are called (``section``, ``article``, ``hcontainer name="regulation"``,
``paragraph``, ``subsection``, ``point``, ``level``...): a Part, Chapter or Title is a
heading; the first numbered unit under it is a provision (regulation, section, article);
a digit-numbered unit directly inside a provision is a paragraph block ``(1)``; anything
lettered or deeper is a list item nested as the source nests it. Every unit's ``eId``
is kept beside the regdraft id it becomes, and the FRBR work and expression URIs (and
the expression date) are kept as metadata.

Lawmaker's placeholders (``<ref class="placeholder" href="#varSITitle"/>``) are filled
from the ``references`` that define them; ``authorialNote`` footnotes become
``[footnote 1]`` markers with the note's text as an annotation line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from lxml import etree

from regdraft.core.errors import InvalidFormat
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read.storage import StorageWriter, bare_number, clean
from regdraft.formats.read.xml import local, namespace, path
from regdraft.formats.write.akn import MD
from regdraft.core.traditions import KINDS

NAMESPACE = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

_DOCUMENTS = {"act", "bill", "doc", "statement", "amendment", "documentCollection"}
# Units that carry a number and a heading, by what they become at the top of the body.
_GROUPS = {"part": "part", "chapter": "chapter", "title": "title", "subpart": "subpart", "division": "part",
           "book": "part"}
_PROVISIONS = {"section", "article", "rule", "regulation"}
_SUBUNITS = {"paragraph", "subsection", "subparagraph", "point", "level", "item", "clause", "subclause",
             "indent", "alinea", "subdivision", "sublist", "list", "subrule", "proviso", "hcontainer"}
_TEXT = {"intro", "content", "wrapUp", "p", "blockList", "num", "heading", "subheading", "crossHeading"}
_DIGITS = re.compile(r"^\(?\d+[A-Z]*\)?\.?$")


def sniff(root: etree._Element) -> bool:
    return local(root) == "akomaNtoso" and (namespace(root).startswith(NAMESPACE)
                                            or namespace(root).startswith("http://www.akomantoso.org/"))


def laid_out(element: etree._Element) -> Iterator[tuple[list[str], str, str]]:
    """The words of regdraft's own export under ``element`` with the storage Markdown
    before them (``rd:md``), in document order: (the ``eId`` of each unit met since
    the words before, the Markdown, the words). Joined, they are the text exported."""
    waiting: list[str] = []
    for inner in element.iter(tag=etree.Element):
        if inner.get("eId") and inner.get("name") != "text":
            waiting.append(inner.get("eId"))
        markdown = inner.get(MD)
        if markdown is not None:
            yield waiting, markdown, inner.text or ""
            waiting = []


def read(root: etree._Element, *, kind: str | None = None) -> ImportedDocument:
    return _Reader(root, kind).read()


class _Reader:
    def __init__(self, root: etree._Element, kind: str | None) -> None:
        self.ns = namespace(root)
        self.document = next((c for c in root if local(c) in _DOCUMENTS), None)
        # A collection (the Commission's proposal: memorandum, bill, financial statement) is
        # read as its act or bill; the other documents in it follow as sections of text.
        self.others: list[etree._Element] = []
        if self.document is not None and local(self.document) == "documentCollection":
            held = [d for component in root.iter(f"{{{namespace(root)}}}component") for d in component
                    if local(d) in _DOCUMENTS]
            main = next((d for d in held if local(d) in ("act", "bill")), None)
            if main is not None:
                self.others = [d for d in held if d is not main]
                self.collection = self.document
                self.document = main
        if self.document is None:
            raise InvalidFormat("an Akoma Ntoso file holds an act, bill or doc; this one holds none", format="akn")
        self.meta = self._child(self.document, "meta")
        self.placeholders = {e.get("eId"): e.get("showAs", "") for e in self.document.iter()
                             if e.get("showAs") is not None and e.get("eId")}
        self.kind = kind or self._kind()
        self.out = StorageWriter(self.kind, "akn")
        self.notes: list[tuple[str, str]] = []
        self.footnotes = 0
        self.lists: list[etree._Element] = []  # blockLists met in words just read, to write as items

    def _child(self, element: etree._Element | None, name: str) -> etree._Element | None:
        if element is None:
            return None
        return next((c for c in element if local(c) == name), None)

    def _frbr(self, level: str, field: str, attribute: str = "value") -> str:
        identification = self._child(self.meta, "identification")
        part = self._child(identification, level)
        found = self._child(part, field)
        return found.get(attribute, "") if found is not None else ""

    def _kind(self) -> str:
        name = (self.document.get("name") or "").lower()
        if name in KINDS:  # regdraft's own export names the drafting tradition
            return name
        country = self._frbr("FRBRWork", "FRBRcountry").lower()
        if country.startswith("eu") or name.startswith("eu"):
            return "eu-act"
        if "si" in name or "statutoryinstrument" in name or "regulation" in name or "order" in name:
            return "uk-si"
        return "uk-act"

    # -- text ---------------------------------------------------------------------------

    def _inline(self, element: etree._Element) -> str:
        parts = [element.text or ""]
        for child in element:
            name = local(child)
            if name == "authorialNote":
                self.footnotes += 1
                marker = child.get("marker") or str(self.footnotes)
                self.notes.append((marker, self._inline(child)))
                parts.append(f" [footnote {marker}]")
            elif name == "blockList":
                parts.append(" " + self._list_intro(child) + " ")
            elif name == "ref" and not (child.text or "").strip() and len(child) == 0:
                parts.append(self.placeholders.get((child.get("href") or "").lstrip("#"), ""))
            elif name in ("p", "block", "blockList", "content", "intro", "wrapUp"):
                parts.append(" " + self._inline(child) + " ")
            elif name:
                parts.append(self._inline(child))
            parts.append(child.tail or "")
        return clean("".join(parts))

    def _list_intro(self, block_list: etree._Element) -> str:
        """A blockList's introduction, which stays in the words; its items are written after
        them as list items (:meth:`_write_lists`)."""
        self.lists.append(block_list)
        intro = self._child(block_list, "listIntroduction")
        return self._inline(intro) if intro is not None else ""

    def _write_lists(self, depth: int) -> None:
        """The items of the blockLists in the words just written, as list items below ``depth``."""
        lists, self.lists = self.lists, []
        for block_list in lists:
            for item in block_list:
                if local(item) != "item":
                    continue
                words = " ".join(self._list_intro(c) if local(c) == "blockList" else self._inline(c)
                                 for c in item if local(c) != "num")
                self.out.item(depth + 1, self._num(item), words, source_id=item.get("eId"))
                self._write_lists(depth + 1)

    def _flush_notes(self) -> None:
        self._write_lists(-1)
        for marker, words in self.notes:
            self.out.quote(f"Footnote {marker}: {words}")
        self.notes = []

    def _num(self, element: etree._Element) -> str:
        found = self._child(element, "num")
        return self._inline(found) if found is not None else ""

    def _heading(self, element: etree._Element) -> str:
        found = self._child(element, "heading")
        return self._inline(found) if found is not None else ""

    # -- reading ------------------------------------------------------------------------

    def read(self) -> ImportedDocument:
        title = self._read_laid_out() if self._laid_out() else self._read_parts()
        title = title or self._frbr("FRBRWork", "FRBRname") or self._frbr("FRBRWork", "FRBRuri")
        metadata = [("source_format", "Akoma Ntoso"), ("akn_namespace", self.ns),
                    ("frbr_work", self._frbr("FRBRWork", "FRBRuri") or self._frbr("FRBRWork", "FRBRthis")),
                    ("frbr_expression", self._frbr("FRBRExpression", "FRBRuri")
                     or self._frbr("FRBRExpression", "FRBRthis")),
                    ("frbr_work_date", self._frbr("FRBRWork", "FRBRdate", "date")),
                    ("frbr_expression_date", self._frbr("FRBRExpression", "FRBRdate", "date")),
                    ("frbr_country", self._frbr("FRBRWork", "FRBRcountry")),
                    ("document_type", f"{local(self.document)} {self.document.get('name', '')}".strip())]
        if self.ns != NAMESPACE:
            self.out.note(f"namespace {self.ns} read as Akoma Ntoso 3.0")
        return self.out.finish(title=title, metadata=metadata)

    def _read_parts(self) -> str:
        """The document read by its elements' meaning; returns the title."""
        title = ""
        for part in self.document:
            name = local(part)
            if name == "meta":
                continue
            if name in ("preface", "coverPage"):
                title = title or self._title(part)
                if title:
                    self.out.title(title)
                self._blocks(part, skip_title=True)
            elif name == "preamble":
                self._blocks(part)
            elif name in ("body", "mainBody"):
                self._container(part, in_schedule=False)
            elif name in ("conclusions",):
                self._conclusions(part)
            elif name in ("attachments", "components"):
                self._attachments(part)
            elif name:
                self.out.not_understood(f"akn:{name}", path(part), self._inline(part))
            self._flush_notes()
        for other in self.others:
            self.out.heading("section", "", (other.get("name") or local(other))[:1].upper()
                             + (other.get("name") or local(other))[1:])
            for block in other.iter(f"{{{self.ns}}}p", f"{{{self.ns}}}heading"):
                words = self._inline(block)
                self.out.block("\\" + words if words.startswith("(") else words)
            self.lists = []  # their lists' words are in the blocks already
            self.out.note(f"{local(other)} {other.get('name', '')!r} of the collection kept as plain text")
        return title

    def _laid_out(self) -> bool:
        """Whether the words carry the storage Markdown around them (``rd:md``, regdraft's own export)."""
        return any(element.get(MD) is not None for part in self.document if local(part) != "meta"
                   for element in part.iter(tag=etree.Element))

    def _read_laid_out(self) -> str:
        """The text rebuilt as it was written (:func:`laid_out`), every ``eId`` placed
        where its unit's first words start. Returns the title."""
        for part in (part for part in self.document if local(part) != "meta"):
            for source_ids, markdown, words in laid_out(part):
                self.out.as_laid_out(markdown, words, source_ids=source_ids)
        preface = self._child(self.document, "preface")
        return self._title(preface) if preface is not None else ""

    def _title(self, preface: etree._Element) -> str:
        for tag in ("shortTitle", "docTitle"):
            found = next(preface.iter(f"{{{self.ns}}}{tag}"), None)
            if found is not None:
                return self._inline(found)
        return ""

    def _blocks(self, element: etree._Element, *, skip_title: bool = False) -> None:
        """Preface and preamble: each paragraph-like element a block."""
        for child in element:
            name = local(child)
            if name in ("p", "block", "formula", "longTitle", "recital", "citation", "container", "blockContainer",
                        "recitals", "citations", "tblock", "intro"):
                if name in ("container", "blockContainer", "recitals", "citations", "formula") and len(child):
                    self._blocks(child, skip_title=skip_title)
                    continue
                words = self._inline(child)
                if skip_title and next(child.iter(f"{{{self.ns}}}docTitle"), None) is not None:
                    continue
                self.out.block(words)
            elif name:
                self.out.not_understood(f"akn:{name}", path(child), self._inline(child))

    def _container(self, element: etree._Element, *, in_schedule: bool) -> None:
        for child in element:
            self._unit(child, in_schedule=in_schedule)

    def _unit(self, child: etree._Element, *, in_schedule: bool) -> None:
        name = local(child)
        kind_name = (child.get("name") or "").lower()
        if name in _GROUPS or kind_name in ("part", "chapter"):
            unit = _GROUPS.get(name) or kind_name
            if in_schedule and unit == "part":
                unit = "schedule-part"
            self.out.heading(unit, bare_number(self._num(child), "PART", "Part", "CHAPTER", "Chapter", "TITLE",
                                               "Title"),
                             self._heading(child), source_id=child.get("eId"))
            self._flush_notes()
            self._container_rest(child, in_schedule=in_schedule)
        elif name in _PROVISIONS or kind_name in ("regulation", "section", "article", "rule", "paragraph") \
                and name == "hcontainer" and self._num(child):
            self._provision(child, in_schedule=in_schedule)
        elif name == "hcontainer" and kind_name in ("crossheading", "groupofparts", "group"):
            heading = self._heading(child)
            if heading:
                self.out.heading("crossheading", "", heading, source_id=child.get("eId"))
            self._container_rest(child, in_schedule=in_schedule)
        elif name == "hcontainer" and kind_name in ("schedule",):
            self._schedule(child)
        elif name == "hcontainer" and kind_name in ("schedules",):
            self._container_rest(child, in_schedule=True)
        elif name == "hcontainer" and kind_name in ("signatures", "signatureblock"):
            self.out.heading("section", "", "Signature")
            for block in child.iter(f"{{{self.ns}}}p", f"{{{self.ns}}}block"):
                if local(block) == "block" or block.getparent() is not None:
                    words = self._inline(block)
                    if words and local(block.getparent()) != "block":
                        self.out.block(words)
        elif name in ("num", "heading", "subheading"):
            return
        elif name == "hcontainer" and not self._num(child) and self._heading(child):
            # An unnumbered unit with a heading (a signature, an explanatory note, a
            # cross-heading over sections): a section, its text blocks and its units.
            unit = "crossheading" if kind_name in ("cross-heading", "crossheading") else "section"
            self.out.heading(unit, "", self._heading(child), source_id=child.get("eId"))
            for inner in child:
                if local(inner) in _TEXT or local(inner) in ("block", "tblock", "blockContainer", "table"):
                    self._children([inner], depth=-1)
                elif local(inner) not in ("num", "heading", "subheading"):
                    self._unit(inner, in_schedule=in_schedule)
            self._flush_notes()
        elif name in _SUBUNITS:
            self._subunit(child, depth=-1, first_level=True)
        elif name in _TEXT or name in ("p", "blockContainer", "tblock"):
            self.out.block(self._inline(child))
        elif name:
            self.out.not_understood(f"akn:{name}", path(child), self._inline(child))
        self._flush_notes()

    def _container_rest(self, element: etree._Element, *, in_schedule: bool) -> None:
        for child in element:
            if local(child) not in ("num", "heading", "subheading"):
                self._unit(child, in_schedule=in_schedule)

    def _provision(self, element: etree._Element, *, in_schedule: bool) -> None:
        number = bare_number(self._num(element), "SECTION", "SEC.", "Section", "Article", "ARTICLE", "Regulation",
                             "§")
        self.out.heading("schedule-paragraph" if in_schedule else "provision", number, self._heading(element),
                         source_id=element.get("eId"))
        self._children(element, depth=-1)
        self._flush_notes()

    def _children(self, children: Iterable[etree._Element], *, depth: int) -> None:
        for child in children:
            name = local(child)
            if name in ("num", "heading", "subheading"):
                continue
            if name == "list":
                self._children(child, depth=depth)
            elif name in _SUBUNITS:
                self._subunit(child, depth=depth, first_level=depth < 0)
            elif name in _TEXT or name in ("p", "block", "tblock", "blockContainer"):
                # Each paragraph of a content its own block, a quote a quote.
                paragraphs = [c for c in child if local(c) == "p"] if name != "p" else [child]
                if not paragraphs or len(paragraphs) != len(child) or (child.text or "").strip():
                    paragraphs = [child]
                for paragraph in paragraphs:
                    words = self._inline(paragraph)
                    if paragraph.get("class") == "quote" or (len(paragraph) == 1 and local(paragraph[0]) == "mod"
                                                              and not (paragraph.text or "").strip()):
                        self.out.quote(words)
                    elif depth < 0:
                        self.out.block(words)
                    else:
                        self.out.continuation(depth, words)
                    self._write_lists(depth)
            elif name == "table":
                self.out.table([[self._inline(cell) for cell in row] for row in child.iter(f"{{{self.ns}}}tr")])
            elif name:
                self.out.not_understood(f"akn:{name}", path(child), self._inline(child))

    def _subunit(self, element: etree._Element, *, depth: int, first_level: bool) -> None:
        number = self._num(element)
        lead = self._lead(element)
        if first_level and _DIGITS.match(number):
            self.out.block(lead, number=number, source_id=element.get("eId"))
            self._write_lists(-1)
            self._children_after_lead(element, depth=-1)
        else:
            self.out.item(depth + 1, number, lead, source_id=element.get("eId"))
            self._write_lists(depth + 1)
            self._children_after_lead(element, depth=depth + 1)

    def _lead(self, element: etree._Element) -> str:
        """The words on a unit's own line: its heading and its intro or content."""
        words = [self._heading(element)]
        first = next((c for c in element if local(c) not in ("num", "heading", "subheading")), None)
        if first is not None and local(first) in ("intro", "content"):
            words.append(self._inline(first))
        return " ".join(w for w in words if w)

    def _children_after_lead(self, element: etree._Element, *, depth: int) -> None:
        rest = [c for c in element if local(c) not in ("num", "heading", "subheading")]
        if rest and local(rest[0]) in ("intro", "content"):
            rest = rest[1:]
        self._children(rest, depth=depth)

    def _schedule(self, element: etree._Element) -> None:
        number = bare_number(self._num(element), "SCHEDULE", "Schedule")
        self.out.heading("schedule", number or "1", self._heading(element), source_id=element.get("eId"))
        self._container_rest(element, in_schedule=True)

    def _conclusions(self, element: etree._Element) -> None:
        for child in element:
            heading = self._heading(child) if len(child) else ""
            if heading:
                self.out.heading("section", "", heading[:1].upper() + heading[1:].lower())
            for block in child.iter(f"{{{self.ns}}}p"):
                words = self._inline(block)
                self.out.block("\\" + words if words.startswith("(") else words)

    def _attachments(self, element: etree._Element) -> None:
        for attachment in element:
            inner = next((c for c in attachment.iter() if local(c) in ("mainBody", "body")), None)
            if inner is None:
                self.out.not_understood(f"akn:{local(attachment)}", path(attachment), self._inline(attachment))
                continue
            self._container(inner, in_schedule=True)

