"""Amending instructions cost a bounded number of readings of the text: a word edit
inside a line moves the provisions after it along instead of reading the whole text
again, and where it does, the moved provisions are exactly those a reading gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regdraft.core import instructions
from regdraft.core.instructions import apply as applying
from regdraft.core.structure import parse_structure

ROOT = Path(__file__).resolve().parents[2]
# A real statutory instrument (drafts/README or tests/fixtures/README give its source).
REAL = (ROOT / "drafts" / "children-social-care-delegation" / "versions" / "0001.md").read_text()
# Real texts of each kind, one with front matter (tests/fixtures/README gives their sources).
FIXTURES = ROOT / "tests" / "fixtures"
REAL_OF_KINDS = [
    (REAL, "uk-si"),
    ((FIXTURES / "legislation" / "uksi-2014-2407_as-made.legalize-uk.md").read_text(), "uk-si"),
    ((FIXTURES / "instructions" / "ukpga-2008-23_part1_v2011-04-01.md").read_text(), "uk-act"),
    ((FIXTURES / "instructions" / "us-cfr-12-370-2.md").read_text(), "us-cfr"),
    ((FIXTURES / "instructions" / "eu-gdpr-articles-1-3.md").read_text(), "eu-act"),
]

pieces = st.sampled_from(["any person", " ", "(2)", "- (a) ", "### 4. ", "Interpretation", "1.", "“x”",
                          "regulation 3", "\u00a0", "# ", "(b)", "Part 2", "—", "word", "", "”", "\n", "---",
                          "_ _ _", "...", "Article 4", "(i)", "§ 370.3", "Chapter 2"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_OF_KINDS), st.integers(min_value=0), st.integers(min_value=0, max_value=30), pieces)
def test_a_moved_tree_is_the_tree_a_reading_gives(real, at, length, inserted):
    text, kind = real
    start = at % len(text)
    end = min(len(text), start + length)
    applying.provision_tree(text, kind)
    result = applying.edit(text, start, end, inserted, kind)
    kept = applying._TREES.get((result, kind))
    if kept is not None:
        assert kept.structure.provisions == parse_structure(result, kind=kind, strict=False).provisions
        assert kept.structure.text == result


def _regulations(n: int) -> str:
    return "# The Example Regulations\n\n" + "".join(
        f"### {k}. Heading {k}\n\n(1) A local authority may delegate function {k} to any person.\n\n"
        f"(2) The person must report.\n\n" for k in range(1, n + 1))


def test_instructions_for_many_word_edits_read_the_whole_text_a_few_times(monkeypatch):
    old = _regulations(150)
    new = old.replace("to any person.", "to a body that is not-for-profit.")
    readings = []
    real = applying.parse_structure

    def counted(text, **kw):
        if len(text) > 1000:
            readings.append(len(text))
        return real(text, **kw)

    monkeypatch.setattr(applying, "parse_structure", counted)
    applying._TREES.clear()
    numbered = instructions.generate(old, new)
    assert len(numbered) == 150
    assert instructions.parse(instructions.render_instructions(numbered), old) == new
    # The old text, the new one, and a reading again where the final check starts from
    # the old text once more: not one reading per instruction (there were 301 and 451).
    assert len(readings) <= 4, len(readings)


def test_instructions_spend_the_budget_they_are_given_and_stop_past_it():
    import pytest

    from regdraft.core import budget
    from regdraft.core.errors import OverBudget, WorkStopped

    old = _regulations(40)
    new = old.replace("to any person.", "to a body that is not-for-profit.")
    with budget.limited("amending instructions", 10**9) as spent:
        assert len(instructions.generate(old, new)) == 40
    assert spent.spent >= 40 * len(old)  # each of the 40 tries read the text once
    with budget.limited("amending instructions", 5 * len(new)) as spent, pytest.raises(OverBudget):
        instructions.generate(old, new)
    assert spent.spent <= 7 * len(new)  # stopped at the first checkpoint past the limit
    tries = []
    with budget.limited("amending instructions", 10**9, stopped=lambda: len(tries) > 3 or tries.append(1)) as spent, \
            pytest.raises(WorkStopped):
        instructions.generate(old, new)
    assert spent.spent <= 5 * len(new)  # the client left: four tries, not forty
