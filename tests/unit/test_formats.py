"""The import readers on real public texts (tests/fixtures/, sources and licences in
tests/fixtures/README.md).

Golden files under tests/golden/imports/ hold what each import gives: the storage
Markdown (``<fixture>.md``) and the report, metadata and source-id map
(``<fixture>.report.txt``); they were reviewed by eye, and ``REGDRAFT_UPDATE_GOLDEN=1``
rewrites them after a deliberate change, for the diff to be reviewed again. Beside
them, checks that do not depend on the goldens: the units found against the source's
own elements counted with XPath, no word of the source lost, every commentary kept
once, hostile files refused.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from regdraft.core.errors import InvalidFormat
from regdraft.core.structure import parse_structure
from regdraft.formats import ImportedDocument, detect_format, read_document

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "imports"
CLML = {"uksi-2006-622-made": "clml/uksi-2006-622-made.xml",
        "ukpga-2003-4-enacted": "clml/ukpga-2003-4-enacted.xml",
        "uksi-2005-263-2013-04-01": "clml/uksi-2005-263-2013-04-01.xml",
        "ukpga-1981-54-part-VI-2020-08-03": "clml/ukpga-1981-54-part-VI-2020-08-03.xml",
        "ukpga-2002-16-enacted": "clml/ukpga-2002-16-enacted.xml",
        "uksi-2005-2338-made": "clml/uksi-2005-2338-made.xml", "eur-2014-319-adopted": "clml/eur-2014-319-adopted.xml",
        "uksi-2003-1-made": "clml/uksi-2003-1-made.xml", "nisr-2007-311-made": "clml/nisr-2007-311-made.xml"}
AKN = {"ukpga-2014-27-enacted": "akn/ukpga-2014-27-enacted.xml", "us-publaw-112-61": "akn/us-publaw-112-61.xml",
       "eu-com-2013-619": "akn/eu-com-2013-619.xml"}
TEXT = {"uksi-2014-2407-as-made": "text/uksi-2014-2407_as-made.txt"}
ECFR = {"ecfr-title1-2022-12-29": "ecfr/ecfr-title1-2022-12-29.xml"}
ALL = {**CLML, **AKN, **TEXT, **ECFR}
LEG = "{http://www.legislation.gov.uk/namespaces/legislation}"


def imported(name: str) -> ImportedDocument:
    return read_document((FIXTURES / ALL[name]).read_bytes())


def report_text(document: ImportedDocument) -> str:
    lines = [f"title: {document.title}", f"kind: {document.kind}", *document.report.lines(), "", "metadata:"]
    lines += [f"  {key}: {value}" for key, value in document.metadata]
    lines += ["", f"source ids ({len(document.source_ids)}):"]
    lines += [f"  {source} -> {ours}" for source, ours in document.source_ids]
    return "\n".join(lines) + "\n"


def check_golden(path: Path, got: str) -> None:
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with REGDRAFT_UPDATE_GOLDEN=1 and review it"
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(ALL))
def test_golden_import(name: str):
    document = imported(name)
    check_golden(GOLDEN / f"{name}.md", document.text)
    check_golden(GOLDEN / f"{name}.report.txt", report_text(document))


@pytest.mark.parametrize("name,format", [*[(n, "clml") for n in CLML], *[(n, "akn") for n in AKN],
                                         *[(n, "text") for n in TEXT], *[(n, "ecfr") for n in ECFR]])
def test_the_format_is_recognised_from_the_content(name: str, format: str):
    assert detect_format((FIXTURES / ALL[name]).read_bytes()) == format


def test_an_explicit_format_overrides_the_content():
    document = read_document((FIXTURES / CLML["uksi-2006-622-made"]).read_bytes(), format="text")
    assert document.report.format == "text"
    with pytest.raises(InvalidFormat, match="not a akn document"):
        read_document((FIXTURES / CLML["uksi-2006-622-made"]).read_bytes(), format="akn")


# Units found against the source's own elements --------------------------------------

def _outside_quotes(element) -> bool:
    return not any(a.tag == f"{LEG}BlockAmendment" for a in element.iterancestors())


def _count(root, tag: str, *, in_schedules: bool) -> int:
    return sum(1 for e in root.iter(f"{LEG}{tag}") if _outside_quotes(e)
               and any(a.tag == f"{LEG}Schedules" for a in e.iterancestors()) == in_schedules)


@pytest.mark.parametrize("name", ["uksi-2006-622-made", "uksi-2005-263-2013-04-01"])
def test_an_si_gives_a_regulation_per_p1_a_paragraph_per_p2_and_a_schedule_per_schedule(name: str):
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    report = imported(name).report
    assert report.unit_count("regulation") == _count(root, "P1", in_schedules=False)
    assert report.unit_count("paragraph") == _count(root, "P2", in_schedules=False)
    assert report.unit_count("schedule") == _count(root, "Schedule", in_schedules=True)
    assert report.unit_count("schedule-paragraph") == _count(root, "P1", in_schedules=True)


def test_every_numbered_clml_unit_keeps_its_legislation_gov_uk_id():
    name = "uksi-2005-263-2013-04-01"
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    document = imported(name)
    ids = dict(document.source_ids)
    assert ids["regulation-3-1"] == "reg-3-1"
    assert ids["regulation-6-b"] == "reg-6-b"
    assert ids["schedule-3"] == "sch-3"
    assert ids["schedule-3-paragraph-5"] == "sch-3-para-5"
    body = [e.get("id") for tag in ("P1", "P2", "P3", "P4") for e in root.iter(f"{LEG}{tag}")
            if e.get("id") and _outside_quotes(e)
            and not any(a.tag == f"{LEG}Schedules" for a in e.iterancestors())]
    assert set(body) <= set(ids)


# Nothing lost ------------------------------------------------------------------------

_MARKER = re.compile(r"\[(?:[A-Z]\d+|footnote \d+)\]|\[[A-Z]\d+ |[\[\]\\|>#*]")


_PUNCTUATION = "—–-.,;:()“”‘’\"'`"


def _words(text: str) -> list[str]:
    return [w.strip(_PUNCTUATION) for w in _MARKER.sub(" ", text).split() if w.strip(_PUNCTUATION)]


@pytest.mark.parametrize("name", sorted(CLML))
def test_no_word_of_a_clml_text_is_lost(name: str):
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    for character in root.iter(f"{LEG}Character"):  # a named character (a no-break space) parts words
        character.tail = " " + (character.tail or "")
    got = set(_words(imported(name).text))
    source = [w for text in root.iter(f"{LEG}Text") for w in _words("".join(text.itertext()))]
    missing = sorted({w for w in source if w not in got})
    assert not missing


# Words the counted check below may miss, each for a reason: a Schedules element's own
# title (“SCHEDULES”), which heads nothing regdraft writes.
_UNWRITTEN = {"ukpga-2002-16-enacted": {"schedules": 1}, "ukpga-2003-4-enacted": {"schedules": 1}}


@pytest.mark.parametrize("name", sorted(CLML))
def test_every_word_of_a_clml_text_is_kept_as_often_as_it_stands(name: str):
    """Every word of the document and its footnotes, counted, not only those in Text
    elements: a table's cells (in a note, in quoted text), a formula and its key, a
    figure's title and the table it holds, a table's own title and the notes under it,
    an EU act's closing words. Each was once dropped without a finding."""
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    etree.strip_tags(root, f"{LEG}Inferior", f"{LEG}Superior")  # “h<Inferior>1</Inferior>” is one word
    kept = [child for child in root if local_name(child) in ("Primary", "Secondary", "EURetained", "Footnotes")]
    source = Counter(w.lower() for part in kept for w in re.findall(r"\w+", " ".join(part.itertext())))
    got = Counter(w.lower() for w in re.findall(r"\w+", imported(name).text))
    missing = {w: n - got[w] for w, n in source.items() if n > got[w]}
    assert missing == _UNWRITTEN.get(name, {})


def local_name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


@pytest.mark.parametrize("name", sorted(AKN))
def test_no_word_of_an_akn_body_is_lost(name: str):
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    got = set(_words(imported(name).text))
    body = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith(("}body", "}collectionBody")))
    # A section's number loses its decoration ("SEC. 2." is written "### 2"), as the
    # storage convention spells sections; every other word stays.
    missing = sorted({w for w in _words("".join(body.itertext())) if w not in got} - {"SEC", "SECTION"})
    assert not missing


# Amendment markers and the point in time ---------------------------------------------

@pytest.mark.parametrize("name,point_in_time", [("uksi-2005-263-2013-04-01", "2013-04-01"),
                                                ("ukpga-1981-54-part-VI-2020-08-03", "2019-02-20")])
def test_a_revised_clml_keeps_every_commentary_once_and_its_point_in_time(name: str, point_in_time: str):
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    document = imported(name)
    commentaries = list(root.iter(f"{LEG}Commentary"))
    annotations = re.findall(r"^> ([A-Z]\d+) ", document.text, re.MULTILINE)  # F1, and E1, X1, M1 notes
    assert len(annotations) == len(set(annotations)) == len(commentaries) == document.report.annotations
    for marker in annotations:  # every annotation is cited in the text
        assert f"[{marker} " in document.text or f"[{marker}]" in document.text
    marked = {e.get("CommentaryRef") for e in root.iter(f"{LEG}Addition", f"{LEG}Substitution", f"{LEG}Repeal")}
    cited = {e.get("Ref") for e in root.iter(f"{LEG}CommentaryRef")}
    assert len(marked | cited) == len(commentaries)  # each commentary is cited by some marked words
    assert document.meta("point_in_time") == point_in_time
    assert document.meta("status") == "revised"
    assert f"revised text: the law as it stood on {point_in_time}" in document.report.lines()


def test_quoted_text_of_an_amendment_is_not_a_provision_of_the_instrument():
    document = imported("uksi-2006-622-made")
    structure = parse_structure(document.text, kind="uk-si", strict=True)
    assert "> \\(2)" in document.text  # article 5(2)(b) substitutes a paragraph (2) of another order
    assert [p.id for p in structure.provisions if p.id.startswith("reg-5")] == ["reg-5", "reg-5-1", "reg-5-2",
                                                                                "reg-5-2-a", "reg-5-2-b"]


# Akoma Ntoso ---------------------------------------------------------------------------

def test_akn_frbr_metadata_and_eids_are_kept():
    document = imported("ukpga-2014-27-enacted")
    assert document.title == "Data Retention and Investigatory Powers Act 2014"
    assert document.kind == "uk-act"
    assert document.meta("frbr_work") == "http://www.legislation.gov.uk/id/ukpga/2014/27/enacted"
    assert document.meta("frbr_expression_date") == "2014-07-17"
    root = etree.parse(str(FIXTURES / ALL["ukpga-2014-27-enacted"])).getroot()
    quoted = ("}mod", "}quotedStructure", "}quotedText", "}meta")
    numbered = [e.get("eId") for e in root.iter() if isinstance(e.tag, str) and e.get("eId")
                and any(isinstance(c.tag, str) and c.tag.endswith("}num") for c in e)
                and not any(a.tag.endswith(quoted) for a in e.iterancestors())]
    kept = {source for source, _ in document.source_ids}
    assert set(numbered) <= kept


def test_akn_sections_are_headed_and_subsections_numbered():
    text = imported("us-publaw-112-61").text
    assert "### 1 SHORT TITLE. [footnote 2]" in text
    assert "\n(1) 34th america's cup." in text
    assert "\n- (A) means the sailing competitions" in text


# Hostile and malformed input -----------------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]><lolz>&lol9;</lolz>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"><Secondary><Body>'
       b"<P><Text>&xxe;</Text></P></Body></Secondary></Legislation>")
HUGE_ATTRIBUTE = (b'<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation" x="'
                  + b"a" * 1_000_000 + b'"><Secondary/></Legislation>')
DEEP = b"<a>" * 100_000 + b"</a>" * 100_000


@pytest.mark.parametrize("data,why", [
    (BILLION_LAUGHS, "declares a DTD or entities"), (XXE, "declares a DTD or entities"),
    (HUGE_ATTRIBUTE, "characters long"), (DEEP, "not well-formed XML"),
    (b"<Legislation xmlns='http://www.legislation.gov.uk/namespaces/legislation'><Body>", "not well-formed XML"),
    (b"<html><body>Not legislation</body></html>", "regdraft reads CLML"),
    (b"", "empty"), (b"\xff\xfe\x00garbage", "not valid UTF-8"),
    (b"PK\x03\x04 broken zip", "not a zip package"),
], ids=["billion-laughs", "xxe", "huge-attribute", "deep-nesting", "truncated", "other-xml", "empty", "binary",
        "broken-zip"])
def test_hostile_or_malformed_files_are_refused_with_a_reason(data: bytes, why: str):
    with pytest.raises(InvalidFormat, match=why):
        read_document(data)


def _docx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_inside_a_docx_is_refused_before_it_is_unpacked():
    bomb = _docx({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (300 << 20)})
    assert len(bomb) < 1 << 20
    with pytest.raises(InvalidFormat, match="zip bomb"):
        read_document(bomb)


def test_a_docx_part_with_entities_is_refused():
    with pytest.raises(InvalidFormat, match="declares a DTD or entities"):
        read_document(_docx({"[Content_Types].xml": b"<Types/>", "word/document.xml": XXE}))


# eCFR -------------------------------------------------------------------------------------
# GPO's bulk file of title 1 (tests/fixtures/README.md), and a fragment in the eCFR API's
# shape (a DIV5 at the root) for the paragraph levels one by one.


def _heads(root, tag: str) -> list[str]:
    return [" ".join("".join(div.find("HEAD").itertext()).split()) for div in root.iter(tag)]


def test_a_real_ecfr_title_gives_its_parts_sections_and_definitions():
    name = "ecfr-title1-2022-12-29"
    root = etree.parse(str(FIXTURES / ALL[name])).getroot()
    document = imported(name)
    structure = parse_structure(document.text, kind="us-cfr")
    assert document.kind == "us-cfr" and structure.warnings == ()
    # One unit per part and per section; "PARTS 23–49 [RESERVED]" and "§§ 457.104-457.109
    # [Reserved]" are ranges of numbers, not units.
    parts = [h for h in _heads(root, "DIV5") if not h.startswith("PARTS ")]
    sections = [h for h in _heads(root, "DIV8") if not h.startswith("§§")]
    assert document.report.unit_count("part") == len(parts) and len(parts) < len(_heads(root, "DIV5"))
    assert document.report.unit_count("section") == len(sections)
    assert document.report.unit_count("subpart") == len(_heads(root, "DIV6"))
    assert dict(document.metadata)["point_in_time"] == "2022-12-29"
    # Subparts are lettered afresh in each part, definitions number their own paragraphs.
    assert structure.get("part-10-subpart-a").label == "subpart A of part 10"
    first = structure.get("s457-103-def-handicapped-person-1")
    second = structure.get("s457-103-def-qualified-handicapped-person-1")
    assert first.label == "paragraph (1) of the definition of “Handicapped person” in § 457.103"
    assert document.text[first.start:first.end].lstrip().startswith("- (1) *Physical or mental impairment*")
    assert document.text[second.start:second.end].lstrip().startswith("- (1) With respect to preschool")
    assert dict(document.source_ids)["1:1.0.1.1.1.0.1.1"] == "s1-1"


def test_no_word_of_the_ecfr_title_is_lost():
    """Every letter and digit of the title's text (not its TEI header, table of contents
    or currency date, nor the title's heading, which is the document's title) is in the
    import, in order, and nothing else is added but the storage syntax."""
    root = etree.parse(str(FIXTURES / ALL["ecfr-title1-2022-12-29"])).getroot()
    for skipped in [*root.iter("HEADER"), *root.iter("CFRTOC"), *root.iter("AMDDATE"), root.find(".//DIV1/HEAD")]:
        skipped.getparent().remove(skipped)
    letters = re.compile(r"[\W_]+")
    assert letters.sub("", imported("ecfr-title1-2022-12-29").text) == letters.sub("", " ".join(root.itertext()))


def test_two_ecfr_editions_differ_only_where_the_xml_does():
    """GPO's file of title 1 before and after it wrote en dashes as hyphens: the same
    provisions, and texts that differ in those characters only."""
    before = imported("ecfr-title1-2022-12-29")
    after = read_document((FIXTURES / "ecfr" / "ecfr-title1-2022-12-29-hyphens.xml").read_bytes())
    ids = [[p.id for p in parse_structure(d.text, kind="us-cfr").provisions] for d in (before, after)]
    assert ids[0] == ids[1]
    assert before.text != after.text and before.text.replace("–", "-") == after.text.replace("–", "-")

ECFR = b"""<?xml version="1.0" encoding="UTF-8"?>
<DIV5 N="1005" NODE="12:8.0.2.9.4" TYPE="PART"><HEAD>PART 1005\xe2\x80\x94ELECTRONIC FUND TRANSFERS (REGULATION E)</HEAD>
<AUTH><HED>Authority:</HED><PSPACE>12 U.S.C. 5512.</PSPACE></AUTH>
<DIV6 N="A" NODE="12:8.0.2.9.4.1" TYPE="SUBPART"><HEAD>Subpart A\xe2\x80\x94General</HEAD>
<DIV8 N="1005.2" NODE="12:8.0.2.9.4.1.1.2" TYPE="SECTION"><HEAD>\xc2\xa7 1005.2 Definitions.</HEAD>
<P>For purposes of this part, the following definitions apply:</P>
<P>(a)(1) <I>Account</I> means a demand deposit account.</P>
<P>(i) A consumer account.</P>
<P>(A) Held by a person.</P>
<P>(<I>1</I>) Directly.</P>
<P>(b) <I>Person</I> means a natural person.</P>
</DIV8></DIV6></DIV5>"""


def test_ecfr_parts_sections_and_paragraph_levels():
    document = read_document(ECFR)
    assert document.report.format == "ecfr" and document.kind == "us-cfr"
    assert document.title == "PART 1005—ELECTRONIC FUND TRANSFERS (REGULATION E)"
    lines = document.text.split("\n")
    assert "# PART 1005—ELECTRONIC FUND TRANSFERS (REGULATION E)" in lines
    assert "## Subpart A—General" in lines and "### § 1005.2 Definitions." in lines
    assert "Authority: 12 U.S.C. 5512." in lines
    assert "- (a)" in lines and "  - (1) *Account* means a demand deposit account." in lines
    assert "    - (i) A consumer account." in lines
    assert "      - (A) Held by a person." in lines
    assert "        - (*1*) Directly." in lines
    assert "- (b) *Person* means a natural person." in lines
    assert dict(document.source_ids)["12:8.0.2.9.4.1.1.2"]
