"""What a reviewer reads, on top of the word diff: citation labels replaced whole, common
text that says something kept common, white space joined to the change beside it."""

from __future__ import annotations

import re
from typing import Iterable

from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_sequences

# What a reviewer reads ---------------------------------------------------------------

# A citation label: a chain of bracketed labels, "(a)(1)(i)", "(4A)", "(*1*)", or a CFR
# section sign and number, "§ 1005.2(a)". It is one token: a change replaces it whole.
LABEL = (r"§§?[^\S\n]*[0-9]+(?:\.[0-9]+)*[a-z]?(?:\((?:[0-9]+[A-Za-z]*|[A-Za-z]{1,6}|\*[0-9a-z]+\*)\))*"
          r"|(?:\((?:[0-9]+[A-Za-z]*|[A-Za-z]{1,6}|\*[0-9a-z]+\*)\))+")
_LABEL_TOKEN = re.compile(LABEL)
# A word, a label or another character with the blanks after it: matched as a whole,
# so that a diff lines up words, not the spaces between them.
_REVIEW_TOKEN = re.compile(rf"(?:{LABEL}|\w+|[^\w\s])[^\S\n]*|\n|[^\S\n]+")
WORD = re.compile(r"\w+")
_REACH = 40
"""How far either side of a change's edge a label that it cuts can start or end."""


def reviewed(ops: Iterable[Op]) -> list[Op]:
    """The diff as a reviewer reads it (see the module's notes): each run of changes
    between common text widened to whole citation labels and diffed again word by word
    with labels as atoms, keeping the common text between its edits that says
    something; a change of white space only beside another source's change made part
    of it. Both texts are rebuilt exactly as before."""
    ops = [op for op in ops if op.text]
    out: list[Op] = []
    i = 0
    while i < len(ops):
        if ops[i].kind == EQUAL:
            out.append(ops[i])
            i += 1
            continue
        j = _run_end(ops, i)
        run = ops[i:j]
        preceding = out[-1].text if out and out[-1].kind == EQUAL else ""
        following = ops[j].text if j < len(ops) else ""
        left, right = _label_reach(preceding, ops, i, j)
        while right >= len(following) and j + 1 < len(ops) and len({op.source for op in ops[i:_run_end(ops, j + 1)]}) == 1:
            # The common text up to the next run of changes is inside one label: the two
            # runs are one change of that label.
            ops[j:j + 1] = [Op(DELETE, following, run[0].source), Op(INSERT, following, run[0].source)]
            j = _run_end(ops, j)
            run = ops[i:j]
            following = ops[j].text if j < len(ops) else ""
            left, right = _label_reach(preceding, ops, i, j)
        if len({op.source for op in run}) > 1:
            out.extend(_white_space_joined(run))
        else:
            if left:
                out[-1] = Op(EQUAL, preceding[:-left])
            if right:
                ops[j] = Op(EQUAL, following[right:])
            deleted = preceding[len(preceding) - left:] + "".join(op.text for op in run if op.kind == DELETE) \
                + following[:right]
            inserted = preceding[len(preceding) - left:] + "".join(op.text for op in run if op.kind == INSERT) \
                + following[:right]
            out.extend(_rediffed(deleted, inserted, run[0].source))
            if out and not out[-1].text:
                out.pop()
        i = j
    return [op for op in out if op.text]


def _run_end(ops: list[Op], i: int) -> int:
    """Where the run of changes starting at ``ops[i]`` ends (the next equal op)."""
    while i < len(ops) and ops[i].kind != EQUAL:
        i += 1
    return i


def _label_reach(preceding: str, ops: list[Op], i: int, j: int) -> tuple[int, int]:
    """How many characters of the common text before and after the run of changes
    ``ops[i:j]`` belong to a label the run's edges cut, in the old text or the new
    (``preceding`` is the common text before the run)."""
    left = right = 0
    before = preceding[-_REACH:]
    following = ops[j].text if j < len(ops) else ""
    # A label holds no blank but after "§": an edge with a blank (or nothing) on one side,
    # and no "§" just before it, cuts no label. Most edges are between words.
    if not any(_may_cut(before, op.text) or _may_cut(op.text, following) for op in ops[i:j]):
        return 0, 0
    for kind, other in ((DELETE, INSERT), (INSERT, DELETE)):
        changed = "".join(op.text for op in ops[i:j] if op.kind == kind)
        after = []
        size = 0
        for op in ops[j:]:  # this side's text after the run, far enough to hold a label
            if op.kind != other:
                after.append(op.text[:_REACH])
                size += len(after[-1])
                if size >= _REACH:
                    break
        window = before + changed + "".join(after)
        edges = (len(before), len(before) + len(changed))
        for match in _LABEL_TOKEN.finditer(window):
            if match.start() < edges[0] < match.end():
                left = max(left, edges[0] - match.start())
            if match.start() < edges[1] < match.end():
                right = max(right, match.end() - edges[1])
    return left, right


def _may_cut(before: str, after: str) -> bool:
    """Whether a label could run across the point between ``before`` and ``after``."""
    if not before or not after:
        return False
    if before[-1].isspace():
        return before.rstrip()[-1:] == "§" and not after[0].isspace()
    return not after[0].isspace()


def _rediffed(old: str, new: str, source: str | None) -> list[Op]:
    """``old`` replaced by ``new``, diffed on reviewer's tokens (labels whole, words,
    blanks, line ends, other characters) with no cleanup but this: common text between
    two edits that holds no label, no line end and fewer than three words is made
    part of the change ("the", " of a "), so a replacement reads as one."""
    if not old or not new:
        return [Op(DELETE, old, source), Op(INSERT, new, source)]
    old_tokens, new_tokens = _REVIEW_TOKEN.findall(old), _REVIEW_TOKEN.findall(new)
    pieces: list[list] = []  # [kind, old text, new text]
    at_old = at_new = 0
    for kind, old_count, new_count in diff_sequences(old_tokens, new_tokens):
        old_text = "".join(old_tokens[at_old:at_old + old_count])
        new_text = "".join(new_tokens[at_new:at_new + new_count])
        at_old, at_new = at_old + old_count, at_new + new_count
        if kind != EQUAL and pieces and pieces[-1][0] != EQUAL:
            pieces[-1][1] += old_text
            pieces[-1][2] += new_text
        else:
            pieces.append([kind, old_text, new_text])
    # Common text between two edits that says nothing is part of the change.
    merged: list[list] = []
    for n, piece in enumerate(pieces):
        between = 0 < n < len(pieces) - 1
        if piece[0] == EQUAL and not (between and not _says_something(piece[1])):
            merged.append(piece)
        elif merged and merged[-1][0] != EQUAL:
            merged[-1][1] += piece[1]
            merged[-1][2] += piece[2]
        else:
            merged.append([DELETE, piece[1], piece[2]])
    out: list[Op] = []
    for kind, old_text, new_text in merged:
        if kind == EQUAL:
            out.append(Op(EQUAL, old_text))
            continue
        if old_text:
            out.append(Op(DELETE, old_text, source))
        if new_text:
            out.append(Op(INSERT, new_text, source))
    return out


def _says_something(common: str) -> bool:
    return "\n" in common or _LABEL_TOKEN.search(common) is not None or len(WORD.findall(common)) >= 3


def _white_space_joined(run: list[Op]) -> list[Op]:
    """A run of changes by several sources, each op of white space only beside an op of
    the same kind by another source made part of it: a line end one step added after
    another step's inserted regulation is that regulation's, not a change of its own."""
    out: list[Op] = []
    for op in run:
        if out and out[-1].kind == op.kind and not op.text.strip():
            out[-1] = Op(op.kind, out[-1].text + op.text, out[-1].source)
        elif out and out[-1].kind == op.kind and not out[-1].text.strip():
            out[-1] = Op(op.kind, out[-1].text + op.text, op.source)
        else:
            out.append(op)
    return out


def merged_ops(ops: list[Op]) -> list[Op]:
    merged: list[Op] = []
    for op in ops:
        if merged and (merged[-1].kind, merged[-1].source) == (op.kind, op.source):
            merged[-1] = Op(op.kind, merged[-1].text + op.text, op.source)
        else:
            merged.append(op)
    return merged
