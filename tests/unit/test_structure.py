"""The provision parser on the drafting convention of docs/drafting-format.md."""

import re
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from regdraft.core.errors import InvalidStructure
from regdraft.core.structure import markdown, parse_structure

DOCS = Path(__file__).resolve().parents[2] / "docs" / "drafting-format.md"


def _documented_example() -> tuple[str, list[tuple[str, str]]]:
    doc = DOCS.read_text(encoding="utf-8")
    example = re.search(r"```markdown\n(.*?)```", doc, re.S).group(1)
    listing = re.search(r"gives these provisions \(id — label\):\n\n```\n(.*?)```", doc, re.S).group(1)
    expected = [tuple(part.strip() for part in line.split("—", 1)) for line in listing.strip().splitlines()]
    return example, expected


def test_the_documented_example_gives_the_documented_provisions():
    example, expected = _documented_example()
    structure = parse_structure(example)
    assert [(p.id, p.label) for p in structure.provisions] == expected


def test_spans_nest_and_offsets_map_to_the_innermost_provision():
    example, _ = _documented_example()
    structure = parse_structure(example)
    assert structure.at(example.index("so far as they relate to plans")).id == "reg-3-1-b-ii"
    assert structure.at(example.index("functions under section 10")).id == "reg-3-1-b"
    assert structure.at(example.index("Paragraph (1) does not apply")).id == "reg-3-2"
    assert structure.at(example.index("The Secretary of State makes")).id == "preamble"
    assert structure.at(example.index("must be registered with Ofsted")).id == "sch-1-para-1-1"
    for p in structure.provisions:
        if p.parent:
            parent = structure.get(p.parent)
            assert parent.start <= p.start <= p.end <= parent.end, p.id


def test_nesting_decides_letter_or_roman():
    text = ("### 2. Interpretation\n\n"
            + "".join(f"- ({c}) item {c};\n" for c in "abcdefghij")
            + "  - (i) a head under (j).\n")
    ids = [p.id for p in parse_structure(text).provisions]
    assert "reg-2-i" in ids and parse_structure(text).get("reg-2-i").kind == "sub-paragraph"
    assert parse_structure(text).get("reg-2-j-i").kind == "head"


def test_parts_inserted_regulations_and_sections():
    text = ("## Part 2: Providers\n\n### 3A. Inserted\n\n(2A) Inserted paragraph.\n\n"
            "## Explanatory note\n\n(This note is not part of the Regulations)\n")
    s = parse_structure(text)
    assert [(p.id, p.label, p.parent) for p in s.provisions] == [
        ("part-2", "Part 2", None),
        ("reg-3a", "regulation 3A", "part-2"),
        ("reg-3a-2a", "regulation 3A(2A)", "reg-3a"),
        ("explanatory-note", "the explanatory note", None),
    ]


def test_duplicate_numbers_are_an_error_naming_both_lines():
    with pytest.raises(InvalidStructure, match="lines 1 and 5"):
        parse_structure("### 3. A\n\ntext\n\n### 3. B\n")
    lenient = parse_structure("### 3. A\n\ntext\n\n### 3. B\n", strict=False)
    assert [p.id for p in lenient.provisions] == ["reg-3", "reg-3~2"]


def test_touching_names_a_wholly_changed_provision_once():
    example, _ = _documented_example()
    s = parse_structure(example)
    start = example.index("### 3.")
    end = example.index("## Schedule") - 2
    assert [p.id for p in s.touching(start, end)] == ["reg-3"]
    assert [p.id for p in s.touching(example.index("(a) social"), example.index("(a) social") + 5)] == ["reg-3-1-a"]


unit = st.sampled_from(["### 1. A\n\n", "### 2. B\n\n", "(1) Para.\n\n", "(2) Para.\n\n", "- (a) x;\n", "- (b) y;\n",
                        "  - (i) z;\n", "Words.\n\n", "## Schedule 1: S\n\n", "## Part 1: P\n\n", "\n", "# T\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, max_size=25).map("".join))
def test_every_offset_maps_to_a_provision_whose_span_holds_it(text):
    s = parse_structure(text, strict=False)
    for offset in range(len(text)):
        hit = s.at(offset)
        assert hit is not None and hit.start <= offset < hit.end


_BLOCKS = ["## Part 1: General", "## Schedule 2: Forms", "## Explanatory note", "### 3. Heading", "### 3A. Inserted",
           "### 1. Para", "(1) The authority may—", "(2) A body.", "- (a) first;", "- (b) second—",
           "  - (i) head;", "  - (ii) head.", "1. numbered", "Plain text.", "> quoted", "    indented code",
           "", "", "###4. not a heading", "---", "===", "  ---", "- - -", "***", "[ref]: /url", "- > quoted in an item",
           ">     code in a quote", "-     code in an item", "\tcode after a tab", "(3) A sentence ending -"]


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(st.sampled_from(_BLOCKS), max_size=60),
       unsplittable=st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["```", "~~~", "<div>"])), max_size=1))
@example(blocks=["### 1. Heading", "", "### 2. Heading"], unsplittable=[(1, "```")])
def test_reading_in_pieces_with_unused_rules_off_finds_the_same_provisions(blocks, unsplittable):
    for at, block in unsplittable:  # fences and HTML blocks, which a heading does not close
        blocks.insert(at, block)
    text = "\n".join(blocks) + "\n"
    with patch.object(markdown, "_rules_that_cannot_fire", lambda text: frozenset()):
        whole = parse_structure(text, strict=False, chunk_bytes=10**9)  # every block rule, in one piece
    assert parse_structure(text, strict=False, chunk_bytes=1).provisions == whole.provisions


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BLOCKS), max_size=40))
@example(["### 1. A", "", "- (a) x;", "  - (i) z;", "> quoted", ""])  # the quote is (i)'s, and so (a)'s
def test_every_provision_lies_inside_the_one_it_is_part_of(blocks):
    """A citation of a provision names the text its parent holds too: no unit runs past
    its parent (a quotation after a nested item had run (i) on past its (a))."""
    text = "\n".join(blocks) + "\n"
    found = parse_structure(text, strict=False)
    by_id = {p.id: p for p in found.provisions}
    for p in found.provisions:
        if p.parent is not None:
            parent = by_id[p.parent]
            assert parent.start <= p.start and p.end <= parent.end, (p, parent)


def test_provision_ids_sort_as_a_drafter_numbers_them():
    from regdraft.core.structure import id_order_key

    ids = ["reg-10", "reg-2a", "reg-3-a", "reg-2", "reg-3", "reg-3a-1", "reg-3a", "reg-1"]
    assert sorted(ids, key=id_order_key) == ["reg-1", "reg-2", "reg-2a", "reg-3", "reg-3-a", "reg-3a", "reg-3a-1",
                                              "reg-10"]


def test_a_provision_is_built_from_its_fields_in_their_declared_order():
    # The builder hands a provision its fields by position: a reordered field would
    # silently swap values, so the order is checked on a real provision.
    provision = parse_structure("### 3. Functions\n\n(1) The council may act.\n").get("reg-3-1")
    assert provision._asdict() == {"id": "reg-3-1", "label": "regulation 3(1)", "kind": "paragraph", "number": "1",
                                   "parent": "reg-3", "start": 18, "end": 43, "line": 3, "heading": ""}
