"""Amending a CFR definitions section as the Federal Register does, on the real text of
1 CFR (GPO's bulk file, tests/fixtures/ecfr/): the definitions of § 457.103 are units
(``the definition of “Facility” in § 457.103``), and instructions name them through
their section — "In § 457.103, in the definition of “Facility”, remove …". Parts 457
and 500 hold the same definitions word for word, so an instruction that named the
wrong one, or the words without their section, would change the wrong part."""

from pathlib import Path

import pytest

from regdraft.core.instructions.apply import parse
from regdraft.core.instructions.generate import generate, render_instructions
from regdraft.core.structure import parse_structure
from regdraft.formats import read_document

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ecfr" / "ecfr-title1-2022-12-29.xml"
FACILITY = ("*Facility* means all or any portion of buildings, structures, equipment, roads, walks, parking lots, "
            "rolling stock or other conveyances, or other real or personal property.")


@pytest.fixture(scope="module")
def title_1() -> str:
    return read_document(FIXTURE.read_bytes()).text


def _in_457(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` in § 457.103 only."""
    at = text.index(old, text.index("### § 457.103"))
    assert at < text.index("### §", text.index("### § 457.103") + 1)
    return text[:at] + new + text[at + len(old):]


EDITS = {
    "words in a definition": (FACILITY, FACILITY.replace("any portion of", "any part of"),
                              "In § 457.103, in the definition of “Facility”, remove the words “portion” and add "
                              "in their place the words “part”."),
    "a definition removed": (FACILITY + "\n\n", "", "In § 457.103, remove the definition of “Facility”."),
    "a definition added": (FACILITY, FACILITY + "\n\n*Guardian* means a person with legal custody of another.",
                           "In § 457.103, add after the definition of “Facility” the following:"),
    "words in a definition's paragraph": (
        "caring for one's self", "caring for oneself",
        "In § 457.103, in the definition of “Handicapped person”, remove the words “one's self” and add in their "
        "place the words “oneself”."),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_instructions_name_the_definition_through_its_section(title_1, name):
    old, new, first_line = EDITS[name]
    edited = _in_457(title_1, old, new)
    instructions = render_instructions(generate(title_1, edited, kind="us-cfr"), kind="us-cfr")
    assert instructions.startswith("1. " + first_line), instructions[:300]
    assert instructions.count("\n1. ") == 0 and "\n2. " not in instructions  # one instruction
    assert parse(instructions, title_1, kind="us-cfr") == edited


def test_a_paragraph_of_a_definition_added_revises_the_definition(title_1):
    """"Paragraph (4)(iv) of the definition of …" reads badly in an instruction: the
    Federal Register revises the definition whole, and so does the generator."""
    old = "  - (4) *Is regarded as having an impairment* means—"
    edited = _in_457(title_1, "Has none of the impairments defined in subparagraph (1) of this definition but is "
                     "treated by the agency as having such an impairment.",
                     "Has none of the impairments defined in subparagraph (1) of this definition but is "
                     "treated by the agency as having such an impairment; or\n    - (iv) Is so regarded by others.")
    assert old in title_1
    instructions = render_instructions(generate(title_1, edited, kind="us-cfr"), kind="us-cfr")
    assert instructions.startswith(
        "1. In § 457.103, revise the definition of “Handicapped person” to read as follows:"), instructions[:200]
    assert parse(instructions, title_1, kind="us-cfr") == edited
    found = parse_structure(edited, kind="us-cfr").get("s457-103-def-handicapped-person-4-iv")
    assert found.label == "paragraph (4)(iv) of the definition of “Handicapped person” in § 457.103"


def test_instructions_written_by_hand_change_the_definition_they_name(title_1):
    """Instructions as a drafter writes them, read and applied to the real text."""
    written = ("1. In § 500.103, in the definition of “Facility”, remove the words “rolling stock or other "
               "conveyances, ”.\n\n2. In § 457.103, remove the definition of “Historic properties”.\n")
    result = parse(written, title_1, kind="us-cfr")
    in_500 = result.index("### § 500.103")
    assert result.count(FACILITY) == 1 and result.index(FACILITY) < in_500  # 457's stands, 500's is amended
    assert FACILITY.replace("rolling stock or other conveyances, ", "") in result[in_500:]
    assert "*Historic properties* means" not in result[result.index("### § 457.103"):in_500]
    assert "*Historic properties* means" in result[in_500:]
