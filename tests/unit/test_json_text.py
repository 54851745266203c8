"""The JSON writer of large bodies (``regdraft.json_text``, orjson) writes what the
standard library wrote before it: the same text for any value these bodies hold, and
for the JSON diffs and redlines of real texts of each kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft import json_text
from regdraft.core.diffing import diff_texts
from regdraft.services.comparisons import compare_texts

ROOT = Path(__file__).resolve().parents[2]
LEGISLATION = ROOT / "tests" / "fixtures" / "legislation"
REAL = {
    "uk-si": LEGISLATION / "uksi-2014-2407_as-made.legalize-uk.md",
    "uk-act": ROOT / "tests" / "fixtures" / "instructions" / "ukpga-2008-23_part1_v2011-04-01.md",
    "us-cfr": LEGISLATION / "ecfr-12-1005-2011.md",
    "eu-act": LEGISLATION / "eu-32020R0111.md",
}


def _standard(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


# Every character but lone surrogates (no text may hold one: core/policy.py), controls,
# quotes, backslashes and astral characters included; integers in 64 bits; no floats,
# whose exponent the two spell differently (1e-07, 1e-7), and which these bodies round.
_text = st.text(st.characters(exclude_categories=("Cs",)))
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_pretty_writes_what_the_standard_library_writes(value):
    assert json_text.pretty(value) == _standard(value)
    assert json_text.pretty_utf8(value) == _standard(value).encode()
    assert json.loads(json_text.compact(value)) == value


@pytest.mark.parametrize("kind", sorted(REAL))
def test_a_real_diff_is_written_as_before(kind):
    old = REAL[kind].read_text(encoding="utf-8")
    new = old.replace(" the ", " the — “new” ", 5).replace("\n\n", "\n\n\t\n", 1)
    comparison = compare_texts("old", old, "new", new, kind)
    assert comparison.diff == diff_texts(old, new, kind)
    body = comparison.as_json(unchanged=True)
    assert json_text.pretty(body) == _standard(body)
    assert json_text.compact(body) == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_text.filter(lambda key: key != "items"), _values, max_size=4),
       st.lists(_values, max_size=5))
def test_a_listing_written_item_by_item_is_the_whole_value_written(head, items):
    assert json_text.pretty_utf8_listing(head, "items", iter(items)) == json_text.pretty_utf8({**head, "items": items})
    assert json_text.compact_listing(head, "items", iter(items)) == json_text.compact({**head, "items": items})


@pytest.mark.parametrize("kind", ["uk-si", "us-cfr"])
def test_a_comparisons_json_written_change_by_change_is_its_json_written_whole(kind):
    old = REAL[kind].read_text(encoding="utf-8")
    new = old.replace(" the ", " the — 🙂 ", 9)  # a character beyond U+FFFF: ranges in UTF-16 too
    comparison = compare_texts("old", old, "new", new, kind)
    assert comparison.json_utf8() == json_text.pretty_utf8(comparison.as_json())
    assert (comparison.json_utf8(unchanged=True, indented=False)
            == json_text.compact(comparison.as_json(unchanged=True)))
