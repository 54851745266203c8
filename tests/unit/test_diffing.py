from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import ADDED, CHANGED, REMOVED, diff_texts, unified_diff

BASE = ("# Regs\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n\n"
        "### 3. Functions\n\nThe following functions—\n\n- (a) social services functions;\n"
        "- (b) the functions under section 10.\n\n### 4. Part 1\n\nA local authority’s functions.\n")


def test_changes_are_grouped_by_provision_with_words_inside():
    new = BASE.replace("social services functions", "social services functions, except child protection")
    new = new.replace("### 4. Part 1\n\nA local authority’s functions.\n", "")
    new += "### 5. Bodies\n\nA body carried on for profit may not.\n"
    d = diff_texts(BASE, new)
    summary = [(g.provision, g.status) for g in d.changes]
    assert ("reg-3-a", CHANGED) in summary
    assert ("reg-4", REMOVED) in summary or ("reg-5", CHANGED) in summary
    a = next(g for g in d.changes if g.provision == "reg-3-a")
    assert [(op.kind, op.text) for op in a.ops if op.kind != "equal"] == [("insert", ", except child protection")]
    assert d.old_text() == BASE and d.new_text() == new


def test_an_added_regulation_is_added_and_its_neighbour_unchanged():
    new = BASE + "\n### 5. Bodies\n\nA body carried on for profit may not.\n"
    d = diff_texts(BASE, new)
    assert [(g.provision, g.label, g.status) for g in d.changes] == [("reg-5", "regulation 5", ADDED)]
    assert d.stats()["added"] == 1 and d.stats()["inserted_words"] > 5


def test_unified_diff_names_the_provision_in_hunk_headers():
    new = BASE.replace("section 10", "section 10 or 12C")
    out = unified_diff(BASE, new, old_name="v1", new_name="v2")
    assert out.startswith("--- v1\n+++ v2\n")
    header = next(line for line in out.splitlines() if line.startswith("@@"))
    assert header.endswith("regulation 3(b)")
    assert "-- (b) the functions under section 10.\n+- (b) the functions under section 10 or 12C.\n" in out


fragment = st.sampled_from(["### 3. A\n\n", "### 4. B\n\n", "(1) The body must.\n\n", "- (a) profit;\n",
                            "- (b) not for profit;\n", "words and more words ", "\n", "regulation ", "é—“x”"])


@settings(max_examples=200, deadline=None)
@given(st.lists(fragment, max_size=20).map("".join), st.lists(fragment, max_size=20).map("".join))
def test_a_diff_rebuilds_both_texts(old, new):
    d = diff_texts(old, new)
    assert d.old_text() == old
    assert d.new_text() == new
    for g in d.groups:
        assert g.ops, g


@settings(max_examples=150, deadline=None)
@given(st.lists(fragment, max_size=15).map("".join),
       st.lists(st.lists(fragment, max_size=15).map("".join), min_size=1, max_size=4))
def test_an_attributed_diff_rebuilds_base_and_result_and_names_only_real_steps(base, texts):
    from regdraft.core.diffing import Step, diff_steps
    steps = [Step(text, f"step-{i}") for i, text in enumerate(texts)]
    d = diff_steps(base, steps)
    assert d.old_text() == base
    assert d.new_text() == texts[-1]
    sources = {op.source for g in d.groups for op in g.ops if op.kind != "equal"}
    assert sources <= {s.source for s in steps}
    assert all(op.source is None for g in d.groups for op in g.ops if op.kind == "equal")
