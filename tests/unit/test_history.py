"""The attributed diff of a history (core/history.py) carries runs, not characters:
it must give the groups that carrying every character one by one gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regdraft.core.diffing import TextDiff, group_by_provision
from regdraft.core.history import Step, diff_steps
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_words


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
        for op in diff_words(current, step.text):
            n = len(op.text)
            if op.kind == EQUAL:
                next_origin += origin[at:at + n]
                next_made_by += made_by[at:at + n]
                at += n
            elif op.kind == DELETE:
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
