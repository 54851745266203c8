"""The diff engine: the one module that talks to diff-match-patch.

diff-match-patch's defaults are traps for a drafting tool, so every setting is chosen
here on purpose:

- ``Diff_Timeout = 0``: no wall-clock cut-off. With the default of one second a busy
  machine produces a different (worse) diff, so a stored patch would depend on load.
- Diffs are computed on **word tokens**, not characters, so hunks start and end at
  word boundaries ("for-profit" is replaced, not "for-pr" + "ofit").
- **Lines first, then words**, as git's word diff and upstream's own ``diff_lineMode``
  do: the texts are diffed a line at a time (one character per distinct line), the
  line diff gets upstream's semantic cleanup (a blank line inside a rewritten block is
  no match worth keeping), and each block of replaced lines is diffed word by word.
  Tokenising only the changed lines is what makes a long text cheap to diff; the
  price, as in git, is that words are matched within a block of replaced lines only.
  Lines found in one text only are set aside before the line diff (they can match
  nothing), as git's xdiff does: scattered edits would otherwise cost Myers'
  algorithm the square of their number.
- ``Patch_Margin = 12`` and ``Match_MaxBits = 64``: more context than upstream's 4
  characters, so a hunk can be re-found in a later version of long, repetitive legal
  text. The patch text is still standard: upstream ``patch_fromText`` reads it and
  ``patch_apply`` gives the same result on the base. Context grows until it is unique
  within ``_CONTEXT_WINDOW`` characters either side of the hunk, not in the whole text
  (see :func:`_add_context`); on a text shorter than that the patch is upstream's,
  character for character.
- ``patch_apply`` reports failed hunks as ``False`` and carries on; we never call it.
  :func:`apply_patch` locates every hunk itself (exact place, then the nearest exact
  occurrence, then the best fuzzy match that keeps every edit's edges exactly),
  applies it the way upstream does, and reports each hunk's fate. By default one
  failed hunk fails the whole application.
"""

from __future__ import annotations

import re
import sys
import urllib.parse
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import Enum
from itertools import chain, repeat
from typing import Callable, Hashable, Iterable, Iterator, Sequence

from diff_match_patch import diff_match_patch, patch_obj
from fast_diff_match_patch import diff as fast_diff

from regdraft.core.errors import InvalidPatch

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_OPS = {diff_match_patch.DIFF_EQUAL: EQUAL, diff_match_patch.DIFF_INSERT: INSERT,
        diff_match_patch.DIFF_DELETE: DELETE}
_DMP_OPS = {name: code for code, name in _OPS.items()}

# Words, runs of blanks, and single other characters. Newlines are tokens of their own
# so that a change never swallows the line structure around it.
_TOKEN = re.compile(r"\w+|[^\S\n]+|\n|[^\w\s]", re.UNICODE)


def _engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    dmp.Patch_Margin = 12
    dmp.Match_MaxBits = 64
    return dmp


_DIFF_ENGINE = _engine()
"""The engine of every word diff: made once (a replaced run's diff costs about 25 µs),
as a diff reads its settings and keeps nothing in it."""


@dataclass(frozen=True, slots=True)  # a long text has one per provision: no __dict__ each
class Op:
    """One piece of a diff: ``kind`` is ``equal``, ``insert`` or ``delete``;
    ``source`` names what made the change (an amendment), where that is known."""

    kind: str
    text: str
    source: str | None = None


def diff_words(old: str, new: str) -> tuple[Op, ...]:
    """A deterministic word-level diff; joining the non-insert ops gives ``old``,
    the non-delete ops ``new``."""
    return tuple(Op(_OPS[code], text) for code, text in _word_diffs(old, new))


def word_diff_lengths(old: str, new: str) -> list[tuple[str, int]]:
    """:func:`diff_words` as the kind and length of each op: what a caller that cuts
    the texts itself needs (no op made, a long diff's thousands)."""
    return [(_OPS[code], len(text)) for code, text in _word_diffs(old, new)]


def _word_diffs(old: str, new: str) -> list[tuple[int, str]]:
    """Lines first, then words (see the module's notes): the line diff of the lines
    between the whole lines both texts share at the start and end, each replaced block
    word by word, then upstream's lossless cleanup once on the real text."""
    dmp = _DIFF_ENGINE
    # Whole lines the texts share at the start and at the end stay out of the line diff.
    shared_head = dmp.diff_commonPrefix(old, new)
    head = old.rfind("\n", 0, shared_head) + 1
    shared_end = dmp.diff_commonSuffix(old, new)
    shared_tail = min(shared_end, len(old) - head, len(new) - head)
    old_end = old.find("\n", len(old) - shared_tail) + 1 if shared_tail else 0
    old_end = old_end or len(old)
    new_end = len(new) - (len(old) - old_end)
    # Lines as ``str.splitlines`` cuts them (at "\n", and at the rarer separators such
    # as U+2028 too): any cut gives a correct diff, and this one is the fastest.
    old_lines = old[head:old_end].splitlines(keepends=True)
    new_lines = new[head:new_end].splitlines(keepends=True)
    if set(old_lines).isdisjoint(new_lines):
        # The usual replaced run (a line or two, each with a word changed): no line is
        # in both, so the line diff is the deletion of the old lines and the insertion
        # of the new, which upstream's cleanup leaves as it is (no equality to weigh, no
        # overlap of line characters to pull out): one block, whose shared start and
        # end are those of the whole texts, less the lines set aside.
        merged = _merged_few([(dmp.DIFF_EQUAL, old[:head]),
                              *_block_diffs(dmp, old[head:old_end], new[head:new_end],
                                            (shared_head - head, shared_end - (len(old) - old_end))),
                              (dmp.DIFF_EQUAL, old[old_end:])])
        dmp.diff_cleanupSemanticLossless(merged)
        return merged
    line_diffs = _line_diffs(old_lines, new_lines)
    # On the line characters, so that a line counts as one: on the text itself the
    # cleanup would also pull a shared run of characters ("(1) The authorit") out of a
    # replaced block, and the words after it would be split.
    dmp.diff_cleanupSemantic(line_diffs)
    diffs = _MergedDiffs()
    diffs.add(dmp.DIFF_EQUAL, old[:head])
    at_old = at_new = 0  # line indices
    deleted = inserted = 0  # lines in the replaced region being gathered
    for code, chars in line_diffs + [(dmp.DIFF_EQUAL, "")]:
        if code == dmp.DIFF_DELETE:
            deleted += len(chars)
        elif code == dmp.DIFF_INSERT:
            inserted += len(chars)
        else:
            old_text = "".join(old_lines[at_old:at_old + deleted])
            new_text = "".join(new_lines[at_new:at_new + inserted])
            diffs.extend(_block_diffs(dmp, old_text, new_text))
            at_old += deleted
            at_new += inserted
            diffs.add(dmp.DIFF_EQUAL, "".join(old_lines[at_old:at_old + len(chars)]))
            at_old += len(chars)
            at_new += len(chars)
            deleted = inserted = 0
    diffs.add(dmp.DIFF_EQUAL, old[old_end:])
    merged = diffs.diffs()
    # Slide each edit to the nicest boundary (blank line, line end, word end) now that
    # the real characters are back: "### 5. ...\n\n### " becomes "\n\n### 5. ...".
    dmp.diff_cleanupSemanticLossless(merged)
    return merged


def _merged_few(diffs: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """A few diffs merged: no empty piece, no two neighbours of one kind (joined two at a
    time, which only a few pieces make cheaper than :class:`_MergedDiffs`)."""
    merged: list[tuple[int, str]] = []
    for code, text in diffs:
        if not text:
            continue
        if merged and merged[-1][0] == code:
            merged[-1] = (code, merged[-1][1] + text)
        else:
            merged.append((code, text))
    return merged


class _MergedDiffs:
    """Diffs built piece by piece; a piece of the same kind as the one before joins it."""

    def __init__(self) -> None:
        self._codes: list[int] = []
        self._pieces: list[list[str]] = []

    def add(self, code: int, text: str) -> None:
        if not text:
            return
        if self._codes and self._codes[-1] == code:
            self._pieces[-1].append(text)
        else:
            self._codes.append(code)
            self._pieces.append([text])

    def extend(self, diffs: Iterable[tuple[int, str]]) -> None:
        for code, text in diffs:
            self.add(code, text)

    def diffs(self) -> list[tuple[int, str]]:
        return [(code, "".join(pieces)) for code, pieces in zip(self._codes, self._pieces)]


def _line_diffs(old_lines: list[str], new_lines: list[str]) -> list[tuple[int, str]]:
    """Upstream ``diff_main`` over lines, one character per distinct line, on the lines
    that occur in both texts (:func:`_set_aside_diff`)."""
    vocabulary, (old_chars, new_chars) = _encoded(old_lines, new_lines)
    # The vocabulary's own characters: a set of a text's characters would make an
    # object for each one past Latin-1 (two sets of 46 000 took 11 MB at 5 MB).
    in_old, in_new = set(map(vocabulary.__getitem__, old_lines)), set(map(vocabulary.__getitem__, new_lines))
    if in_old == in_new:
        return _diff_main(old_chars, new_chars)
    aside = dict.fromkeys(map(ord, in_old.symmetric_difference(in_new)), _ASIDE)
    diffs: list[tuple[int, str]] = []
    at_old = at_new = 0
    for code, old_count, new_count in _set_aside_diff(old_chars.translate(aside), new_chars.translate(aside)):
        if code == diff_match_patch.DIFF_INSERT:
            diffs.append((code, new_chars[at_new:at_new + new_count]))
        else:
            diffs.append((code, old_chars[at_old:at_old + old_count]))
        at_old, at_new = at_old + old_count, at_new + new_count
    return diffs


_ASIDE = "\0"
"""The character of an item set aside (found in one sequence only): no item's own, as
:func:`_encoded` numbers them from 1."""
_ASIDE_RUN = re.compile("\0+")


def _set_aside_diff(old: str, new: str) -> list[tuple[int, int, int]]:
    """Upstream ``diff_main`` of two sequences, one character per item, where each item
    found in one sequence only is :data:`_ASIDE`: ``(code, old items, new items)`` runs.

    An item found in only one sequence can never be part of a match, so it is set
    aside first, as git's xdiff does, and put back as deleted or inserted where it
    stands; the diff stays minimal. Without this, edits scattered through a long text
    cost Myers' algorithm the square of their number (0.5 s for 7 000 changed lines of
    a 5 MB text); with it, only the items that could match are aligned. Between two
    equal runs, deletions come before insertions, as upstream orders them. The runs
    set aside are found by one search each (no step an item), and the diff of the rest
    is made by counts: a long sequence's cost is then the C++ diff's and a few C passes.
    """
    old_gaps, new_gaps = _gaps(old), _gaps(new)
    reduced = fast_diff(old.replace(_ASIDE, "") if old_gaps[0] else old,
                        new.replace(_ASIDE, "") if new_gaps[0] else new,
                        timelimit=0, checklines=False, cleanup="No", counts_only=True)
    equal, delete, insert = diff_match_patch.DIFF_EQUAL, diff_match_patch.DIFF_DELETE, diff_match_patch.DIFF_INSERT
    diffs: list[tuple[int, int, int]] = []
    # Each side: the kept places its gaps stand before, and how many items the gaps up
    # to each one hold; a kept item's place in the whole sequence is its kept place
    # and the items of the gaps before it.
    (old_places, old_held), (new_places, new_held) = old_gaps, new_gaps
    old_places.append(sys.maxsize)
    new_places.append(sys.maxsize)
    kept_old = kept_new = 0  # kept items passed
    gap_old = gap_new = 0  # the next gap standing after the kept item reached
    at_old = at_new = 0  # items of the whole sequences put out
    for op, size in reduced:
        if op == "-":
            kept_old += size
        elif op == "+":
            kept_new += size
        else:
            while size:
                while old_places[gap_old] <= kept_old:
                    gap_old += 1
                while new_places[gap_new] <= kept_new:
                    gap_new += 1
                whole_old = kept_old + (old_held[gap_old - 1] if gap_old else 0)
                whole_new = kept_new + (new_held[gap_new - 1] if gap_new else 0)
                # An equal run ends before the next gap on either side.
                run = min(size, old_places[gap_old] - kept_old, new_places[gap_new] - kept_new)
                if whole_old > at_old:
                    diffs.append((delete, whole_old - at_old, 0))
                if whole_new > at_new:
                    diffs.append((insert, 0, whole_new - at_new))
                diffs.append((equal, run, run))
                at_old, at_new = whole_old + run, whole_new + run
                kept_old, kept_new, size = kept_old + run, kept_new + run, size - run
    if len(old) > at_old:
        diffs.append((delete, len(old) - at_old, 0))
    if len(new) > at_new:
        diffs.append((insert, 0, len(new) - at_new))
    return diffs


def _gaps(sequence: str) -> tuple[list[int], list[int]]:
    """The runs of :data:`_ASIDE` in ``sequence``: the place among the other items that
    each stands before, and how many items it and the runs before it hold."""
    places: list[int] = []
    held: list[int] = []
    total = 0
    for match in _ASIDE_RUN.finditer(sequence):
        start, end = match.span()
        places.append(start - total)
        total += end - start
        held.append(total)
    return places, held


def _block_diffs(dmp: diff_match_patch, old: str, new: str,
                 shared: tuple[int, int] | None = None) -> list[tuple[int, str]]:
    """The word diff of one replaced block of lines.

    What both sides share at the start and at the end, in whole tokens, is set aside
    first (as ``diff_main`` sets aside the tokens they share, but without tokenising
    it); the rest goes through ``diff_main`` and ``diff_cleanupSemantic`` as word
    tokens. A block is mostly a line with a word changed, so this tokenises a word or
    two instead of the line.
    """
    if not old or not new:
        return [(dmp.DIFF_DELETE, old), (dmp.DIFF_INSERT, new)]
    start = dmp.diff_commonPrefix(old, new) if shared is None else min(shared[0], len(old), len(new))
    if not (_token_boundary(old, start) and _token_boundary(new, start)):
        start = _token_start(old, start)
    shared_end = dmp.diff_commonSuffix(old[start:], new[start:]) if shared is None \
        else min(shared[1], len(old) - start, len(new) - start)
    end, new_end = len(old) - shared_end, len(new) - shared_end
    if not (_token_boundary(old, end) and _token_boundary(new, new_end)):
        end = _token_end(old, end)
        new_end = len(new) - (len(old) - end)
    old_middle, new_middle = old[start:end], new[start:new_end]
    if old_middle and new_middle and not (_TOKEN.fullmatch(old_middle) and _TOKEN.fullmatch(new_middle)):
        middle = _token_diffs(dmp, old_middle, new_middle)
    else:  # what the token diff of one token against another, or of nothing, gives
        middle = [(dmp.DIFF_DELETE, old_middle), (dmp.DIFF_INSERT, new_middle)]
    return [(dmp.DIFF_EQUAL, old[:start]), *middle, (dmp.DIFF_EQUAL, old[end:])]


def _token_boundary(text: str, at: int) -> bool:
    """Whether one of :data:`_TOKEN`'s tokens of ``text`` starts or ends at ``at``."""
    if at == 0 or at == len(text):
        return True
    kind = _run_kind(text[at - 1])
    return kind is None or kind != _run_kind(text[at])


def _token_start(text: str, at: int) -> int:
    """Where the token holding ``text[at - 1]`` starts."""
    kind = _run_kind(text[at - 1])
    at -= 1
    while kind is not None and at > 0 and _run_kind(text[at - 1]) == kind:
        at -= 1
    return at


def _token_end(text: str, at: int) -> int:
    """Where the token holding ``text[at]`` ends."""
    kind = _run_kind(text[at])
    at += 1
    while kind is not None and at < len(text) and _run_kind(text[at]) == kind:
        at += 1
    return at


def _run_kind(char: str) -> str | None:
    """What run of :data:`_TOKEN` ``char`` can belong to: word characters (``\\w``:
    alphanumeric or underscore) or blanks (``\\s`` but the newline); ``None`` for a
    character that is a token of its own."""
    if char.isalnum() or char == "_":
        return "word"
    if char.isspace() and char != "\n":
        return "blank"
    return None


def _token_diffs(dmp: diff_match_patch, old: str, new: str) -> list[tuple[int, str]]:
    """``diff_main`` and ``diff_cleanupSemantic`` on word tokens."""
    vocabulary, (encoded_old, encoded_new) = _encoded(_TOKEN.findall(old), _TOKEN.findall(new))
    char_diffs = _diff_main(encoded_old, encoded_new)
    dmp.diff_cleanupSemantic(char_diffs)
    index = {char: token for token, char in vocabulary.items()}
    return [(code, "".join(map(index.__getitem__, chars))) for code, chars in char_diffs]


def diff_sequences(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[str, int, int]]:
    """The minimal diff of two sequences of items (provisions' texts or their hashes,
    tokens), as ``(kind, old items, new items)`` runs in order, with no cleanup: what a
    caller aligns is its own business. Items found in one sequence only are set aside
    first, as for lines (:func:`_set_aside_diff`). Not used by patch generation."""
    in_old, in_new = set(old), set(new)
    shared, same_items = in_old & in_new, in_old == in_new
    del in_old, in_new  # let go before the characters are made: a diff's peak (at 5 MB, 4 MB of 50)
    if not shared:
        # Nothing in common (a word replaced by another, a provision rewritten): what
        # the diff gives, the deletion of the one and the insertion of the other.
        return [(kind, len(old) if kind == DELETE else 0, len(new) if kind == INSERT else 0)
                for kind, items in ((DELETE, old), (INSERT, new)) if items]
    # Only the items found in both are given characters (the rest are set aside); which
    # character each gets does not matter, as nothing here weighs them (no cleanup).
    characters = dict(zip(shared, _characters()))
    if len(characters) < len(shared):
        raise ValueError(f"too many distinct items to diff: {len(shared)}")
    old_chars = "".join(map(characters.get, old, repeat(_ASIDE)))
    new_chars = "".join(map(characters.get, new, repeat(_ASIDE)))
    if same_items:
        return [(_KINDS[op], size if op != "+" else 0, size if op != "-" else 0) for op, size in
                fast_diff(old_chars, new_chars, timelimit=0, checklines=False, cleanup="No", counts_only=True)]
    return [(_OPS[code], old_count, new_count) for code, old_count, new_count in _set_aside_diff(old_chars, new_chars)]


_KINDS = {"=": EQUAL, "-": DELETE, "+": INSERT}


def _characters() -> Iterator[str]:
    """The characters items are given, from 1 in order, skipping the surrogate block."""
    return map(chr, chain(range(1, 0xD800), range(0xE000, 0x110000)))


def _diff_main(old: str, new: str) -> list[tuple[int, str]]:
    """Upstream ``diff_main(old, new, checklines=False)`` with no time limit, computed by
    the C++ port of the same algorithm (fast-diff-match-patch), 10 to 100 times faster.

    Only the core diff is taken from it: its semantic cleanup shifts edits differently
    from upstream's Python one, so that stays upstream's. ``tests/unit`` proves the two
    diffs equal on random and regulation-shaped texts.
    """
    codes = {"=": diff_match_patch.DIFF_EQUAL, "-": diff_match_patch.DIFF_DELETE, "+": diff_match_patch.DIFF_INSERT}
    return [(codes[op], text) for op, text in
            fast_diff(old, new, timelimit=0, checklines=False, cleanup="No", counts_only=False)]


def _encoded(*sequences: list[str]) -> tuple[dict[str, str], list[str]]:
    """Each sequence of strings (lines, tokens) as a text of one character per string,
    and the map from string to character.

    Characters are numbered from 1 in order of first appearance, the first sequence
    first, skipping the surrogate block. The semantic cleanup scores boundaries by what
    these characters are, so the numbering is part of the result and must not change.
    """
    distinct = dict.fromkeys(chain.from_iterable(sequences))
    vocabulary = dict(zip(distinct, _characters()))
    if len(vocabulary) < len(distinct):
        raise ValueError(f"too many distinct lines or words to diff: {len(distinct)}")
    return vocabulary, ["".join(map(vocabulary.__getitem__, sequence)) for sequence in sequences]


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
    diffs = _word_diffs(old, new) if ops is None else [(_DMP_OPS[op.kind], op.text) for op in ops]
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
    dmp = _engine()
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
    dmp = _engine()
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
        ops = tuple(Op(_OPS[code], data) for code, data in patch.diffs)
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


class HunkStatus(str, Enum):
    EXACT = "exact"      # context matched exactly at the place the patch names
    SHIFTED = "shifted"  # context matched exactly, elsewhere (``shift`` says how far)
    FUZZY = "fuzzy"      # context matched approximately; applied with care
    FAILED = "failed"    # not applied; ``expected_at`` says where it was looked for


@dataclass(frozen=True)
class HunkResult:
    index: int
    status: HunkStatus
    expected_at: int
    found_at: int | None
    shift: int | None
    score: float | None = None
    """A fuzzy placement's similarity to the hunk's context, from 0 to 1 (1: the same
    text); ``None`` for the other statuses."""

    @property
    def applied(self) -> bool:
        return self.status is not HunkStatus.FAILED

    def as_dict(self) -> dict:
        """The report line users see: hunks numbered from 1."""
        return {"hunk": self.index + 1, "status": self.status.value, "expected_at": self.expected_at,
                "found_at": self.found_at, "shift": self.shift, "score": self.score}


@dataclass(frozen=True)
class ApplyResult:
    """The patched text (``None`` when a hunk failed and partial results were not
    asked for) and one :class:`HunkResult` per hunk, in order."""

    text: str | None
    hunks: tuple[HunkResult, ...]
    edits: tuple[tuple[int, int, int], ...] = ()
    """(at, removed, inserted) for each applied hunk, in order. ``at`` is where the hunk
    belongs in the patch's base as the hunks before it left it (not where it was found
    in a later text), so that edits of patches against one base add up."""
    changed: tuple[int, int, int] | None = None
    """``(start, old_end, new_end)``: the patched text differs from the text patched
    only between ``start`` and ``new_end`` (``old_end`` in the text patched); before
    ``start`` and after the ends both are the same. ``None`` when nothing was applied."""

    @property
    def ok(self) -> bool:
        return all(h.applied for h in self.hunks)

    @property
    def exact(self) -> bool:
        return all(h.status is HunkStatus.EXACT for h in self.hunks)


def apply_patch(patch: Patch, text: str, *, partial: bool = False,
                carry: Callable[[int], int] | None = None) -> ApplyResult:
    """Apply ``patch`` to ``text`` and report every hunk.

    With ``partial=False`` (the default) a failed hunk means no text is returned:
    a half-applied amendment is never mistaken for the amendment. ``carry`` maps a
    position of the patch's base to where it now stands in ``text`` (see
    :func:`applied_in_turn`); a hunk found there is exact.
    """
    dmp = _engine()
    patches = dmp.patch_fromText(patch.text)
    # No ``patch_addPadding``: upstream pads the text's ends with control characters
    # and folds them into the first and last hunks' context, which ties a hunk at the
    # end of the base to the end of the target. Text appended (or prepended) in a later
    # version would then make that hunk fail. The context the hunk carries is enough.
    work = text
    delta = 0
    results: list[HunkResult] = []
    edits: list[tuple[int, int, int]] = []
    changed = _ChangedSpan()
    for index, hunk in enumerate(patches):
        anchor = carry(hunk.start2) if carry is not None else hunk.start2
        expected = anchor + delta
        before = dmp.diff_text1(hunk.diffs)
        start = _exact_place(work, before, expected)
        if start is not None:
            after = dmp.diff_text2(hunk.diffs)
            work = _spliced(work, start, start + len(before), after)
            edits.append((anchor, len(before), len(after)))
            changed.add(start, len(before), len(after))
            status = HunkStatus.EXACT if start == anchor else HunkStatus.SHIFTED
        else:
            placed = _fuzzy_place(dmp, work, hunk.diffs, before, expected)
            if placed is None:
                results.append(HunkResult(index, HunkStatus.FAILED, max(expected, 0), None, None))
                delta -= hunk.length2 - hunk.length1
                continue
            start, stop, merged, distance = placed
            work = _spliced(work, start, stop, merged)
            edits.append((anchor, stop - start, len(merged)))
            changed.add(start, stop - start, len(merged))
            status = HunkStatus.FUZZY
        delta = start - anchor
        score = round(1 - distance / max(len(before), 1), 3) if status is HunkStatus.FUZZY else None
        results.append(HunkResult(index, status, max(expected, 0), start, start - anchor, score))
    failed = any(not r.applied for r in results)
    return ApplyResult(None if failed and not partial else work, tuple(results), tuple(edits),
                       changed.span(len(work) - len(text)))


def _spliced(text: str, start: int, stop: int, replacement: str) -> str:
    """``text`` with ``text[start:stop]`` replaced. One join, not two concatenations:
    on a 5 MB text with an em dash in it, ``a + b + c`` took 19 ms, the join 3 ms."""
    return "".join((text[:start], replacement, text[stop:]))


class _ChangedSpan:
    """The stretch of a text that edits made at its current positions have touched,
    kept in the text's current coordinates as the edits are made."""

    __slots__ = ("start", "end")

    def __init__(self) -> None:
        self.start: int | None = None
        self.end = 0

    def add(self, at: int, removed: int, inserted: int) -> None:
        if self.start is None:
            self.start, self.end = at, at + inserted
        elif at >= self.end:  # after the stretch
            self.end = at + inserted
        else:  # before the stretch, which moves along, or overlapping it
            self.start = min(self.start, at)
            self.end = self.end + inserted - removed if at + removed <= self.end else at + inserted

    def span(self, growth: int) -> tuple[int, int, int] | None:
        """``(start, old_end, new_end)`` of :attr:`ApplyResult.changed`, given how much
        longer the edits made the text."""
        return None if self.start is None else (self.start, self.end - growth, self.end)


def applied_in_turn(patches: Sequence[Patch], text: str, *, partial: bool = False,
                    past_failures: bool = False) -> Iterator[ApplyResult]:
    """Each patch's result as it is applied to the text the ones before it made, up to
    and including the first that fails (with ``past_failures``, every patch: one that
    fails leaves the text as it was for the next); one at a time, so that a caller who
    wants only the last text need not hold every text in between (two hundred
    amendments of a 1 MB regulation). Patches proposed against the same base name
    places in that base; each hunk is expected where its place now stands after the
    earlier patches' edits, so a hunk that an earlier insertion merely pushed along is
    reported exact, not shifted by the length of that insertion."""
    carried = CarriedPositions()
    for patch in patches:
        result = apply_patch(patch, text, partial=partial, carry=carried.at)
        yield result
        if result.text is None:
            if past_failures:
                continue
            return
        for edit in result.edits:
            carried.add(edit)
        text = result.text


# Knots of the map below: a knot at ``x`` starts a run of positions that the edits
# carry along (``SHIFT``: to ``x + value``) or that they replaced (``HELD``: all to
# ``value``, the replacement's start).
SHIFT, HELD = 1, 0
_BLOCK = 64  # knots a block holds before it splits: about the square root of a long run's
_FAR = 1 << 62  # before every position, and after


class CarriedPositions:
    """Where a position stands after a run of edits (see :attr:`ApplyResult.edits`),
    each applied in turn to where the ones before left it: a position at or after an
    edit's end moves by the length it adds, one inside its replaced span goes to its
    start, one at or before its start stays.

    Going through every earlier edit for each hunk made a run of N amendments cost the
    square of N; this keeps the map the edits make so far, non-decreasing and in
    pieces (one or two knots an edit), in blocks of at most :data:`_BLOCK` knots each
    with an offset of its own, so that adding an edit (moving every knot after it)
    costs about the square root of the number of edits, and looking a position up
    their logarithm, not their number."""

    __slots__ = ("_starts", "_blocks")

    def __init__(self) -> None:
        # Each block: [positions, kinds, values, offset]; a knot's value is its block's
        # offset plus its own. One knot before everything: nothing moved yet.
        self._blocks: list[list] = [[[-_FAR], [SHIFT], [0], 0]]
        self._starts = [-_FAR]  # each block's first position

    def at(self, position: int) -> int:
        """Where ``position`` now stands."""
        positions, kinds, values, offset = self._blocks[bisect_right(self._starts, position) - 1]
        knot = bisect_right(positions, position) - 1
        return (position if kinds[knot] else 0) + values[knot] + offset

    def add(self, edit: tuple[int, int, int]) -> None:
        """Apply one more edit ``(start, removed, inserted)``, given where the edits
        before it left the text."""
        start, removed, inserted = edit
        after = self._first_reaching(start + removed)
        if removed:
            inside = self._first_reaching(start + 1)
            if inside < after:
                self._hold(inside, after, start)
        if inserted != removed:
            self._move_from(after, inserted - removed)

    def _output(self, block: list, knot: int) -> int:
        positions, kinds, values, offset = block
        return (positions[knot] if kinds[knot] else 0) + values[knot] + offset

    def _first_reaching(self, target: int) -> int:
        """The first position the map takes to ``target`` or beyond."""
        blocks = self._blocks
        # The last block whose first knot falls short of the target holds the last such knot.
        b = bisect_left(blocks, target, key=lambda block: self._output(block, 0)) - 1
        block = blocks[b]
        positions, kinds, values, offset = block
        knot = bisect_left(range(len(positions)), target, key=lambda k: self._output(block, k)) - 1
        following = positions[knot + 1] if knot + 1 < len(positions) else (
            self._starts[b + 1] if b + 1 < len(blocks) else _FAR)
        if kinds[knot] == HELD:
            return following
        return min(target - values[knot] - offset, following)

    def _split(self, position: int) -> tuple[int, int]:
        """(block, knot) of a knot at ``position``, made there if there was none."""
        b = bisect_right(self._starts, position) - 1
        positions, kinds, values, _ = self._blocks[b]
        knot = bisect_right(positions, position) - 1
        if positions[knot] == position:
            return b, knot
        knot += 1
        positions.insert(knot, position)
        kinds.insert(knot, kinds[knot - 1])
        values.insert(knot, values[knot - 1])
        if len(positions) > _BLOCK:
            half = len(positions) // 2
            block = self._blocks[b]
            self._blocks.insert(b + 1, [positions[half:], kinds[half:], values[half:], block[3]])
            del positions[half:], kinds[half:], values[half:]
            self._starts.insert(b + 1, self._blocks[b + 1][0][0])
            if knot >= half:
                return b + 1, knot - half
        return b, knot

    def _hold(self, first: int, end: int, value: int) -> None:
        """Positions from ``first`` up to ``end`` all go to ``value``."""
        self._split(end)
        b, knot = self._split(first)
        positions, kinds, values, offset = self._blocks[b]
        stop = bisect_left(positions, end, knot + 1)
        runs_on = stop == len(positions)
        del positions[knot + 1:stop], kinds[knot + 1:stop], values[knot + 1:stop]
        kinds[knot], values[knot] = HELD, value - offset
        while runs_on and b + 1 < len(self._blocks) and self._starts[b + 1] < end:
            # The held run goes on into the next block: drop its knots before the end.
            nxt = self._blocks[b + 1]
            cut = bisect_left(nxt[0], end)
            del nxt[0][:cut], nxt[1][:cut], nxt[2][:cut]
            if nxt[0]:
                self._starts[b + 1] = nxt[0][0]
                break
            del self._blocks[b + 1], self._starts[b + 1]

    def _move_from(self, first: int, by: int) -> None:
        """Every position from ``first`` on moves by ``by``."""
        b, knot = self._split(first)
        values = self._blocks[b][2]
        values[knot:] = [value + by for value in values[knot:]]
        for block in self._blocks[b + 1:]:
            block[3] += by


def _exact_place(work: str, before: str, expected: int) -> int | None:
    """Where ``before`` stands in ``work``: at ``expected``, or the nearest exact
    occurrence to it."""
    if work.startswith(before, expected):
        return expected
    best = None
    at = work.find(before)
    while at != -1:
        if best is None or abs(at - expected) < abs(best - expected):
            best = at
        elif at > expected:
            break
        at = work.find(before, at + 1)
    return best


# How many places that hold a hunk's anchor are tried, nearest to the expected place first.
_CANDIDATES = 64


def _fuzzy_place(dmp: diff_match_patch, work: str, diffs: list, before: str,
                 expected: int) -> tuple[int, int, str, int] | None:
    """Place a hunk whose context has changed: (start, stop, replacement, distance of
    the text there from the hunk's context) or ``None``.

    A fuzzy placement must keep the text at and right beside every edit exactly
    (:func:`_merge_fuzzy`), so only places holding the widest such *anchor* exactly are
    candidates; ``str.find`` finds them at C speed, where a bitap search of a long text
    in Python takes seconds. Of the candidates whose merge succeeds, the one whose
    context differs least wins; two equally good places are ambiguous, and the hunk
    fails rather than guess.
    """
    edges = _edit_edges(diffs, len(before))
    if not edges:  # a hunk of context alone has nothing to place
        return None
    lo, hi = max(edges, key=lambda edge: edge[1] - edge[0])
    anchor = before[lo:hi]
    places = []
    at = work.find(anchor)
    while at != -1:
        places.append(at - lo)
        at = work.find(anchor, at + 1)
    places.sort(key=lambda start: abs(start - expected))
    scored = []
    for start in places[:_CANDIDATES]:
        span = (max(start, 0), max(start, 0) + len(before))
        merged = _merge_fuzzy(dmp, diffs, before, work[span[0]:span[1]])
        if merged is not None:
            scored.append((merged[1], span, merged[0]))
    if not scored:
        return None
    scored.sort(key=lambda item: item[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    distance, (start, stop), replacement = scored[0]
    return start, stop, replacement, distance


# How many characters on each side of an edit must match exactly for a fuzzy
# placement. Regulations repeat themselves ("... about item 2." / "... about item 5."):
# similar context is not enough, the words at the edit must be the same.
_EDGE = 6


def _merge_fuzzy(dmp: diff_match_patch, diffs: list, before: str, found: str) -> tuple[str, int] | None:
    """Apply a hunk's edits to text that differs from its context, as upstream does,
    but only where what it deletes, and what stands right beside each edit, match.
    Returns the new text and how far ``found`` is from the context (Levenshtein)."""
    alignment = _diff_main(before, found)
    distance = dmp.diff_levenshtein(alignment)
    if distance / max(len(before), 1) > dmp.Patch_DeleteThreshold:
        return None
    dmp.diff_cleanupSemanticLossless(alignment)
    for lo, hi in _edit_edges(diffs, len(before)):
        if found[dmp.diff_xIndex(alignment, lo):dmp.diff_xIndex(alignment, hi)] != before[lo:hi]:
            return None
    # Upstream's own placement (patch_apply): ``index1`` counts inserted text too, so
    # positions line up with ``result`` as it grows.
    result = found
    index1 = 0
    for code, data in diffs:
        if code != dmp.DIFF_EQUAL:
            index2 = dmp.diff_xIndex(alignment, index1)
        if code == dmp.DIFF_INSERT:
            result = result[:index2] + data + result[index2:]
        elif code == dmp.DIFF_DELETE:
            result = result[:index2] + result[dmp.diff_xIndex(alignment, index1 + len(data)):]
        if code != dmp.DIFF_DELETE:
            index1 += len(data)
    return result, distance


def _edit_edges(diffs: list, length: int) -> list[tuple[int, int]]:
    """For each edit, the span of the context (offsets in the hunk's old text) that must
    match exactly: what it deletes, and ``_EDGE`` characters either side."""
    edges = []
    at = 0  # offset in the hunk's old text
    for code, data in diffs:
        if code == diff_match_patch.DIFF_EQUAL:
            at += len(data)
            continue
        end = at + len(data) if code == diff_match_patch.DIFF_DELETE else at
        edges.append((max(0, at - _EDGE), min(length, end + _EDGE)))
        at = end
    return edges


def upstream_apply(patch_text: str, text: str) -> tuple[str, list[bool]]:
    """Apply with upstream diff-match-patch and its default settings.

    Used to prove that our patch text is standard: what upstream makes of it on the
    base must equal what we make of it.
    """
    dmp = diff_match_patch()
    return dmp.patch_apply(dmp.patch_fromText(patch_text), text)
