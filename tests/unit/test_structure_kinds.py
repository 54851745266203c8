"""One parser for every drafting tradition: each kind's documented convention, texts
written as people have them, the warnings, and labels that read back to their units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.errors import InvalidStructure
from regdraft.core.structure import parse_structure
from regdraft.core.traditions import KINDS, NUMBERING, id_to_label, label_to_id, subdivision_base, tradition

DOCS = Path(__file__).resolve().parents[2] / "docs" / "drafting-format.md"


def _documented(kind: str) -> tuple[str, list[tuple[str, str]]]:
    doc = DOCS.read_text(encoding="utf-8")
    example = re.search(rf"```markdown {kind}\n(.*?)```", doc, re.S).group(1)
    after = doc[doc.index(f"```markdown {kind}\n"):]
    listing = re.search(r"gives these provisions \(id — label\)[^\n]*:\n\n```\n(.*?)```", after, re.S).group(1)
    return example, [tuple(part.strip() for part in line.split("—", 1)) for line in listing.strip().splitlines()]


@pytest.mark.parametrize("kind", ["uk-act", "us-cfr", "eu-act"])
def test_each_kind_documented_example_gives_the_documented_provisions(kind):
    example, expected = _documented(kind)
    found = parse_structure(example, kind=kind)
    assert [(p.id, p.label) for p in found.provisions] == expected
    for p in found.provisions:
        if p.parent:
            parent = found.get(p.parent)
            assert parent.start <= p.start <= p.end <= parent.end, p.id


def test_the_kinds_are_the_traditions():
    assert KINDS == ("uk-si", "uk-act", "us-cfr", "eu-act")
    with pytest.raises(ValueError, match="unknown document kind 'uk-bill'"):
        parse_structure("### 1. A\n", kind="uk-bill")


def test_a_kind_labels_its_units_in_its_own_words():
    text = "### 1 Heading\n\n(1) Text.\n\n- (a) item.\n"
    assert [p.label for p in parse_structure(text, kind="uk-act").provisions] == [
        "section 1", "section 1(1)", "section 1(1)(a)"]
    assert [p.label for p in parse_structure(text, kind="uk-si").provisions] == [
        "regulation 1", "regulation 1(1)", "regulation 1(1)(a)"]


# --- Texts as people have them --------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("### 4 Four\n\n(1) a\n\n### 5 Provision\n\n(1) Text.\n", ["reg-4", "reg-4-1", "reg-5", "reg-5-1"]),
    ("### 4. Four\n\n### Regulation 5. Heading\n\n(1) Text.\n", ["reg-4", "reg-5", "reg-5-1"]),
    ("### 4. Four\n\nText.\n\n5.—(1) A body corporate.\n\n(2) Another.\n", ["reg-4", "reg-5", "reg-5-1", "reg-5-2"]),
    ("### 5. H\n\n(1) Lead—\n\n- **(a)** first;\n- **(b)** second.\n", ["reg-5", "reg-5-1", "reg-5-1-a", "reg-5-1-b"]),
    ("### 5. H\n\n(1) Lead—\n\n(a) first;\n\n    (b) second.\n", ["reg-5", "reg-5-1", "reg-5-1-a", "reg-5-1-b"]),
    ("### 5. H\n\n(1) One.\n\n[F1(2) Two.]\n\n(3) Three.\n", ["reg-5", "reg-5-1", "reg-5-2", "reg-5-3"]),
    ("### 4. Four\n\n### [F2 5. Heading]\n\n(1) Text.\n", ["reg-4", "reg-5", "reg-5-1"]),
    ("### 4. Four\n\nText.\x0c\n\n### 5. Five\n\n(1) x\n", ["reg-4", "reg-5", "reg-5-1"]),
], ids=["no full stop", "Regulation 5.", "5.—(1)", "bold", "indented", "[F1(2)", "[F2 5.", "form feed"])
def test_provisions_written_as_real_texts_write_them(text, expected):
    assert [p.id for p in parse_structure(text, strict=False).provisions] == expected


def test_front_matter_is_metadata_not_a_heading():
    text = '---\ntitle: "The Example Regulations"\nsource: https://example.org\n---\n# Title\n\n### 1. One\n'
    found = parse_structure(text)
    assert found.metadata == {"title": "The Example Regulations", "source": "https://example.org"}
    assert [(p.id, p.start) for p in found.provisions] == [("preamble", 0), ("reg-1", text.index("### 1."))]


def test_a_cfr_part_nests_by_numbering_and_by_indentation_alike():
    flat = "### § 1.2 Terms.\n\n(a)(1) One.\n\n(2) Two.\n\n(i) Two i.\n\n(b) B.\n"
    indented = "§ 1.2 Terms.\n(a)\n  (1) One.\n  (2) Two.\n    (i) Two i.\n(b) B.\n"
    ids = ["s1-2", "s1-2-a", "s1-2-a-1", "s1-2-a-2", "s1-2-a-2-i", "s1-2-b"]
    assert [p.id for p in parse_structure(flat, kind="us-cfr").provisions] == ids
    assert [p.id for p in parse_structure(indented, kind="us-cfr").provisions] == ids
    alone = "### § 1.2 Terms.\n\n(a)\n\n    (1) A label alone on its line, its paragraph indented.\n"
    assert [p.id for p in parse_structure(alone, kind="us-cfr").provisions] == ids[:3]


def test_quoted_amending_text_belongs_to_the_provision_quoting_it():
    text = ("### 4 Regulation of providers\n\n(1) After subsection (9) insert—\n\n"
            "> (10) This Act applies to a provider.\n\n(2) After subsection (4) insert—\n\n"
            "“(4A) For the purposes of this Act,\n\n(4B) and of that one.”\n\n(3) Omit “the”.\n")
    found = parse_structure(text, kind="uk-act", strict=False)
    assert [p.id for p in found.provisions] == ["sec-4", "sec-4-1", "sec-4-2", "sec-4-3"]
    assert found.at(text.index("(4B)")).id == "sec-4-2"
    assert [(w.code, w.provision_id) for w in found.warnings] == [("quoted-text", "sec-4-1"),
                                                                   ("quoted-text", "sec-4-2")]


# --- Never silent ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "code", "provision"), [
    ("Words. " * 600, "no-units", None),
    ("### 4. A\n\n### 6. B\n", "numbering-gap", "reg-6"),
    ("### 6. A\n\n### 5. B\n", "numbering-order", "reg-5"),
    ("### 4. A\n\n(1) x\n\n(1) y\n", "duplicate", "reg-4-1~2"),
    ("### 4. A\n\n(1) x [F1 words]\n", "amendment-marker", "reg-4-1"),
    ("### 4. A\n\n(1) x\n\n> (2) quoted\n", "quoted-text", "reg-4-1"),
    ("### 4. A\n\n(*1*) italic\n", "unknown-label", "reg-4"),
])
def test_what_looks_wrong_is_warned_of_and_refused_when_strict(text, code, provision):
    found = parse_structure(text, strict=False)
    assert [(w.code, w.provision_id) for w in found.warnings] == [(code, provision)]
    with pytest.raises(InvalidStructure) as refused:
        parse_structure(text)
    line = found.warnings[0].line
    assert f"line {line}" in refused.value.message or code == "duplicate"


def test_a_strict_refusal_names_the_line_and_the_unit():
    with pytest.raises(InvalidStructure, match=r"^line 5, regulation 6: regulation 6 follows regulation 4"):
        parse_structure("### 4. A\n\nText.\n\n### 6. B\n")


def test_numbering_runs_through_inserted_numbers_letters_and_romans():
    text = ("### 1. A\n\n### 2. B\n\n### 2A. C\n\n### 3. D\n\n(1) x\n\n- (a) y\n- (b) z\n  - (i) p\n  - (ii) q\n"
            "  - (iii) r\n  - (iv) s\n  - (v) t\n- (c) u\n- (d) v\n")
    assert parse_structure(text).warnings == ()


# --- Labels read back ------------------------------------------------------------------

_NUMBERS = {"arabic": ["1", "2", "3", "2A", "10"], "lower": ["a", "b", "c", "aa"], "roman": ["i", "ii", "iv"],
            "upper": ["A", "B"], "italic-arabic": ["*1*", "*2*"], "italic-roman": ["*i*", "*ii*"]}
_SKELETONS = {
    "uk-si": ["## Part {n}: P", "## Schedule {n}: S", "## Schedule", "### {n}. R", "(1) x", "- (a) y",
              "  - (i) z", "## Explanatory note"],
    "uk-act": ["## Part {n}: P", "### Chapter {n}: C", "### Cross heading {n}", "### {n} Section", "(1) x",
               "- (a) y", "  - (i) z", "## Schedule {n}: S", "### Part {n}: SP", "### {n}"],
    "us-cfr": ["# PART 100{n}—P", "## Subpart A—General", "### § 100{n}.{n} S.", "(a) x", "(1) y", "(i) z",
               "(A) w", "(*1*) v", "(*i*) u", "## Appendix A to Part 1005—F", "### A-{n}—Model form",
               "## Supplement I to Part 1005—I", "### Section 1005.{n} S", "#### {n}(a) P", "##### Paragraph {n}(b)(2)",
               "### Appendix A—Model forms", "{n}. comment", "i. x", "ii. y", "A. z",
               "## Subpart B—Other", "*Term {n}* means t", "*Other term* includes o"],
    "eu-act": ["(1) Whereas", "## Title I: T", "## Chapter II: C", "### Section {n}: S", "### Article {n}: A",
               "1. para", "2. para", "- (a) point", "  - (i) sub", "## Annex I: X", "## ANNEX", "(2) point",
               "> ‘quoted", "(3) quoted’"],
}


@st.composite
def _texts(draw, kind: str) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        line = draw(st.sampled_from(_SKELETONS[kind]))
        lines.append(line.replace("{n}", str(draw(st.integers(1, 4)))))
    return "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_units_label_read_back_names_the_same_unit(kind, data):
    found = parse_structure(data.draw(_texts(kind)), kind=kind, strict=False)
    for p in found.provisions:
        if "~" in p.id:
            continue  # a duplicate: its label names the first of the two
        assert label_to_id(p.label, kind) == p.id, p
        if _numbered_in_order(found, p, kind):
            assert id_to_label(p.id, kind) == p.label, p


def _numbered_in_order(found, p, kind: str) -> bool:
    """Whether each subdivision of ``p``'s chain is numbered in the style of its own
    level (an id, lower case, cannot tell (A) directly under a § from (a))."""
    t = tradition(kind)
    chain = [p, *found.ancestors(p)]
    holder = next((u for u in chain if u.kind in t.levels), None)
    if holder is None:
        return bool(p.number) and p.kind != "cross-heading"
    if t.definitions is not None and holder.kind == t.definitions.kind:
        return False  # an id slugs the defined term: its spelling is in the label only
    below = chain[:chain.index(holder)][::-1]
    levels = t.levels[holder.kind]
    return len(below) <= len(levels) and all(
        any(re.fullmatch(NUMBERING[style].replace(r"\*", ""), u.number) for style in levels[k].numbering)
        for k, u in enumerate(below))


# A number and a container of each holder that is not numbered "3" in a Schedule.
_HOLDER_NUMBERS = {("us-cfr", "section"): "1005.2", ("us-cfr", "appendix-section"): "A-1",
                   ("us-cfr", "interpreted-paragraph"): "2(b)(1)", ("us-cfr", "interpreted-section"): "2",
                   ("us-cfr", "interpreted-appendix"): "A", ("eu-act", "annex"): "II"}
_CONTAINERS = {"schedule": "Schedule 2", "appendix": "appendix A to part 1005",
               "supplement": "supplement I to part 1005", "annex": "Annex II"}


@pytest.mark.parametrize("kind", KINDS)
def test_numbers_of_every_style_read_back(kind):
    t = tradition(kind)
    for holder, levels in t.levels.items():
        if t.definitions is not None and holder == t.definitions.kind:
            continue  # test_a_definitions_paragraphs_read_back
        unit = t.unit(holder)
        container = next((_CONTAINERS[k] for k in unit.within if k in _CONTAINERS), "")
        own = unit.label.format(number=_HOLDER_NUMBERS.get((kind, holder), "3"), container=container)
        before, after = subdivision_base(unit, own, unit.suffix.format(container=container))
        assert label_to_id(own + unit.suffix.format(container=container), kind) is not None, own
        for level_count in range(1, len(levels) + 1):
            numbers = [_NUMBERS[levels[k].numbering[0]][1] for k in range(level_count)]
            label = before + "".join(levels[k].cited.format(number=n.strip("*")) for k, n in enumerate(numbers)) + after
            found = label_to_id(label, kind)
            assert found is not None and id_to_label(found, kind) == label, label


def test_a_definitions_paragraphs_read_back():
    """A CFR definition's paragraphs, at every level, are cited through the term and
    read back to the unit (the id slugs the term, so only label → id is defined)."""
    t = tradition("us-cfr")
    levels = t.levels[t.definitions.kind]
    for level_count in range(1, len(levels) + 1):
        numbers = [_NUMBERS[levels[k].numbering[0]][1] for k in range(level_count)]
        label = ("paragraph " + "".join(f"({n.strip('*')})" for n in numbers)
                 + " of the definition of “Handicapped person” in § 457.103")
        expected = "s457-103-def-handicapped-person" + "".join("-" + n.strip("*").lower() for n in numbers)
        assert label_to_id(label, "us-cfr") == expected, label
    assert label_to_id("the definition of “Handicapped person” in § 457.103", "us-cfr") == \
        "s457-103-def-handicapped-person"
    assert label_to_id("the definition of “Handicapped person” in Article 3", "us-cfr") is None


def test_a_cfr_definitions_paragraphs_are_its_own_not_the_sections():
    """Unlettered definitions each with a paragraph (1), as 1 CFR 457.103 has them: two
    paragraphs (1) are two units, and a lettered paragraph after them is the section's."""
    text = ("### § 457.103 Definitions.\n\n*Handicapped person* means any person who—\n\n"
            "- (1) has an impairment;\n  - (i) physical;\n  - (ii) mental;\n- (2) has a record of one.\n\n"
            "*Historic properties* means those properties listed.\n\n*Qualified handicapped person* means—\n\n"
            "- (1) a person who meets the criteria; and\n- (2) any other.\n\n(b) The section goes on.\n")
    found = parse_structure(text, kind="us-cfr")
    assert found.warnings == ()
    ids = [p.id for p in found.provisions]
    assert ids[ids.index("s457-103"):] == [
        "s457-103", "s457-103-def-handicapped-person", "s457-103-def-handicapped-person-1",
        "s457-103-def-handicapped-person-1-i", "s457-103-def-handicapped-person-1-ii",
        "s457-103-def-handicapped-person-2", "s457-103-def-historic-properties",
        "s457-103-def-qualified-handicapped-person", "s457-103-def-qualified-handicapped-person-1",
        "s457-103-def-qualified-handicapped-person-2", "s457-103-b"]
    second = found.get("s457-103-def-qualified-handicapped-person-1")
    assert second.label == "paragraph (1) of the definition of “Qualified handicapped person” in § 457.103"
    assert text[second.start:second.end].startswith("- (1) a person who meets")
    assert found.get("s457-103-b").parent == "s457-103"
