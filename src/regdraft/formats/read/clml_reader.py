"""legislation.gov.uk CLML (Crown Legislation Markup Language) to storage Markdown.

Reads an Act (``Primary``) or a statutory instrument (``Secondary``) as enacted or made,
or revised at a point in time: the prelims (title, number, dates, long title, enacting
text) as the preamble, ``Part``/``Chapter``/``Pblock`` headings, ``P1`` regulations or
sections, ``P2`` paragraphs or subsections and ``P3``... levels as list items,
``Schedules``, the ``SignedSection`` and the ``ExplanatoryNotes``.

Amendment markup is kept, not flattened away: ``Addition``, ``Substitution`` and
``Repeal`` become ``[F1 words]`` around the words they mark, a bare ``CommentaryRef``
becomes ``[F1]``, and each commentary's text is written once as an annotation line
(``> F1 Words in reg. 8(3) substituted (1.7.2010) by ...``) after the provision that
first cites it; markers are numbered per commentary type (F, C, I, E, M...) as
legislation.gov.uk numbers them. Footnotes are kept the same way (``[footnote 1]``).
Quoted text of amendments (``BlockAmendment``) is written as block quotes, so the
provisions it quotes do not become provisions of this document.
"""

from __future__ import annotations

import re

from lxml import etree

from regdraft.core.errors import InvalidFormat
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read.storage import StorageWriter, bare_number, bracketed, clean
from regdraft.formats.read.xml import local, path

NAMESPACE = "http://www.legislation.gov.uk/namespaces/legislation"
_META = "http://www.legislation.gov.uk/namespaces/metadata"
_DC = "http://purl.org/dc/elements/1.1/"
_DCT = "http://purl.org/dc/terms/"

# DocumentMainType values (ukm:DocumentClassification) by the kind regdraft drafts them as.
_KIND_OF_MAIN_TYPE = (("Act", "uk-act"), ("Measure", "uk-act"), ("StatutoryInstrument", "uk-si"),
                      ("StatutoryRule", "uk-si"), ("Order", "uk-si"), ("EuropeanUnion", "eu-act"))
_KIND_OF_ROOT = {"Primary": "uk-act", "Secondary": "uk-si", "EURetained": "eu-act"}

_MARKED = {"Addition", "Substitution", "Repeal"}
# The numbered divisions above a section, regulation or article: (unit, the words its
# Number may start with). EU* are legislation.gov.uk's markup of EU law (EURetained).
_DIVISIONS = {"Part": ("part", ("PART", "Part")), "Chapter": ("chapter", ("CHAPTER", "Chapter")),
              "EUTitle": ("title", ("TITLE",)), "EUPart": ("part", ("PART",)),
              "EUChapter": ("chapter", ("CHAPTER",)), "EUSection": ("eu-section", ("SECTION",))}
# CLML's named characters (``<Character Name="EmDash"/>``); any other stands for a space.
_CHARACTERS = {"NonBreakingSpace": " ", "EnDash": "–", "EmDash": "—", "Minus": "−", "DotPadding": " . . . ",
               "LinePadding": " ", "ThinSpace": " ", "Ellipsis": "…"}
_LIST_LEVELS = {"P3": 0, "P4": 1, "P5": 2, "P6": 3, "P7": 4}
_PARA = {"P1para", "P2para", "P3para", "P4para", "P5para", "P6para", "P7para"}
# Elements that hold running text in blocks (their Text children are paragraphs).
_TEXT_HOLDERS = {"P", "Para", "Text", "Comment", "Reference"}
# Prelims that become preamble blocks, in document order.
_PRELIM_TEXT = {"Number", "SubjectInformation", "Subject", "Title", "Subtitle", "LongTitle", "DateOfEnactment",
                "MadeDate", "LaidDate", "ComingIntoForce", "SiftedDate", "Approved", "Correction", "Draft",
                "EnactingText", "IntroductoryText", "SecondaryPreamble", "PrimaryPreamble", "RoyalPresence",
                "Resolution", "Contents", "ComingIntoForceClauses"}


class _Run:
    """Words an Addition, Substitution or Repeal marks: ``[F1 words]``, the spaces at its
    edges kept outside the brackets so that words on either side stay apart."""

    def __init__(self, marker: str, words: str, change: str = "") -> None:
        self.marker, self.words, self.change = marker, words, change

    def __str__(self) -> str:
        core = self.words.strip()
        lead = self.words[:len(self.words) - len(self.words.lstrip())]
        trail = self.words[len(self.words.rstrip()):]
        label = f"{self.marker} " if self.marker else ""
        return f"{lead}[{label}{core}]{trail}"


def sniff(root: etree._Element) -> bool:
    return root.tag == f"{{{NAMESPACE}}}Legislation"


def read(root: etree._Element, *, kind: str | None = None) -> ImportedDocument:
    return _Reader(root, kind).read()


def _q(name: str, ns: str = NAMESPACE) -> str:
    return f"{{{ns}}}{name}"


class _Reader:
    def __init__(self, root: etree._Element, kind: str | None) -> None:
        self.root = root
        self.main = next((child for child in root if local(child) in _KIND_OF_ROOT), None)
        # legislation.gov.uk marks an EU act's points (a), (b)... up as list items: they are
        # the article's subdivisions, cited as such, not the limbs of a definition.
        self.lists_are_points = self.main is not None and local(self.main) == "EURetained"
        self.kind = kind or self._kind()
        self.out = StorageWriter(self.kind, "clml")
        self.commentaries = {c.get("id"): c for c in root.iter(_q("Commentary"))}
        self.footnotes = {f.get("id"): f for f in root.iter(_q("Footnote"))}
        self.markers: dict[str, str] = {}
        self.by_type: dict[str, int] = {}
        self.written: set[str] = set()
        self.cited: list[str] = []  # commentary and footnote ids cited since the last flush

    # -- metadata -----------------------------------------------------------------------

    def _kind(self) -> str:
        main_type = self.root.find(f".//{_q('DocumentMainType', _META)}")
        value = main_type.get("Value", "") if main_type is not None else ""
        for word, kind in _KIND_OF_MAIN_TYPE:
            if word in value:
                return kind
        return _KIND_OF_ROOT.get(local(self.main), "uk-si") if self.main is not None else "uk-si"

    def _metadata(self) -> list[tuple[str, str]]:
        meta = self.root.find(_q("Metadata", _META))

        def first(tag: str, ns: str) -> str:
            found = meta.find(f".//{_q(tag, ns)}") if meta is not None else None
            return clean(found.text or "") if found is not None else ""

        def value(tag: str, attribute: str = "Value") -> str:
            found = meta.find(f".//{_q(tag, _META)}") if meta is not None else None
            return found.get(attribute, "") if found is not None else ""

        identifier = first("identifier", _DC)
        work = self.root.get("IdURI") or identifier.replace("http://www.legislation.gov.uk/", "http://www.legislation.gov.uk/id/", 1)
        status = value("DocumentStatus")
        valid = first("valid", _DCT) or self.root.get("RestrictStartDate", "")
        return [("source_format", "CLML"), ("source_uri", self.root.get("DocumentURI") or identifier),
                ("frbr_work", work.split("/contents")[0] if work else ""),
                ("frbr_expression", self.root.get("DocumentURI") or identifier),
                ("document_type", value("DocumentMainType")), ("status", status),
                ("point_in_time", valid if status == "revised" or self.root.get("RestrictStartDate") else ""),
                ("made", value("Made", "Date")), ("enacted", value("EnactmentDate", "Date")),
                ("modified", first("modified", _DC)), ("publisher", first("publisher", _DC))]

    # -- commentaries and footnotes -----------------------------------------------------

    def _marker(self, ref: str | None) -> str:
        if not ref:
            return ""
        if ref not in self.markers:
            commentary = self.commentaries.get(ref)
            if commentary is not None:
                letter = commentary.get("Type", "F")
                self.by_type[letter] = self.by_type.get(letter, 0) + 1
                self.markers[ref] = f"{letter}{self.by_type[letter]}"
            elif ref in self.footnotes:
                number = self.footnotes[ref].findtext(_q("Number")) or str(len(self.markers) + 1)
                self.markers[ref] = f"footnote {clean(number)}"
            else:
                self.markers[ref] = ref
        if ref not in self.written and ref not in self.cited:
            self.cited.append(ref)
        return self.markers[ref]

    def _flush_annotations(self) -> None:
        """Write the text of every commentary and footnote cited since the last flush."""
        for ref in self.cited:
            self.written.add(ref)
            source = self.commentaries.get(ref)
            if source is None:
                source = self.footnotes.get(ref)
                body = source.find(_q("FootnoteText")) if source is not None else None
                if body is not None:
                    self.out.quote(f"{self.markers[ref][0].upper()}{self.markers[ref][1:]}: {self._inline(body)}")
                continue
            self.out.annotation(f"{self.markers[ref]} {self._inline(source)}")
        self.cited = []

    # -- text ---------------------------------------------------------------------------

    def _inline(self, element: etree._Element) -> str:
        """The words of an element, amendment markers and footnote markers included."""
        return clean(self._words(element))

    def _words(self, element: etree._Element) -> str:
        return "".join(str(part) for part in self._parts(element))

    def _parts(self, element: etree._Element) -> list[str | _Run]:
        """The words of ``element`` as text and marked runs; the runs of an inline element
        (a ``Term``) are the element's own, so one change marked on both sides of a term
        (“[F26 “]” “arbitration agreement” “[F26 ” has …]”) reads as one run, as
        legislation.gov.uk prints it. A run is one ``ChangeId``: an insertion and a
        repeal that share a commentary stay two."""
        parts: list[str | _Run] = []

        def add(part: str | _Run) -> None:
            if not part:
                return
            last = parts[-1] if parts else None
            if isinstance(part, _Run) and isinstance(last, _Run) and (last.marker, last.change) == (part.marker,
                                                                                                   part.change):
                last.words += part.words  # one change marked in pieces (``75/442/`` ``EC``) reads as one
            else:
                parts.append(part)

        add(element.text or "")
        for child in element:
            name = local(child)
            if name in _MARKED:
                add(_Run(self._marker(child.get("CommentaryRef")), self._words(child), child.get("ChangeId", "")))
            elif name == "CommentaryRef":
                add(f"[{self._marker(child.get('Ref'))}]")
            elif name == "Character":
                add(_CHARACTERS.get(child.get("Name", ""), " "))
            elif name == "FootnoteRef":
                add(f" [{self._marker(child.get('Ref'))}]")
            elif name in ("Text", "Para", "P"):
                add(" " + self._words(child) + " ")
            elif name:
                for part in self._parts(child):
                    add(part)
            add(child.tail or "")
        return parts

    def _number(self, element: etree._Element | None) -> tuple[str, str]:
        """(the number, its markers): a Pnumber or Number may carry an amendment marker."""
        if element is None:
            return "", ""
        words = self._inline(element)
        markers = ""
        while words.startswith("["):
            close = words.find("]")
            if close == -1:
                break
            inner = words[1:close]
            head, _, rest = inner.partition(" ")
            markers += f"[{head}] "
            words = (rest + words[close + 1:]).strip()
        return words, markers

    # -- reading ------------------------------------------------------------------------

    def read(self) -> ImportedDocument:
        if self.main is None:
            raise InvalidFormat("a CLML file holds a Primary, Secondary or EURetained document; this one holds "
                                "none", format="clml")
        title = ""
        for child in self.main:
            name = local(child)
            if name in ("PrimaryPrelims", "SecondaryPrelims", "EUPrelims"):
                title = self._prelims(child)
            elif name == "Body" or name == "EUBody":
                self._container(child, schedule=False)
            elif name == "Schedules":
                self._schedules(child)
            elif name in ("ExplanatoryNotes", "EarlierOrders"):
                self._notes(child)
            elif name in ("Commentaries", "Footnotes", "Resources", "Contents"):
                continue
            elif name:
                self._unknown(child)
        self._flush_annotations()
        metadata = self._metadata()
        title = title or dict(metadata).get("title", "")
        if not title:
            title = clean(self.root.findtext(f".//{_q('title', _DC)}") or "")
        point_in_time = dict(metadata).get("point_in_time")
        if point_in_time:
            self.out.note(f"revised text: the law as it stood on {point_in_time}")
        return self.out.finish(title=title, metadata=metadata)

    def _prelims(self, prelims: etree._Element, title: str = "") -> str:
        """The prelims as the preamble, the title first (it heads the document)."""
        own_title = prelims.find(_q("Title"))
        if own_title is not None and not title:
            title = self._inline(own_title)
            self.out.title(title)
        for child in prelims:
            name = local(child)
            if child is own_title:
                continue
            if name in ("MadeDate", "LaidDate", "ComingIntoForce", "DateOfEnactment", "SiftedDate"):
                self.out.block(self._inline(child))
            elif name in ("SecondaryPreamble", "PrimaryPreamble", "EnactingText", "IntroductoryText", "EUPreamble"):
                self._prelims(child, title or "-")
            elif name == "MultilineTitle" and not title:
                title = " ".join(self._inline(text) for text in child.iter(_q("Text")))
                self.out.title(title)
            elif name == "Division":  # a recital of an EU act: ``(12)`` and its words
                number, _ = self._number(child.find(_q("Number")))
                self.out.item(0, number, " ".join(self._inline(text) for text in child.iter(_q("Text"))),
                              source_id=child.get("id"))
            elif name in _PRELIM_TEXT or name in _TEXT_HOLDERS:
                self._blocks_of(child)
            elif name:
                self._unknown(child)
        self._flush_annotations()
        return title

    def _blocks_of(self, element: etree._Element) -> None:
        """Running text: each Text (or text-bearing child) a block; a bare element its own words."""
        texts = [t for t in element.iter(_q("Text"))]
        if not texts:
            words = self._inline(element)
            if words:
                self.out.block(words)
            return
        for text in texts:
            self.out.block(self._inline(text))

    def _container(self, element: etree._Element, *, schedule: bool, skip: tuple[str, ...] = ()) -> None:
        """The units of a Body, ScheduleBody, Part...: once a titled P1group has held
        several P1s (a cross-heading over them), a titled P1group after it is a
        cross-heading too, even over one P1. The parser ends a cross-heading only at the
        next one, so reading that title as the P1's own heading would leave the P1 under
        the earlier cross-heading (“Immigration and Asylum Act 1999”, paragraph 42 of
        Schedule 2 to the State Pension Credit Act 2002, under “Social Security Act 1998”)."""
        crossheading_open = False
        for child in element:
            if local(child) in skip:
                continue
            if local(child) == "P1group":
                crossheading_open = self._p1group(child, schedule=schedule, after_crossheading=crossheading_open)
            else:
                self._structural(child, schedule=schedule)

    def _p1group(self, group: etree._Element, *, schedule: bool, after_crossheading: bool) -> bool:
        """A titled group of P1s: the title is the P1's own heading when the group holds
        one, else a cross-heading over them. Returns whether it wrote a cross-heading."""
        p1s = [p for p in group if local(p) == "P1"]
        heading = self._inline_of(group, "Title")
        crossheading = bool(heading) and (len(p1s) != 1 or after_crossheading)
        if crossheading:
            self.out.heading("crossheading", "", heading)
            heading = ""
        for grandchild in group:
            if local(grandchild) == "P1":
                self._p1(grandchild, heading, schedule=schedule)
            elif local(grandchild) not in ("Title", ""):
                self._structural(grandchild, schedule=schedule)
        return crossheading or after_crossheading

    def _structural(self, child: etree._Element, *, schedule: bool) -> None:
        name = local(child)
        if name in _DIVISIONS:
            unit, words = _DIVISIONS[name]
            number, markers = self._number(child.find(_q("Number")))
            title = self._inline_of(child, "Title")
            if not number and (numbered := re.fullmatch(rf"(?:{'|'.join(words)})\s+(\S+)", title)):
                number, title = numbered.group(1), ""  # a number given as the title: <Title>PART V</Title>
            self.out.heading("schedule-part" if schedule and unit == "part" else unit, bare_number(number, *words),
                             markers + title, source_id=child.get("id"))
            self._flush_annotations()
            self._container(child, schedule=schedule, skip=("Number", "Title"))
        elif name == "Pblock" or name == "PsubBlock":
            heading = self._inline_of(child, "Title")
            if heading:
                self.out.heading("crossheading", "", heading, source_id=child.get("id"))
            self._container(child, schedule=schedule, skip=("Number", "Title"))
        elif name == "P1group":
            self._p1group(child, schedule=schedule, after_crossheading=False)
        elif name == "Division":
            self._division(child)
        elif name == "P1":
            self._p1(child, "", schedule=schedule)
        elif name in ("Number", "Title", "TitleBlock"):
            return
        elif name == "SignedSection":
            self._signatures(child)
        elif name == "Tabular":
            self._table(child)
        elif name == "Figure":
            self._figure(child)
        elif name == "BlockAmendment":
            self._quoted(child)
        elif name in ("P", "Para", "Text"):
            self._para(child, depth=-1)
        elif name in ("UnorderedList", "OrderedList"):
            self._list(child, depth=0)
        elif name:
            self._unknown(child)

    def _division(self, division: etree._Element) -> None:
        """A Division of an EU Annex: numbered, a point (``(1)``, ``1.``) whose title, if
        any, leads its words; unnumbered, a heading over what follows (“Explanatory Note”)."""
        number, markers = self._number(division.find(_q("Number")))
        title = self._inline_of(division, "Title")
        content = [child for child in division if local(child) not in ("Number", "Title", "")]
        first = content[0] if content and local(content[0]) == "P" else None
        if number and not title and first is not None and len(first) and local(first[0]) == "Text":
            # "(1)" and its words on one line, as a point is written, not a bare number
            self.out.block(markers + self._inline(first[0]), number=number, source_id=division.get("id"))
            content = [*first[1:], *content[1:]]
        elif number:
            self.out.block((markers + title).strip(), number=number, source_id=division.get("id"))
        elif title:
            self.out.heading("crossheading", "", title, source_id=division.get("id"))
        for child in content:
            self._structural(child, schedule=True)

    def _inline_of(self, element: etree._Element, tag: str) -> str:
        found = element.find(_q(tag))
        return self._inline(found) if found is not None else ""

    def _p1(self, p1: etree._Element, heading: str, *, schedule: bool) -> None:
        number, markers = self._number(p1.find(_q("Pnumber")))
        number = bare_number(number, "Article")  # legislation.gov.uk's EU markup: ``Article 3``
        self.out.heading("schedule-paragraph" if schedule else "provision", number, (markers + heading).strip(),
                         source_id=p1.get("id"))
        for child in p1:
            if local(child) == "P1para":
                self._para(child, depth=-1)
            elif local(child) not in ("Pnumber", ""):
                self._structural(child, schedule=schedule)
        self._flush_annotations()

    def _para(self, para: etree._Element, *, depth: int, skip: etree._Element | None = None) -> None:
        """The content of a P1para/P2para/P3para...: text blocks (or item continuations at
        ``depth`` >= 0), then the numbered levels below; ``skip`` is a Text already written
        on the unit's own line."""
        for child in para:
            if child is not skip:
                self._para_child(child, depth=depth)

    def _para_child(self, child: etree._Element, *, depth: int) -> None:
        """One element of a paragraph's content (or of a P2, P3... beside its P2para)."""
        name = local(child)
        if name == "Text":
            words = self._inline(child)
            if depth < 0:
                self.out.block(words)
            else:
                self.out.continuation(depth, words)
        elif name == "P2":
            self._numbered_block(child)
        elif name in _LIST_LEVELS:
            self._numbered_item(child, _LIST_LEVELS[name])
        elif name in _PARA or name == "P":
            self._para(child, depth=depth)
        elif name in ("UnorderedList", "OrderedList"):
            self._list(child, depth=max(depth + 1, 0))
        elif name == "Tabular":
            self._table(child)
        elif name == "Figure":
            self._figure(child)
        elif name in ("BlockAmendment", "BlockExtract", "BlockText"):
            self._quoted(child)
        elif name == "AppendText":
            self.out.block(self._inline(child)) if depth < 0 else self.out.continuation(depth, self._inline(child))
        elif name == "Formula":
            self._formula(child, depth)
        elif name == "KeyList":
            self._key_list(child, depth=max(depth + 1, 0))
        elif name:
            self._unknown(child)

    def _formula(self, formula: etree._Element, depth: int) -> None:
        """A formula (MathML): its symbols as words, ``d = v + a + h 1 − e``, where a
        sentence ending “according to the formula:” expects them."""
        words = self._inline(formula)
        self.out.block(words) if depth < 0 else self.out.continuation(depth, words)
        self.out.note(f"formula at {path(formula)} kept as the words of its symbols")

    def _key_list(self, key_list: etree._Element, *, depth: int) -> None:
        """The key to a formula's symbols: one item a symbol, ``d = travel expenses due;``."""
        separator = key_list.get("Separator", "=")
        for item in key_list:
            if local(item) == "KeyListItem":
                key = self._inline_of(item, "Key")
                meaning = " ".join(self._inline(text) for text in item.iter(_q("Text")))
                self.out.item(depth, "", f"{key} {separator} {meaning}")

    def _numbered_block(self, p2: etree._Element) -> None:
        number, markers = self._number(p2.find(_q("Pnumber")))
        paras = [c for c in p2 if local(c) == "P2para"]
        first_text = paras[0].find(_q("Text")) if paras else None
        leading = self._inline(first_text) if first_text is not None and paras[0][0] is first_text else ""
        self.out.block((markers + leading).strip(), number=number, source_id=p2.get("id"))
        self._content(p2, depth=-1, skip=first_text if leading else None)

    def _numbered_item(self, element: etree._Element, depth: int) -> None:
        number, markers = self._number(element.find(_q("Pnumber")))
        paras = [c for c in element if local(c) in _PARA]
        first_text = paras[0].find(_q("Text")) if paras else None
        leading = self._inline(first_text) if first_text is not None and paras[0][0] is first_text else ""
        self.out.item(depth, number, (markers + leading).strip(), source_id=element.get("id"))
        self._content(element, depth=depth, skip=first_text if leading else None)

    def _content(self, unit: etree._Element, *, depth: int, skip: etree._Element | None) -> None:
        """A P2, P3...'s content after its number: its P2para... and what stands beside
        them (a Formula, a KeyList), in order; ``skip`` was written on the unit's line."""
        for child in unit:
            name = local(child)
            if name in _PARA:
                self._para(child, depth=depth, skip=skip)
            elif name not in ("Pnumber", ""):
                self._para_child(child, depth=depth)

    def _list(self, element: etree._Element, *, depth: int) -> None:
        """A list's items at ``depth``, a list inside an item one deeper (the lettered
        limbs of a definition: “appeal” includes— (a) …, (b) …). An item's number stays
        words (``\\(a)``): the limbs of a definition are not subdivisions of the
        provision that holds the list, and a second definition's (a) would otherwise be
        taken for a duplicate."""
        for item in element:
            if local(item) != "ListItem":
                continue
            number = item.get("NumberOverride", "")
            words, written = [], False
            for part in item:
                name = local(part)
                if name in ("UnorderedList", "OrderedList"):
                    if not written:
                        self._list_item(depth, number, words)
                        words, written = [], True
                    self._list(part, depth=depth + 1)
                elif name in ("Para", "Text", "P"):
                    words.append(self._inline(part))
            if not written:
                self._list_item(depth, number, words)
            elif words:  # the words after the inner list ("… and accordingly does not include …")
                self.out.continuation(depth, " ".join(words))

    def _list_item(self, depth: int, number: str, words: list[str]) -> None:
        text = " ".join(words)
        if self.lists_are_points:
            self.out.item(depth, number, text)
        else:
            self.out.item(depth, "", f"\\{bracketed(number)} {text}" if number else text)

    def _table(self, tabular: etree._Element) -> None:
        """A table's rows, after its own title and subtitles (“Table 1”, “Type
        Certificates …”), which name what its rows are."""
        for caption in tabular:
            if local(caption) in ("Title", "Subtitle"):
                self.out.block(self._inline(caption))
        rows = self._rows(tabular)
        self.out.table(rows)
        for after in tabular.iter(_q("TableText")):  # notes printed under the table
            self._blocks_of(after)
        self.out.note(f"table kept as | rows | at {path(tabular)} ({len(rows)} rows)")

    def _rows(self, tabular: etree._Element) -> list[list[str]]:
        rows = []
        for row in tabular.iter("{http://www.w3.org/1999/xhtml}tr"):
            cells = [cell for cell in row if local(cell) in ("td", "th")]
            if cells and all(len(cell) and all(local(c) == "Footnote" for c in cell) and not (cell.text or "").strip()
                             for cell in cells):
                continue  # a tfoot row of the table's footnotes: written once, as footnotes, where cited
            rows.append([self._inline(cell) for cell in cells])
        return rows

    def _figure(self, figure: etree._Element) -> None:
        """An image (a form, a map): its place kept as ``[Figure: image r00001]``; the image
        itself is not text and is not imported."""
        refs = [image.get("ResourceRef", "") for image in figure.iter(_q("Image"))]
        for caption in figure:
            if local(caption) in ("Number", "Title", "Subtitle"):  # what the figure shows (“Diagram 660.1”)
                self.out.block(self._inline(caption))
        self.out.block(f"[Figure: image {', '.join(r for r in refs if r) or 'without a reference'}]")
        self.out.note(f"figure at {path(figure)} kept as a placeholder; its image is not imported")
        for table in figure.iter(_q("Tabular")):  # the words a figure does hold (a key to a diagram)
            self._table(table)

    def _quoted(self, element: etree._Element) -> None:
        """Quoted text (the words an amendment inserts): block quotes, one per paragraph of
        words, so the numbers inside them stay words of this provision."""
        table = "{http://www.w3.org/1999/xhtml}table"
        for text in element.iter(_q("Text"), _q("Title"), _q("Number"), _q("Pnumber"), _q("Reference"), table):
            if text.tag == table:  # a quoted table's cells are not Text: a quote line a row
                for row in self._rows(text):
                    self.out.quote("| " + " | ".join(row) + " |")
                continue
            if any(above.tag == table for above in text.iterancestors()):
                continue
            words = self._inline(text)
            if local(text) == "Pnumber":
                words = f"({words})" if not words.endswith(".") else words
            self.out.quote(words)

    def _number_before(self, text: etree._Element) -> str:
        """``(a) `` before the first words of a numbered P3... of a note, so that its
        list keeps its letters (S.I. 2005/2338's note: “The principal amendments will— (a) …”)."""
        para = text.getparent()
        unit = para.getparent() if para is not None else None
        if unit is None or local(para) not in _PARA or len(para) == 0 or para[0] is not text:
            return ""
        if next((c for c in unit if local(c) in _PARA), None) is not para:
            return ""
        number, _ = self._number(unit.find(_q("Pnumber")))
        return f"{bracketed(number)} " if number else ""

    def _signatures(self, section: etree._Element) -> None:
        self.out.heading("section", "", "Signature")
        for words in section:  # an EU act's "This Regulation shall be binding in its entirety …"
            if local(words) in ("Para", "P"):
                self._blocks_of(words)
        for signatory in section.iter(_q("Signatory")):
            for child in signatory:
                if local(child) == "Signee":
                    for part in child:
                        words = self._inline(part)
                        if words:
                            self.out.block(words)
                else:
                    self._blocks_of(child)
        self._flush_annotations()

    def _notes(self, notes: etree._Element) -> None:
        """An explanatory note (or a note as to earlier commencement): a section of plain
        blocks whose numbers stay words, so nothing in a note becomes a provision."""
        heading = self._inline_of(notes, "Title") or "Explanatory note"
        self._flush_annotations()
        self.out.heading("section", "", heading[:1].upper() + heading[1:].lower())
        for child in notes:
            name = local(child)
            if name == "Title":
                continue
            for part in child.iter(_q("Text"), _q("Tabular")):
                if local(part) == "Tabular":  # a table of the note, its cells not Text (S.I. 2003/1's note)
                    self._table(part)
                elif not any(local(above) == "Tabular" for above in part.iterancestors()):
                    words = self._number_before(part) + self._inline(part)
                    self.out.block("\\" + words if words.startswith("(") else words)
        self._flush_annotations()

    def _schedules(self, schedules: etree._Element) -> None:
        for schedule in schedules:
            if local(schedule) in ("Title", ""):
                continue
            if local(schedule) != "Schedule":  # an Appropriation Act's Abstract: reported, kept as text
                self._unknown(schedule)
                continue
            number, markers = self._number(schedule.find(_q("Number")))
            title_block = schedule.find(_q("TitleBlock"))
            heading = self._inline_of(title_block, "Title") if title_block is not None else self._inline_of(schedule, "Title")
            self.out.heading("schedule", bare_number(number, "THE SCHEDULE", "SCHEDULE", "Schedule", "ANNEX"),
                             (markers + heading).strip(), source_id=schedule.get("id"))
            reference = schedule.find(_q("Reference"))
            if reference is not None:
                self.out.block(self._inline(reference))
            for part in schedule:
                if local(part) == "ScheduleBody":
                    self._container(part, schedule=True)
                elif local(part) not in ("Number", "TitleBlock", "Title", "Reference", ""):
                    self._unknown(part)  # a Schedule's Appendix: reported, kept as text
            self._flush_annotations()

    def _unknown(self, element: etree._Element) -> None:
        self.out.not_understood(local(element), path(element), self._inline(element))

