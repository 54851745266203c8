"""The parser on real published texts of every kind (tests/fixtures/legislation/, sources
and licences in tests/fixtures/README.md), as they are published: golden outlines
reviewed by eye, and unit counts checked against counts made another way (by the
lines that number the units, as one would count them by hand with grep)."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from regdraft.core.errors import InvalidStructure
from regdraft.core.structure import parse_structure
from regdraft.core.traditions import label_to_id

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "legislation"
GOLDEN = ROOT / "tests" / "golden" / "structure"

REAL_TEXTS = {
    "uksi-2014-2407_as-made.legalize-uk.md": "uk-si",
    "uksi-2014-2407_as-made.txt": "uk-si",
    "ukpga-2019-24.md": "uk-act",
    "ukpga-1964-29.md": "uk-act",
    "ecfr-12-1005-2011.md": "us-cfr",
    "eu-32020R0111.md": "eu-act",
}


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def outline(text: str, kind: str) -> str:
    found = parse_structure(text, kind=kind, strict=False)
    rows = [f"{p.line:>4}  {p.id:<28} {p.label:<44} {p.kind:<22} {p.parent or '-':<24} {p.heading}".rstrip()
            for p in found.provisions]
    rows += [f"warning {w.line}: {w.code} ({w.provision_id or '-'}): {w.message}" for w in found.warnings]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_real_text_outline(name: str):
    golden = GOLDEN / f"real-{Path(name).stem}.txt"
    got = outline(_read(name), REAL_TEXTS[name])
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with REGDRAFT_UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_every_label_names_its_unit(name: str):
    kind = REAL_TEXTS[name]
    for p in parse_structure(_read(name), kind=kind, strict=False).provisions:
        assert label_to_id(p.label, kind) == p.id, p


def _counts(name: str) -> Counter:
    return Counter(p.kind for p in parse_structure(_read(name), kind=REAL_TEXTS[name], strict=False).provisions)


def test_the_si_as_published_and_as_markdown_have_the_same_units():
    markdown = parse_structure(_read("uksi-2014-2407_as-made.legalize-uk.md"), strict=False)
    plain = parse_structure(_read("uksi-2014-2407_as-made.txt"), strict=False)
    numbered = [(p.id, p.label, p.kind, p.heading) for p in markdown.provisions if p.number]
    assert numbered == [(p.id, p.label, p.kind, p.heading) for p in plain.provisions if p.number]
    assert [p[0] for p in numbered if p[2] == "regulation"] == [f"reg-{n}" for n in range(1, 6)]
    assert markdown.metadata["identifier"] == "uksi-2014-2407"


def test_the_act_has_the_units_its_lines_number():
    text = _read("ukpga-2019-24.md")
    body, schedule = text.split("\n## SCHEDULE\n")
    counts = _counts("ukpga-2019-24.md")
    assert counts["section"] == len(re.findall(r"^##### \d+$", body, re.M))
    assert counts["schedule-paragraph"] == len(re.findall(r"^##### \d+$", schedule, re.M))
    assert counts["subsection"] == len(re.findall(r"^- \(\d+\)", body, re.M))
    assert counts["schedule-sub-paragraph"] == len(re.findall(r"^- \(\d+\)", schedule, re.M))
    # (i) is a letter after (h), and a roman numeral where (ii) follows it.
    romans = len(re.findall(r"^- \(i\)[^\n]*\n\n- \(ii\)", text, re.M))
    letters = len(re.findall(r"^- \([a-z]\)", text, re.M)) - romans
    assert counts["sub-paragraph"] == romans + len(re.findall(r"^- \((?:ii|iii|iv|v)\)", text, re.M))
    assert counts["paragraph"] == letters
    assert counts["cross-heading"] == len(re.findall(r"^#### ", schedule, re.M))


def _cfr_labels(text: str) -> int:
    """The paragraph labels that open blocks, as one counts them by hand; a block may
    open two paragraphs at once ("(a)(1) …"), and "(Tell us AT ONCE …)" opens none."""
    return sum(len(re.match(r"((?:\([^()\s]+\))+)", line).group(1).split(")(")) for line in
               re.findall(r"^\((?:[a-z]+|[0-9]+|[A-Z]+|\*[0-9ivx]+\*)\)(?:[\s(]).*$", text, re.M))


def test_the_cfr_part_has_the_paragraphs_its_lines_number():
    text = _read("ecfr-12-1005-2011.md")
    rule, appendices = text.split("\n## Appendix A to Part 1005")
    appendices = appendices.split("\n## Supplement I to Part 1005")[0]
    found = parse_structure(text, kind="us-cfr", strict=False)
    counts = Counter(p.kind for p in found.provisions)
    assert counts["section"] == len(re.findall(r"^### § ", rule, re.M))
    in_rule = text.count("\n", 0, len(rule)) + 1
    assert sum(p.kind == "paragraph" and p.line <= in_rule for p in found.provisions) == _cfr_labels(rule)
    # The model forms of appendix A (A-1 … A-9) and their paragraphs.
    assert counts["appendix-section"] == len(re.findall(r"^### A-[0-9]+", appendices, re.M))
    assert sum(p.kind == "paragraph" and p.line > in_rule for p in found.provisions) == _cfr_labels(appendices)
    assert found.get("appendix-a-to-part-1005-a-2-d-1-iv").label == "A-2(d)(1)(iv) of appendix A to part 1005"
    assert {"appendix-a-to-part-1005", "appendix-c-to-part-1005", "supplement-i-to-part-1005"} <= {
        p.id for p in found.provisions}
    deep = found.get("s1005-20-h-2-iii")
    assert deep is not None and deep.label == "§ 1005.20(h)(2)(iii)"
    assert found.get("s1005-2-i").label == "§ 1005.2(i)"  # the letter after (h), not a roman one


def test_the_cfr_supplement_has_the_comments_its_lines_number():
    """Supplement I's official interpretations: a heading per section and paragraph
    interpreted, comments "1." cited as the CFPB cites them (comment 2(a)-1), and their
    paragraphs "i." and "A." (comment 3(b)(1)-1.v)."""
    text = _read("ecfr-12-1005-2011.md")
    supplement = text.split("\n## Supplement I to Part 1005")[1]
    counts = _counts("ecfr-12-1005-2011.md")
    assert counts["interpreted-section"] == len(re.findall(r"^### Section 1005\.", supplement, re.M))
    assert counts["interpreted-paragraph"] == len(re.findall(r"^#{4,6} (?:Paragraph )?[0-9]+\(", supplement, re.M))
    assert counts["comment"] == len(re.findall(r"^[0-9]+\. ", supplement, re.M))
    assert counts["comment-paragraph"] == len(re.findall(r"^[ivx]+\. ", supplement, re.M))
    assert counts["comment-sub-paragraph"] == len(re.findall(r"^[A-Z]\. ", supplement, re.M))
    found = parse_structure(text, kind="us-cfr", strict=False)
    cited = found.at(text.index("v. Effective January 1, 2010") if "v. Effective January 1, 2010" in text
                     else text.index("\nv. ", text.index("#### 3(b) Electronic")) + 1)
    assert cited.label == "comment 3(b)(1)-1.v of supplement I to part 1005"
    assert found.get("supplement-i-to-part-1005-2-a-c1").label == "comment 2(a)-1 of supplement I to part 1005"
    # comment 2(b)-2 and the interpretations of paragraph 2(b)(2) are two units
    assert found.get("supplement-i-to-part-1005-2-b-c2").kind == "comment"
    assert found.get("supplement-i-to-part-1005-2-b-2").kind == "interpreted-paragraph"
    assert found.get("supplement-i-to-part-1005-app-a-c1").label == "comment app. A-1 of supplement I to part 1005"


def test_the_eu_regulation_has_its_recitals_articles_and_annex():
    text = _read("eu-32020R0111.md")
    counts = _counts("eu-32020R0111.md")
    preamble = text.split("HAS ADOPTED THIS REGULATION")[0]
    assert counts["recital"] == len(re.findall(r"^- \(\d+\)", preamble, re.M))
    assert counts["article"] == len(re.findall(r"^#### Article \d+$", text, re.M))
    assert counts["annex"] == 1
    # The Annex's points (1) to (7) and their points (a), (b); the text its point 5
    # substitutes (Chapter 12.0, quoted from "‘12.0." to the closing "’") is point 5's.
    annex = text.split("\n## ANNEX\n")[1]
    assert counts["point"] == len(re.findall(r"^- \((?:[0-9]+|[a-z])\) ", annex.split("‘12.0.")[0], re.M)) + len(
        re.findall(r"^- \([0-9]+\) ", annex.split("‘12.0.")[1], re.M))
    found = parse_structure(text, kind="eu-act", strict=False)
    assert found.at(text.index("(d) the detailed configuration")).id == "annex-5"
    assert found.get("annex-2-b").label == "point 2(b) of the Annex"


# --- Texts as people have them ---------------------------------------------------------

def test_a_revised_act_with_its_front_matter_and_annotations_is_read_as_published():
    """The Continental Shelf Act 1964 as revised (legalize-uk): YAML front matter, repealed
    subsections printed as dots, section 11A printed after section 13, and the editorial
    notes (annotations as footnotes) after the last section."""
    text = _read("ukpga-1964-29.md")
    found = parse_structure(text, kind="uk-act", strict=False)
    counts = Counter(p.kind for p in found.provisions)
    sections = sum(p.kind == "section" and bool(p.number) for p in found.provisions)  # not "## Editorial notes"
    assert sections == len(re.findall(r"^##### \d+[A-Z]*$", text, re.M))
    assert counts["subsection"] == len(re.findall(r"^- \(\d+[A-Z]*\) ", text, re.M))
    assert found.metadata["identifier"] == "ukpga-1964-29" and found.metadata["document_status"] == "revised"
    assert found.provisions[0].id == "preamble" and found.provisions[0].end > text.index("\n---\n")
    assert [(w.code, w.provision_id) for w in found.warnings] == [("numbering-order", "sec-11a")]
    notes = found.at(text.index("[^c655169]:"))
    assert notes.id == "editorial-notes"  # an annotation is no unit of the Act


def test_a_consolidated_text_with_amendment_markers_and_annotations_keeps_every_provision():
    """SI 2005/263 as revised to 2013-04-01 (CLML, through the CLML reader): every
    regulation and paragraph the XML numbers is found whole, though "[F1 …]" markers
    stand before labels and headings and the annotations ("> F1 …") follow them."""
    from lxml import etree

    from regdraft.formats import read_document

    path = ROOT / "tests" / "fixtures" / "clml" / "uksi-2005-263-2013-04-01.xml"
    document = read_document(path.read_bytes())
    assert "[F1" in document.text and "\n> F1 " in document.text
    found = parse_structure(document.text, kind="uk-si", strict=False)
    leg = "{http://www.legislation.gov.uk/namespaces/legislation}"
    root = etree.parse(str(path)).getroot()

    def numbered(tag: str) -> list[str]:
        return [e.get("id") for e in root.iter(f"{leg}{tag}") if e.get("id", "").startswith("regulation-")
                and not any(a.tag in (f"{leg}BlockAmendment", f"{leg}Schedules") for a in e.iterancestors())]

    ids = {p.id for p in found.provisions}
    for source_id in numbered("P1") + numbered("P2"):
        assert "reg-" + source_id.removeprefix("regulation-") in ids, source_id
    marked = [w for w in found.warnings if w.code == "amendment-marker"]
    assert marked and all(w.provision_id in ids for w in marked)
    for m in re.finditer(r"^> (F\d+) ", document.text, re.M):  # an annotation is its provision's, never a unit
        assert found.at(m.start()).kind != "preamble"


def _without_markdown(text: str, indent_by: int) -> str:
    """A CFR text as it is pasted from a page: no Markdown, the § headings as plain
    lines, each paragraph indented by its depth in the part (``indent_by`` spaces a
    level, the depth the Markdown text's own reading gives), the CFR's "(a)(1)" first
    paragraphs split so the label stands alone on its line above the indented "(1)"."""
    found = parse_structure(text, kind="us-cfr", strict=False)
    depth = {}
    for p in found.provisions:
        if p.kind == "paragraph":
            depth.setdefault(p.line, []).append(sum(a.kind == "paragraph" for a in found.ancestors(p)))
    lines, line = [], 1
    for block in text.split("\n\n"):
        if m := re.match(r"((?:\([^()\s]+\))+)\s", block):
            labels = re.findall(r"\([^()\s]+\)", m.group(1))
            for label, level in zip(labels, depth[line]):
                words = block[m.end():] if label is labels[-1] else ""
                lines.append(" " * indent_by * level + (f"{label} {words}" if words else label))
        else:
            lines.append(block.removeprefix("### "))
        line += block.count("\n") + 2
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("indent_by", [2, 4])
def test_a_cfr_section_pasted_without_markdown_nests_by_its_indentation(indent_by: int):
    """§§ 1005.2 and 1005.3 of the real part, as a reader pastes them from a web page:
    no "#", nesting by indentation, and "(a)" alone on its line above an indented "(1)"."""
    text = _read("ecfr-12-1005-2011.md")
    sections = text[text.index("### § 1005.2 "):text.index("### § 1005.4 ")]
    pasted = _without_markdown(sections, indent_by)
    assert "\n(a)\n" in pasted and "\n" + " " * indent_by + "(1) " in pasted
    want = [(p.id, p.label) for p in parse_structure(sections, kind="us-cfr", strict=False).provisions]
    got = [(p.id, p.label) for p in parse_structure(pasted, kind="us-cfr", strict=False).provisions]
    assert got == want and len(want) > 50


# --- A consolidated Act: the Senior Courts Act 1981, Part VI, as revised ---------------

_SENIOR_COURTS = ROOT / "tests" / "fixtures" / "clml" / "ukpga-1981-54-part-VI-2020-08-03.xml"
_LEG = "{http://www.legislation.gov.uk/namespaces/legislation}"
# How legislation.gov.uk heads each kind of annotation in a provision's "Annotations:" box.
_ANNOTATION_HEADINGS = {"F": "Amendments (Textual)", "C": "Modifications etc. (not altering text)",
                        "I": "Commencement Information", "E": "Extent Information", "X": "Editorial Information",
                        "M": "Marginal Citations"}


def _as_pasted(path: Path) -> str:
    """The revised text as a drafter copies it from its legislation.gov.uk page, made
    from the XML without regdraft's reader: no Markdown; "PART VI" and its title on two
    lines, cross-headings and "129 Heading." lines; "(1) …", "(a) …" lines; amendments as
    the page prints them, "[F2Senior Courts]" (one bracket a change), a repealed
    provision "F1. . ."; quoted
    text between “ and ”; after each section its "Annotations:" box, grouped as the page
    groups them ("Amendments (Textual)", "F1S. 130 repealed …", "Marginal Citations",
    "M11946 c. 36.")."""
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    commentaries = {c.get("id"): c for c in root.iter(f"{_LEG}Commentary")}
    markers: dict[str, str] = {}
    by_type: Counter = Counter()
    cited: list[str] = []
    lines: list[str] = []

    def marker(ref: str) -> str:
        if ref not in markers:
            letter = commentaries[ref].get("Type")
            by_type[letter] += 1
            markers[ref] = f"{letter}{by_type[letter]}"
        if ref not in cited:
            cited.append(ref)
        return markers[ref]

    def pieces(element) -> list:
        """Text, and [change id, marker, words] for each amendment; an inline element's
        pieces (a Term's) are its parent's, so one change marked on both sides of a term
        is one bracket, as the page prints it."""
        out: list = []

        def add(piece) -> None:
            if isinstance(piece, list) and out and isinstance(out[-1], list) and out[-1][0] == piece[0]:
                out[-1][2] += piece[2]
            elif piece:
                out.append(piece)

        add(element.text or "")
        for child in element:
            name = etree.QName(child).localname
            if name in ("Addition", "Substitution", "Repeal"):
                add([child.get("ChangeId"), marker(child.get("CommentaryRef")), joined(child)])
            elif name == "CommentaryRef":
                add(marker(child.get("Ref")))
            elif name == "Character":
                add(" . . . " if child.get("Name") == "DotPadding" else " ")
            else:
                for piece in pieces(child):
                    add(piece)
            add(child.tail or "")
        return out

    def bracketed(piece: list) -> str:  # the spaces at its edges outside the brackets
        words = piece[2]
        core = words.strip()
        return f"{words[:len(words) - len(words.lstrip())]}[{piece[1]}{core}]{words[len(words.rstrip()):]}"

    def joined(element) -> str:
        return "".join(p if isinstance(p, str) else bracketed(p) for p in pieces(element))

    def words(element) -> str:
        return re.sub(r"\s+", " ", joined(element)).strip()

    def numbered(element) -> tuple[str, str, str]:
        """A Pnumber's number, the annotations it cites ("X1", printed after it) and the
        marker of an amendment that inserted it."""
        pnumber = element.find(f"{_LEG}Pnumber")
        notes = "".join(marker(ref.get("Ref")) for ref in pnumber.iter(f"{_LEG}CommentaryRef"))
        added = next((marker(a.get("CommentaryRef")) for a in pnumber if etree.QName(a).localname == "Addition"), "")
        return "".join(pnumber.itertext()).strip(), notes, added

    def annotations() -> None:
        if not cited:
            return
        lines.append("Annotations:")
        for letter, heading in _ANNOTATION_HEADINGS.items():
            group = [ref for ref in cited if markers[ref][0] == letter]
            if group:
                lines.append(heading)
                lines.extend(markers[ref] + words(commentaries[ref]) for ref in group)
        cited.clear()

    def block(element, quoted: bool = False) -> None:
        name = etree.QName(element).localname
        if name == "BlockAmendment":
            start = len(lines)
            for child in element:
                block(child, quoted=True)
            lines[start] = "“" + lines[start]
            lines[-1] += "”"
        elif name in ("P2", "P3", "P4", "P5") or (quoted and name == "P1"):
            number, notes, added = numbered(element)
            start = len(lines)
            for child in element:
                block(child, quoted)
            first = notes + (lines[start] if len(lines) > start else "")
            label = number if name == "P1" else f"({number})"  # a quoted section: “5 (1) …”
            if added:  # an inserted subsection: "[F5(3) …]"
                label = f"[{added}({number})"
                first = first.removeprefix(f"[{added}")
            if len(lines) > start:
                lines[start] = f"{label} {first}"
            else:
                lines.append(label)
        elif name == "Text" or name == "AppendText":
            text = words(element)
            if text:
                lines.append(text)
        elif name == "ListItem":
            start = len(lines)
            for child in element:
                block(child, quoted)
            if element.get("NumberOverride") and len(lines) > start:
                lines[start] = f"({element.get('NumberOverride')}) {lines[start]}"
        elif name in ("Pnumber", "Title"):
            return
        else:
            for child in element:
                block(child, quoted)

    part = next(root.iter(f"{_LEG}Part"))
    lines += [words(part.find(f"{_LEG}Number")).upper(), words(part.find(f"{_LEG}Title"))]
    for pblock in part.findall(f"{_LEG}Pblock"):
        lines.append(words(pblock.find(f"{_LEG}Title")))
        for group in pblock.findall(f"{_LEG}P1group"):
            p1 = group.find(f"{_LEG}P1")
            number, notes, _ = numbered(p1)
            lines.append(f"{number} {notes}{words(group.find(f'{_LEG}Title'))}")
            for child in p1:
                block(child)
            annotations()
    return "\n".join(lines) + "\n"


def _senior_courts_units() -> list[str]:
    """The units legislation.gov.uk numbers in the XML (its ids, ``section-137-i``), as
    regdraft spells them (``sec-137-i``), outside the text the Part quotes."""
    from lxml import etree

    root = etree.parse(str(_SENIOR_COURTS)).getroot()
    return [e.get("id").replace("section-", "sec-", 1).lower() for tag in ("P1", "P2", "P3", "P4")
            for e in root.iter(f"{_LEG}{tag}")
            if e.get("id") and not any(a.tag == f"{_LEG}BlockAmendment" for a in e.iterancestors())]


def _senior_courts_from_clml() -> str:
    from regdraft.formats import read_document

    return read_document(_SENIOR_COURTS.read_bytes()).text


@pytest.mark.parametrize("form", ["clml", "pasted"])
def test_a_consolidated_act_gives_the_units_legislation_gov_uk_numbers(form: str):
    """Part VI of the Senior Courts Act 1981 as revised, read through the CLML reader and
    as pasted from its page: the Part (numbered VI), its two cross-headings, the 27
    sections (138A, 138B inserted; 130, 138, 141, 143, 144, 148, 149 repealed, printed
    as dots), every subsection, paragraph and sub-paragraph the XML numbers, and no
    other: not the limbs of a definition (“appeal” includes— (a) …), not the
    subsections of the sections it quotes, not a line of an annotations box."""
    text = _senior_courts_from_clml() if form == "clml" else _as_pasted(_SENIOR_COURTS)
    golden = GOLDEN / f"real-ukpga-1981-54-part-VI-{form}.txt"
    got = outline(text, "uk-act")
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")
    found = parse_structure(text, kind="uk-act", strict=False)
    numbered = [p.id for p in found.provisions if p.kind in ("section", "subsection", "paragraph", "sub-paragraph")]
    assert sorted(numbered) == sorted(_senior_courts_units())
    assert len(numbered) == len(set(numbered)) == 27 + 55 + 26  # counted by hand: sections, subsections, paragraphs
    assert [p.id for p in found.provisions if p.kind in ("part", "cross-heading")] == [
        "part-vi", "part-vi-xh-miscellaneous-provisions", "part-vi-xh-supplementary"]
    assert found.get("part-vi").label == "Part VI" and found.get("sec-137-ii").label == "section 137(ii)"
    assert all(label_to_id(p.label, "uk-act") == p.id for p in found.provisions)
    # Every amendment marker is warned of and names the unit it stands in.
    marked = {w.provision_id for w in found.warnings if w.code == "amendment-marker"}
    assert {"sec-131", "sec-131-3", "sec-140-3", "sec-151-1"} <= marked <= set(numbered)
    assert not [w for w in found.warnings if w.code not in ("amendment-marker", "quoted-text")]


def test_an_annotation_of_a_consolidated_act_is_the_words_of_the_section_it_follows():
    """Each annotation of a whole section or subsection ("F13 S. 136(3) repealed …", as
    the reader writes it, or "F13S. 136(3) repealed …" in the page's box) is in the
    section it names: never a unit of its own, a cross-heading or the next section."""
    from lxml import etree

    notes = [c for c in etree.parse(str(_SENIOR_COURTS)).getroot().iter(f"{_LEG}Commentary")
             if "".join(c.itertext()).strip().startswith("S. ")]  # "S. 130 repealed", "S. 131(3) inserted"
    for text, pattern in ((_senior_courts_from_clml(), r"^> [FE]\d+ S\. (\d+[A-Z]?)\b"),
                          (_as_pasted(_SENIOR_COURTS), r"^[FE]\d+S\. (\d+[A-Z]?)\b")):
        found = parse_structure(text, kind="uk-act", strict=False)
        annotated = list(re.finditer(pattern, text, re.M))
        assert len(annotated) == len(notes) > 10
        for m in annotated:
            unit = found.at(m.start())  # the section, or its last subsection, whose span runs on over its notes
            section = unit if unit.kind == "section" else next(a for a in found.ancestors(unit) if a.kind == "section")
            assert section.id == f"sec-{m.group(1).lower()}", m.group()


# legislation.gov.uk's own XML of three texts regdraft had not seen (tests/fixtures/clml/):
# an Act whose Schedules have Parts, cross-headings and sub-paragraphs, an amending SI,
# and an EU regulation in legislation.gov.uk's EU markup (recitals, Chapters, an Annex of
# five Parts). Each is read through the CLML reader; its golden outline was reviewed by
# eye, and its units are counted against the XML's own elements.

_CLML = ROOT / "tests" / "fixtures" / "clml"
_NEW_CLML = {"ukpga-2002-16-enacted": "uk-act", "uksi-2005-2338-made": "uk-si", "eur-2014-319-adopted": "eu-act",
             "nisr-2007-311-made": "uk-si", "uksi-2003-1-made": "uk-si"}
_LEG = "{http://www.legislation.gov.uk/namespaces/legislation}"


def _from_clml(name: str) -> str:
    from regdraft.formats import read_document

    return read_document((_CLML / f"{name}.xml").read_bytes()).text


def _xml(name: str):
    from lxml import etree

    return etree.parse(str(_CLML / f"{name}.xml")).getroot()


def _own(elements) -> list:
    """Elements of the document itself, not of the text its amendments quote."""
    return [e for e in elements if not any(a.tag == f"{_LEG}BlockAmendment" for a in e.iterancestors())]


@pytest.mark.parametrize("name", sorted(_NEW_CLML))
def test_a_new_clml_text_has_its_golden_outline_and_every_label_names_its_unit(name: str):
    golden = GOLDEN / f"real-{name}-clml.txt"
    text, kind = _from_clml(name), _NEW_CLML[name]
    got = outline(text, kind)
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with REGDRAFT_UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")
    for p in parse_structure(text, kind=kind, strict=False).provisions:
        assert label_to_id(p.label, kind) == p.id, p


def test_the_state_pension_credit_act_has_the_units_its_xml_numbers():
    """State Pension Credit Act 2002 (c. 16): 22 sections, 3 Schedules, 6 Parts of
    Schedules; every P1, P2, P3 and P4 outside quoted text is a unit, and no other."""
    root, name = _xml("ukpga-2002-16-enacted"), "ukpga-2002-16-enacted"
    body, schedules = root.find(f".//{_LEG}Body"), root.find(f".//{_LEG}Schedules")
    counts = Counter(p.kind for p in parse_structure(_from_clml(name), kind="uk-act", strict=False).provisions)

    def n(where, tag):
        return len(_own(where.iter(f"{_LEG}{tag}")))

    assert (counts["section"], counts["subsection"]) == (n(body, "P1"), n(body, "P2")) == (22, 85)
    assert counts["paragraph"] == n(body, "P3") + n(schedules, "P3") == 138
    assert counts["sub-paragraph"] == n(body, "P4") + n(schedules, "P4") == 12
    assert (counts["schedule"], counts["schedule-part"]) == (n(schedules, "Schedule"), n(schedules, "Part")) == (3, 6)
    assert counts["schedule-paragraph"] == n(schedules, "P1") == 62
    assert counts["schedule-sub-paragraph"] == n(schedules, "P2") == 55


def test_a_schedule_paragraph_sits_under_the_cross_heading_its_xml_puts_it_under():
    """Part 3 of Schedule 2 groups its paragraphs by the Act they amend: a titled group
    of several paragraphs is a cross-heading, and so is every titled group after it, even
    of one paragraph, or that paragraph would fall under the cross-heading before
    (paragraph 42, amending the Immigration and Asylum Act 1999, under “Social Security
    Act 1998”). Titled paragraphs before the first such group keep their titles."""
    found = parse_structure(_from_clml("ukpga-2002-16-enacted"), kind="uk-act", strict=False)
    parent = {p.id: found.get(p.parent) for p in found.provisions if p.parent}
    xh = "the cross-heading “{}” in Part 3 of Schedule 2"
    assert parent["sch-2-para-41"].label == xh.format("Social Security Act 1998")
    assert parent["sch-2-para-42"].label == xh.format("Immigration and Asylum Act 1999")
    assert parent["sch-2-para-43"].label == xh.format("Local Government Act 2000")
    assert parent["sch-2-para-39"].label == xh.format("Pensions Act 1995")
    assert parent["sch-2-para-38"].label == xh.format("Jobseekers Act 1995")
    assert parent["sch-2-para-31"].id == "sch-2-part-3"
    assert found.get("sch-2-para-31").heading == "Criminal Justice Act 1991"
    assert found.get("sch-1-para-1").heading == "Introductory"


def test_the_amending_si_has_its_regulations_and_none_of_the_text_it_quotes():
    """S.I. 2005/2338 amends another SI: 11 regulations, regulation 1's two paragraphs
    and the 25 lettered limbs of regulations 7 to 10 are its units; the regulations and
    paragraphs it inserts (8A, (vi), 2A, (8)) are words of the limb that quotes them."""
    found = parse_structure(_from_clml("uksi-2005-2338-made"), kind="uk-si", strict=False)
    root = _xml("uksi-2005-2338-made")
    body = root.find(f".//{_LEG}Body")
    counts = Counter(p.kind for p in found.provisions)
    assert counts["regulation"] == len(_own(body.iter(f"{_LEG}P1"))) == 11
    assert counts["paragraph"] == len(_own(body.iter(f"{_LEG}P2"))) == 2
    assert counts["sub-paragraph"] == len(_own(body.iter(f"{_LEG}P3"))) == 25
    assert found.get("reg-8-e").end > found.get("reg-8-e").start
    assert not [p for p in found.provisions if p.id.startswith("reg-8a")]
    assert not [w for w in found.warnings if w.code == "duplicate"]


def test_the_eu_regulation_has_its_recitals_chapters_articles_and_annex_parts():
    """Commission Regulation (EU) No 319/2014 as legislation.gov.uk marks it up
    (EURetained): 18 recitals, Chapters 1 and II to VI (legislation.gov.uk's text has the
    first in arabic), 20 Articles, 46 numbered paragraphs, their points (P3 or list
    items) and sub-points, and an unnumbered Annex of Parts I to V whose points are
    cited through their Part; no warning."""
    root, name = _xml("eur-2014-319-adopted"), "eur-2014-319-adopted"
    found = parse_structure(_from_clml(name), kind="eu-act", strict=False)
    counts = Counter(p.kind for p in found.provisions)
    body = root.find(f".//{_LEG}EUBody")
    recitals = [d for d in root.find(f".//{_LEG}EUPreamble").iter(f"{_LEG}Division")
                if d.find(f"{_LEG}Number") is not None]
    points = [e for e in body.iter(f"{_LEG}ListItem", f"{_LEG}P3")
              if not any(a.tag == f"{_LEG}KeyListItem" for a in e.iterancestors())]  # a formula's key is no point
    nested = [e for e in points if any(a.tag in (f"{_LEG}ListItem", f"{_LEG}P3") for a in e.iterancestors())]
    annex_points = [d for d in root.find(f".//{_LEG}Schedules").iter(f"{_LEG}Division")
                    if d.find(f"{_LEG}Number") is not None]
    assert counts["recital"] == len(recitals) == 18
    assert counts["chapter"] == len(list(body.iter(f"{_LEG}EUChapter"))) == 6
    assert counts["article"] == len(list(body.iter(f"{_LEG}P1"))) == 20
    assert counts["paragraph"] == len(list(body.iter(f"{_LEG}P2"))) == 46
    assert counts["sub-point"] == len(nested) + len(list(body.iter(f"{_LEG}P4"))) == 3
    assert counts["point"] == len(points) - len(nested) + len(annex_points) == 20 + 14
    assert counts["annex-part"] == 5 and found.get("annex").label == "the Annex"
    assert found.get("chapter-1").heading == "GENERAL PROVISIONS"
    assert found.get("annex-part-v-12").label == "point 12 of Part V of the Annex"
    assert found.get("annex-part-ii-1").label == "point 1 of Part II of the Annex"
    assert found.warnings == ()


def test_an_eu_paragraph_holds_its_subparagraphs_and_its_formula():
    """A paragraph "1." is an ordered list item, which Markdown ends at the next block;
    in an EU act the unnumbered blocks up to paragraph 2 are paragraph 1's subparagraphs
    (Article 16(1)), and the formula a paragraph ends on is its own (Article 5(1))."""
    text = _from_clml("eur-2014-319-adopted")
    found = parse_structure(text, kind="eu-act", strict=False)
    art_5_1, art_16_1 = found.get("art-5-1"), found.get("art-16-1")
    assert "d = v + a + h 1 − e" in text[art_5_1.start:art_5_1.end]
    assert "In order to distinguish revenue and expenditure" in text[art_16_1.start:art_16_1.end]
    assert found.get("art-16-2").start == art_16_1.end
    point_3 = found.get("annex-part-v-3")
    assert text[point_3.start:point_3.end].startswith("3. In Tables 1, 2 and 6 of Part I")


@pytest.mark.parametrize("name", sorted(_NEW_CLML))
def test_xml_given_as_a_text_is_said_to_be_markup_not_read_as_units(name: str):
    """A new user's first try, ``regdraft structure data.xml``: read as text, every tag
    line was a cross-heading (3,728 units and 1,804 duplicate warnings for the State
    Pension Credit Act); the one warning now says what the file is and how to read it."""
    text = (_CLML / f"{name}.xml").read_text(encoding="utf-8")
    found = parse_structure(text, kind=_NEW_CLML[name], strict=False)
    assert [p.kind for p in found.provisions] == ["preamble"]
    assert [(w.code, w.line) for w in found.warnings] == [("markup", 1)]
    assert "regdraft import" in found.warnings[0].message
    with pytest.raises(InvalidStructure, match="XML or HTML markup"):
        parse_structure(text, kind=_NEW_CLML[name])


def test_an_sis_schedule_keeps_its_parts_numbered_in_roman():
    """The Schedule to S.R. 2007/311 is in Parts I to V (Part V's number given only as its
    title, “PART V”). A Part inside a Schedule is the Schedule's: read as a Part of the
    instrument it closed the Schedule, and the Schedule's paragraphs after it were read
    as regulations (“### 2.” under “### Part II” was regulation 2, without a warning)."""
    found = parse_structure(_from_clml("nisr-2007-311-made"), kind="uk-si", strict=False)
    parts = [p for p in found.provisions if p.kind == "schedule-part"]
    assert [(p.id, p.label, p.parent) for p in parts] == [
        (f"sch-part-{n.lower()}", f"Part {n} of the Schedule", "sch") for n in ("I", "II", "III", "IV", "V")]
    assert [p.id for p in found.provisions if p.kind == "regulation"] == ["reg-1", "reg-2"]
    text = ("### 1. Citation\n\n## Schedule 1: Things\n\n### Part 1: First\n\n### 1. One\n\n"
            "### Part 2: Second\n\n### 2. Two\n")
    short = parse_structure(text, kind="uk-si")
    assert [(p.id, p.parent) for p in short.provisions if p.number] == [
        ("reg-1", None), ("sch-1", None), ("sch-1-part-1", "sch-1"), ("sch-1-para-1", "sch-1-part-1"),
        ("sch-1-part-2", "sch-1"), ("sch-1-para-2", "sch-1-part-2")]
