"""The attributed diff of a history (core/history.py) carries runs, not characters:
it must give the groups that carrying every character one by one gives, each step's
own diff (:func:`step_diff`) being a diff of the text before it into its text."""

from __future__ import annotations

import os
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import TextDiff, group_by_provision
from regdraft.core import history
from regdraft.core.history import History, Step, diff_steps, step_diff
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, applied_in_turn, diff_words, make_patch, parse_patch


def per_character(base: str, steps: list[Step]) -> TextDiff:
    """The definition: what each character of the current text is (a base offset, or
    -1 if inserted) and who inserted it, carried one character at a time; then the
    final text read character by character, each deleted base character shown before
    the kept one after it, and adjacent characters of one kind and source merged."""
    current = base
    origin: list[int] = list(range(len(base)))
    made_by: list[str | None] = [None] * len(base)
    deleted_by: list[str | None] = [None] * len(base)
    for step in steps:
        next_origin: list[int] = []
        next_made_by: list[str | None] = []
        at = 0
        for kind, n in step_diff(current, step):
            if kind == EQUAL:
                next_origin += origin[at:at + n]
                next_made_by += made_by[at:at + n]
                at += n
            elif kind == DELETE:
                for base_offset in origin[at:at + n]:
                    if base_offset >= 0:
                        deleted_by[base_offset] = step.source
                at += n
            else:
                next_origin += [-1] * n
                next_made_by += [step.source] * n
        current, origin, made_by = step.text, next_origin, next_made_by
    ops: list[Op] = []

    def emit(kind: str, char: str, source: str | None) -> None:
        if ops and ops[-1].kind == kind and ops[-1].source == source:
            ops[-1] = Op(kind, ops[-1].text + char, source)
        else:
            ops.append(Op(kind, char, source))

    next_base = 0

    def delete_until(end: int) -> None:
        nonlocal next_base
        while next_base < end:
            emit(DELETE, base[next_base], deleted_by[next_base])
            next_base += 1

    kept_after = [len(base)] * (len(current) + 1)
    for i in range(len(current) - 1, -1, -1):
        kept_after[i] = origin[i] if origin[i] >= 0 else kept_after[i + 1]
    for i, char in enumerate(current):
        if origin[i] >= 0:
            delete_until(origin[i])
            emit(EQUAL, char, None)
            next_base = origin[i] + 1
        else:
            delete_until(kept_after[i])
            emit(INSERT, char, made_by[i])
    delete_until(len(base))
    return group_by_provision(base, current, ops)


block = st.sampled_from(["### 3. A\n\n", "### 4. B\n\n", "(1) The body must.\n\n", "(2) It may not.\n\n",
                         "- (a) profit;\n", "- (b) not for profit;\n", "words and more words ", "profit ",
                         "\n", "regulation ", "é—“x”"])
text = st.lists(block, max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(text, st.lists(text, min_size=1, max_size=5))
def test_runs_give_the_groups_of_the_per_character_definition(base, texts):
    steps = [Step(t, f"step-{i}") for i, t in enumerate(texts)]
    assert diff_steps(base, steps).groups == per_character(base, steps).groups


def test_words_inserted_then_deleted_vanish_and_each_change_names_its_step():
    base = "### 1. A\n\nThe body must act.\n"
    steps = [Step(base.replace("must", "must promptly"), "first"),
             Step(base.replace("must", "shall"), "second"),
             Step(base.replace("must", "shall").replace("act", "act fairly"), "third")]
    diff = diff_steps(base, steps)
    changes = [(op.kind, op.text.strip(), op.source) for group in diff.changes for op in group.ops
               if op.kind != EQUAL and op.text.strip()]
    assert changes == [(DELETE, "must", "second"), (INSERT, "shall", "second"), (INSERT, "fairly", "third")]
    assert diff.old_text() == base and diff.new_text() == steps[-1].text


def test_no_steps_is_no_change_and_an_empty_base_is_all_inserted():
    assert diff_steps("### 1. A\n\nText.\n", []).changes == ()
    inserted = diff_steps("", [Step("### 1. A\n\nText.\n", "new")])
    assert {(op.kind, op.source) for group in inserted.groups for op in group.ops} == {(INSERT, "new")}


def applied(base: str, targets: list[str]) -> list[Step]:
    """Amendments against one base (its texts), applied in turn, as steps that say
    where each changed the text before it."""
    patches = [parse_patch(make_patch(base, target)) for target in targets if target != base]
    return [Step(r.text, f"step-{i}", r.changed) for i, r in enumerate(applied_in_turn(patches, base, partial=True))]


@settings(max_examples=300, deadline=None)
@given(text, st.lists(text, min_size=1, max_size=5))
def test_steps_that_say_where_they_changed_give_the_groups_of_the_definition(base, targets):
    steps = applied(base, targets)
    assert diff_steps(base, steps).groups == per_character(base, steps).groups


@settings(max_examples=300, deadline=None)
@given(text, st.lists(text, min_size=1, max_size=5))
def test_a_step_diff_is_a_diff_of_the_text_before_into_the_step_and_changes_nothing_outside_its_span(base, targets):
    before = base
    for step in applied(base, targets):
        first_line, after_last_line = 0, len(before)  # where the step's changed lines lie
        if step.changed is not None:
            start, old_end, _ = step.changed
            first_line = before.rfind("\n", 0, start) + 1
            after_last_line = before.find("\n", old_end) + 1 or len(before)
        old_at = new_at = 0
        for kind, n in step_diff(before, step):
            if kind == EQUAL:
                assert before[old_at:old_at + n] == step.text[new_at:new_at + n]
            else:
                assert first_line <= old_at and old_at + (n if kind == DELETE else 0) <= after_last_line
            if kind != INSERT:
                old_at += n
            if kind != DELETE:
                new_at += n
        assert (old_at, new_at) == (len(before), len(step.text))
        before = step.text


def test_a_step_that_says_where_it_changed_reads_only_those_lines():
    """Where the text repeats, the step's own place decides which copy changed. The
    first amendment repeats a regulation; the second deletes the regulation, and is
    applied where its patch deleted it: the net diff keeps the base's words and says
    which blank line each amendment made or took. A diff of the whole texts would
    read the second amendment as deleting the copy, and show no change at all."""
    base = "### 3. A\n\n"
    steps = applied(base, [base + base, ""])
    assert [s.text for s in steps] == [base + base, base]
    ops = [(op.kind, op.text, op.source) for group in diff_steps(base, steps).groups for op in group.ops]
    assert ops == [(EQUAL, "### 3. A\n", None), (DELETE, "\n", "step-1"), (INSERT, "\n", "step-0")]
    whole = diff_steps(base, [Step(s.text, s.source) for s in steps])
    assert whole.changes == ()


def carried_every_run(base: str, steps: list[Step]) -> tuple[list[tuple[int, int, str | None]], list]:
    """The oracle: the runs and deletions of the algorithm before blocks, which carried
    every run of the text at every step (each step's ops over the whole text)."""
    runs = [history._Run(len(base), 0, None)] if base else []
    deletions: list[tuple[int, int, str]] = []
    current = base
    for step in steps:
        runs = history._carry(runs, step_diff(current, step), step.source, deletions)
        current = step.text
    return [(r.length, r.origin, r.made_by) for r in runs], deletions


def chained(base: str, texts: list[str]) -> list[Step]:
    """Each text as a step from the one before, saying where it changed it: between
    the longest common start and end (so later steps delete and replace what earlier
    ones inserted)."""
    steps, before = [], base
    for i, after in enumerate(texts):
        start = len(os.path.commonprefix([before, after]))
        end = len(os.path.commonprefix([before[start:][::-1], after[start:][::-1]]))
        steps.append(Step(after, f"step-{i}", (start, len(before) - end, len(after) - end)))
        before = after
    return steps


splice = st.tuples(st.integers(0, 30), st.integers(0, 3), st.lists(block, max_size=3))
"""An edit of a text as a list of blocks: where, how many blocks go, what comes in."""


@settings(max_examples=400, deadline=None)
@given(st.lists(block, max_size=25), st.lists(st.one_of(splice, st.integers(0, 8)), min_size=1, max_size=10),
       st.integers(1, 4), st.booleans())
@example(["### 3. A\n\n", "(1) The body must.\n\n"], [(1, 0, ["- (a) profit;\n"]), 0], 1, False)
def test_carrying_only_the_blocks_a_step_touches_gives_the_runs_of_carrying_every_run(blocks, edits, block, patched):
    """Amendments of one base applied in turn, or texts each changed from the last by
    an edit; a number goes back to an earlier text (undoing the steps since)."""
    versions = [blocks]
    for edit in edits:
        if isinstance(edit, int):
            versions.append(versions[min(edit, len(versions) - 1)])
        else:
            at, removed, inserted = edit
            last = versions[-1]
            versions.append(last[:at] + inserted + last[at + removed:])
    base, texts = "".join(blocks), ["".join(v) for v in versions[1:]]
    steps = applied(base, texts) if patched else chained(base, texts)
    with patch.object(history, "BLOCK", block):
        kept = History(base)
        for step in steps:
            kept.add(step)
    assert ([(r.length, r.origin, r.made_by) for r in kept._runs], kept._deletions) == carried_every_run(base, steps)
    assert sum(kept._lengths) == len(kept.current) and all(0 < len(b) <= block for b in kept._blocks)
