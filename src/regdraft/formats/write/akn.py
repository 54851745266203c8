"""Akoma Ntoso 3.0 (OASIS LegalDocML): a version as an ``act``.

- **Metadata**: the FRBR work is the document (``/akn/gb/act/2014-04-17/<slug>``, dated
  by its first version), the expression is the version (``…/eng@2014-09-09``, with
  ``FRBRversionNumber`` and the content hash as an ``FRBRalias``), the manifestation
  this file. ``proprietary`` repeats slug, version, kind and hash for regdraft's own
  import, which needs no URI parsing to find them.
- **Body**: every provision becomes a hierarchy element (a regulation or section a
  ``section``, a paragraph a ``paragraph``, a sub-paragraph a ``subparagraph``, a
  head a ``point``, a schedule an ``hcontainer name="schedule"`` …) with ``num`` (the
  number as written: ``3.``, ``(a)``, ``Part 2``), ``heading``, and its own text as
  ``content``, or as ``intro``/``wrapUp`` around its children. ``class`` holds
  regdraft's provision kind, so a reader can write the storage Markdown back.
- **eIds** follow the AKN naming convention, built from the provision's chain of
  numbers (``sec_3__subpara_a``); an unnumbered unit (``## Signed``) is an
  ``hcontainer`` named after its kind, and takes its id (``section_signed``).
- The title (a level-1 heading in the preamble) is the ``preface``'s ``docTitle``;
  the rest of the preamble is ``preamble`` paragraphs.

Words are kept as written, one ``p`` a line; Markdown block syntax (``###``, ``-``,
``>``) is not in the words, a quote is ``p class="quote"``. Each element that carries
words also carries ``rd:md``, the storage Markdown between the words before it and its
own, so that regdraft's reader gives back the very text exported (same text, same
provisions, same ids); another tool's AKN is read by its elements alone. Characters XML
1.0 cannot hold (U+FFFE, a control in a title) are replaced by U+FFFD.
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml import etree

from regdraft.core.structure import PREAMBLE, Provision, Structure
from regdraft.formats.write import Provenance, xml_safe
from regdraft.formats.write.blocks import block_syntax

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
REGDRAFT = "https://regdraft.dev/ns/akn"
"""The namespace of regdraft's ``proprietary`` metadata and layout attribute."""
MD = f"{{{REGDRAFT}}}md"
"""The attribute holding the storage Markdown before an element's words (:class:`Layout`)."""

# Provision kind → (AKN element, eId abbreviation). Kinds of every tradition share one
# table: the element says what the unit is in AKN's vocabulary, whatever the tradition
# calls it. A kind not listed is an ``hcontainer`` named after it.
_ELEMENTS = {
    "part": ("part", "part"), "chapter": ("chapter", "chp"), "title": ("title", "title"),
    "subpart": ("subpart", "subpart"), "section": ("section", "sec"), "regulation": ("section", "sec"),
    "article": ("article", "art"), "subsection": ("subsection", "subsec"), "paragraph": ("paragraph", "para"),
    "sub-paragraph": ("subparagraph", "subpara"), "subparagraph": ("subparagraph", "subpara"),
    "head": ("point", "point"), "point": ("point", "point"), "item": ("point", "point"),
    "schedule-paragraph": ("paragraph", "para"), "schedule-sub-paragraph": ("subparagraph", "subpara"),
    "schedule": ("hcontainer", "sch"), "schedule-part": ("part", "part"), "eu-section": ("section", "sec"),
    "sub-point": ("point", "point"),
}
_NUMBER_BEFORE_CHILD = re.compile(r"^\(\*?[^\s()]{1,12}\*?\)")
_NUMBERED = re.compile(r"^(\(\*?[^\s()]{1,12}\*?\)|\d+[A-Za-z]*\.)(?=\s|$)")


def add(tag: str, parent: etree._Element, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{AKN}}}{tag}", {k: xml_safe(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def country(kind: str) -> str:
    """The FRBR country of a document of ``kind`` (``gb`` for the UK traditions)."""
    return {"uk": "gb", "us": "us", "eu": "eu"}.get(kind.split("-")[0], "gb")


def frbr_uris(about: Provenance) -> tuple[str, str]:
    """The FRBR work and expression URIs of a version."""
    work = f"/akn/{country(about.kind)}/act/{_date(about.work_created or about.created)}/{about.document}"
    return work, f"{work}/eng@{_date(about.created)}"


def _date(when: str) -> str:
    return when[:10]


def write_act(structure: Structure, about: Provenance) -> bytes:
    """The version whose text and structure are ``structure`` as an AKN 3.0 act."""
    root = etree.Element(f"{{{AKN}}}akomaNtoso", nsmap={None: AKN, "rd": REGDRAFT})
    act = add("act", root, name=about.kind)
    _meta(act, about)
    layout = Layout(structure.text)
    tops = [p for p in structure.provisions if p.parent is None and p.kind != PREAMBLE]
    _front(act, layout, tops[0].start if tops else len(structure.text))
    body = add("body", act)
    write_units(body, structure, layout, tops)
    if not tops:
        # The schema wants one unit in a body; a text with no provisions has none.
        add("p", add("content", add("hcontainer", body, name="text", eId="hcontainer_1")))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _meta(act: etree._Element, about: Provenance) -> None:
    work, expression = frbr_uris(about)
    meta = add("meta", act)
    identification = add("identification", meta, source="#regdraft")
    created, work_created = _date(about.created), _date(about.work_created or about.created)
    frbr = add("FRBRWork", identification)
    add("FRBRthis", frbr, value=f"{work}/!main")
    add("FRBRuri", frbr, value=work)
    add("FRBRdate", frbr, date=work_created, name="first version")
    add("FRBRauthor", frbr, href="#author")
    add("FRBRcountry", frbr, value=work.split("/")[2])
    add("FRBRsubtype", frbr, value=about.kind)
    add("FRBRname", frbr, value=about.title)
    frbr = add("FRBRExpression", identification)
    add("FRBRthis", frbr, value=f"{expression}/!main")
    add("FRBRuri", frbr, value=expression)
    add("FRBRalias", frbr, value=f"sha256:{about.content_hash}", name="content-hash")
    add("FRBRdate", frbr, date=created, name=f"version {about.version}")
    add("FRBRauthor", frbr, href="#author")
    add("FRBRversionNumber", frbr, value=str(about.version))
    add("FRBRlanguage", frbr, language="eng")
    frbr = add("FRBRManifestation", identification)
    add("FRBRthis", frbr, value=f"{expression}/!main.xml")
    add("FRBRuri", frbr, value=f"{expression}.akn")
    # The version's date, not today's: the same version always gives the same file.
    add("FRBRdate", frbr, date=created, name="transform")
    add("FRBRauthor", frbr, href="#regdraft")
    add("FRBRformat", frbr, value="application/akn+xml")
    references = add("references", meta, source="#regdraft")
    add("TLCOrganization", references, eId="regdraft", href="/ontology/organization/regdraft", showAs="regdraft")
    add("TLCOrganization", references, eId="author", href="/ontology/organization/author",
        showAs=about.author or "unknown")
    proprietary = add("proprietary", meta, source="#regdraft")
    etree.SubElement(proprietary, f"{{{REGDRAFT}}}version", document=xml_safe(about.document),
                     number=str(about.version), kind=xml_safe(about.kind), contentHash=xml_safe(about.content_hash))


def word_lines(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The non-blank lines of ``text[start:end]`` as (where its words start, where they
    end, whether the line is a quote): the line's Markdown syntax is left out."""
    found, at = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            syntax = block_syntax(line)
            found.append((at + len(syntax.syntax), at + len(line), syntax.quote))
        at += len(line) + 1
    return found


class Layout:
    """Writes words into elements in the version's text order, and gives each element
    that carries words ``rd:md``: the storage Markdown between the words before and its
    own (blank lines, ``### ``, ``- ``, ``> ``, the ``: `` between a number and a
    heading). The words are AKN's; the Markdown only lets regdraft's reader rebuild the
    exact text (the schema allows attributes of another namespace on every element)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def words(self, element: etree._Element, start: int, end: int) -> etree._Element:
        element.text = xml_safe(self.text[start:end])
        element.set(MD, xml_safe(self.text[self.at:start]))
        self.at = end
        return element

    def paragraphs(self, parent: etree._Element, lines: list[tuple[int, int, bool]]) -> None:
        for start, end, quote in lines:
            self.words(add("p", parent, **({"class": "quote"} if quote else {})), start, end)


def _front(act: etree._Element, layout: Layout, end: int) -> None:
    """The preamble: a level-1 heading alone in its block first is the title, the rest
    preamble paragraphs."""
    text = layout.text
    lines = word_lines(text, 0, end)
    if lines:
        start, stop, _ = lines[0]
        line_start = text.rfind("\n", 0, start) + 1
        alone = not text[stop:stop + 2].strip("\n")  # no line follows in its block
        if block_syntax(text[line_start:stop]).heading == 1 and alone:
            lines.pop(0)
            layout.words(add("docTitle", add("p", add("longTitle", add("preface", act)))), start, stop)
    if lines:
        layout.paragraphs(add("preamble", act, eId="preamble"), lines)


def element_ids(structure: Structure, prefix: str = "") -> dict[str, str]:
    """Each provision's ``eId`` (by regdraft id), built from its chain of numbers after
    the AKN naming convention (``sec_3__subpara_a``), under ``prefix`` (a quoted
    structure's own eId) when given. An amendment's ``textualMod`` names its
    destination by these."""
    eids: dict[str, str] = {}
    taken: set[str] = set()
    for provision in structure.provisions:
        if provision.kind == PREAMBLE:
            continue
        abbreviation = _ELEMENTS.get(provision.kind, ("hcontainer", provision.kind))[1] \
            if provision.number else provision.kind
        component = f"{abbreviation}_{provision.number.lower() or provision.id}"
        above = eids.get(provision.parent, prefix) if provision.parent else prefix
        eid = f"{above}__{component}" if above else component
        while eid in taken:  # only a text read leniently has two units of one number
            eid += "_"
        taken.add(eid)
        eids[provision.id] = eid
    return eids


def write_units(parent: etree._Element, structure: Structure, layout: Layout, tops: list[Provision],
                prefix: str = "") -> None:
    """The provisions ``tops`` and everything inside them, as AKN units under ``parent``."""
    children: dict[str | None, list[Provision]] = defaultdict(list)
    for provision in structure.provisions:
        if provision.kind != PREAMBLE:
            children[provision.parent].append(provision)
    eids = element_ids(structure, prefix)
    for provision in tops:
        _provision(parent, provision, layout, children, eids)


def _provision(parent: etree._Element, provision: Provision, layout: Layout,
               children: dict[str | None, list[Provision]], eids: dict[str, str]) -> None:
    # AKN's named units are numbered; an unnumbered one (an explanatory note) is an hcontainer.
    element_name = _ELEMENTS.get(provision.kind, ("hcontainer",))[0] if provision.number else "hcontainer"
    eid = eids[provision.id]
    attributes = {"eId": eid, "class": provision.kind}
    if element_name == "hcontainer":
        attributes["name"] = provision.kind
    element = add(element_name, parent, **attributes)
    text = layout.text
    own = children.get(provision.id, [])
    head_end = text.find("\n", provision.start)
    head_end = provision.end if head_end < 0 or head_end > provision.end else head_end
    # "(a)(1) …": the first child's words start on this unit's line, after its number.
    shares_line = bool(own) and own[0].start < head_end
    # The provision's own text: around and between its children.
    pieces, at = [], own[0].start if shares_line else head_end
    for child in own:
        pieces.append((at, child.start))
        at = child.end
    pieces.append((at, provision.end))
    texts = [word_lines(text, start, end) for start, end in pieces]
    # A unit sharing its parent's line starts after the words its parent has written.
    words_start = max(provision.start + len(block_syntax(text[provision.start:head_end]).syntax), layout.at)
    words = text[words_start:head_end]
    if shares_line:
        number = _NUMBER_BEFORE_CHILD.match(words)
        num, heading, rest = (number.group(0) if number else ""), "", ""
    else:
        num, heading, rest = _head(words, provision)
    if num:
        layout.words(add("num", element), words_start, words_start + len(num))
    if heading and words.endswith(heading):
        layout.words(add("heading", element), head_end - len(heading), head_end)
    elif heading and texts[0] and text[texts[0][0][0]:texts[0][0][1]].strip() == heading \
            and not block_syntax(text[texts[0][0][0]:texts[0][0][1]]).heading:
        start, stop, _ = texts[0].pop(0)  # an eu-act article's heading on the line after its number
        layout.words(add("heading", element), start, stop)
    if rest:
        texts[0].insert(0, (head_end - len(rest), head_end, False))
    if not own:
        content = add("content", element)
        layout.paragraphs(content, texts[0])
        if not texts[0]:
            add("p", content)
        return
    if texts[0]:
        layout.paragraphs(add("intro", element), texts[0])
    for i, child in enumerate(own):
        _provision(element, child, layout, children, eids)
        between = texts[i + 1]
        if between and i + 1 < len(own):
            # Text between two units has no place of its own in AKN's hierarchy.
            holder = add("hcontainer", element, name="text", eId=f"{eid}__hcontainer_{i + 1}")
            layout.paragraphs(add("content", holder), between)
    if texts[-1]:
        layout.paragraphs(add("wrapUp", element), texts[-1])


def _head(words: str, provision: Provision) -> tuple[str, str, str]:
    """A provision's first line as (num as written, heading, the words after them)."""
    heading = provision.heading
    if heading and words.endswith(heading):
        return words[:-len(heading)].rstrip(" \t:—–-"), heading, ""
    numbered = _NUMBERED.match(words)
    if numbered and provision.number:
        return numbered.group(1), "", words[numbered.end():].lstrip()
    # A heading on the line after the number ("### Article 3", then its heading).
    return (words.rstrip(), heading, "") if heading else ("", "", words)
