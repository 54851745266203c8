"""What an amending instruction is, shared by the writer and the reader."""

from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE = "“", "”"
DASH = "—"

# What an instruction does, and to what.
SUBSTITUTE, INSERT, OMIT = "substitute", "insert", "omit"
WORDS, HEADING, PROVISION, DEFINITION, TEXT = "words", "heading", "provision", "definition", "text"
RENUMBER = "renumber"
TO_END = "\x00end"
"""``to_words`` of a span that runs to the end of the provision."""


@dataclass(frozen=True)
class Instruction:
    """One amending instruction.

    ``text`` is the sentence as written (``In regulation 3(2), omit “and”.``); the
    other fields are what it means. ``block`` is the text an ``insert—`` or
    ``substitute—`` instruction puts in, verbatim, or ``None``.
    """

    number: int
    text: str
    action: str
    """``substitute``, ``insert``, ``omit`` or ``renumber``."""
    target: str
    """``words`` (quoted words inside a provision), ``heading`` (a provision's
    heading), ``provision`` (whole provisions), ``definition`` (a definition in an
    interpretation provision) or ``text`` (the whole text)."""
    provision: str = ""
    """The label of the provision addressed (for ``words`` and ``definition``, the one
    the words or definition stand in; for insertions ``at the end`` and ``in the
    appropriate place``, the one that receives the new text)."""
    where: str = ""
    """For insertions: ``after``, ``before``, ``beginning``, ``end`` or ``appropriate``."""
    within: str = ""
    """For ``words``: ``heading`` or ``definition`` when the words are sought only
    there, else empty."""
    term: str = ""
    """The defined term, for ``definition`` targets and words within a definition."""
    words: str = ""
    """The quoted words substituted for or omitted, or the words an insertion is
    placed after or before."""
    new: str = ""
    """The quoted words put in (``words`` and ``heading`` targets)."""
    block: str | None = None
    occurrence: str = ""
    """Which of several places the words stand in: "" (the only one), ``each``,
    ``both``, ``last`` or an ordinal (``2`` for "in the second place it occurs")."""
    to_words: str = ""
    """For a span of words ("for the words from “x” to “y”"): the words it ends with;
    :data:`TO_END` for "to the end"."""
    new_label: str = ""
    """For renumbering, the label the provision takes; for an insertion placed by its
    number (US "add paragraph (c)"), the label of the provision added."""
    limb: str = ""
    """Where a compound instruction's limb stands in it (``(a)(ii)``), for messages."""

    @property
    def name(self) -> str:
        """How messages name the instruction: ``instruction 3`` or ``instruction 3(b)``."""
        return f"instruction {self.number}{self.limb}"


class Problem(Exception):
    """What is wrong with one instruction (numbered by the caller)."""



def quoted(words: str) -> str:
    return f"{OPEN}{words}{CLOSE}"
