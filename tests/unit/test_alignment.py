"""Diffs that read like a reviewer's, on real texts (tests/fixtures, drafts/): provisions
aligned first and words diffed only where they changed, with the output of the whole
text's word diff where nothing moved; short common text kept; labels changed whole;
moves and renumberings named; a line end never a change of its own."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core import alignment, diffing
from regdraft.core.diffing import grouping, model, moves, owners
from regdraft.core.diffing import (ADDED, CHANGED, MOVED, MOVED_WITH_EDITS, REMOVED, RENUMBERED, diff_texts, group_by_provision,
                                   read_structure)
from regdraft.core.history import Step, diff_steps
from regdraft.core.patching import DELETE, EQUAL, INSERT, diff_words, make_patch
from regdraft.core.redline import render_html

ROOT = Path(__file__).resolve().parents[2]
LEGISLATION = ROOT / "tests" / "fixtures" / "legislation"
INSTRUCTIONS = ROOT / "tests" / "fixtures" / "instructions"
WORKED = ROOT / "drafts" / "children-social-care-delegation" / "versions"

REAL = {  # a real text of each kind, and its kind
    "uk-si": (WORKED / "0003.md").read_text(encoding="utf-8"),
    "uk-act": (INSTRUCTIONS / "ukpga-2008-23_part1_v2011-04-01.md").read_text(encoding="utf-8"),
    "us-cfr": (LEGISLATION / "ecfr-12-1005-2011.md").read_text(encoding="utf-8")[:60_000],
    "eu-act": (LEGISLATION / "eu-32020R0111.md").read_text(encoding="utf-8"),
}
CFR = (LEGISLATION / "ecfr-12-1005-2011.md").read_text(encoding="utf-8")
V1, V2, V3 = ((WORKED / f"000{n}.md").read_text(encoding="utf-8") for n in (1, 2, 3))


def _changed(diff) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(g.provision, g.status, [(op.kind, op.text) for op in g.ops if op.kind != EQUAL]) for g in diff.changes]


def _aligned(old: str, new: str, kind: str) -> list:
    return alignment.aligned_ops(old, new, read_structure(old, kind), read_structure(new, kind))


# 1. Align first, word-diff what changed -------------------------------------------------

_word = st.sampled_from(["not", "reasonably", "any", "the relevant", "in writing", "§ 1005.7", "(b)", "shall"])


@st.composite
def _edited(draw):
    """A real text of some kind with words substituted, inserted or deleted on some of
    its lines (nothing moved), and its kind."""
    kind = draw(st.sampled_from(sorted(REAL)))
    lines = REAL[kind].split("\n")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        words = lines[at].split(" ")
        where = draw(st.integers(0, len(words)))
        action = draw(st.sampled_from(["insert", "substitute", "delete"]))
        if action == "insert" or not words[0]:
            words.insert(where, draw(_word))
        elif action == "substitute":
            words[min(where, len(words) - 1)] = draw(_word)
        else:
            del words[min(where, len(words) - 1)]
        lines[at] = " ".join(words)
    return kind, REAL[kind], "\n".join(lines)


@settings(max_examples=120, deadline=None)
@given(_edited())
def test_aligned_ops_are_the_whole_texts_word_diff_where_nothing_moved(case):
    kind, old, new = case
    assert _aligned(old, new, kind) == list(diff_words(old, new))


@pytest.mark.parametrize("kind", ["uk-si", "uk-act", "us-cfr", "eu-act"])
def test_aligned_ops_are_the_word_diff_on_the_benchs_cases(kind):
    from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation

    old = KIND_TEXTS[kind](120_000, 3)
    cases = [edit_lines(old, 0.01)[0], edit_lines(old, 0.10)[0]]
    if kind == "uk-si":  # the bench inserts regulations at uk-si headings
        cases.append(insert_regulation(old))
    for new in cases:
        assert _aligned(old, new, kind) == list(diff_words(old, new))


def test_unchanged_provisions_are_not_word_diffed():
    new = CFR.replace("Transfers initiated by telephone; and", "Transfers initiated by telephone or online; and", 1)
    assert new != CFR
    with mock.patch.object(alignment, "word_diff_lengths", wraps=alignment.word_diff_lengths) as word_diff:
        diff = diff_texts(CFR, new, "us-cfr")
    assert sum(len(call.args[0]) for call in word_diff.call_args_list) < 200  # one provision, of a 295 KB part
    assert _changed(diff) == [("s1005-3-b-1-iv", CHANGED, [(INSERT, " or online")])]
    assert diff.old_text() == CFR and diff.new_text() == new


def test_the_patch_text_is_made_from_the_texts_as_before():
    """A stored amendment's patch comes from the texts, whatever the diff shows."""
    new = V3.replace("### 4.", "### 4A. Inserted\n\nText.\n\n### 4.")
    assert make_patch(V3, new) == make_patch(V3, new, diff_words(V3, new))
    assert "(4A)" not in make_patch(V3, new)


# 2. Short common text between two edits stays common text --------------------------------

def test_common_label_and_words_between_two_edits_stay_common_and_deletions_stay_in_their_provision():
    old = (LEGISLATION / "uksi-2014-2407_as-made.legalize-uk.md").read_text(encoding="utf-8")
    new = old.replace("exercisable by a local authority so far as those functions relate to children;\n\n"
                      "- (b) the functions conferred on a local authority under",
                      "exercised by an authority in relation to a child looked after by it;\n\n"
                      "- (b) any function given to the council by")
    assert new != old
    changes = dict((provision, ops) for provision, _, ops in _changed(diff_texts(old, new)))
    # The word diff's semantic cleanup deleted ";\n\n- (b) the functions ..." from 3(a) and inserted it again.
    assert not any(";" in text or "(b)" in text for _, text in changes["reg-3-a"])
    assert changes["reg-3-b"] == [(DELETE, "the functions conferred on a local authority under"),
                                  (INSERT, "any function given to the council by")]


def test_a_sentence_opening_between_two_rewritten_passages_is_kept():
    old = CFR[:40_000]
    passage = ("(2) The financial institution treats an inquiry for clarification or documentation as a notice "
               "of error in accordance with § 1005.11.")
    at = old.index(passage)
    before = old.rfind("\n\n", 0, at - 2)
    new = (old[:before] + "\n\nA consumer who asks for an explanation of any entry on a periodic statement is to be "
           "given one without charge.\n\n(2) The financial institution must answer every such question in "
           "writing within ten business days." + old[at + len(passage):])
    changes = _changed(diff_texts(old, new, "us-cfr"))
    # The word diff deleted "(2) The financial institution" with the words around it and inserted it again.
    assert ("s1005-9-2", CHANGED, [(DELETE, "treats an inquiry for clarification or documentation as a notice of "
                                            "error in accordance with § 1005.11"),
                                   (INSERT, "must answer every such question in writing within ten business days")]
            ) in changes


# 3. Labels change whole ----------------------------------------------------------------

def test_a_paragraph_label_and_a_section_citation_change_whole():
    relabelled = CFR.replace("(iv) Transfers initiated by telephone; and", "(v) Transfers initiated by telephone; and", 1)
    assert [ops for _, _, ops in _changed(diff_texts(CFR, relabelled, "us-cfr"))] == [[(DELETE, "(iv)"),
                                                                                        (INSERT, "(v)")]]
    cited = CFR.replace("§ 1005.2(b)(2)", "§ 1005.3(b)(1)", 1)
    assert [ops for _, _, ops in _changed(diff_texts(CFR, cited, "us-cfr"))] == [[(DELETE, "§ 1005.2(b)(2)"),
                                                                                   (INSERT, "§ 1005.3(b)(1)")]]
    chained = CFR.replace("paragraphs (a)(1)(i) through (vi)", "paragraphs (a)(1)(ii) through (vi)", 1)
    assert [ops for _, _, ops in _changed(diff_texts(CFR, chained, "us-cfr"))] == [[(DELETE, "(a)(1)(i)"),
                                                                                    (INSERT, "(a)(1)(ii)")]]


# 4. Moves and renumberings ---------------------------------------------------------------

def _swapped_4_and_5(text: str) -> str:
    four, five, signed = text.index("### 4."), text.index("### 5."), text.index("## Signed")
    return text[:four] + text[five:signed] + text[four:five] + text[signed:]


def test_a_provision_moved_elsewhere_is_a_move_not_a_cascade_of_substitutions():
    moved = _swapped_4_and_5(V3)
    diff = diff_texts(V3, moved)
    statuses = [(g.provision, g.status, g.relocation.kind if g.relocation else None) for g in diff.changes]
    assert statuses == [("reg-4", REMOVED, MOVED), ("reg-4", CHANGED, MOVED)]
    assert all({op.kind for op in g.ops} <= {DELETE, EQUAL} or {op.kind for op in g.ops} <= {INSERT, EQUAL}
               for g in diff.changes)  # no substitution anywhere
    assert diff.stats()["moved"] == 1
    assert diff.old_text() == V3 and diff.new_text() == moved
    html, changes = render_html(diff)
    assert [c.described for c in changes] == ["moved to regulation 4", "moved from regulation 4"]
    assert 'class="rd-del rd-moved"' in html and 'data-moved-to="reg-4"' in html


def test_a_provision_moved_and_edited_is_a_move_with_its_edit():
    """Regulation 4 of the worked SI moved after regulation 5, and one of its words
    changed on the way: a move (from and to) carrying the edit, not a removal and an
    unrelated insertion."""
    moved = _swapped_4_and_5(V3).replace("for the purposes of section 1 of the Act.",
                                         "for the purposes of section 2 of the Act.", 1)
    diff = diff_texts(V3, moved)
    statuses = [(g.provision, g.status, g.relocation.kind if g.relocation else None) for g in diff.changes]
    assert statuses == [("reg-4", REMOVED, MOVED), ("reg-4", CHANGED, MOVED)]
    relocation = diff.changes[0].relocation
    assert relocation is diff.changes[1].relocation or relocation == diff.changes[1].relocation
    assert [(op.kind, op.text.strip()) for op in relocation.edit if op.kind != EQUAL] == [(DELETE, "1"),
                                                                                          (INSERT, "2")]
    assert MOVED_WITH_EDITS <= relocation.similarity < 1
    assert diff.stats()["moved"] == 1
    assert diff.old_text() == V3 and diff.new_text() == moved
    _, changes = render_html(diff)
    assert [c.described for c in changes] == ["moved to regulation 4, edited", "moved from regulation 4, edited"]
    assert _swapped_4_and_5(V3) != moved and diff_texts(V3, _swapped_4_and_5(V3)).changes[0].relocation.edit == ()


def _senior_courts() -> str:
    from regdraft.formats import read_document

    return read_document((ROOT / "tests" / "fixtures" / "clml" / "ukpga-1981-54-part-VI-2020-08-03.xml")
                         .read_bytes()).text


def test_a_real_section_moved_and_brought_up_to_date_is_a_move_with_its_edit():
    """Section 150 of the Senior Courts Act 1981 (revised) moved to the end of Part VI,
    its "Her Majesty" made "His Majesty" (as the Acts' texts have been since 2022): a
    move with that edit; a section removed with another inserted elsewhere whose words
    are not its own (below MOVED_WITH_EDITS) is not."""
    text = _senior_courts()
    start, end = text.index("### 150 "), text.index("### 151 ")
    section = text[start:end]
    edited = section.replace("Her Majesty", "His Majesty")
    n = section.count("Her Majesty")
    assert n >= 3
    moved = text[:start] + text[end:].rstrip("\n") + "\n\n" + edited.rstrip("\n") + "\n"
    diff = diff_texts(text, moved, "uk-act")
    units = [p.id for p in read_structure(text, "uk-act").provisions if p.id.startswith("sec-150")]
    removed = [g for g in diff.changes if g.status == REMOVED]
    arrived = [g for g in diff.changes if g.relocation and g.status != REMOVED]
    # Each unit of the section (its subsections and paragraphs are groups of their own) moved.
    assert [g.provision for g in removed] == [g.provision for g in arrived] == units
    assert all(g.relocation.kind == MOVED and g.relocation.from_provision == g.relocation.to_provision
               for g in removed + arrived)
    edits = [op for g in removed for op in g.relocation.edit if op.kind != EQUAL]
    assert [(op.kind, op.text.strip()) for op in edits] == [(DELETE, "Her"), (INSERT, "His")] * n
    assert all(g.relocation.similarity >= MOVED_WITH_EDITS for g in removed)
    assert diff.old_text() == text and diff.new_text() == moved
    # Section 135 removed, and section 150's words put in its place at the end with half
    # its words rewritten: too little in common to be the same provision moved.
    words = section.split()
    rewritten = " ".join(w if k % 2 else "word" for k, w in enumerate(words))
    replaced = text[:start] + text[end:].rstrip("\n") + "\n\n### 154 Other\n\n" + rewritten + "\n"
    assert not [g for g in diff_texts(text, replaced, "uk-act").changes if g.relocation]


def test_a_renumbered_regulation_is_reported_as_renumbered_and_the_new_one_as_added():
    three = V3.index("### 3.")
    renumbered = (V3[:three] + "### 3. Interpretation of functions\n\nIn these Regulations a function includes a "
                  "power.\n\n" + re.sub(r"^### ([345])\.", lambda m: f"### {int(m[1]) + 1}.", V3[three:], flags=re.M))
    diff = diff_texts(V3, renumbered)
    summary = [(g.provision, g.status, g.relocation and (g.relocation.kind, g.relocation.from_provision))
               for g in diff.changes]
    assert summary == [("reg-3", ADDED, None), ("reg-4", CHANGED, (RENUMBERED, "reg-3")),
                       ("reg-5", CHANGED, (RENUMBERED, "reg-4")), ("reg-6", CHANGED, (RENUMBERED, "reg-5"))]
    assert diff.stats()["renumbered"] == 3


# 5. A line end is never a change of its own ----------------------------------------------

def test_the_worked_case_versions_1_to_3_show_regulation_5_inserted_once():
    diff = diff_steps(V1, [Step(V2, "profit-ban"), Step(V3, "version-3")])
    _, changes = render_html(diff)
    in_regulation_5 = [c for c in changes if c.provision == "reg-5"]
    assert [(c.described, c.source) for c in in_regulation_5] == [("inserted", "profit-ban")]
    assert all(c.deleted.strip() or c.inserted.strip() for c in changes)


def test_a_line_end_only_change_is_named_as_white_space():
    new = V3.replace("### 4.", "\n### 4.", 1)
    _, changes = render_html(diff_texts(V3, new))
    assert [c.described for c in changes] == ["white space changed"]


# The grouping of an aligned diff is the grouping of its ops ------------------------------

def test_changes_are_found_without_making_a_group_per_unchanged_provision():
    from bench.corpus import regulation_text

    old = regulation_text(300_000, 2)
    new = old.replace("### 100.", "### 100. Amended", 1)
    old_structure, new_structure = read_structure(old), read_structure(new)
    diff = diff_texts(old, new, old_structure=old_structure, new_structure=new_structure)
    assert diff._groups is None  # nothing has asked for every group yet
    assert [g.provision for g in diff.changes] == ["reg-100"]
    assert diff._groups is None
    whole = group_by_provision(old, new, diff_words(old, new))
    assert diff.groups == whole.groups and diff == whole


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(sorted(REAL)), st.floats(0, 1), st.sampled_from(["", "not ", "(c) ", "### 9. New\n\n", "\n"]),
       st.integers(0, 40))
def test_a_change_grouped_in_a_window_is_grouped_as_the_whole_text_groups_it(kind, where, inserted, deleted):
    """One change of a real text, grouped from the provisions around it (the unchanged
    ones before and after made into groups only when asked), gives the groups the whole
    text's grouping gives."""

    old = REAL[kind]
    at = int(where * len(old))
    new = old[:at] + inserted + old[at + deleted:]
    old_structure, new_structure = read_structure(old, kind), read_structure(new, kind)
    ops = diff_words(old, new)
    windowed = group_by_provision(old, new, ops, kind, old_structure=old_structure, new_structure=new_structure)
    whole = diffing.TextDiff(moves.relocated(
        grouping._group(diffing.reviewed(ops), owners.Owners(old_structure), owners.Owners(new_structure), new,
                       old_structure), owners.Owners(old_structure), old_structure))
    assert list(windowed.provisions()) == [group.provision for group in whole.groups]
    assert windowed.groups == whole.groups
    assert windowed.changes == whole.changes and windowed.stats() == whole.stats()


def _joined(merged) -> str:
    """A merged text whole, as the redline reads it."""
    from regdraft.core.redline import commonmark

    text = commonmark.MergedText(merged.text, merged.source)
    return text[0:len(text)]


@settings(max_examples=100, deadline=None)
@given(_edited(), st.booleans())
def test_the_redline_of_unchanged_runs_not_made_into_groups_is_the_redline_of_every_group(case, with_private_use):
    """The HTML redline adds a run of unchanged provisions as one piece, counting its
    provisions' lines in place: the merged text, the lines each provision's blocks start
    on and the HTML are those of the same diff with every group made."""
    from regdraft.core.redline import marking
    from regdraft.core.diffing import TextDiff

    kind, old, new = case
    if with_private_use:  # a character the redline must clean, in unchanged text
        old, new = (text.replace(" the ", " the\ue000 ", 1) for text in (old, new))
    lazy, every = diff_texts(old, new, kind), TextDiff(diff_texts(old, new, kind).groups)
    # A span around a window counts the provisions starting in it (a CFR paragraph and
    # its first child start together: one group); runs and groups count exactly.
    spans = [part for part in lazy.parts if isinstance(part, model.UnchangedSpan)]
    starting = sum(sum(1 for p in span.structure.provisions if span.start <= p.start < span.end) for span in spans)
    exact = sum(1 for part in lazy.parts if not isinstance(part, model.UnchangedSpan)
                for _ in ((part,) if isinstance(part, diffing.ProvisionDiff) else part.groups()))
    assert lazy.group_estimate() == exact + starting
    assert not spans or exact + sum(len(list(span.groups())) for span in spans) == len(every.groups)
    lazy_merge, whole_merge = marking.merge_marked(lazy), marking.merge_marked(every)
    assert lazy._groups is None or lazy.parts == lazy.groups  # the runs were not made into groups
    assert _joined(lazy_merge) == _joined(whole_merge) and lazy_merge.changes == whole_merge.changes
    assert (lazy_merge.group_lines, lazy_merge.group_provisions) == (whole_merge.group_lines,
                                                                     whole_merge.group_provisions)
    assert render_html(diff_texts(old, new, kind)) == render_html(every)


@settings(max_examples=60, deadline=None)
@given(_edited())
def test_a_run_of_unchanged_provisions_reads_the_new_text_itself(case):
    """A run of unchanged provisions holds the new text it was grouped from (offsets
    into it), not a copy of the word diff's equal text: a kept diff holds no second
    whole text. Its groups and text are the ones every group made gives."""
    from regdraft.core.diffing import ProvisionDiff, TextDiff

    kind, old, new = case
    diff = diff_words(old, new)
    lazy = group_by_provision(old, new, diff, kind)
    runs = [part for part in lazy.parts if not isinstance(part, ProvisionDiff)]
    assert all(run.text is new for run in runs)
    provisions = list(lazy.provisions())
    assert lazy._groups is None or not runs  # read without making the unchanged groups
    every = TextDiff(lazy.groups)
    assert provisions == [group.provision for group in every.groups]
    assert lazy.old_text() == old == every.old_text() and lazy.new_text() == new == every.new_text()
    assert list(lazy.placed(unchanged=True)) == list(every.placed(unchanged=True))
    for group, at_old, at_new in lazy.placed(unchanged=True):  # each group's text where it stands
        assert old[at_old:at_old + len(group.old)] == group.old and new[at_new:at_new + len(group.new)] == group.new


def test_a_long_texts_redline_leaves_its_unchanged_runs_unmade():
    from regdraft.core.diffing import ProvisionDiff

    new = CFR.replace("shall", "must", 1)
    diff = diff_texts(CFR, new, "us-cfr")
    html, changes = render_html(diff)
    assert diff._groups is None and sum(not isinstance(part, ProvisionDiff) for part in diff.parts) == 2
    assert len(changes) == 1 and 'id="s1005-2' in html


@pytest.mark.parametrize("kind,old_number,new_number,before,after", [
    ("uk-act", "##### 4\n", "##### 4A\n", ("includes a claim", "includes any claim"),
     ("(registration authorities)", "(the registration authorities)"))])
def test_a_renumbering_grouped_in_a_window_names_the_provision_it_was(kind, old_number, new_number, before, after):
    """A window's parts start part-way into the old text: the renumbered provision's old
    id is looked up where it stood there, not that far from the window's start (which
    named another provision: found by the kept-structure property on a text of many
    Parts 1). Words changed in the provisions before and after it make the window."""
    from regdraft.core.diffing import model

    old = REAL[kind]
    assert old.count(old_number) == 1
    at = old.index(old_number)
    earlier, later = old.rindex(before[0], 0, at), old.index(after[0], at)
    new = (old[:earlier] + before[1] + old[earlier + len(before[0]):at] + new_number
           + old[at + len(old_number):later] + after[1] + old[later + len(after[0]):])
    old_structure, new_structure = read_structure(old, kind), read_structure(new, kind)
    ops = diff_words(old, new)
    windowed = group_by_provision(old, new, ops, kind, old_structure=old_structure, new_structure=new_structure)
    assert any(isinstance(part, model.UnchangedSpan) for part in windowed.parts)  # it was a window
    [renumbered] = [g for g in windowed.changes if g.relocation is not None]
    was = old_structure.at(at + len(old_number) - 2)
    assert (renumbered.relocation.kind, renumbered.relocation.from_provision) == (RENUMBERED, was.id)


def test_a_one_line_paragraph_moved_and_edited_carries_its_word_edit_wherever_its_blank_lines_fall():
    """A paragraph (2) at the end of regulation 5 of the worked SI, the last words of its
    text (a removal holds the blank line before it), moved to regulation 2 (an arrival
    holds the blank line after it) with "and 17A" made "17A and 18": the move's edit is
    that change of words, not the whole paragraph deleted and inserted again around a
    shared line end."""
    regulations = V3[:V3.index("## Signed")].rstrip("\n") + "\n"
    paragraph = ("(2) The functions conferred on a local authority under section 10, 12C, 12D and 17A of the "
                 "Children Act 2004 are relevant care functions.\n")
    body = regulations.index("A body corporate", regulations.index("### 5."))
    old = regulations[:body] + "(1) " + regulations[body:] + "\n" + paragraph
    three = old.index("### 3.")
    new = (old[:three] + paragraph.replace("and 17A", "17A and 18") + "\n" + old[three:]).replace(
        "\n\n" + paragraph, "\n")
    diff = diff_texts(old, new)
    moved = {g.status: g for g in diff.changes if g.relocation}
    assert [(g.provision, status) for status, g in sorted(moved.items())] == [("reg-2-2", ADDED), ("reg-5-2", REMOVED)]
    edit = moved[REMOVED].relocation.edit
    changed = [(op.kind, op.text.strip()) for op in edit if op.kind != EQUAL and op.text.strip()]
    assert changed == [(INSERT, "17A"), (DELETE, "17A"), (INSERT, "18")]
    assert "".join(op.text for op in edit if op.kind != INSERT) == moved[REMOVED].old
    assert "".join(op.text for op in edit if op.kind != DELETE) == moved[ADDED].new


@pytest.mark.parametrize("kind", sorted(REAL))
def test_the_redline_made_as_utf8_is_the_redline_encoded(kind):
    """The html redline a response sends, made as UTF-8 (never held as a str), and its
    page, are the str redline and page encoded, byte for byte, on a real text."""
    from regdraft.core.redline import render_html_utf8, render_page, render_page_utf8

    old = REAL[kind]
    new = old.replace(" the ", " the — new ", 3)
    body, changes = render_html(diff_texts(old, new, kind))
    body_utf8, changes_utf8 = render_html_utf8(diff_texts(old, new, kind))
    assert body_utf8 == body.encode() and changes_utf8 == changes and changes
    assert render_page_utf8("A — title", body_utf8, subtitle="3 changes", notes_html="<p>n</p>") \
        == render_page("A — title", body, subtitle="3 changes", notes_html="<p>n</p>").encode()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(REAL)), st.data())
def test_aligned_ops_of_moved_and_edited_blocks_rebuild_both_texts_merged(kind, data):
    """Runs of several stretches (a block moved, another rewritten) are diffed from
    stretches cut again from the texts: the ops still rebuild both texts exactly, with
    no empty op and no two neighbours of one kind (merged, as a word diff gives them)."""
    blocks = REAL[kind].split("\n\n")
    moved = blocks.pop(data.draw(st.integers(0, len(blocks) - 1)))
    blocks.insert(data.draw(st.integers(0, len(blocks))), moved)
    rewritten = data.draw(st.integers(0, len(blocks) - 1))
    blocks[rewritten] = blocks[rewritten].replace(" the ", " any ")
    old, new = REAL[kind], "\n\n".join(blocks)
    ops = _aligned(old, new, kind)
    assert "".join(op.text for op in ops if op.kind != INSERT) == old
    assert "".join(op.text for op in ops if op.kind != DELETE) == new
    assert all(op.text for op in ops)
    assert all(a.kind != b.kind for a, b in zip(ops, ops[1:]))
