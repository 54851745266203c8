"""Patches: made from two texts as standard diff-match-patch patch text, with context
that is unique nearby, and read back into hunks."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Iterable

from diff_match_patch import diff_match_patch, patch_obj

from regdraft.core.errors import InvalidPatch
from regdraft.core.patching.diffs import word_diffs
from regdraft.core.patching.engine import CODE_OF_KIND, DELETE, EQUAL, INSERT, KIND_OF_CODE, Op, new_engine


@dataclass(frozen=True)
class Hunk:
    """One hunk of a patch, with its place in the base text.

    ``start``/``end`` delimit the text the hunk changes in the base (context
    excluded); for a pure insertion they are equal. ``new_start``/``new_end`` delimit
    what it puts there in the patched text.
    """

    index: int
    header: str
    before: str
    after: str
    start: int
    end: int
    new_start: int
    new_end: int
    context_start: int
    ops: tuple[Op, ...]

    @property
    def looks_for(self) -> tuple[int, int]:
        """Where the text the hunk looks for when it is applied (its change and the
        context around it, ``before``) stands in the base."""
        return self.context_start, self.context_start + len(self.before)

    @property
    def deleted(self) -> str:
        return "".join(op.text for op in self.ops if op.kind == DELETE)

    @property
    def inserted(self) -> str:
        return "".join(op.text for op in self.ops if op.kind == INSERT)


@dataclass(frozen=True)
class Patch:
    """A parsed patch: its canonical text and its hunks, in order."""

    text: str
    hunks: tuple[Hunk, ...]


def make_patch(old: str, new: str, ops: Iterable[Op] | None = None) -> str:
    """Patch text (diff-match-patch format) that turns ``old`` into ``new``; ``ops``,
    when the caller already has ``diff_words(old, new)``, saves diffing twice."""
    diffs = word_diffs(old, new) if ops is None else [(CODE_OF_KIND[op.kind], op.text) for op in ops]
    return patch_text_of(old, new, diffs)


def patch_text_of(old: str, new: str, diffs: list[tuple[int, str]]) -> str:
    """``patch_toText(patch_make(old, diffs))`` with our settings, character for
    character on texts no longer than ``_CONTEXT_WINDOW`` (on longer ones, context is
    unique within the window: see :func:`_add_context`), without upstream's cost.

    Upstream rebuilds its rolling copy of the text for every insertion and deletion
    (``postpatch_text[:i] + data + postpatch_text[i:]``), which is quadratic on a long
    text with many edits. The rolling text is always ``new[:p] + old[q:]`` for the
    point reached, so :class:`_RollingText` answers the same slices and uniqueness
    questions from the two texts without copying them.
    """
    dmp = new_engine()
    margin = dmp.Patch_Margin
    patches = []
    patch = patch_obj()
    rolling = _RollingText(old, new)
    char_count1 = char_count2 = 0  # upstream's counters (``char_count1`` rolls, as there)
    old_at = 0  # offset in ``old``, which upstream never needs because it copies
    for x, (code, data) in enumerate(diffs):
        if not patch.diffs and code != dmp.DIFF_EQUAL:
            patch.start1, patch.start2 = char_count1, char_count2
        if code == dmp.DIFF_INSERT:
            patch.diffs.append((code, data))
            patch.length2 += len(data)
        elif code == dmp.DIFF_DELETE:
            patch.length1 += len(data)
            patch.diffs.append((code, data))
        elif len(data) <= 2 * margin and patch.diffs and x + 1 != len(diffs):
            patch.diffs.append((code, data))
            patch.length1 += len(data)
            patch.length2 += len(data)
        if code == dmp.DIFF_EQUAL and len(data) >= 2 * margin and patch.diffs:
            _add_context(dmp, patch, rolling)
            patches.append(patch)
            patch = patch_obj()
            rolling = _RollingText(old, new, char_count2, old_at)
            char_count1 = char_count2
        if code != dmp.DIFF_INSERT:
            char_count1 += len(data)
            old_at += len(data)
        if code != dmp.DIFF_DELETE:
            char_count2 += len(data)
    if patch.diffs:
        _add_context(dmp, patch, rolling)
        patches.append(patch)
    return _patch_text(patches)


# The characters upstream's patch text leaves as they are: ``urllib.parse.quote``'s
# always-safe ones and the ones ``patch_obj.__str__`` names as safe.
_PLAIN = re.compile(r"[A-Za-z0-9_.~!*'();/?:@&=+$,# -]*")
_SIGNS = {diff_match_patch.DIFF_EQUAL: " ", diff_match_patch.DIFF_INSERT: "+",
          diff_match_patch.DIFF_DELETE: "-"}


def _patch_text(patches: list[patch_obj]) -> str:
    """Upstream ``patch_toText``, character for character, but a piece of text with
    nothing to escape skips ``urllib.parse.quote`` (a third of the cost of a patch of
    many hunks)."""
    out = []
    for patch in patches:
        out.append(f"@@ -{_coordinates(patch.start1, patch.length1)} +"
                   f"{_coordinates(patch.start2, patch.length2)} @@\n")
        for code, data in patch.diffs:
            out.append(_SIGNS[code])
            out.append(data if _PLAIN.fullmatch(data) else urllib.parse.quote(data, "!~*'();/?:@&=+$,# "))
            out.append("\n")
    return "".join(out)


def _coordinates(start: int, length: int) -> str:
    """A side of a hunk header as upstream writes it: 1-based, the length left out when 1."""
    if length == 0:
        return f"{start},0"
    if length == 1:
        return str(start + 1)
    return f"{start + 1},{length}"


class _RollingText:
    """``new[:split] + old[old_at:]``, read without being built."""

    def __init__(self, old: str, new: str, split: int = 0, old_at: int = 0) -> None:
        self.old, self.new, self.split, self.old_at = old, new, split, old_at
        self.length = split + len(old) - old_at

    def slice(self, start: int, stop: int) -> str:
        stop = min(stop, self.length)
        if start >= stop:
            return ""
        split = self.split
        if stop <= split:
            return self.new[start:stop]
        if start >= split:
            return self.old[self.old_at + start - split:self.old_at + stop - split]
        return self.new[start:split] + self.old[self.old_at:self.old_at + stop - split]

    def occurs_more_than_once(self, pattern: str, lo: int, hi: int) -> bool:
        """Upstream's ``text.find(pattern) != text.rfind(pattern)`` on ``text[lo:hi]``."""
        lo, hi = max(lo, 0), min(hi, self.length)
        if not pattern:
            return hi > lo
        split, size = self.split, len(pattern)
        found = _occurrences(self.new, pattern, lo, min(hi, split), 2)
        if found < 2 and lo < split < hi:  # occurrences across the seam
            start = max(lo, split - size + 1)
            seam = self.slice(start, min(hi, split + size - 1))
            at = seam.find(pattern)
            while at != -1 and found < 2:
                if start + at < split < start + at + size:
                    found += 1
                at = seam.find(pattern, at + 1)
        if found < 2 and hi > split:
            found += _occurrences(self.old, pattern, self.old_at + max(lo, split) - split,
                                  self.old_at + hi - split, 2 - found)
        return found > 1


def _occurrences(text: str, pattern: str, start: int, end: int, limit: int) -> int:
    """How many times ``pattern`` stands in ``text[start:end]``, counting up to ``limit``."""
    found = 0
    at = text.find(pattern, start, end) if start < end else -1
    while at != -1 and found < limit:
        found += 1
        at = text.find(pattern, at + 1, end)
    return found


# How far either side of a hunk its context must be unique (see :func:`_add_context`).
_CONTEXT_WINDOW = 32_768


def _add_context(dmp: diff_match_patch, patch: patch_obj, text: _RollingText) -> None:
    """Upstream's ``patch_addContext`` on a :class:`_RollingText`, with one change: the
    context grows while the pattern occurs more than once *within ``_CONTEXT_WINDOW``
    characters either side of the hunk*, not anywhere in the text.

    Upstream scans the whole text for every hunk, which is quadratic on a long text
    with many edits (9 s for 6 700 hunks on 5 MB). A far-away repeat cannot mislead
    :func:`apply_patch`, which takes the exact occurrence nearest to where the hunk is
    expected: it only matters to a hunk that has drifted by half the window, 16 000
    characters, in a later version. The window bounds the cost of a hunk (about 20
    microseconds), and a text no longer than it gets exactly upstream's patch.
    """
    if text.length == 0:
        return
    margin, bits = dmp.Patch_Margin, dmp.Match_MaxBits
    lo, hi = patch.start2 - _CONTEXT_WINDOW, patch.start2 + patch.length1 + _CONTEXT_WINDOW
    pattern = text.slice(patch.start2, patch.start2 + patch.length1)
    padding = 0
    while text.occurs_more_than_once(pattern, lo, hi) and (bits == 0 or len(pattern) < bits - 2 * margin):
        padding += margin
        pattern = text.slice(max(0, patch.start2 - padding), patch.start2 + patch.length1 + padding)
    padding += margin
    prefix = text.slice(max(0, patch.start2 - padding), patch.start2)
    if prefix:
        patch.diffs[:0] = [(dmp.DIFF_EQUAL, prefix)]
    suffix = text.slice(patch.start2 + patch.length1, patch.start2 + patch.length1 + padding)
    if suffix:
        patch.diffs.append((dmp.DIFF_EQUAL, suffix))
    patch.start1 -= len(prefix)
    patch.start2 -= len(prefix)
    patch.length1 += len(prefix) + len(suffix)
    patch.length2 += len(prefix) + len(suffix)


def parse_patch(text: str) -> Patch:
    """Read patch text, raising :class:`InvalidPatch` with the line that is wrong."""
    dmp = new_engine()
    if not text.strip():
        raise InvalidPatch("patch is empty: it has no hunks")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line and line[0] not in "@ +-":
            raise InvalidPatch(
                f"patch line {number}: expected a hunk header or a line starting with "
                f"' ', '+' or '-', found {line[:40]!r}", line=number)
    try:
        patches = dmp.patch_fromText(text)
    except ValueError as exc:
        raise InvalidPatch(f"patch text is malformed: {exc}") from None
    except Exception as exc:  # urllib's unquote errors on bad escapes, IndexError on stubs
        raise InvalidPatch(f"patch text is malformed: {type(exc).__name__}: {exc}") from None
    if not patches:
        raise InvalidPatch("patch is empty: it has no hunks")
    return Patch(dmp.patch_toText(patches), tuple(_hunks(patches)))


def _hunks(patches: list) -> Iterable[Hunk]:
    growth = 0  # what earlier hunks added to the text, to map back to the base
    for index, patch in enumerate(patches):
        ops = tuple(Op(KIND_OF_CODE[code], data) for code, data in patch.diffs)
        lead = len(ops[0].text) if ops and ops[0].kind == EQUAL else 0
        trail = len(ops[-1].text) if len(ops) > 1 and ops[-1].kind == EQUAL else 0
        before = "".join(op.text for op in ops if op.kind != INSERT)
        after = "".join(op.text for op in ops if op.kind != DELETE)
        base_start = patch.start1 - growth
        yield Hunk(
            index=index,
            header=str(patch).split("\n", 1)[0],
            before=before,
            after=after,
            context_start=base_start,
            start=base_start + lead,
            end=base_start + len(before) - trail,
            new_start=patch.start2 + lead,
            new_end=patch.start2 + len(after) - trail,
            ops=ops,
        )
        growth += len(after) - len(before)
