"""The net diff of a history of changes, with every word attributed to the change that
made it.

A Keeling schedule shows a version as amended by hundreds of amendments, each change
marked with the amendment behind it. Each amendment's text is diffed against the one
before; what each stretch of the current text is (base text from a known offset, or
words inserted by a known step) is carried forward, so the final diff is the net
change (words inserted by one step and deleted by a later one do not appear) and each
change's source is known exactly.

What is carried forward is a list of *runs*, not a record per character: an amendment
changes a few words of a long text, so a step costs time in proportion to the runs
and the diff's ops, not to the text's length. (Per character, 200 amendments of a
1 MB regulation took 6.8 s.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from regdraft.core.diffing import TextDiff, group_by_provision
from regdraft.core.patching import DELETE, EQUAL, INSERT, Op, diff_words
from regdraft.core.structure import Structure
from regdraft.core.traditions import DEFAULT_KIND

INSERTED = -1
"""The origin of a run that no base text stands behind."""


def version_source(number: int) -> str:
    """The source of the direct edits that made version ``number`` (changes no accepted
    amendment made): ``version 3``. An amendment's slug holds no space, so no amendment
    can be taken for a version's edit, nor a version's edit for an amendment."""
    return f"version {number}"


def edited_version(source: str | None) -> int | None:
    """The version whose direct edits :func:`version_source` named ``source``; ``None``
    for any other source (an amendment's slug)."""
    if source is None or not source.startswith("version "):
        return None
    number = source[len("version "):]
    return int(number) if number.isascii() and number.isdigit() else None


def source_name(source: str) -> str:
    """What made a change, for a reader: an amendment's slug, or "a direct edit of
    version 3"."""
    number = edited_version(source)
    return source if number is None else f"a direct edit of version {number}"


@dataclass(frozen=True)
class Step:
    """One change in a history: the text after it, and what made it (an amendment's
    slug, or :func:`version_source` for a version's direct edits)."""

    text: str
    source: str
    changed: tuple[int, int, int] | None = None
    """Where the text differs from the one before, if known, as
    :attr:`~regdraft.core.patching.ApplyResult.changed` gives it: only that stretch
    (widened to whole lines) is diffed, not the whole text. On a 5 MB text, diffing
    the whole of each of 200 amendments' texts took 2.7 s, most of it in copying and
    comparing the long unchanged text around each change."""


class _Run:
    """A stretch of the current text: ``length`` characters of the base from offset
    ``origin``, or inserted by ``made_by`` (``origin`` is :data:`INSERTED`)."""

    __slots__ = ("length", "origin", "made_by")

    def __init__(self, length: int, origin: int, made_by: str | None) -> None:
        self.length, self.origin, self.made_by = length, origin, made_by


# How many runs a block of :class:`History` holds at most: a step finds its place by
# walking the blocks' lengths and carries only the runs of the blocks it touches, so its
# cost is the number of blocks plus a block's runs or two, not every run so far.
# (Carrying every run at every step made 1000 amendments of a 1 MB regulation cost
# 1.5 s, growing with the square of their number.)
BLOCK = 32


class History:
    """A base text and the changes made to it so far, added one step at a time: only
    the current text is held, whatever the number of steps."""

    def __init__(self, base: str, kind: str = DEFAULT_KIND, base_structure: Structure | None = None) -> None:
        self.base = self.current = base
        self.kind = kind
        self.base_structure = base_structure
        """The base's structure, if already read: the diff then does not read it again."""
        # The runs of the current text in order, cut into blocks of at most BLOCK runs,
        # and each block's length in characters.
        self._blocks: list[list[_Run]] = [[_Run(len(base), 0, None)]] if base else []
        self._lengths: list[int] = [len(base)] if base else []
        self._deletions: list[tuple[int, int, str]] = []  # (base offset, length, deleted by)

    def add(self, step: Step) -> None:
        old = self.current
        start, old_end, new_end = _whole_lines(old, step.changed) if step.changed else (0, len(old), len(step.text))
        first, region_start = self._block_at(start)
        last, region_end = self._block_at(old_end, first, region_start)
        region_end += self._lengths[last] if self._lengths else 0
        # The runs carried keep the property that no two neighbours could be one run
        # (see ``_carry``). A region that starts and ends with text the step keeps
        # starts and ends with the runs it had, so the runs outside it, left as they
        # are, still cannot join those inside; a step that changes the first run of a
        # block takes the block before along. (The region always ends after
        # ``old_end``, or at the end of the text.)
        if start == region_start and first > 0:
            first -= 1
            region_start -= self._lengths[first]
        ops = [(EQUAL, start - region_start),
               *((op.kind, len(op.text)) for op in diff_words(old[start:old_end], step.text[start:new_end])),
               (EQUAL, region_end - old_end)]
        carried = _carry([run for block in self._blocks[first:last + 1] for run in block], ops, step.source,
                         self._deletions)
        # Cut evenly, so that a small block is merged into its neighbours' next time
        # and the number of blocks stays about the number of runs ÷ BLOCK.
        count = -(-len(carried) // BLOCK)
        blocks = [carried[len(carried) * i // count:len(carried) * (i + 1) // count] for i in range(count)]
        self._blocks[first:last + 1] = blocks
        self._lengths[first:last + 1] = [sum(run.length for run in block) for block in blocks]
        self.current = step.text

    def _block_at(self, offset: int, block: int = 0, block_start: int = 0) -> tuple[int, int]:
        """The block holding the character at ``offset`` (the last block for the end of
        the text), searched from ``block``, which starts at ``block_start``; and where
        the found block starts."""
        lengths = self._lengths
        while block < len(lengths) - 1 and block_start + lengths[block] <= offset:
            block_start += lengths[block]
            block += 1
        return block, block_start

    @property
    def _runs(self) -> list[_Run]:
        return [run for block in self._blocks for run in block]

    def diff(self, current_structure: Structure | None = None) -> TextDiff:
        """The base against the current text, every inserted and deleted word
        attributed to the step that inserted or deleted it (``current_structure``: the
        current text's, if already read)."""
        deletions = sorted(self._deletions)
        return group_by_provision(self.base, self.current, _net_ops(self.base, self.current, self._runs, deletions),
                                  self.kind, old_structure=self.base_structure, new_structure=current_structure)


def diff_steps(base: str, steps: Iterable[Step], kind: str = DEFAULT_KIND, *,
               base_structure: Structure | None = None, last_structure: Structure | None = None) -> TextDiff:
    """Diff ``base`` against the last step's text, attributing every inserted and
    deleted word to the step that inserted or deleted it (the structures, if already
    read, of the base and of the last step's text)."""
    history = History(base, kind, base_structure)
    for step in steps:
        history.add(step)
    return history.diff(last_structure)


def step_diff(old: str, step: Step) -> list[tuple[str, int]]:
    """The word diff of ``old`` into the step's text, as each op's kind and length;
    where the step says where it changed, the lines around that alone, and the rest
    equal."""
    new = step.text
    start, old_end, new_end = _whole_lines(old, step.changed) if step.changed else (0, len(old), len(new))
    ops = diff_words(old[start:old_end], new[start:new_end])
    return [(EQUAL, start), *((op.kind, len(op.text)) for op in ops), (EQUAL, len(old) - old_end)]


def _whole_lines(old: str, changed: tuple[int, int, int]) -> tuple[int, int, int]:
    """The changed stretch of :attr:`Step.changed` widened to the lines it touches: the
    word diff works a line at a time, so a window of whole lines diffs as the whole text
    does (the shared lines around it are set aside either way)."""
    start, old_end, new_end = changed
    start = old.rfind("\n", 0, start) + 1
    line_end = old.find("\n", old_end)
    widened_end = line_end + 1 if line_end != -1 else len(old)
    return start, widened_end, new_end + widened_end - old_end


def _carry(runs: list[_Run], ops: Iterable[tuple[str, int]], source: str,
           deletions: list[tuple[int, int, str]]) -> list[_Run]:
    """The runs of the text after ``ops`` (a diff of the text ``runs`` describe, as
    each op's kind and length), and the base text the step deleted appended to
    ``deletions``."""
    carried: list[_Run] = []

    def keep(length: int, origin: int, made_by: str | None) -> None:
        last = carried[-1] if carried else None
        if last is not None and last.made_by == made_by and (
                (origin == INSERTED and last.origin == INSERTED)
                or (origin != INSERTED and last.origin != INSERTED and last.origin + last.length == origin)):
            last.length += length
        else:
            carried.append(_Run(length, origin, made_by))

    at = 0  # the run being consumed, and how far into it
    into = 0
    for kind, wanted in ops:
        if kind == INSERT:
            keep(wanted, INSERTED, source)
            continue
        while wanted:
            run = runs[at]
            taken = min(wanted, run.length - into)
            origin = run.origin + into if run.origin != INSERTED else INSERTED
            if kind == EQUAL:
                keep(taken, origin, run.made_by)
            elif origin != INSERTED:  # base text deleted; inserted text deleted again is simply gone
                deletions.append((origin, taken, source))
            wanted -= taken
            into += taken
            if into == run.length:
                at, into = at + 1, 0
    return carried


def _net_ops(base: str, final: str, runs: list[_Run], deletions: list[tuple[int, int, str]]) -> list[Op]:
    """The runs of ``final`` and the deleted base text as one diff of ``base``: kept
    base text is equal, and deletions are shown before the insertions that replace
    them. Adjacent ops of one kind and source are merged."""
    ops: list[Op] = []
    pieces: list[str] = []  # the text of the op being built
    kind_source: tuple[str, str | None] | None = None

    def emit(kind: str, text: str, source: str | None) -> None:
        nonlocal kind_source
        if kind_source != (kind, source):
            flush()
            kind_source = (kind, source)
        pieces.append(text)

    def flush() -> None:
        if pieces:
            ops.append(Op(kind_source[0], "".join(pieces), kind_source[1]))
            pieces.clear()

    next_deletion = 0

    def delete_until(end: int) -> None:
        """Show the deleted base text before base offset ``end``."""
        nonlocal next_deletion
        while next_deletion < len(deletions) and deletions[next_deletion][0] < end:
            start, length, source = deletions[next_deletion]
            emit(DELETE, base[start:start + length], source)
            next_deletion += 1

    # Where the next kept base text after each run starts: an insertion's deletions
    # are those before it.
    kept_after = [len(base)] * (len(runs) + 1)
    for i in range(len(runs) - 1, -1, -1):
        kept_after[i] = runs[i].origin if runs[i].origin != INSERTED else kept_after[i + 1]
    at = 0  # where the run stands in ``final``
    for i, run in enumerate(runs):
        delete_until(kept_after[i])
        if run.origin == INSERTED:
            emit(INSERT, final[at:at + run.length], run.made_by)
        else:
            emit(EQUAL, base[run.origin:run.origin + run.length], None)
        at += run.length
    delete_until(len(base))
    flush()
    return ops
