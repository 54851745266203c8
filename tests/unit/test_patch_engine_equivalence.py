"""The fast patch engine gives, character for character, what upstream diff-match-patch
gives: the C++ ``diff_main`` equals the Python one; our word diff equals the same
lines-then-words algorithm written plainly on upstream's Python ``diff_main``; and our
patch text equals upstream's ``patch_make`` + ``patch_toText`` on those diffs for texts
no longer than the context window (stored patches must not depend on the engine)."""

import os
import random

from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import patching
from regdraft.core.patching import apply_patch, make_patch, parse_patch
from regdraft.core.patching.diffs import _line_diffs, diff_main, word_diffs
from regdraft.core.patching.engine import TOKEN
from regdraft.core.patching.patches import _CONTEXT_WINDOW

WORDS = ["regulation", "local", "authority", "profit", "body", "(1)", "(a)", "—", "may", "not", "### 3.",
         "functions", "\n", "\n\n", " ", ", ", ".", "é", "🙂", "- (b)", "2014", "50%", "“the Act”", "\u2028"]
texts = st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join) | st.text(max_size=150)
EQUAL, INSERT, DELETE = diff_match_patch.DIFF_EQUAL, diff_match_patch.DIFF_INSERT, diff_match_patch.DIFF_DELETE


def _upstream_engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout, dmp.Patch_Margin, dmp.Match_MaxBits = 0, 12, 64
    return dmp


def _encode(vocabulary: dict[str, str], items: list[str]) -> str:
    """One character per distinct item, numbered from 1 in order of first appearance,
    skipping the surrogate block."""
    for item in items:
        if item not in vocabulary:
            n = len(vocabulary) + 1
            vocabulary[item] = chr(n if n < 0xD800 else n + 0x800)
    return "".join(vocabulary[item] for item in items)


def reference_line_diffs(old_lines: list[str], new_lines: list[str]) -> list[tuple[int, str]]:
    """Upstream ``diff_main`` on the lines found in both texts; a line found in one text
    only is put back, deleted or inserted, where it stands, one line at a time."""
    vocabulary: dict[str, str] = {}
    old, new = _encode(vocabulary, old_lines), _encode(vocabulary, new_lines)
    in_old, in_new = set(old), set(new)
    kept_old = [char in in_new for char in old]
    kept_new = [char in in_old for char in new]
    reduced = _upstream_engine().diff_main("".join(c for c, k in zip(old, kept_old) if k),
                                           "".join(c for c, k in zip(new, kept_new) if k), False)
    lines: list[tuple[int, str]] = []
    i = j = 0
    for code, chars in reduced:
        for _ in chars:
            if code != INSERT:
                while not kept_old[i]:
                    lines.append((DELETE, old[i]))
                    i += 1
            if code != DELETE:
                while not kept_new[j]:
                    lines.append((INSERT, new[j]))
                    j += 1
            if code == EQUAL:
                lines.append((EQUAL, old[i]))
            else:
                lines.append((code, old[i] if code == DELETE else new[j]))
            i += code != INSERT
            j += code != DELETE
    lines += [(DELETE, c) for c in old[i:]] + [(INSERT, c) for c in new[j:]]
    # Between two equal runs: every deletion, then every insertion.
    diffs: list[tuple[int, str]] = []
    deleted = inserted = ""
    for code, char in lines + [(EQUAL, "")]:
        if code == DELETE:
            deleted += char
        elif code == INSERT:
            inserted += char
        else:
            diffs += [(code, text) for code, text in ((DELETE, deleted), (INSERT, inserted)) if text]
            deleted = inserted = ""
            if diffs and diffs[-1][0] == EQUAL:
                diffs[-1] = (EQUAL, diffs[-1][1] + char)
            elif char:
                diffs.append((EQUAL, char))
    return diffs, {char: line for line, char in vocabulary.items()}


def reference_token_diffs(old: str, new: str) -> list[tuple[int, str]]:
    """A replaced block, word by word: the start and end both sides share, in whole
    tokens, set aside; the rest through upstream ``diff_main`` and
    ``diff_cleanupSemantic`` on tokens."""
    if not old or not new:
        return [(DELETE, old), (INSERT, new)]
    dmp = _upstream_engine()
    old_spans = [match.span() for match in TOKEN.finditer(old)]
    new_spans = [match.span() for match in TOKEN.finditer(new)]
    old_bounds, new_bounds = {0, len(old)} | {s for s, _ in old_spans}, {0, len(new)} | {s for s, _ in new_spans}
    start = len(os.path.commonprefix([old, new]))
    if start not in old_bounds or start not in new_bounds:
        start = max(s for s, _ in old_spans if s < start)  # the start of the token holding old[start - 1]
    shared_end = len(os.path.commonprefix([old[start:][::-1], new[start:][::-1]]))
    end, new_end = len(old) - shared_end, len(new) - shared_end
    if end not in old_bounds or new_end not in new_bounds:
        end = min(e for _, e in old_spans if e > end)  # the end of the token holding old[end]
        new_end = len(new) - (len(old) - end)
    middle_old, middle_new = old[start:end], new[start:new_end]
    if middle_old and middle_new:
        vocabulary: dict[str, str] = {}
        encoded_old = _encode(vocabulary, TOKEN.findall(middle_old))
        encoded_new = _encode(vocabulary, TOKEN.findall(middle_new))
        middle = dmp.diff_main(encoded_old, encoded_new, False)
        dmp.diff_cleanupSemantic(middle)
        index = {char: token for token, char in vocabulary.items()}
        middle = [(code, "".join(index[c] for c in chars)) for code, chars in middle]
    else:
        middle = [(DELETE, middle_old), (INSERT, middle_new)]
    return [(EQUAL, old[:start]), *middle, (EQUAL, old[end:])]


def reference_word_diffs(old: str, new: str) -> list[tuple[int, str]]:
    """Lines first (whole lines shared at the start and end set aside, upstream's
    ``diff_cleanupSemantic`` on the line characters), then each replaced block word by
    word, then ``diff_cleanupSemanticLossless`` once on the real text."""
    dmp = _upstream_engine()
    head = old.rfind("\n", 0, len(os.path.commonprefix([old, new]))) + 1
    shared_tail = min(len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]])), len(old) - head,
                      len(new) - head)
    old_end = (old.find("\n", len(old) - shared_tail) + 1 if shared_tail else 0) or len(old)
    new_end = len(new) - (len(old) - old_end)
    line_diffs, lines = reference_line_diffs(old[head:old_end].splitlines(True), new[head:new_end].splitlines(True))
    dmp.diff_cleanupSemantic(line_diffs)
    pieces = [(EQUAL, old[:head])]
    deleted = inserted = ""
    for code, chars in line_diffs + [(EQUAL, "")]:
        text = "".join(lines[c] for c in chars)
        if code == DELETE:
            deleted += text
        elif code == INSERT:
            inserted += text
        else:
            pieces += reference_token_diffs(deleted, inserted) + [(EQUAL, text)]
            deleted = inserted = ""
    pieces.append((EQUAL, old[old_end:]))
    diffs: list[tuple[int, str]] = []
    for code, text in pieces:
        if diffs and diffs[-1][0] == code:
            diffs[-1] = (code, diffs[-1][1] + text)
        elif text:
            diffs.append((code, text))
    dmp.diff_cleanupSemanticLossless(diffs)
    return diffs


def reference_patch(old: str, new: str) -> str:
    dmp = _upstream_engine()
    return dmp.patch_toText(dmp.patch_make(old, reference_word_diffs(old, new)))


def _regulation(rng: random.Random, regulations: int) -> str:
    words = "the authority may delegate any function to a body that is not carried on for profit".split()
    out = []
    for n in range(1, regulations + 1):
        out.append(f"### {n}. Heading {rng.choice(words)}\n")
        for p in range(1, rng.randint(2, 4)):
            out.append(f"({p}) " + " ".join(rng.choice(words) for _ in range(rng.randint(6, 25))) + ".\n")
            if rng.random() < 0.4:
                out.append("\n".join(f"- ({c}) " + " ".join(rng.choices(words, k=8)) + ";" for c in "abc") + "\n")
    return "\n".join(out)


def _edited(rng: random.Random, text: str, edits: int) -> str:
    lines = text.split("\n")
    for i in rng.sample(range(len(lines)), edits):
        words = lines[i].split(" ")
        words.insert(rng.randrange(len(words) + 1), rng.choice(["not", "reasonably", "the", "(2)", "\n"]))
        lines[i] = " ".join(words)
    for _ in range(rng.randrange(3)):  # copy a line elsewhere, drop another
        lines.insert(rng.randrange(len(lines)), rng.choice(lines))
        del lines[rng.randrange(len(lines))]
    if rng.random() < 0.5:  # move a block of lines as well
        start = rng.randrange(len(lines) // 2)
        block, lines = lines[start:start + 12], lines[:start] + lines[start + 12:]
        at = rng.randrange(len(lines))
        lines[at:at] = block
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(old=st.text(max_size=300), new=st.text(max_size=300))
def test_native_diff_main_equals_upstream_on_any_characters(old, new):
    assert diff_main(old, new) == _upstream_engine().diff_main(old, new, False)


@settings(max_examples=150, deadline=None)
@given(old=texts, new=texts)
def test_word_diff_and_patch_text_equal_the_upstream_pipeline(old, new):
    assert word_diffs(old, new) == reference_word_diffs(old, new)
    assert make_patch(old, new) == reference_patch(old, new)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 40))
def test_word_diff_and_patch_text_equal_upstream_on_regulation_shaped_text(seed, edits):
    rng = random.Random(seed)
    old = _regulation(rng, 40)
    new = _edited(rng, old, edits)
    assert word_diffs(old, new) == reference_word_diffs(old, new)
    assert make_patch(old, new) == reference_patch(old, new)


def test_word_diff_equals_upstream_with_many_scattered_edits():
    # A long text with a changed line in every few: most changed lines are found in one
    # text only and are set aside before the line diff.
    rng = random.Random(7)
    old = _regulation(rng, 400)
    new = _edited(rng, old, old.count("\n") // 8)
    assert word_diffs(old, new) == reference_word_diffs(old, new)


def test_word_diff_equals_upstream_with_lines_and_tokens_beyond_the_basic_plane():
    # More than 55 000 distinct lines, and a replaced line of more than 55 000 distinct
    # tokens: their characters run past the surrogate block.
    old = "\n".join(f"w{n}" for n in range(60_000))
    new = old.replace("\nw100\n", "\nw100 inserted\n").replace("\nw59000", "")
    assert word_diffs(old, new) == reference_word_diffs(old, new)
    old = " ".join(f"w{n}" for n in range(60_000))
    new = "v" + old.replace("w100 ", "w100 inserted ").replace(" w59000", "") + "v"
    assert word_diffs(old, new) == reference_word_diffs(old, new)


def test_context_is_unique_within_its_window_and_the_patch_still_applies_exactly():
    clause = "(1) The local authority may delegate any function to a body.\n\n"
    filler = "".join(f"### {n}. Heading {n}\n\nText of regulation {n}, in words of its own.\n\n" for n in range(900))
    assert len(filler) > _CONTEXT_WINDOW
    old = clause + filler + clause  # the clause repeats, far away
    new = clause.replace("any", "a") + filler.replace("regulation 450,", "regulation 450 (revoked),") \
        + clause.replace("body", "public body")
    patch = make_patch(old, new)
    # Upstream grows the first hunk's context to tell the far copy apart; the window does not.
    assert patch != reference_patch(old, new)
    assert len(parse_patch(patch).hunks[0].before) < len(parse_patch(reference_patch(old, new)).hunks[0].before)
    upstream = diff_match_patch()
    assert upstream.patch_apply(upstream.patch_fromText(patch), old) == (new, [True, True, True])
    result = apply_patch(parse_patch(patch), old)
    assert result.text == new and result.exact


# A replaced run of provisions, as the aligned diff word-diffs it: a line or a few, each
# with a word or two changed, and no line in both (the run's own fast path), or a line in
# both between changed ones (the line diff's).
_LINE = st.lists(st.sampled_from(WORDS[:12] + ["é", "🙂", "—"]), min_size=1, max_size=14).map(" ".join)


@st.composite
def _replaced_runs(draw) -> tuple[str, str]:
    lines = draw(st.lists(_LINE, min_size=1, max_size=5))
    edited = list(lines)
    for i in draw(st.lists(st.integers(0, len(lines) - 1), max_size=3)):
        words = edited[i].split(" ")
        at = draw(st.integers(0, len(words)))
        words[at:at + draw(st.integers(0, 2))] = draw(st.lists(st.sampled_from(WORDS), max_size=2))
        edited[i] = " ".join(words)
    end = draw(st.sampled_from(["\n", "\n\n", ""]))
    return "\n".join(lines) + end, "\n".join(edited) + end


@settings(max_examples=400, deadline=None)
@given(_replaced_runs())
def test_the_word_diff_of_a_replaced_run_equals_the_upstream_pipeline(run):
    old, new = run
    assert word_diffs(old, new) == reference_word_diffs(old, new)


def test_the_word_diffs_of_a_real_texts_replaced_runs_equal_the_upstream_pipeline():
    """Every run the aligned diff word-diffs, on real texts edited as the bench edits them."""
    from pathlib import Path
    from unittest import mock

    from bench.corpus import edit_lines
    from regdraft.core import alignment
    from regdraft.core.diffing import read_structure

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "legislation"
    runs = []
    with mock.patch.object(alignment, "word_diff_lengths", side_effect=lambda old, new: runs.append((old, new)) or ()):
        for name, kind in {"uksi-2014-2407_as-made.legalize-uk.md": "uk-si", "ukpga-2019-24.md": "uk-act",
                           "ecfr-12-1005-2011.md": "us-cfr", "eu-32020R0111.md": "eu-act"}.items():
            old = (fixtures / name).read_text(encoding="utf-8")
            for share, seed in ((0.01, 1), (0.1, 2)):
                new = edit_lines(old, share, seed=seed)[0]
                alignment.aligned_ops(old, new, read_structure(old, kind), read_structure(new, kind))
    assert len(runs) > 100
    for old, new in runs:
        assert word_diffs(old, new) == reference_word_diffs(old, new)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12), st.lists(st.sampled_from(WORDS), max_size=12))
def test_a_sequence_diff_is_the_line_diff_of_its_items(old, new):
    """``diff_sequences`` answers sequences with nothing in common (a word replaced by
    another) without the line diff: with what the line diff gives them, as for any other."""
    names = {EQUAL: patching.EQUAL, DELETE: patching.DELETE, INSERT: patching.INSERT}
    line_diff = [(names[code], len(chars) if code != INSERT else 0, len(chars) if code != DELETE else 0)
                 for code, chars in _line_diffs(old, new)]
    assert patching.diff_sequences(old, new) == line_diff


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a\n", "b\n", "c\n", "(1) x\n", "\n", "é\n"]), max_size=30),
       st.lists(st.sampled_from(["a\n", "b\n", "d\n", "(1) y\n", "\n", "🙂\n"]), max_size=30))
def test_the_line_diff_with_lines_of_one_text_set_aside_is_the_plain_one(old, new):
    """Lines found in one text only (``b``/``c`` against ``d``) are set aside by runs
    and put back where they stand: what the plain algorithm, a line at a time, gives."""
    expected, lines = reference_line_diffs(old, new)
    found = _line_diffs(old, new)
    assert found == expected
    names = {EQUAL: patching.EQUAL, DELETE: patching.DELETE, INSERT: patching.INSERT}
    assert patching.diff_sequences(old, new) == [
        (names[code], len(chars) if code != INSERT else 0, len(chars) if code != DELETE else 0)
        for code, chars in expected]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=60), st.lists(st.integers(0, 40), max_size=60),
       st.integers(0, 2**64 - 1))
def test_a_sequence_diff_of_stretch_keys_is_the_plain_one(old, new, salt):
    """Items as the stored stretches give them (64-bit keys, some repeated, some in one
    sequence only), coded in the old sequence's order: the plain algorithm's diff of
    the same items, a line each."""
    keys = {item: hash((salt, item)) & (2**64 - 1) for item in {*old, *new}}
    expected, _lines = reference_line_diffs([f"{item}\n" for item in old], [f"{item}\n" for item in new])
    names = {EQUAL: patching.EQUAL, DELETE: patching.DELETE, INSERT: patching.INSERT}
    assert patching.diff_sequences([keys[item] for item in old], [keys[item] for item in new]) == [
        (names[code], len(chars) if code != INSERT else 0, len(chars) if code != DELETE else 0)
        for code, chars in expected]
