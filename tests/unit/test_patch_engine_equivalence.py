"""The fast patch engine gives, character for character, what upstream diff-match-patch
gives: the C++ ``diff_main`` equals the Python one, and our word diff and patch text
equal the plain upstream pipeline they replace (stored patches must not change)."""

import random

from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import patching
from regdraft.core.patching import _diff_main, _word_diffs, make_patch

WORDS = ["regulation", "local", "authority", "profit", "body", "(1)", "(a)", "—", "may", "not", "### 3.",
         "functions", "\n", "\n\n", " ", ", ", ".", "é", "🙂", "- (b)", "2014"]
texts = st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join) | st.text(max_size=150)


def _upstream_engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout, dmp.Patch_Margin, dmp.Match_MaxBits = 0, 12, 64
    return dmp


def reference_word_diffs(old: str, new: str) -> list[tuple[int, str]]:
    """The word diff as first written: a token loop and upstream's Python diff_main."""
    dmp = _upstream_engine()
    vocabulary: dict[str, str] = {}

    def encode(text: str) -> str:
        chars = []
        for token in patching._TOKEN.findall(text):
            if token not in vocabulary:
                vocabulary[token] = patching._token_char(len(vocabulary))
            chars.append(vocabulary[token])
        return "".join(chars)

    encoded_old, encoded_new = encode(old), encode(new)
    diffs = dmp.diff_main(encoded_old, encoded_new, False)
    dmp.diff_cleanupSemantic(diffs)
    index = {char: token for token, char in vocabulary.items()}
    diffs = [(code, "".join(index[c] for c in chars)) for code, chars in diffs]
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
    if rng.random() < 0.5:  # move a block of lines as well
        start = rng.randrange(len(lines) // 2)
        block, lines = lines[start:start + 12], lines[:start] + lines[start + 12:]
        at = rng.randrange(len(lines))
        lines[at:at] = block
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(old=st.text(max_size=300), new=st.text(max_size=300))
def test_native_diff_main_equals_upstream_on_any_characters(old, new):
    assert _diff_main(old, new) == _upstream_engine().diff_main(old, new, False)


@settings(max_examples=150, deadline=None)
@given(old=texts, new=texts)
def test_word_diff_and_patch_text_equal_the_upstream_pipeline(old, new):
    assert _word_diffs(old, new) == reference_word_diffs(old, new)
    assert make_patch(old, new) == reference_patch(old, new)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 40))
def test_patch_text_equals_upstream_on_regulation_shaped_text(seed, edits):
    rng = random.Random(seed)
    old = _regulation(rng, 40)
    new = _edited(rng, old, edits)
    assert make_patch(old, new) == reference_patch(old, new)


def test_patch_text_equals_upstream_with_tokens_beyond_the_basic_plane():
    # More than 55 000 distinct tokens: their characters run past the surrogate block.
    old = " ".join(f"w{n}" for n in range(60_000))
    new = old.replace("w100 ", "w100 inserted ").replace(" w59000", "")
    assert make_patch(old, new) == reference_patch(old, new)
