"""Akoma Ntoso amendment documents: every amendment of the worked case is written as an
AKN 3.0 ``amendment`` valid against the OASIS schema, with its instructions as ``mod``
sentences, ``textualMod`` records pointing at the destination eIds of the version it
amends, and its citations as the justification; reading the file back gives
instructions that turn the base version into exactly the amended text, and the same
rationale and citations."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from regdraft.core.amendments import analyse
from regdraft.core.errors import InvalidFormat
from regdraft.core.instructions import generate, parse, read_instructions, render_instructions
from regdraft.core.structure import parse_structure
from regdraft.core.text import normalise
from regdraft.formats.read.akn_amendment import read_amendment
from regdraft.formats.write import Provenance
from regdraft.formats.write.akn import AKN, frbr_uris, write_act
from regdraft.formats.write.akn_amendment import AmendmentAbout, CitedQuote, amendment_uris, write_amendment

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "drafts" / "children-social-care-delegation"
AMENDMENTS = sorted((ROOT / "amendments" / "children-social-care-delegation").glob("*.md"))
NS = {"a": AKN}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ROOT / "tests" / "fixtures" / "akn-schema" / "akomantoso30.xsd")))


def _front_matter(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def _version(number: int) -> tuple[str, Provenance]:
    meta = yaml.safe_load((CASE / "document.yaml").read_text(encoding="utf-8"))
    version = meta["versions"][number - 1]
    return ((CASE / "versions" / f"{number:04d}.md").read_text(encoding="utf-8"),
            Provenance(meta["slug"], meta["title"], "uk-si", number, version["content_hash"], version["author"],
                       version["created"], meta["versions"][0]["created"]))


def _amendment(path: Path):
    """The amendment's base text, amended text, and what the writer is given."""
    meta, body = _front_matter(path)
    base, version = _version(meta["base_version"])
    patch = re.search(r"```diff-match-patch\n(.*?)```", body, re.S).group(1)
    amended = analyse(base, patch).result
    rationale = re.search(r"## Rationale\n\n(.*?)\n+## Patch", body, re.S).group(1)
    citations = []
    for cited in meta.get("citations") or []:
        response, _ = _front_matter(CASE / "responses" / f"{cited['response']}.md")
        citations.append(CitedQuote(cited["response"], response["title"], cited["quote"], response.get("url", "")))
    about = AmendmentAbout(meta["slug"], meta["title"], meta["proposer"], meta["created"], version, meta["status"])
    return base, amended, about, rationale, citations


@pytest.mark.parametrize("path", AMENDMENTS, ids=lambda p: p.stem)
def test_every_amendment_of_the_worked_case_is_a_valid_akn_amendment_that_reads_back(path, schema):
    base, amended, about, rationale, citations = _amendment(path)
    structure = parse_structure(base, strict=False)
    instructions = generate(base, amended)
    xml = write_amendment(structure, instructions, about, rationale=rationale, citations=citations)
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log

    # Each instruction is a mod; its textualMod points at an eId of the version amended.
    _, expression = frbr_uris(about.base)
    act = etree.fromstring(write_act(structure, about.base))
    base_eids = {e.get("eId") for e in act.iter() if e.get("eId")}
    records = root.findall(".//a:activeModifications/a:textualMod", NS)
    assert len(records) == len(instructions) == len(root.findall(".//a:amendmentContent//a:mod", NS))
    for record, instruction in zip(records, instructions):
        assert record.get("type") == {"insert": "insertion", "substitute": "substitution", "omit": "repeal",
                                      "renumber": "renumbering"}[instruction.action]
        href = record.find("a:destination", NS).get("href")
        assert href.split("#")[0] == f"{expression}/!main"
        assert href.split("#")[1] in base_eids, href
        if instruction.block is not None:
            assert root.find(f".//a:quotedStructure[@eId='{record.find('a:new', NS).get('href')[1:]}']", NS) \
                is not None
    cited = root.findall(".//a:amendmentJustification//a:p[@class='citation']", NS)
    assert [c.findtext("a:embeddedText", namespaces=NS) for c in cited] == [c.quote for c in citations]

    read = read_amendment(xml)
    assert parse(read.instructions, base) == amended
    assert read.instructions == render_instructions(instructions)
    assert read.rationale == rationale
    assert list(read.citations) == [(c.response, c.quote) for c in citations]
    assert (read.title, read.meta("proposer"), read.meta("slug"), read.meta("proposed")) == \
        (about.title, about.proposer, about.slug, about.created[:10])
    assert (read.meta("base_version"), read.meta("base_hash")) == (str(about.base.version), about.base.content_hash)
    assert (read.meta("frbr_work"), read.meta("frbr_expression")) == amendment_uris(about)
    assert read.meta("affected_document") == expression
    assert [kind for kind, _ in read.modifications] == [r.get("type") for r in records]


def test_repeal_substitution_of_words_and_renumbering_are_recorded_as_such(schema):
    """The worked case only inserts; rewording regulation 3, omitting regulation 4 and
    renumbering regulation 5 as 4 exercise the other modifications."""
    base, version = _version(3)
    amended = base.replace("The following functions", "These functions")
    amended = amended[:amended.index("### 4.")] + amended[amended.index("### 5."):]
    renumber = read_instructions("1. Renumber regulation 5 as regulation 4.")[0]
    instructions = generate(base, amended)
    instructions.append(replace(renumber, number=len(instructions) + 1))
    about = AmendmentAbout("tidy", "Tidy regulations 3 to 5", "dfe", "2014-09-01", version)
    xml = write_amendment(parse_structure(base, strict=False), instructions, about)
    root = etree.fromstring(xml)
    assert schema.validate(root), schema.error_log
    records = root.findall(".//a:activeModifications/a:textualMod", NS)
    assert [(r.get("type"), r.find("a:destination", NS).get("href").split("#")[1]) for r in records] == \
        [("substitution", "sec_3"), ("repeal", "sec_4"), ("renumbering", "sec_5")]
    old, new = (root.find(f".//a:quotedText[@eId='{records[0].find(role, NS).get('href')[1:]}']", NS).text
                for role in ("a:old", "a:new"))
    assert (old, new) == ("The following", "These")
    renumbered = parse(render_instructions(instructions), base)
    assert "### 4. Provision as to bodies corporate" in renumbered
    assert parse(read_amendment(xml).instructions, base) == renumbered


def test_a_file_without_an_amendment_is_refused():
    _, version = _version(1)
    act = write_act(parse_structure("### 1. A\n\nWords.\n", strict=False), version)
    with pytest.raises(InvalidFormat):
        read_amendment(act)


_UNITS = ["### 1. A\n\n", "### 2. B\n\n", "(1) Para x.\n\n", "(2) Para y.\n\n", "- (a) x;\n", "- (b) y;\n",
          "Words & <b>.\n\n", "## Schedule 1: S\n\n", "> quoted\n\n", "### 3A. C\n\n", "**Bold** and *it*.\n\n"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_UNITS), min_size=1, max_size=10).map("".join),
       st.lists(st.sampled_from(_UNITS), min_size=1, max_size=10).map("".join))
def test_any_change_between_two_texts_reads_back_to_the_same_amended_text(schema, old, new):
    old, new = normalise(old), normalise(new)
    _, version = _version(1)
    instructions = generate(old, new)
    about = AmendmentAbout("drawn", "Drawn", "someone", "2014-06-01", version)
    xml = write_amendment(parse_structure(old, strict=False), instructions, about, rationale="Why.\n\nBecause.")
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    read = read_amendment(xml)
    assert parse(read.instructions, old) == new
    assert read.rationale == "Why.\n\nBecause."
