"""The JSON diff (``Comparison.as_json``) is what ``docs/rendering.md`` says it is, made
the slow way: each op's characters classed one by one (syntax span, line end or word;
the innermost provision there, by ``Structure.at``) and runs of one class joined, every
range written with its UTF-16 offsets where the text needs them. The fast path (an op
that is one piece of words is its own segment, a window's owners instead of the whole
table, objects written key by key) must give the same JSON, key order included, on
real texts and on drawn ones (Hypothesis)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft import json_text
from regdraft.core.diffing import REMOVED, diff_texts, read_structure
from regdraft.core.history import Step, diff_steps, edited_version, version_source
from regdraft.core.patching import DELETE, INSERT
from regdraft.core.segments import _BLOCK_MARKER, _INLINE, _may_delimit
from regdraft.core.structure import PREAMBLE, Structure
from regdraft.formats import read_document
from regdraft.services.comparisons import Comparison, compare_texts, etag

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
WORKED = ROOT / "drafts" / "children-social-care-delegation" / "versions"


def _line_syntax(text: str, line: int, line_end: int) -> list[tuple[int, int, str]]:
    """The syntax of one line: its block markers one after another from its start (the
    words after a heading's hashes are text), then inline syntax outside them."""
    spans = []
    at = line
    while (marker := _BLOCK_MARKER.match(text, at, line_end)) is not None:
        char = text[at]
        spans.append((at, marker.end(), {"#": "heading", ">": "quote", " ": "indent", "\t": "indent"}.get(
            char, "list")))
        at = marker.end()
        if char == "#":
            break
    for match in _INLINE.finditer(text, line, line_end):
        name = match.lastgroup
        begin, stop = match.span(name)
        if any(s <= begin < e for s, e, _ in spans):
            continue
        if name == "emphasis" and not _may_delimit(text, begin, stop):
            continue
        spans.append((begin, stop, "link" if name in ("open", "target") else name))
    return sorted(spans)


def _classes(text: str, structure: Structure, start: int, end: int) -> list[tuple]:
    """Each character of ``text[start:end]``: (what it is, its owner)."""
    syntax: dict[int, tuple] = {}
    line = text.rfind("\n", 0, start) + 1
    while line < end:
        line_end = text.find("\n", line)
        line_end = len(text) if line_end == -1 else line_end
        for s, e, markup in _line_syntax(text, line, line_end):
            for k in range(s, e):
                syntax[k] = ("syntax", markup, s)
        line = line_end + 1
    classes = []
    for k in range(start, end):
        holder = structure.at(k)
        owner = (holder.id, holder.label) if holder is not None else (PREAMBLE, "the preamble")
        classes.append((syntax.get(k, ("break",) if text[k] == "\n" else ("text",)), owner))
    return classes


class _Units:
    """Code-point offsets as UTF-16 code units, counted character by character."""

    def __init__(self, text: str) -> None:
        self.units = [0]
        for char in text:
            self.units.append(self.units[-1] + (2 if ord(char) > 0xFFFF else 1))
        self.needed = self.units[-1] != len(text)

    def range(self, start: int, end: int) -> dict:
        out = {"start": start, "end": end}
        if self.needed:
            out.update(start_utf16=self.units[start], end_utf16=self.units[end])
        return out


def _by(source: str) -> dict:
    number = edited_version(source)
    return {"kind": "version", "number": number} if number is not None else {"kind": "amendment", "slug": source}


def reference_json(comparison: Comparison, *, unchanged: bool = False) -> dict:
    old, new = comparison.old_text, comparison.new_text
    old_structure, new_structure = comparison.old_structure, comparison.new_structure
    old_units, new_units = _Units(old), _Units(new)

    def ranges(old_start: int, old_end: int, new_start: int, new_end: int) -> dict:
        return {"old": old_units.range(old_start, old_end), "new": new_units.range(new_start, new_end)}

    changes = []
    at_old = at_new = 0
    for group in comparison.diff.groups:
        group_old, group_new = at_old, at_new
        ops, segments = [], []
        for op in group.ops:
            old_end = at_old + (len(op.text) if op.kind != INSERT else 0)
            new_end = at_new + (len(op.text) if op.kind != DELETE else 0)
            if op.source is None:
                made_by = {}
            elif _by(op.source)["kind"] == "amendment":
                made_by = {"amendment": op.source, "by": _by(op.source)}
            else:
                made_by = {"by": _by(op.source)}
            ops.append({"op": op.kind, "text": op.text, **ranges(at_old, old_end, at_new, new_end), **made_by})
            text, structure, start = (old, old_structure, at_old) if op.kind == DELETE else (new, new_structure, at_new)
            classes = _classes(text, structure, start, start + len(op.text))
            k = 0
            while k < len(classes):
                stop = k + 1
                while stop < len(classes) and classes[stop] == classes[k]:
                    stop += 1
                what, (provision, _label) = classes[k]
                old_range = (at_old + k, at_old + stop) if op.kind != INSERT else (at_old, at_old)
                new_range = (at_new + k, at_new + stop) if op.kind != DELETE else (at_new, at_new)
                segments.append({
                    "op": op.kind, "role": what[0], **({"markup": what[1]} if what[0] == "syntax" else {}),
                    "provision": provision, "text": op.text[k:stop], **ranges(*old_range, *new_range),
                    **({"by": _by(op.source)} if op.source else {})})
                k = stop
            at_old, at_new = old_end, new_end
        if not unchanged and group.status == "unchanged":
            continue
        first, second = ((old_structure, new_structure) if group.status == REMOVED
                         else (new_structure, old_structure))
        found = first.get(group.provision) or second.get(group.provision)
        kind = found.kind if found is not None else "preamble" if group.provision == PREAMBLE else None
        changes.append({"provision": group.provision, "label": group.label, **({"kind": kind} if kind is not None else {}),
                        "status": group.status, **ranges(group_old, at_old, group_new, at_new),
                        "ops": ops, "segments": segments,
                        **({group.relocation.kind: group.relocation.as_json()} if group.relocation else {})})
    return {"old": {"name": comparison.old_name, "hash": comparison.old_hash},
            "new": {"name": comparison.new_name, "hash": comparison.new_hash},
            "stats": comparison.diff.stats(), "changes": changes}


def assert_json_as_stated(comparison: Comparison) -> None:
    for unchanged in (False, True):
        made, reference = comparison.as_json(unchanged=unchanged), reference_json(comparison, unchanged=unchanged)
        # Key order too: the text written is the same.
        assert json_text.pretty(made) == json_text.pretty(reference), unchanged


def _stepped(old: str, steps: list[Step], kind: str) -> Comparison:
    """A comparison across a history: changes made by amendments and by a version's edits."""
    old_structure, new_structure = read_structure(old, kind), read_structure(steps[-1].text, kind)
    diff = diff_steps(old, steps, kind, base_structure=old_structure, last_structure=new_structure)
    return Comparison("old", "new", old, steps[-1].text, diff, {}, etag("test"), kind, old_structure,
                      new_structure=new_structure)


def _edited(text: str, seed: int, every: int = 7) -> str:
    """A word replaced on some lines, a line dropped, a line end inserted, emphasis and
    characters beyond U+FFFF added: the same edits every run."""
    rng = random.Random(seed)
    lines = text.split("\n")
    out = []
    for n, line in enumerate(lines):
        words = line.split(" ")
        if n % (3 * every) == 11 and len(words) > 4:
            continue
        if n % every == 3 and len(words) > 3:
            words[rng.randrange(1, len(words))] = rng.choice(["*substituted*", "omitted", "the", "(2A)", "𝔸 😀"])
        if n % (2 * every + 3) == 5 and len(words) > 6:
            words.insert(len(words) // 2, "\n\n(3) inserted")
        out.append(" ".join(words))
    return "\n".join(out)


def _one_word(text: str) -> str:
    """One word changed in the middle of a long text: a diff grouped in a window."""
    at = text.index(" the ", len(text) // 2)
    return text[:at] + " this " + text[at + 5:]


REAL = {
    "worked case 1 to 2 (a regulation inserted)": ("uk-si", lambda: (_worked(1), _worked(2))),
    "worked case 2 to 3": ("uk-si", lambda: (_worked(2), _worked(3))),
    "CLML SI 2006/622 edited": ("uk-si", lambda: (lambda t: (t, _edited(t, 2)))(
        _imported("clml/uksi-2006-622-made.xml"))),
    "CLML SI 2006/622, one word": ("uk-si", lambda: (lambda t: (t, _one_word(t)))(
        _imported("clml/uksi-2006-622-made.xml"))),
    "CLML Act 2003 c. 4 edited": ("uk-act", lambda: (lambda t: (t, _edited(t, 3)))(
        _imported("clml/ukpga-2003-4-enacted.xml"))),
    "12 CFR 1005 edited": ("us-cfr", lambda: (lambda t: (t, _edited(t, 1, every=5)))(
        (FIXTURES / "legislation" / "ecfr-12-1005-2011.md").read_text(encoding="utf-8"))),
    "12 CFR 1005, one word": ("us-cfr", lambda: (lambda t: (t, _one_word(t)))(
        (FIXTURES / "legislation" / "ecfr-12-1005-2011.md").read_text(encoding="utf-8"))),
    "EU 2020/111 edited": ("eu-act", lambda: (lambda t: (t, _edited(t, 4)))(
        (FIXTURES / "legislation" / "eu-32020R0111.md").read_text(encoding="utf-8"))),
}


def _worked(n: int) -> str:
    return (WORKED / f"{n:04d}.md").read_text(encoding="utf-8")


def _imported(path: str) -> str:
    return read_document((FIXTURES / path).read_bytes()).text


@pytest.mark.parametrize("name", REAL)
def test_the_json_diff_of_a_real_text_is_what_the_rules_give(name: str):
    kind, texts = REAL[name]
    old, new = texts()
    comparison = compare_texts("old", old, "new", new, kind)
    assert comparison.diff.changes
    assert_json_as_stated(comparison)


def test_a_history_s_json_diff_names_each_change_s_maker():
    v1, v2, v3 = _worked(1), _worked(2), _worked(3)
    comparison = _stepped(v1, [Step(v2, "profit-ban"), Step(v3, version_source(3))], "uk-si")
    assert_json_as_stated(comparison)
    made_by = {tuple(op["by"].values()) for c in comparison.as_json()["changes"] for op in c["ops"] if "by" in op}
    assert made_by == {("amendment", "profit-ban"), ("version", 3)}


_fragment = st.sampled_from([
    "### 3. A\n\n", "### 4. *B* heading\n\n", "## Part 2: General\n\n", "(1) The body **must**.\n\n",
    "- (a) profit;\n", "- (b) not_for_profit;\n", "  - (i) nested 😀;\n", "> quoted *text*\n\n",
    "(2) See [the Act](https://example.org/a) and `code`.\n\n", "A \\*literal\\* star 5 * 3.\n\n",
    "1. A schedule paragraph.\n\n", "(3) Words 𝔸 beyond the BMP.\n\n", "> - quoted list\n", "\n",
    "### 5. Long\n\n(1) " + "words of a provision " * 12 + "end.\n\n"])
_texts = st.lists(_fragment, max_size=16).map("".join)


@settings(max_examples=150, deadline=None)
@given(_texts, _texts, st.lists(_texts, max_size=2))
def test_a_drawn_json_diff_is_what_the_rules_give(old: str, new: str, between: list[str]):
    assert_json_as_stated(compare_texts("old", old, "new", new))
    steps = [Step(text, f"step-{n}") for n, text in enumerate(between)] + [Step(new, version_source(9))]
    assert_json_as_stated(_stepped(old, steps, "uk-si"))


@settings(max_examples=60, deadline=None)
@given(st.lists(_fragment, min_size=40, max_size=60).map("".join), st.integers(0, 10**6), _fragment)
def test_a_change_in_a_short_stretch_of_a_long_text_is_placed_as_the_rules_give(text: str, where: int,
                                                                                 inserted: str):
    """One fragment inserted, or one character deleted, in a long drawn text: the diff
    is grouped in a window, and so are the owners the segments are cut by."""
    at = where % (len(text) + 1)
    for new in (text[:at] + inserted + text[at:], text[:at] + text[at + 1:]):
        if new != text:
            assert_json_as_stated(compare_texts("old", text, "new", new))


def test_the_json_diff_makes_no_cyclic_garbage_for_the_paused_collector_to_miss():
    """The collector is paused while the JSON diff is made, which is free only because
    it makes no reference cycles: nothing is left for a collection to find once it is
    let go, and the collector is left as it was found."""
    import gc

    kind, texts = REAL["12 CFR 1005 edited"]
    comparison = compare_texts("old", *texts(), kind)
    gc.collect()
    assert gc.isenabled()
    try:
        gc.disable()
        body = comparison.as_json(unchanged=True)
        assert not gc.isenabled() and body["changes"]
        del body
        assert gc.collect() == 0
    finally:
        gc.enable()
    comparison.as_json()
    assert gc.isenabled()
