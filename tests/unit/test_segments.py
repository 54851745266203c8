"""A diff placed in its two texts for a client's own redline (core/segments.py): on real
texts (the worked case's versions, two in-force versions of an Act, two editions of an
eCFR title, CLML and EUR-Lex texts edited), and on drawn texts (Hypothesis)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import alignment, history
from regdraft.core.diffing import grouping, review
from regdraft.core.diffing import diff_texts, read_structure
from regdraft.core.history import Step, diff_steps, edited_version, version_source
from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.core.segments import BREAK, SYNTAX, TEXT, Utf16, placed_changes
from regdraft.core.structure import PREAMBLE, Structure
from regdraft.formats import read_document
from regdraft.services.comparisons import compare_texts

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
WORKED = ROOT / "drafts" / "children-social-care-delegation" / "versions"


def _worked(n: int) -> str:
    return (WORKED / f"{n:04d}.md").read_text(encoding="utf-8")


def _imported(path: str) -> str:
    return read_document((FIXTURES / path).read_bytes()).text


def _edited(text: str, seed: int) -> str:
    """The text with a word replaced on some lines, a line dropped here and there and a
    line end inserted: a drafter's edits, made the same way every run."""
    rng = random.Random(seed)
    lines = text.split("\n")
    out = []
    for n, line in enumerate(lines):
        words = line.split(" ")
        if n % 23 == 11 and len(words) > 4:
            continue
        if n % 7 == 3 and len(words) > 3:
            words[rng.randrange(1, len(words))] = rng.choice(["*substituted*", "omitted", "the", "(2A)"])
        if n % 17 == 5 and len(words) > 6:
            words.insert(len(words) // 2, "\n\n(3) inserted")
        out.append(" ".join(words))
    return "\n".join(out)


REAL = {
    "worked case 1 to 2": ("uk-si", lambda: (_worked(1), _worked(2))),
    "worked case 2 to 3": ("uk-si", lambda: (_worked(2), _worked(3))),
    "CYPA 2008 Part 1, 2011 to 2016": ("uk-act", lambda: tuple(
        (FIXTURES / "instructions" / f"ukpga-2008-23_part1_v{date}.md").read_text(encoding="utf-8")
        for date in ("2011-04-01", "2016-04-06"))),
    "eCFR title 1, two editions": ("us-cfr", lambda: (_imported("ecfr/ecfr-title1-2022-12-29.xml"),
                                                      _imported("ecfr/ecfr-title1-2022-12-29-hyphens.xml"))),
    "12 CFR 1005 edited": ("us-cfr", lambda: (lambda t: (t, _edited(t, 1)))(
        (FIXTURES / "legislation" / "ecfr-12-1005-2011.md").read_text(encoding="utf-8"))),
    "CLML SI 2006/622 edited": ("uk-si", lambda: (lambda t: (t, _edited(t, 2)))(
        _imported("clml/uksi-2006-622-made.xml"))),
    "CLML Act 2003 c. 4 edited": ("uk-act", lambda: (lambda t: (t, _edited(t, 3)))(
        _imported("clml/ukpga-2003-4-enacted.xml"))),
    "EU 2020/111 edited": ("eu-act", lambda: (lambda t: (t, _edited(t, 4)))(
        (FIXTURES / "legislation" / "eu-32020R0111.md").read_text(encoding="utf-8"))),
}

_SYNTAX_SHAPES = {"heading": r"#{1,6}[ \t]+", "list": r"(?:[-*+]|\d{1,9}[.)])[ \t]+", "quote": r">[ \t]?",
                  "indent": r"[ \t]+", "emphasis": r"\*+|_+", "code": r"`+", "escape": r"\\",
                  "link": r"\[|\]\([^()\s]*\)"}


def _owner(structure: Structure, offset: int) -> str:
    provision = structure.at(offset)
    return provision.id if provision is not None else PREAMBLE


def check_placed(diff, old: str, new: str, old_structure: Structure, new_structure: Structure) -> list:
    """Every claim a placed diff makes, checked against the texts and their structures
    (not against the code that placed it); the placed changes, every group included."""
    changes = list(placed_changes(diff, old_structure, new_structure, unchanged=True))
    at_old = at_new = 0
    for change in changes:
        # The groups tile both texts, in order.
        assert (change.old_start, change.new_start) == (at_old, at_new)
        at_old, at_new = change.old_end, change.new_end
        assert old[change.old_start:change.old_end] == change.group.old
        assert new[change.new_start:change.new_end] == change.group.new
        # The new text's provision of that id (the old one's for a removal), else the other's.
        first, second = ((old_structure, new_structure) if change.group.status == "removed"
                         else (new_structure, old_structure))
        found = first.get(change.group.provision) or second.get(change.group.provision)
        assert change.kind == (found.kind if found is not None else "preamble"), change.group.provision
        for op in change.ops:
            if op.kind != INSERT:
                assert old[op.old_start:op.old_end] == op.text
            if op.kind != DELETE:
                assert new[op.new_start:op.new_end] == op.text
        assert "".join(s.piece.text for s in change.segments) == "".join(op.text for op in change.ops)
        for segment in change.segments:
            piece = segment.piece
            assert (piece.old_end - piece.old_start, piece.new_end - piece.new_start) == (
                0 if piece.kind == INSERT else len(piece.text), 0 if piece.kind == DELETE else len(piece.text))
            side, structure, start = ((old, old_structure, piece.old_start) if piece.kind == DELETE
                                      else (new, new_structure, piece.new_start))
            end = start + len(piece.text)
            assert side[start:end] == piece.text
            # One provision's: the innermost provision at its first and its last character.
            assert _owner(structure, start) == segment.provision == _owner(structure, end - 1)
            if segment.role == BREAK:
                assert set(piece.text) == {"\n"}
            elif segment.role == SYNTAX:  # all or part (cut by an op's edge) of a piece of that syntax
                line = side.rfind("\n", 0, start) + 1
                line_end = side.find("\n", line)
                pieces = re.finditer(_SYNTAX_SHAPES[segment.markup], side[line:line_end if line_end != -1 else None])
                assert any(line + m.start() <= start and end <= line + m.end() for m in pieces), segment
            else:
                assert segment.role == TEXT and "\n" not in piece.text
                if start == 0 or side[start - 1] == "\n":  # a line's block syntax is never in its words
                    assert not re.match(r"#{1,6} |[-*+] |> ", piece.text), segment
    assert (at_old, at_new) == (len(old), len(new))
    return changes


@pytest.mark.parametrize("name", REAL)
def test_a_real_diff_placed_in_both_texts(name: str):
    kind, texts = REAL[name]
    old, new = texts()
    old_structure, new_structure = read_structure(old, kind), read_structure(new, kind)
    diff = diff_texts(old, new, kind, old_structure=old_structure, new_structure=new_structure)
    assert diff.changes
    changes = check_placed(diff, old, new, old_structure, new_structure)
    assert [c.group for c in changes] == list(diff.groups)
    # Only the changes, when that is all that is asked for: the same, placed the same.
    placed = {(c.group, c.old_start, c.new_start) for c in changes}
    assert [(c.group, c.old_start, c.new_start) for c in placed_changes(diff, old_structure, new_structure)] == [
        (c.group, c.old_start, c.new_start) for c in changes if c.group.status != "unchanged"]
    assert {(g, o, n) for g, o, n in diff.placed()} <= placed


@pytest.mark.parametrize("name", REAL)
def test_a_diff_of_kept_readings_is_placed_as_one_of_parsed_readings(name: str):
    """A kept reading's changes take their provision's kind from the owners' table's
    place of it (the table of its columns), where a parsed one's look it up by id; the
    placed changes, kinds and all, are the same, and each kind is the provision's."""
    from regdraft.services import structures

    kind, texts = REAL[name]
    old, new = texts()
    parsed = read_structure(old, kind), read_structure(new, kind)
    kept = tuple(structures.decode(text, kind, structures.encode(reading)) for text, reading in zip((old, new), parsed))
    diff = diff_texts(old, new, kind, old_structure=parsed[0], new_structure=parsed[1])
    changes = check_placed(diff, old, new, *kept)
    assert changes == list(placed_changes(diff, *parsed, unchanged=True))
    assert list(placed_changes(diff, *kept)) == list(placed_changes(diff, *parsed))


def test_the_inserted_regulation_of_the_worked_case_reads_as_a_renderer_needs_it():
    old, new = _worked(1), _worked(2)
    comparison = compare_texts("1", old, "2", new)
    [change] = comparison.as_json()["changes"]
    assert (change["provision"], change["label"], change["kind"], change["status"]) == (
        "reg-5", "regulation 5", "regulation", "added")
    assert [(s["role"], s.get("markup"), s["provision"], s["text"][:20]) for s in change["segments"]] == [
        ("break", None, "reg-4", "\n"),  # the blank line after regulation 4 is regulation 4's
        ("syntax", "heading", "reg-5", "### "),
        ("text", None, "reg-5", "5. Provision as to b"),
        ("break", None, "reg-5", "\n\n"),
        ("text", None, "reg-5", "A body corporate tha"),
        ("break", None, "reg-5", "\n")]
    assert new[change["new"]["start"]:change["new"]["end"]] == change["ops"][0]["text"]
    assert change["old"]["start"] == change["old"]["end"] == len(old)  # inserted at the end of version 1


def test_emphasis_and_link_syntax_stand_apart_from_their_words():
    cfr = (FIXTURES / "legislation" / "ecfr-12-1005-2011.md").read_text(encoding="utf-8")
    old_line = next(line for line in cfr.split("\n") if line.startswith("(b) *Purpose.*"))
    new = cfr.replace(old_line, old_line.replace("*Purpose.*", "*Purposes and scope.*"))
    structures = read_structure(cfr, "us-cfr"), read_structure(new, "us-cfr")
    diff = diff_texts(cfr, new, "us-cfr", old_structure=structures[0], new_structure=structures[1])
    [change] = placed_changes(diff, *structures)
    pieces = [(s.piece.kind, s.role, s.piece.text) for s in change.segments]
    at = pieces.index((EQUAL, SYNTAX, "*"))
    assert pieces[at - 1:at + 1] == [(EQUAL, TEXT, "(b) "), (EQUAL, SYNTAX, "*")]
    assert (EQUAL, SYNTAX, "*") == pieces[next(k for k in range(at + 1, len(pieces)) if pieces[k][1] == SYNTAX)]
    assert not any(s.role == TEXT and "*" in s.piece.text for s in change.segments)
    eu = (FIXTURES / "legislation" / "eu-32020R0111.md").read_text(encoding="utf-8")
    link = re.search(r"\[([^\]\n]*)\]\((http[^)\s]*)\)", eu)
    new = eu[:link.start(1)] + "OJ " + eu[link.start(1):]
    structures = read_structure(eu, "eu-act"), read_structure(new, "eu-act")
    diff = diff_texts(eu, new, "eu-act", old_structure=structures[0], new_structure=structures[1])
    [change] = placed_changes(diff, *structures)
    links = [s.piece.text for s in change.segments if s.markup == "link"]
    assert links[:2] == ["[", f"]({link[2]})"]
    inserted = [s for s in change.segments if s.piece.kind == INSERT]
    assert "".join(s.piece.text for s in inserted).strip() == "OJ" and {s.role for s in inserted} == {TEXT}


def test_only_what_commonmark_reads_as_syntax_is_syntax():
    old = ("### 2. Interpretation\n\n(1) A \\*literal\\* star, 5 * 3, a not_for_profit body and *the Act*.\n\n"
           "  - (a) nested **strongly**;\n")
    new = old.replace("body", "company").replace("nested", "indented")
    structures = read_structure(old), read_structure(new)
    diff = diff_texts(old, new, old_structure=structures[0], new_structure=structures[1])
    pieces = [(s.role, s.markup, s.piece.text) for c in placed_changes(diff, *structures, unchanged=True)
              for s in c.segments if s.piece.kind != DELETE]
    assert [p for p in pieces if p[0] == SYNTAX] == [
        (SYNTAX, "heading", "### "), (SYNTAX, "escape", "\\"), (SYNTAX, "escape", "\\"),
        (SYNTAX, "emphasis", "*"), (SYNTAX, "emphasis", "*"), (SYNTAX, "indent", "  "), (SYNTAX, "list", "- "),
        (SYNTAX, "emphasis", "**"), (SYNTAX, "emphasis", "**")]
    words = "".join(p[2] for p in pieces if p[0] == TEXT)
    assert "*literal" in words and "5 * 3" in words and "not_for_profit" in words and "the Act" in words


def test_a_history_s_direct_edits_are_the_version_s_not_an_amendment_s():
    """An amendment may be called "version-3" or "version-2"; a version's direct edits
    have a source no slug can be."""
    v1, v2, v3 = _worked(1), _worked(2), _worked(3)
    diff = diff_steps(v1, [Step(v2, "version-3"), Step(v3, version_source(3))])
    sources = {op.source for g in diff.changes for op in g.ops if op.kind != EQUAL}
    assert sources == {"version-3", "version 3"}
    assert edited_version("version 3") == 3 and edited_version("version-3") is None
    assert edited_version("profit-ban") is None and edited_version(None) is None
    assert not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", version_source(12))  # the slug pattern


def test_placing_a_diff_diffs_and_parses_nothing_again(monkeypatch):
    old, new = _worked(1), _worked(3)
    comparison = compare_texts("1", old, "3", new)

    def refuse(*args, **kwargs):
        raise AssertionError("diffed or parsed again")

    for module, name in ((grouping, "aligned_ops"), (review, "diff_sequences"), (grouping, "parse_structure"),
                         (alignment, "word_diff_lengths"), (alignment, "diff_sequences"), (history, "diff_words")):
        monkeypatch.setattr(module, name, refuse)
    body = comparison.as_json(unchanged=True)
    assert "".join(op["text"] for c in body["changes"] for op in c["ops"] if op["op"] != "insert") == old


def test_utf16_offsets_are_javascript_string_indexes():
    text = "(1) A 𝔸 or 😀, then é and 𝔹.\n"
    utf16 = Utf16.of(text)
    for offset in range(len(text) + 1):
        assert utf16(offset) == len(text[:offset].encode("utf-16-le")) // 2
    assert Utf16.of("plain ASCII") is None and Utf16.of("em — dash, in the BMP") is None


# Drawn texts -----------------------------------------------------------------------

_fragment = st.sampled_from([
    "### 3. A\n\n", "### 4. *B* heading\n\n", "## Part 2: General\n\n", "(1) The body **must**.\n\n",
    "- (a) profit;\n", "- (b) not_for_profit;\n", "  - (i) nested 😀;\n", "> quoted *text*\n\n",
    "(2) See [the Act](https://example.org/a) and `code`.\n\n", "A \\*literal\\* star 5 * 3.\n\n",
    "1. A schedule paragraph.\n\n", "(3) Words 𝔸 beyond the BMP.\n\n", "\n"])
_texts = st.lists(_fragment, max_size=14).map("".join)


@settings(max_examples=150, deadline=None)
@given(_texts, _texts, st.lists(_texts, max_size=2))
def test_ranges_slice_the_texts_and_segments_rebuild_them(old: str, new: str, between: list[str]):
    """Slicing the old text by each delete and equal op's (and segment's) old range, and
    the new text by each insert and equal one's new range, gives its text; the segments
    rebuild both texts; the UTF-16 offsets index the same characters in a JS string."""
    old_structure, new_structure = read_structure(old), read_structure(new)
    steps = [Step(text, f"step-{n}") for n, text in enumerate(between)] + [Step(new, version_source(9))]
    for diff in (diff_texts(old, new, old_structure=old_structure, new_structure=new_structure),
                 diff_steps(old, steps, base_structure=old_structure, last_structure=new_structure)):
        changes = check_placed(diff, old, new, old_structure, new_structure)
        pieces = [s.piece for c in changes for s in c.segments]
        assert "".join(p.text for p in pieces if p.kind != INSERT) == old
        assert "".join(p.text for p in pieces if p.kind != DELETE) == new
    comparison = compare_texts("old", old, "new", new)
    old16, new16 = old.encode("utf-16-le"), new.encode("utf-16-le")
    for change in comparison.as_json(unchanged=True)["changes"]:
        for piece in change["ops"] + change["segments"]:
            for side, units, skipped in (("old", old16, "insert"), ("new", new16, "delete")):
                if piece["op"] == skipped:
                    continue
                at = piece[side]
                start, end = at.get("start_utf16", at["start"]), at.get("end_utf16", at["end"])
                assert units[2 * start:2 * end].decode("utf-16-le") == piece["text"]
