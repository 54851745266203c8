"""Amending instructions in each drafting tradition, read from the phrasing table
(``core/traditions/phrasing.py``) and applied to real texts; the round trip generate →
read → apply on real version pairs of each kind.

The instructions are written the way the traditions' own guides and instruments write
them. Sources of the forms: UK — SI 2014/2407 and the Office of the Parliamentary
Counsel's *Drafting Guidance* (2020), §§ 11-12 on amendments ("for … substitute",
"omit", "in each place it occurs", "the words from … to the end"); US — the Office of
the Federal Register's *Document Drafting Handbook* (2017), chapter 2, "Amendatory
instructions" (Add, Remove, Revise, Redesignate); EU — the *Joint Practical Guide* of the
European Parliament, the Council and the Commission (2015), guideline 18 ("Article 3 is
replaced by the following:", "point (a) is deleted", "the following Article is
inserted:"). The texts they amend are real: SI 2014/2407 (drafts/), Part 1 of the
Children and Young Persons Act 2008 (as at 2011-04-01 and 2016-04-06), 12 CFR 370.2
and Articles 1 to 3 of Regulation (EU) 2016/679 (tests/fixtures/instructions/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions import generate, parse, read_instructions, render_instructions

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "instructions"
WORKED = REPO / "drafts" / "children-social-care-delegation" / "versions"
SI = (WORKED / "0003.md").read_text(encoding="utf-8")
ACT_2011 = (FIXTURES / "ukpga-2008-23_part1_v2011-04-01.md").read_text(encoding="utf-8")
ACT_2016 = (FIXTURES / "ukpga-2008-23_part1_v2016-04-06.md").read_text(encoding="utf-8")
CFR = (FIXTURES / "us-cfr-12-370-2.md").read_text(encoding="utf-8")
GDPR = (FIXTURES / "eu-gdpr-articles-1-3.md").read_text(encoding="utf-8")

REG_3A = ("social services functions not falling within section 1(2) of the Act conferred on or exercisable by a "
          "local authority so far as those functions relate to children;")
REG_3B = "the functions conferred on a local authority under section 10, 12C, 12D and 17A of the Children Act 2004."
REG_4 = ("A local authority’s functions under Part 1 of the Act are to be treated as not being relevant care "
         "functions for the purposes of section 1 of the Act.")


def changed(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# (kind, text, instructions, what the text becomes)
UK_SI = [
    # A descriptive heading in brackets after the label, as SIs write it.
    ("In regulation 3 (functions to be treated as being relevant care functions), for “12C, 12D” substitute "
     "“12C, 12D, 12E”.", [(REG_3B, REG_3B.replace("12C, 12D", "12C, 12D, 12E"))]),
    ("In regulation 3, for “the Act”, in each place it occurs, substitute “the 2008 Act”.",
     [("section 1 of the Act—", "section 1 of the 2008 Act—"), ("section 1(2) of the Act", "section 1(2) of the 2008 Act")]),
    ("In regulation 3, for “the Act”, in the second place it occurs, substitute “the 2008 Act”.",
     [("section 1(2) of the Act", "section 1(2) of the 2008 Act")]),
    ("In regulation 3(a), for the words from “conferred on” to the end substitute “of a local authority;”.",
     [(REG_3A, "social services functions not falling within section 1(2) of the Act of a local authority;")]),
    ("In regulation 3(a), the words “not falling within section 1(2) of the Act” are omitted.",
     [(REG_3A, REG_3A.replace(" not falling within section 1(2) of the Act", ""))]),
    ("In regulation 3(b), omit “the” in both places where it occurs.",
     [(REG_3B, REG_3B.replace("the functions", "functions").replace("of the Children", "of Children"))]),
    ("In paragraph (b) of regulation 3, after “section 10,” insert “11,”.",
     [(REG_3B, REG_3B.replace("10, 12C", "10, 11, 12C"))]),
    # "At the end" is before the closing full stop.
    ("In regulation 4, at the end insert “, other than functions under section 2”.",
     [(REG_4, REG_4[:-1] + ", other than functions under section 2.")]),
    ("Renumber regulation 5 as regulation 6.", [("### 5. Provision", "### 6. Provision")]),
    ("Regulation 5 is renumbered as regulation 6.", [("### 5. Provision", "### 6. Provision")]),
    ("Regulation 4 is revoked.", [(f"### 4. Functions to be treated as not being relevant care functions\n\n{REG_4}\n\n",
                                   "")]),
    ("Omit regulations 4 and 5.",
     [(SI[SI.index("### 4. "):SI.index("## Signed")], "")]),
    # Inserted text quoted as printed.
    ("After regulation 4 insert—\n\n“4A. Review\n\nThe Secretary of State must review these Regulations.”",
     [(f"{REG_4}\n\n", f"{REG_4}\n\n### 4A. Review\n\nThe Secretary of State must review these Regulations.\n\n")]),
    # Compound instructions, the provision carried into the limbs.
    ("In regulation 3—\n(a) in paragraph (a), omit “not falling within section 1(2) of the Act”;\n"
     "(b) in paragraph (b), for “17A” substitute “17B”.",
     [(REG_3A, REG_3A.replace(" not falling within section 1(2) of the Act", "")), ("17A", "17B")]),
    ("Regulation 3 is amended as follows.\n\n(a) In paragraph (a), omit “not falling within section 1(2) of the "
     "Act”.\n\n(b) In paragraph (b), for “17A” substitute “17B”.",
     [(REG_3A, REG_3A.replace(" not falling within section 1(2) of the Act", "")), ("17A", "17B")]),
]

ACT_1_1 = "(1) A local authority may enter into arrangements with a body corporate"
UK_ACT = [
    ("In section 1(1), for “body corporate” substitute “body”.", [(ACT_1_1, ACT_1_1.replace(" corporate", ""))]),
    ("In section 1(1), after “arrangements” insert “in writing”.",
     [(ACT_1_1, ACT_1_1.replace("arrangements", "arrangements in writing"))]),
    # "omit the “and” after paragraph (a)" (s. 1(2)(a) ends "…looked after by it; and").
    ("In section 1(2), omit the “and” after paragraph (a).",
     [("who are looked after by it; and", "who are looked after by it;")]),
]

CFR_B = "(b) *Brokered deposit* has the same meaning as provided in 12 CFR 337.6(a)(2)."
CFR_G = "(g) *Ownership rights and capacities* are set forth in 12 CFR part 330.\n\n"
CFR_I = "12 CFR 330.1(o)."
US_CFR = [
    ("In § 370.2, revise paragraph (b) to read as follows:\n\n(b) *Brokered deposit* has the meaning given in "
     "12 CFR 337.6(a)(2).", [(CFR_B, "(b) *Brokered deposit* has the meaning given in 12 CFR 337.6(a)(2).")]),
    ("Amend § 370.2 by revising paragraph (b) to read as follows:\n\n(b) *Brokered deposit* has the meaning given "
     "in 12 CFR 337.6(a)(2).", [(CFR_B, "(b) *Brokered deposit* has the meaning given in 12 CFR 337.6(a)(2).")]),
    ("Paragraph (g) of § 370.2 is removed.", [(CFR_G, "")]),
    ("In § 370.2, remove paragraph (g).", [(CFR_G, "")]),
    ("In § 370.2, add paragraph (j) to read as follows:\n\n(j) *Transactional features* has the meaning given in "
     "this part.", [(CFR_I, CFR_I + "\n\n(j) *Transactional features* has the meaning given in this part.")]),
    ("In § 370.2(d), remove the words “three years” and add in their place the words “two years”.",
     [("three years after", "two years after")]),
    ("In § 370.2(h), remove the words “, or other instrument”.", [(", or other instrument", "")]),
]

GDPR_3_3 = ("3. This Regulation applies to the processing of personal data by a controller not established in the Union, "
            "but in a place where Member State law applies by virtue of public international law.")
GDPR_2_2_C = "- (c) by a natural person in the course of a purely personal or household activity;\n"
GDPR_2_4 = ("\n\n4. This Regulation shall be without prejudice to the application of Directive 2000/31/EC, in particular "
            "of the liability rules of intermediary service providers in Articles 12 to 15 of that Directive.")
EU_ACT = [
    ("In Article 3, paragraph 3 is replaced by the following:\n\n‘3. This Regulation applies to the processing of "
     "personal data by a controller not established in the Union.’",
     [(GDPR_3_3, "3. This Regulation applies to the processing of personal data by a controller not established in "
                 "the Union.")]),
    ("In Article 2(2), point (c) is deleted.", [(GDPR_2_2_C, "")]),
    ("Article 2 is amended as follows:\n(a) in paragraph 2, point (c) is deleted;\n(b) paragraph 4 is deleted.",
     [(GDPR_2_2_C, ""), (GDPR_2_4, "")]),
    ("In Article 1(2), the words ‘fundamental rights’ are replaced by ‘the fundamental rights’.",
     [("protects fundamental rights", "protects the fundamental rights")]),
    ("In point (b) of Article 3(2), the words ‘as far as’ are replaced by ‘in so far as’.",
     [("as far as their", "in so far as their")]),
    ("The following Article is inserted after Article 2:\n\n‘Article 2a: Review\n\nThe Commission shall review this "
     "Regulation.’", [("\n\n### Article 3:", "\n\n### Article 2a: Review\n\nThe Commission shall review this "
                                          "Regulation.\n\n### Article 3:")]),
]

CASES = ([("uk-si", SI, *c) for c in UK_SI] + [("uk-act", ACT_2011, *c) for c in UK_ACT]
         + [("us-cfr", CFR, *c) for c in US_CFR] + [("eu-act", GDPR, *c) for c in EU_ACT])


@pytest.mark.parametrize("kind, text, instruction, changes", CASES, ids=[f"{c[0]}-{c[2][:50]}" for c in CASES])
def test_real_phrasings_give_the_change_they_say(kind, text, instruction, changes):
    assert parse(f"1. {instruction}\n", text, kind=kind) == changed(text, *changes)


def test_a_tradition_reads_its_own_words_not_another_s():
    with pytest.raises(InvalidInstruction, match="not understood"):
        parse("1. In § 370.2, remove paragraph (g).\n", SI, kind="uk-si")
    with pytest.raises(InvalidInstruction, match="not understood"):
        parse("1. Regulation 4 is revoked.\n", GDPR, kind="eu-act")


def test_limbs_are_named_in_messages():
    with pytest.raises(InvalidInstruction, match=r"instruction 1\(b\): “17Z” does not occur"):
        parse("1. In regulation 3—\n(a) in paragraph (a), omit “not falling”;\n(b) in paragraph (b), "
              "for “17Z” substitute “17B”.\n", SI)


def test_both_places_needs_two():
    with pytest.raises(InvalidInstruction, match="not in two places"):
        parse("1. In regulation 3(a), omit “the” in both places where it occurs.\n", SI)


def test_a_change_of_invisible_characters_is_said_to_be_one():
    new = SI.replace("section 1 of the Act—", "section\u00a01 of the Act—")
    rendered = render_instructions(generate(SI, new))
    assert "only invisible characters change: U+0020 space becomes U+00A0 no-break space" in rendered
    assert parse(rendered, SI) == new
    soft = SI.replace("relevant care functions for", "relevant care func\u00adtions for", 1)
    rendered = render_instructions(generate(SI, soft))
    assert "U+00AD soft hyphen is put in" in rendered
    assert parse(rendered, SI) == soft


def _round_trip(old: str, new: str, kind: str) -> str:
    rendered = render_instructions(generate(old, new, kind=kind), kind=kind)
    assert parse(rendered, old, kind=kind) == new
    assert [i.text for i in read_instructions(rendered, kind=kind)] == \
        [i.text for i in generate(old, new, kind=kind)]
    return rendered


@pytest.mark.parametrize("a, b", [("0001", "0002"), ("0002", "0003"), ("0001", "0003"), ("0003", "0001")])
def test_round_trip_on_the_worked_case(a, b):
    old = (WORKED / f"{a}.md").read_text(encoding="utf-8")
    new = (WORKED / f"{b}.md").read_text(encoding="utf-8")
    rendered = _round_trip(old, new, "uk-si")
    # Inserted regulations are printed, never swept up with the signature or the note.
    assert "> ###" not in rendered and "\n“### " not in rendered
    for inserted in rendered.split("insert—")[1:]:
        block = inserted.split("\n\n1")[0]
        if block.lstrip().startswith("“5."):
            assert "Signed" not in block and "Explanatory note" not in block


def test_round_trip_on_a_real_act_pair():
    rendered = _round_trip(ACT_2011, ACT_2016, "uk-act")
    assert "section 4" in rendered
    _round_trip(ACT_2016, ACT_2011, "uk-act")


@pytest.mark.parametrize("kind, text, instruction, changes", CASES, ids=[f"{c[0]}-{c[2][:50]}" for c in CASES])
def test_round_trip_back_from_each_real_change(kind, text, instruction, changes):
    new = changed(text, *changes)
    _round_trip(text, new, kind)
    _round_trip(new, text, kind)


def test_generated_instructions_speak_each_tradition():
    cfr = _round_trip(CFR, changed(CFR, (CFR_G, "")), "us-cfr")
    assert cfr == "1. In § 370.2, remove paragraph (g).\n"
    cfr = _round_trip(CFR, changed(CFR, (CFR_B, CFR_B.replace("(a)(2)", "(a)(3)"))), "us-cfr")
    assert cfr.startswith("1. In § 370.2(b), remove the words “") and "” and add in their place the words “" in cfr
    eu = _round_trip(GDPR, changed(GDPR, (GDPR_2_2_C, "")), "eu-act")
    assert eu == "1. In Article 2(2), point (c) is deleted.\n"
    eu = _round_trip(GDPR, changed(GDPR, (GDPR_3_3, GDPR_3_3.replace("public international law", "treaty"))),
                     "eu-act")
    assert "the words ‘" in eu and "are replaced by ‘" in eu
    act = _round_trip(ACT_2011, changed(ACT_2011, (ACT_1_1, ACT_1_1.replace(" corporate", ""))), "uk-act")
    assert act.startswith("1. In section 1(1), omit “corporate”")


def test_every_document_kind_has_its_phrasing():
    from regdraft.core.traditions import KINDS
    from regdraft.core.traditions.phrasing import PHRASINGS, phrasing

    assert set(PHRASINGS) == set(KINDS)
    with pytest.raises(ValueError, match="unknown document kind 'us-state'"):
        phrasing("us-state")


def test_the_documentation_lists_every_phrasing_of_every_tradition():
    from regdraft.core.traditions.phrasing import PHRASINGS

    docs = (REPO / "docs" / "instructions.md").read_text(encoding="utf-8")
    missing = [(kind, t) for kind, ph in PHRASINGS.items()
               for t in [*ph.leads, *ph.heading_leads, *ph.definition_leads,
                         *(t for templates in ph.forms.values() for t in templates)]
               if f"`{t.strip()}`" not in docs]
    assert missing == []


def test_one_change_in_each_place_is_one_instruction():
    new = SI.replace("section 1 of the Act—", "section 1 of the 2008 Act—").replace(
        "section 1(2) of the Act", "section 1(2) of the 2008 Act")
    assert _round_trip(SI, new, "uk-si") == \
        "1. In regulation 3, for “the Act”, in each place it occurs, substitute “the 2008 Act”.\n"


def test_a_provision_that_reads_as_before_under_another_number_is_renumbered():
    new = SI.replace("### 5. Provision", "### 6. Provision")
    assert _round_trip(SI, new, "uk-si") == "1. Renumber regulation 5 as regulation 6.\n"
    rendered = _round_trip(CFR, changed(CFR, ("(i) *Standard", "(j) *Standard")), "us-cfr")
    assert rendered == "1. In § 370.2, redesignate paragraph (i) as paragraph (j).\n"
    rendered = _round_trip(GDPR, changed(GDPR, ("### Article 3:", "### Article 4:")), "eu-act")
    assert rendered == "1. Article 3 is renumbered Article 4.\n"


LEGISLATION = REPO / "tests" / "fixtures" / "legislation"


@pytest.mark.parametrize("kind, name", [("us-cfr", "ecfr-12-1005-2011.md"), ("eu-act", "eu-32020R0111.md"),
                                        ("uk-act", "ukpga-2019-24.md"),
                                        ("uk-si", "uksi-2014-2407_as-made.legalize-uk.md")])
def test_round_trip_on_edited_real_texts_of_every_kind(kind, name):
    """Words changed here and there across a real text of each kind (12 CFR part 1005,
    Implementing Regulation (EU) 2020/111, the Wild Animals in Circuses Act 2019, SI
    2014/2407) come back exactly, each in the provision that holds it."""
    import random
    import re

    old = (LEGISLATION / name).read_text(encoding="utf-8")
    words = list(re.finditer(r"\b[a-z]{5,}\b", old))
    new = old
    for m in sorted(random.Random(1).sample(words, 6), key=lambda m: -m.start()):
        new = new[:m.start()] + m.group(0).upper() + new[m.end():]
    instructions = generate(old, new, kind=kind)
    assert parse(render_instructions(instructions, kind=kind), old, kind=kind) == new
    assert all(i.target != "text" for i in instructions)
