"""Reading only the stretch of a text around a range (StretchReader) gives exactly what
reading the whole text gives, for every range inside it, and analyse() built on it finds
the provisions the whole-text reading finds."""

import re
from pathlib import Path

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from bench.apply import amendments
from bench.corpus import insert_regulation, move_block, regulation_text
from regdraft.core import amendments as amendments_module
from regdraft.core.amendments import analyse
from regdraft.core.patching import make_patch
from regdraft.core.structure import StretchReader, Structure, parse_structure, stretch_reader
from regdraft.files import read_tree

ROOT = Path(__file__).resolve().parents[2]

# Lines of a regulation, by what they open; numbered ones are numbered in turn, and
# now and then repeat the number before (a duplicate, which is read whole).
_SECTIONS = ["## Part {n}: General", "## Schedule {n}: Forms", "## Part {n} ##"] * 5 + [
    "## Schedule", "## Explanatory note", "## Signed", "## Preamble", "##"]
_HEADINGS = ["### {n}. Heading", "### {n}A. Inserted", "### {n}.", "### {n}. Closed ##"]
_OTHER_HEADINGS = ["### About C#", "### Interpretation", "#### Minor heading", "# The Regulations", "###"]
_BLOCKS = ["(1) The authority may—", "(2) A body.", "(2A) Inserted.", "(1) Again.", "Plain text.",
           "- (a) first;", "- (b) second—", "  - (i) head;", "  - (ii) head.", "- (a) first again;",
           "- plain item", "* (c) star", "> (1) A quoted paragraph.", "> Quoted note.", "[F1 (3) Substituted.]",
           "1.5 metres", "(1) Lead\n2. not a list"]
# What the stretch reader must not read alone: blocks a heading does not close, headings
# no "## " line shows, ids no heading line shows, what the scanner declines.
_NEAR_MISSES = ["-\n  (d) on the next line", "```", "~~~", "<div>", "Setext\n---", "- (a) item\n  -", "\t(1) Tabbed",
                "> ## Quoted heading", "- ### 5. Heading in an item", "  ## Indented heading", "[ref]: /url",
                "1. Numbered", "## Reg 3 1", "## Sch 1 para 2", "    (1) indented code", "(1) x\r", "#######", "##x"]
_SEPARATORS = ["\n\n", "\n\n", "\n\n", "\n", "\n\n\n", "\n  \n"]


@st.composite
def _regulations(draw) -> str:
    numbers = {"section": 1, "heading": 1}
    rare = draw(st.integers(0, 4)) == 0
    text = draw(st.sampled_from(["", "# The Example Regulations 2026\n\nThe Secretary of State makes these.\n\n",
                                 "Preamble text.\n\n"]))
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["section", "heading", "heading", "other", "block", "block", "block", "block"]
                                    + (["near miss"] if rare else [])))
        if kind in numbers:
            template = draw(st.sampled_from(_SECTIONS if kind == "section" else _HEADINGS))
            if draw(st.integers(0, 30)) == 0:
                numbers[kind] -= 1  # a duplicate
            line = template.format(n=numbers[kind])
            numbers[kind] += 1
        else:
            line = draw(st.sampled_from({"other": _OTHER_HEADINGS, "block": _BLOCKS, "near miss": _NEAR_MISSES}[kind]))
        text += line + draw(st.sampled_from(_SEPARATORS))
    return text + draw(st.sampled_from(["", "", "end without a newline"]))


def _assert_answers_as_the_whole_text_does(text: str, start: int, end: int, probes: list[int]) -> None:
    whole = parse_structure(text, strict=False)
    reader = StretchReader(text)
    local = reader.structure_around(start, end)
    event("read whole" if reader._outline is None or local is reader._whole else "read the stretch")
    for p in local.provisions:
        assert p in whole.provisions, p  # every field, as the whole text has it
    inside = sorted({start, end, *(start + (end - start) * k // 100 for k in probes)})
    for a in inside:
        assert local.at(a) == whole.at(a), a
        hit = whole.at(a)
        if hit is not None:
            assert local.ancestors(hit) == whole.ancestors(hit)
        for b in inside:
            if a <= b:
                assert local.touching(a, b) == whole.touching(a, b), (a, b)


@settings(max_examples=700, deadline=None)
@given(_regulations(), st.data())
@example("## Schedule 1: Forms\n\n### 1. Inspection\n\n(1) A.\n\n## Part 2\n\n### 2. B\n\n(1) C.\n", None)
@example("Preamble.\n\n### 1. A\n\n(1) x\n\n### 2. B\n", None)
@example("### 1. A\n\n- (a) x\n\n### 1. Again\n\n- (a) y\n", None)  # a duplicate: read whole
@example("## Schedule 1\n\n1. Listed\n\n### 1. Headed\n\n(1) x\n", None)  # ids no heading shows
@example("## Part 1\n\n### 1. A\n\n##x\n\n### 2. B\n\n(1) y\n", None)  # "##x" is not a heading
@example("### 1. A\n- (a) x\n### 2. B\n(1) y\n\n### 3. C\n> (1) z\n### 4. D\n", None)  # no blank lines
def test_a_stretch_answers_as_the_whole_text_does(text, data):
    if data is None:  # the examples: every range between line starts
        starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        for start in starts:
            for end in starts:
                if start <= end:
                    _assert_answers_as_the_whole_text_does(text, start, end, [50])
        return
    start = data.draw(st.integers(0, len(text)), label="start")
    end = min(len(text), start + data.draw(st.sampled_from([0, 1, 8, 40, 200, len(text)]), label="length"))
    _assert_answers_as_the_whole_text_does(text, start, end, data.draw(st.lists(st.integers(0, 100), max_size=4)))


@settings(max_examples=400, deadline=None)
@given(_regulations(), st.one_of(_regulations(), st.lists(st.sampled_from(
    _BLOCKS + ["", "words", "\n"] + [line for line in _NEAR_MISSES if "#" not in line])).map("\n".join)), st.data())
@example("### 1. A\n\n(1) x\n|\n### 2. B\n", "\n\n### 3. C", None)  # a heading comes in
@example("### 1. A\n\n(1) x\n|\n### 2. B\n", "(1) y", None)  # a heading loses its blank line
@example("## Schedule 1\n\nIntro.\n\n|\n\nMore.\n\n### 2. B\n", "1. Listed", None)  # an id no heading shows
@example("### 1. A\n\nText.\n|\nMore.\n\nMore.\n\n### 2. B\n", "\n```\n", None)  # a fence
def test_an_edited_text_is_outlined_as_if_read_afresh(old, inserted, data):
    """Where an edit cannot have moved a heading, the edited text's outline is the old
    one moved along; otherwise it is read afresh. Either way it is the new text's."""
    if data is None:  # the examples: insert at "|"
        start = end = old.index("|")
        old = old.replace("|", "")
    else:
        start = data.draw(st.integers(0, len(old)), label="start")
        end = data.draw(st.integers(start, min(len(old), start + 60)), label="end")
        inserted = inserted[:data.draw(st.integers(0, 80), label="inserted")]
    new = old[:start] + inserted + old[end:]
    changed = (start, end, start + len(inserted))
    if stretch_reader._outline(old) is None:
        event("the old text is read whole")
        assert StretchReader(new, edited_from=StretchReader(old), changed=changed)._outline is None
        return
    derived = stretch_reader._edited_outline(stretch_reader._outline(old), old, new, changed)
    event("moved along" if derived is not None else "read afresh")
    assert derived is None or derived == stretch_reader._outline(new)
    reader = StretchReader(new, edited_from=StretchReader(old), changed=changed)
    assert reader._outline == stretch_reader._outline(new)
    whole = parse_structure(new, strict=False)
    around = reader.structure_around(start, start + len(inserted))
    assert around.touching(start, start + len(inserted)) == whole.touching(start, start + len(inserted))


@pytest.mark.parametrize("text", [
    "### 1. A\n\n(1) x\n\n### 1. B\n\n(1) y\n",  # duplicate regulations
    "## Part 1\n\n### 1. A\n\n## Part 1\n\n### 2. B\n",  # duplicate Parts
    "## Schedule 1\n\n1. Listed\n\n### 1. Headed\n",  # a schedule paragraph no heading shows
    "### 3. A\n\n(1) x\n\n## Reg 3 1\n\n### 4. B\n",  # a section whose id a paragraph may have
    "### 1. A\n\n```\n\n### 2. Not a heading\n```\n\n### 3. C\n",  # a fence runs across a heading
    "### 1. A\n\n<!--\n\n### 2. Not a heading\n-->\n\n### 3. C\n",
    "### 1. A\n\nSetext\n---\n\n### 2. B\n",  # a level-2 heading that no "## " line shows
    "### 1. A\n\n> ## Quoted\n\n### 2. B\n",
    "### 1. A\n\n\tTabbed\n\n### 2. B\n",
])
def test_texts_that_cannot_be_read_in_stretches_are_read_whole(text):
    reader = StretchReader(text)
    assert reader._outline is None
    end = text.rindex("### ")
    assert reader.structure_around(end, len(text)).provisions == parse_structure(text, strict=False).provisions


def test_a_stretch_the_scanner_declines_is_read_whole():
    text = "### 1. A\n\n(1) x\n\n### 2. B\n\n    (1) indented code\n\n### 3. C\n"
    reader = StretchReader(text)
    assert reader._outline is not None
    start = text.index("(1) indented")
    assert reader.structure_around(start, start + 5) == parse_structure(text, strict=False)
    start = text.index("(1) x")  # the stretch of regulation 1 alone is read by the scanner
    assert reader.structure_around(start, start + 5).provisions == parse_structure(text).provisions[:2]


def _read_whole(*args, **kwargs):
    raise AssertionError("the whole text was read")


def test_benchmark_texts_are_read_in_stretches(monkeypatch):
    text = regulation_text(200_000, seed=5)
    whole = parse_structure(text, strict=False)
    monkeypatch.setattr(stretch_reader, "parse_structure", _read_whole)
    reader = StretchReader(text)
    middle = text.index("(2)", len(text) // 2)
    around = reader.structure_around(middle, middle + 300)
    assert 3 < len(around.provisions) < 100
    assert around.touching(middle, middle + 300) == whole.touching(middle, middle + 300)
    part = around.provisions[0]
    assert part.kind == "part" and part == whole.get(part.id)  # its end is the text's, not the stretch's


class _WholeTextReader:
    """What analyse() read before stretches: the whole of both texts."""

    def __init__(self, text: str, edited_from=None, changed=None, *, kind: str = "uk-si") -> None:
        self.structure = parse_structure(text, kind=edited_from.kind if edited_from else kind, strict=False)
        self.kind = kind

    def structure_around(self, start: int, end: int) -> Structure:
        return self.structure


def _analysed_both_ways(base: str, patch_text: str, monkeypatch) -> tuple:
    in_stretches = analyse(base, patch_text)
    with monkeypatch.context() as patched:
        patched.setattr(amendments_module, "StretchReader", _WholeTextReader)
        whole = analyse(base, patch_text)
    return in_stretches, whole


def test_the_worked_case_amendments_touch_what_whole_readings_find(monkeypatch):
    (tree,) = read_tree(ROOT).documents
    found = 0
    for amendment in tree.amendments:
        in_stretches, whole = _analysed_both_ways(tree.texts[amendment.base_version], amendment.patch_text,
                                                  monkeypatch)
        assert in_stretches == whole, amendment.slug
        found += len(in_stretches.provisions)
    assert found >= len(tree.amendments)


def test_benchmark_amendments_touch_what_whole_readings_find(monkeypatch):
    base = regulation_text(150_000, seed=9)
    patches = [a.patch for a in amendments(base, 12, seed=4)]
    patches += [make_patch(base, insert_regulation(base)), make_patch(base, move_block(base))]
    for patch_text in patches:
        in_stretches, whole = _analysed_both_ways(base, patch_text, monkeypatch)
        assert in_stretches == whole
        assert in_stretches.provisions


def test_a_text_of_another_kind_is_read_whole_as_that_kind():
    text = "### 1 Section\n\n(1) Text.\n\n### 2 Another\n\n(1) More.\n"
    reader = StretchReader(text, kind="uk-act")
    assert reader._outline is None
    assert reader.structure_around(len(text) - 5, len(text) - 2).provisions == parse_structure(
        text, kind="uk-act", strict=False).provisions
    edited = StretchReader(text.replace("More", "Less"), edited_from=reader, changed=(len(text) - 6, len(text) - 2,
                                                                                      len(text) - 2))
    assert edited.kind == "uk-act" and edited.structure_around(0, 1).get("sec-1").label == "section 1"


@settings(max_examples=50, deadline=None)
@given(_regulations(), st.lists(st.integers(0, 10_000), max_size=12))
def test_provisions_at_offsets_are_the_whole_readings(text, points):
    """Each offset's provision, read from the stretches holding the offsets (each read
    once) or from the whole text where they are many, is the whole reading's."""
    offsets = sorted(point * len(text) // 10_000 for point in points)
    whole = parse_structure(text, strict=False)
    reader = StretchReader(text)
    found = reader.provisions_at(offsets)
    event("read whole" if reader._whole is not None else "read in stretches")
    assert found == [whole.at(offset) for offset in offsets]


def test_provisions_at_few_offsets_of_a_long_text_read_only_their_stretches(monkeypatch):
    text = regulation_text(200_000, seed=6)
    whole = parse_structure(text, strict=False)
    starts = [p.start for p in whole.provisions]
    few = sorted({starts[len(starts) * k // 9] + 3 for k in range(1, 9)} | {len(text)})
    many = sorted(p.start + 1 for p in whole.provisions if p.kind == "regulation")
    expected_few, expected_many = [whole.at(o) for o in few], [whole.at(o) for o in many]
    with monkeypatch.context() as patched:
        patched.setattr(stretch_reader, "parse_structure", _read_whole)
        assert StretchReader(text).provisions_at(few) == expected_few
    reader = StretchReader(text)  # one offset in every stretch: the text is read once, whole
    assert reader.provisions_at(many) == expected_many and reader._whole is not None


_NUMBERED_BLOCK_ANYWHERE = re.compile(r"^[ >]*(?:\[F[0-9]+\s*)?(?:\*\*)?[0-9]+[A-Z]*\.(?:\*\*)?[ ]*[—–]", re.M)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["5.—(1) A", "> 5.—", "[F1 5. —", "**12A.**—", "1.", "text 5.—", " ", "\n", "—",
                                 "[F2\n3.–", "\n\n", "x"]), max_size=8).map("".join))
def test_a_numbered_block_is_found_as_a_line_start_search_finds_it(text):
    assert stretch_reader._has_numbered_block(text) == (_NUMBERED_BLOCK_ANYWHERE.search(text) is not None)
