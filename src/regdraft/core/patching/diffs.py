"""Word diffs (lines first, then the words of replaced lines) and sequence diffs, with
the items found in one side only set aside first."""

from __future__ import annotations

import re
import sys
from itertools import chain, repeat
from typing import Hashable, Iterable, Iterator, Sequence

from diff_match_patch import diff_match_patch
from fast_diff_match_patch import diff as fast_diff

from regdraft.core.patching.engine import DELETE, DIFF_ENGINE, EQUAL, INSERT, KIND_OF_CODE, TOKEN, Op


def diff_words(old: str, new: str) -> tuple[Op, ...]:
    """A deterministic word-level diff; joining the non-insert ops gives ``old``,
    the non-delete ops ``new``."""
    return tuple(Op(KIND_OF_CODE[code], text) for code, text in word_diffs(old, new))


def word_diff_lengths(old: str, new: str) -> list[tuple[str, int]]:
    """:func:`diff_words` as the kind and length of each op: what a caller that cuts
    the texts itself needs (no op made, a long diff's thousands)."""
    return [(KIND_OF_CODE[code], len(text)) for code, text in word_diffs(old, new)]


def word_diffs(old: str, new: str) -> list[tuple[int, str]]:
    """Lines first, then words (see the module's notes): the line diff of the lines
    between the whole lines both texts share at the start and end, each replaced block
    word by word, then upstream's lossless cleanup once on the real text."""
    dmp = DIFF_ENGINE
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
        return diff_main(old_chars, new_chars)
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
    if old_middle and new_middle and not (TOKEN.fullmatch(old_middle) and TOKEN.fullmatch(new_middle)):
        middle = _token_diffs(dmp, old_middle, new_middle)
    else:  # what the token diff of one token against another, or of nothing, gives
        middle = [(dmp.DIFF_DELETE, old_middle), (dmp.DIFF_INSERT, new_middle)]
    return [(dmp.DIFF_EQUAL, old[:start]), *middle, (dmp.DIFF_EQUAL, old[end:])]


def _token_boundary(text: str, at: int) -> bool:
    """Whether one of :data:`TOKEN`'s tokens of ``text`` starts or ends at ``at``."""
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
    """What run of :data:`TOKEN` ``char`` can belong to: word characters (``\\w``:
    alphanumeric or underscore) or blanks (``\\s`` but the newline); ``None`` for a
    character that is a token of its own."""
    if char.isalnum() or char == "_":
        return "word"
    if char.isspace() and char != "\n":
        return "blank"
    return None


def _token_diffs(dmp: diff_match_patch, old: str, new: str) -> list[tuple[int, str]]:
    """``diff_main`` and ``diff_cleanupSemantic`` on word tokens."""
    vocabulary, (encoded_old, encoded_new) = _encoded(TOKEN.findall(old), TOKEN.findall(new))
    char_diffs = diff_main(encoded_old, encoded_new)
    dmp.diff_cleanupSemantic(char_diffs)
    index = {char: token for token, char in vocabulary.items()}
    return [(code, "".join(map(index.__getitem__, chars))) for code, chars in char_diffs]


def diff_sequences(old: Sequence[Hashable], new: Sequence[Hashable]) -> list[tuple[str, int, int]]:
    """The minimal diff of two sequences of items (provisions' texts or their hashes,
    tokens), as ``(kind, old items, new items)`` runs in order, with no cleanup: what a
    caller aligns is its own business. Items found in one sequence only are set aside
    first, as for lines (:func:`_set_aside_diff`). Not used by patch generation."""
    in_new = set(new)
    # The items found in both, in the order the old sequence has them.
    shared = dict.fromkeys(filter(in_new.__contains__, old))
    del in_new  # let go before the characters are made, which is when a diff peaks
    if not shared:
        # Nothing in common (a word replaced by another, a provision rewritten): what
        # the diff gives, the deletion of the one and the insertion of the other.
        return [(kind, len(old) if kind == DELETE else 0, len(new) if kind == INSERT else 0)
                for kind, items in ((DELETE, old), (INSERT, new)) if items]
    # Only the items found in both are given characters (the rest are set aside); which
    # character each gets does not matter, as nothing here weighs them (no cleanup).
    # They are given in the old sequence's order, so that coding it looks them up, and
    # reads their characters, in the order they were made: in a set's order, the lookups
    # of a 5 MB text's 46 000 stretches went all over memory (20 ms, 6 ms so).
    characters = dict(zip(shared, _characters()))
    if len(characters) < len(shared):
        raise ValueError(f"too many distinct items to diff: {len(shared)}")
    old_chars = "".join(map(characters.get, old, repeat(_ASIDE)))
    new_chars = "".join(map(characters.get, new, repeat(_ASIDE)))
    if _ASIDE not in old_chars and _ASIDE not in new_chars:  # every item in both sequences
        return [(_KINDS[op], size if op != "+" else 0, size if op != "-" else 0) for op, size in
                fast_diff(old_chars, new_chars, timelimit=0, checklines=False, cleanup="No", counts_only=True)]
    return [(KIND_OF_CODE[code], old_count, new_count)
            for code, old_count, new_count in _set_aside_diff(old_chars, new_chars)]


_KINDS = {"=": EQUAL, "-": DELETE, "+": INSERT}


def _characters() -> Iterator[str]:
    """The characters items are given, from 1 in order, skipping the surrogate block."""
    return map(chr, chain(range(1, 0xD800), range(0xE000, 0x110000)))


def diff_main(old: str, new: str) -> list[tuple[int, str]]:
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
