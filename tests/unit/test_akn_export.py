"""Akoma Ntoso export: every version of the worked case (SI 2014/2407 and its drafts) is
valid against the OASIS AKN 3.0 schema (tests/fixtures/akn-schema), and its XML reads
back to the same provisions, numbers, headings and words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from regdraft.core.structure import PREAMBLE, Structure, parse_structure
from regdraft.core.text import normalise
from regdraft.formats.write import Provenance
from regdraft.formats.write.akn import AKN, MD, REGDRAFT, frbr_uris, write_act
from regdraft.formats.write.blocks import block_syntax

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "drafts" / "children-social-care-delegation"
VERSIONS = sorted((CASE / "versions").glob("*.md"))
NS = {"a": AKN}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ROOT / "tests" / "fixtures" / "akn-schema" / "akomantoso30.xsd")))


def _about(number: int, text: str = "") -> Provenance:
    meta = yaml.safe_load((CASE / "document.yaml").read_text(encoding="utf-8"))
    version = meta["versions"][number - 1]
    return Provenance(meta["slug"], meta["title"], "uk-si", number, version["content_hash"], version["author"],
                      version["created"], meta["versions"][0]["created"])


def _words(text: str) -> list[str]:
    """Words, less the colon between a unit's number and its heading, which num and
    heading stand for."""
    return [w for w in (word.rstrip(":") for word in text.split()) if w]


def _markdown_words(text: str) -> list[str]:
    """The text's words with Markdown block syntax (``###``, ``-``, ``>``) left out."""
    return [word for line in text.split("\n") for word in _words(block_syntax(line).words)]


def _reread(xml: bytes) -> tuple[etree._Element, list[tuple[str, str, str, str]]]:
    """The document, and each unit's (class, eId, num, heading) in document order."""
    root = etree.fromstring(xml)
    units = [(u.get("class"), u.get("eId"), u.findtext("a:num", "", NS), u.findtext("a:heading", "", NS))
             for u in root.iterfind(".//a:body//*[@eId]", NS) if u.get("class") is not None]
    return root, units


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_every_version_of_the_worked_case_is_valid_akn_and_reads_back(path, schema):
    text = path.read_text(encoding="utf-8")
    number = int(path.stem)
    structure = parse_structure(text, strict=False)
    xml = write_act(structure, _about(number))
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log

    _, units = _reread(xml)
    provisions = [p for p in structure.provisions if p.kind != PREAMBLE]
    assert [(kind, heading) for kind, _, _, heading in units] == [(p.kind, p.heading) for p in provisions]
    for (_, eid, num, _), provision in zip(units, provisions):
        assert provision.number in num, (eid, num, provision)
    eids = [eid for _, eid, _, _ in units]
    assert len(set(eids)) == len(eids)
    # Every word of the version is in the XML, in order, and nothing else is.
    assert _words(" ".join(root.find("a:act", NS).xpath("(a:preface|a:preamble|a:body)//text()",
                                                        namespaces=NS))) == _markdown_words(text)

    expression = root.find(".//a:FRBRExpression", NS)
    assert expression.find("a:FRBRversionNumber", NS).get("value") == str(number)
    assert expression.find("a:FRBRalias", NS).get("value") == f"sha256:{_about(number).content_hash}"
    assert root.find(f".//{{{REGDRAFT}}}version").get("number") == str(number)


def test_regulation_3_is_a_section_with_lettered_subparagraphs():
    text = VERSIONS[-1].read_text(encoding="utf-8")
    root = etree.fromstring(write_act(parse_structure(text, strict=False), _about(3)))
    section = root.find(".//a:section[@eId='sec_3']", NS)
    assert section.findtext("a:num", namespaces=NS) == "3."
    assert section.findtext("a:heading", namespaces=NS) == "Functions to be treated as being relevant care functions"
    assert section.findtext("a:intro/a:p", namespaces=NS).startswith("The following functions")
    assert [s.get("eId") for s in section.iterfind("a:subparagraph", NS)] == ["sec_3__subpara_a", "sec_3__subpara_b"]
    assert root.findtext(".//a:preface//a:docTitle", namespaces=NS).startswith("The Children and Young Persons Act")
    assert root.find(".//a:FRBRWork/a:FRBRuri", NS).get("value") == \
        "/akn/gb/act/2014-04-17/children-social-care-delegation"


def test_hostile_text_is_carried_as_text(schema):
    text = ("# T <script>alert(1)</script>\n\n### 1. A & B ]]> <!-- c -->\n\n"
            "(1) <![CDATA[x]]> &amp; \ufffe and \u0007 bell.\n")
    xml = write_act(parse_structure(text, strict=False), _about(1))
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log
    assert root.findtext(".//a:docTitle", namespaces=NS) == "T <script>alert(1)</script>"
    assert root.find(".//a:script", NS) is None
    assert root.findtext(".//a:paragraph/a:content/a:p", namespaces=NS) == "<![CDATA[x]]> &amp; \ufffd and \ufffd bell."


def test_a_text_without_provisions_is_still_a_valid_act(schema):
    root = etree.fromstring(write_act(parse_structure("Just words.\n", strict=False), _about(1)))
    assert schema.validate(root), schema.error_log
    assert _words(" ".join(root.xpath("//a:preamble//text()", namespaces=NS))) == ["Just", "words."]


_UNITS = ["### 1. A\n\n", "### 2. B\n\n", "(1) Para.\n\n", "(2) Para.\n\n", "- (a) x;\n", "- (b) y;\n",
          "  - (i) z;\n", "Words & <b>.\n\n", "## Schedule 1: S\n\n", "## Part 1: P\n\n", "\n", "# T\n\n",
          "## Explanatory note\n\n", "> quoted\n\n", "### 3A.\n\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_UNITS), max_size=25).map("".join))
def test_any_text_of_regulation_syntax_gives_a_valid_act_with_all_its_words(schema, text):
    structure = parse_structure(text, strict=False)
    root = etree.fromstring(write_act(structure, _about(1)))
    assert schema.validate(root), schema.error_log
    written = root.find("a:act", NS).xpath("(a:preface|a:preamble|a:body)//text()", namespaces=NS)
    assert _words(" ".join(written)) == _markdown_words(text)
    units = [u for u in root.iterfind(".//a:body//*[@eId]", NS) if u.get("name") != "text"]
    assert len(units) == sum(p.kind != PREAMBLE for p in structure.provisions)
    eids = [u.get("eId") for u in units]
    assert len(set(eids)) == len(eids) and not any(re.search(r"\s", eid) for eid in eids)


FIXTURES = ROOT / "tests" / "fixtures" / "legislation"
# Every version of the worked case, and each kind's real text (tests/fixtures/README.md).
ROUND_TRIPS = [(path, "uk-si") for path in VERSIONS] + [
    (FIXTURES / "uksi-2014-2407_as-made.legalize-uk.md", "uk-si"), (FIXTURES / "ukpga-2019-24.md", "uk-act"),
    (FIXTURES / "ecfr-12-1005-2011.md", "us-cfr"), (FIXTURES / "eu-32020R0111.md", "eu-act")]


def _export(path: Path, kind: str) -> tuple[str, Structure, Provenance, bytes]:
    text = normalise(path.read_text(encoding="utf-8"))
    structure = parse_structure(text, kind=kind, strict=False)
    about = _about(int(path.stem)) if path.parent.name == "versions" else \
        Provenance(path.stem, path.stem, kind, 1, "0" * 64, "legislation.gov.uk", "2019-07-24")
    return text, structure, about, write_act(structure, about)


@pytest.mark.parametrize(("path", "kind"), ROUND_TRIPS, ids=lambda case: getattr(case, "stem", case))
def test_the_export_reads_back_to_the_same_text_structure_ids_and_frbr_metadata(path, kind, schema):
    from regdraft.formats import read_document

    text, structure, about, xml = _export(path, kind)
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log
    imported = read_document(xml)
    assert imported.kind == kind
    assert imported.text == text
    again = parse_structure(imported.text, kind=kind, strict=False)
    assert again.provisions == structure.provisions
    # Each unit's eId is kept beside the regdraft id of the provision it was written
    # from, the preamble's too when it is more than the title.
    _, units = _reread(xml)
    provisions = [p for p in structure.provisions if p.kind != PREAMBLE]
    preamble = [("preamble", p.id) for p in structure.provisions if p.kind == PREAMBLE] \
        if root.find("a:act/a:preamble", NS) is not None else []
    assert imported.source_ids == tuple(preamble) + tuple((eid, p.id) for (_, eid, _, _), p in zip(units, provisions))
    work, expression = frbr_uris(about)
    assert (imported.meta("frbr_work"), imported.meta("frbr_expression")) == (work, expression)
    assert imported.meta("frbr_expression_date") == about.created[:10]


def _without_layout(xml: bytes) -> bytes:
    """The export less regdraft's ``rd:md`` layout: AKN as another tool would keep it."""
    root = etree.fromstring(xml)
    for element in root.iter(tag=etree.Element):
        element.attrib.pop(MD, None)
    return etree.tostring(root)


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_the_export_read_by_its_elements_alone_gives_the_same_provisions_and_words(path):
    """Without the layout attributes the reader goes by AKN's elements (num, heading,
    content, p class=quote, an unnumbered hcontainer): the same provisions and words."""
    from regdraft.formats import read_document

    text, structure, _, xml = _export(path, "uk-si")
    imported = read_document(_without_layout(xml), format="akn")
    again = parse_structure(imported.text, strict=False)
    assert [(p.id, p.kind, p.heading) for p in again.provisions] == \
        [(p.id, p.kind, p.heading) for p in structure.provisions]
    assert _markdown_words(imported.text) == _markdown_words(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_UNITS), min_size=1, max_size=25).map("".join))
def test_any_text_of_regulation_syntax_reads_back_exactly(text):
    from regdraft.formats import read_document

    text = normalise(text)
    if not text.strip():
        return
    structure = parse_structure(text, strict=False)
    imported = read_document(write_act(structure, _about(1)))
    assert imported.text == text
    assert parse_structure(imported.text, strict=False).provisions == structure.provisions
