"""Amending instructions on real texts regdraft had not seen (tests/fixtures/clml/,
sources and licences in tests/fixtures/README.md): the instructions of a real amending
SI read as their drafter meant them, and instructions written for hand-made edits of a
real Act's Schedules and a real EU regulation's Annex that name the provision that
holds each change and apply back to the edited text exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions import generate, parse, read_instructions, render_instructions
from regdraft.formats import read_document

CLML = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "clml"


def _imported(name: str) -> str:
    return read_document((CLML / f"{name}.xml").read_bytes()).text


def _edited(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _round_trip(old: str, new: str, kind: str) -> list[str]:
    written = render_instructions(generate(old, new, kind=kind), kind=kind)
    assert parse(written, old, kind=kind) == new
    return [line for line in written.split("\n") if line]


def test_edits_in_an_acts_schedules_are_cited_by_their_paragraph_and_schedule():
    """The State Pension Credit Act 2002, edited by hand in a section's sub-paragraph, in
    the text a Schedule paragraph quotes, in a lettered paragraph under a cross-heading
    and in a Schedule sub-paragraph. A bracketed label is quoted whole: “and (2)”, “(a)”."""
    old = _imported("ukpga-2002-16-enacted")
    new = _edited(old, ("(ii) the conditions in section 3(1) and (2) (savings credit).",
                        "(ii) the conditions in section 3(1) to (3) (savings credit)."),
                  ("> state pension credit;\n\n.\n\n### 3", "> state pension credit or guarantee credit;\n\n.\n\n### 3"),
                  ("(b) for “or the Social Security Administration Act 1992”",
                   "(b) for “and the Social Security Administration Act 1992”"),
                  ("“disqualifying benefit”, after paragraph (a) insert—", "“disqualifying benefit”, after paragraph (b) insert—"))
    assert _round_trip(old, new, "uk-act") == [
        "1. In section 1(2)(c)(ii), for “and (2)” substitute “to (3)”.",
        "2. In paragraph 2 of Schedule 1, after “credit” insert “or guarantee credit”.",
        "3. In paragraph 42(b) of Schedule 2, for “or the Social” substitute “and the Social”.",
        "4. In paragraph 45(3) of Schedule 2, for “(a)” substitute “(b)”.",
    ]


def test_edits_in_an_eu_regulation_are_cited_by_paragraph_and_annex_point():
    """Regulation (EU) No 319/2014: a formula and a second subparagraph are their
    paragraph's (Article 5(1), Article 16(1)), a point of the Annex is cited through its Part."""
    old = _imported("eur-2014-319-adopted")
    new = _edited(old, ("d = v + a + h 1 − e", "d = v + a + h 1 + e"),
                  ("In order to distinguish revenue", "In order to separate revenue"),
                  ("3. In Tables 1, 2 and 6 of Part I", "3. In Tables 1, 2, 5 and 6 of Part I"))
    assert _round_trip(old, new, "eu-act") == [
        "1. In Article 5(1), the words ‘1 −’ are replaced by ‘1 +’.",
        "2. In Article 16(1), the words ‘to distinguish’ are replaced by ‘to separate’.",
        "3. In point 3 of Part V of the Annex, the words ‘, 5’ are inserted after ‘2’.",
    ]


def _si_2005_2338_instructions() -> dict[str, str]:
    """Regulations 4 to 11 of S.I. 2005/2338 as printed (“4. In regulation 7, …”, limbs
    “(a) …” on lines of their own), each limb with the head of its regulation."""
    text = _imported("uksi-2005-2338-made")
    body = text[text.index("### 4.\n"):text.index("## Signature")]
    body = re.sub(r"^- \(([a-z])\) ", r"(\1) ", re.sub(r"### (\d+)\.\n\n", r"\1. ", body), flags=re.M)
    out = {}
    for entry in re.split(r"\n(?=\d+\. )", body.strip()):
        number = entry.split(".")[0]
        head, *limbs = re.split(r"\n(?=\([a-z]\) )", entry)
        if not limbs:
            out[number] = entry
        for limb in limbs:
            out[f"{number}({limb[1]})"] = head.rstrip() + "\n\n" + limb
    return out


# What each instruction of S.I. 2005/2338 does, as its drafter wrote it: (action, what,
# provision, within, words, new words).
_SI_2005_2338 = {
    "4": ("insert", "words", "regulation 7", "", "secondary school", "and the proprietor of every Academy"),
    "5": ("substitute", "provision", "regulation 8", "", "", ""),
    "6": ("insert", "provision", "regulation 8", "", "", ""),
    "7(a)": ("substitute", "words", "regulation 13", "heading", "local education authorities",
             "the Secretary of State"),
    "7(b)": ("substitute", "words", "regulation 13(1)", "", "authority", "Secretary of State"),
    "8(a)": ("substitute", "words", "paragraph 2(2)(i) of Schedule 2", "", "of", "on"),
    "8(b)": ("substitute", "words", "paragraph 2(2)(iA) of Schedule 2", "", "of", "on"),
    "8(c)": ("omit", "words", "paragraph 2(2)(iv) of Schedule 2", "", "or", ""),
    "8(e)": ("insert", "provision", "paragraph 2(2)(v) of Schedule 2", "", "", ""),
    "8(f)": ("insert", "provision", "paragraph 2 of Schedule 2", "", "", ""),
    "9(c)": ("omit", "words", "paragraph 2(2)(v) of Schedule 2A", "", "or", ""),
    "10(a)": ("substitute", "words", "Schedule 3", "heading", "Examination and Vocational Qualification Results",
              "Fourth Key Stage Results and Results of Pupils aged 16, 17 and 18"),
    "10(c)": ("substitute", "provision", "paragraph 1 of Schedule 3", "", "", ""),
    "10(d)": ("omit", "provision", "paragraph 2 of Schedule 3", "", "", ""),
    "10(e)": ("omit", "words", "paragraph 3(2)(a) of Schedule 3", "", "and", ""),
    "10(f)": ("substitute", "provision", "paragraph 3(2)(b) of Schedule 3", "", "", ""),
    "11": ("substitute", "words", "Schedule 10", "heading", "Local Education Authorities", "the Secretary of State"),
}


@pytest.mark.parametrize("number", sorted(_SI_2005_2338))
def test_a_real_amending_sis_instructions_are_read_as_its_drafter_meant(number: str):
    """“In Schedule 2— (a) in paragraph 2(2)(i), …” acts in paragraph 2(2)(i) of Schedule
    2, not in a paragraph 2(2)(i) of nothing; “in the heading to the Schedule” inside
    “In Schedule 3—” is Schedule 3's heading; “the words”, “the word”, “(where it first
    occurs)” and “insert the words … after the words …” are read as UK drafters write them."""
    (found,) = read_instructions(_si_2005_2338_instructions()[number], kind="uk-si")
    assert (found.action, found.target, found.provision, found.within, found.words, found.new) == _SI_2005_2338[number]


def test_one_instruction_in_two_paragraphs_acts_in_each():
    found = read_instructions(_si_2005_2338_instructions()["7(c)"], kind="uk-si")
    assert [i.provision for i in found] == ["regulation 13(1)", "regulation 13(4)"]
    assert {i.words for i in found} == {"the third Thursday in January in each reporting school year"}


@pytest.mark.parametrize("number", ["8(d)", "9(d)", "10(b)", "10(g)"])
def test_a_real_instruction_regdraft_cannot_read_is_refused_naming_it(number: str):
    """“for the full stop at the end of paragraph 2 (2) (v) substitute a semi-colon and
    insert “or””: punctuation named in words, not quoted; refused, never guessed."""
    with pytest.raises(InvalidInstruction, match=re.escape(f"instruction {number}: not understood")):
        read_instructions(_si_2005_2338_instructions()[number], kind="uk-si")
