"""The shape of a drafting tradition: which units a text of one kind is divided into,
how each is recognised, numbered, identified and cited.

A tradition is data. The one parser (:mod:`regdraft.core.structure`) and the one
instruction engine read it; nothing else asks which kind a document is.

Three sorts of unit:

- **headed units** open at a heading (``## Part 2: Heading``, ``### 3. Heading``,
  ``# PART 1005—…``, ``### Article 3``) whose words match :attr:`Headed.words`, at any
  ``#`` level. Their :attr:`Headed.rank` orders them: a unit closes every open unit of
  its own or a deeper rank. A headed unit with :attr:`Headed.holds` set is a *holder*
  (a regulation, section, §, Article, schedule paragraph): its numbered subdivisions
  are cited from its label (``regulation 3(2)(a)``, ``paragraph 2(1) of Schedule 1``).
- **levels**: the subdivisions of a holder, outermost first (:attr:`Tradition.levels`),
  each with its numbering style; a subdivision is placed by list nesting where the
  text nests lists, and otherwise by its numbering (``(a)`` after ``(1)`` is inside it).
- **recitals** (EU acts): numbered blocks of the preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Numbering styles: what one number of each looks like, as written between the
# brackets of a label (or before the full stop of ``1.``). An inserted number keeps its
# letters (``3A``, ``2ZA``, ``aa``).
NUMBERING = {
    "arabic": r"[0-9]+[A-Z]*",
    "lower": r"[a-z]+",
    "roman": r"[ivxlcdm]+",
    "upper": r"[A-Z]+",
    "upper-roman": r"[IVXLCDM]+",
    "italic-arabic": r"\*[0-9]+\*",
    "italic-roman": r"\*[ivxlcdm]+\*",
}


@dataclass(frozen=True)
class Headed:
    """A unit that opens at a heading."""

    kind: str
    """The provision's ``kind`` (``part``, ``schedule``, ``regulation``, …)."""
    words: str
    """A regular expression (matched case-insensitively where :attr:`ignore_case`)
    on the heading's text, with a group ``number`` (optional where the unit may be
    unnumbered) and a group ``heading`` (the rest)."""
    id: str
    """Template: ``{number}`` (lower case, full stops as hyphens), ``{container}`` (the
    id of the unit it sits in, see :attr:`within`)."""
    label: str
    """Template: ``{number}`` as written, ``{container}`` the container's label."""
    rank: int
    """1 outermost; a unit closes the open units of its rank and deeper."""
    within: tuple[str, ...] = ()
    """Kinds it must sit in (the innermost open one of them is its container); empty:
    it may sit anywhere not excluded by :attr:`not_within`."""
    not_within: tuple[str, ...] = ()
    holds: bool = False
    """A holder: its subdivisions are cited from its label."""
    suffix: str = ""
    """Added after a holder's subdivisions' numbers: ``" of {container}"`` makes
    ``paragraph 2(1) of Schedule 1``."""
    unnumbered_id: str = ""
    unnumbered_label: str = ""
    """Id and label when the heading has no number (``## Schedule``: ``sch``, ``the Schedule``)."""
    ignore_case: bool = True
    numbering: str = "arabic"
    number_form: str = ""
    """A regular expression for the number as a label writes it, where it is more than
    one word without brackets (a CFR interpretation's ``2(a)(1)``)."""
    number_id_form: str = ""
    """The same for the number as an id spells it (``2-a-1``)."""
    spelled_by: str = ""
    """The holder kind whose levels spell the bracketed parts of the number when a label
    is made from an id (an interpretation's ``2-a-1-ii-a`` is ``2(a)(1)(ii)(A)``, § style)."""
    within_optional: bool = False
    """Whether it may also stand outside the kinds of :attr:`within`; then its id and
    label drop the container's part (an EU Chapter under a Title: ``title-ii-chapter-iii``,
    ``Chapter III of Title II``; without one: ``chapter-iii``, ``Chapter III``)."""
    subdivisions_cited: str = ""
    """How a holder's subdivisions are cited when not after its own label: a template
    with ``{subdivisions}`` and ``{label}`` (an EU Annex: ``point {subdivisions} of
    {label}`` makes ``point 1(a) of Annex I``)."""
    sparse: bool = False
    """Numbered after what it follows, so its numbers may skip without a gap being
    wrong (a supplement's interpretations of § 1005.2, then of § 1005.5)."""
    titled: bool = True
    """Whether an unnumbered heading standing right above it is its own title (a
    section's, in legislation.gov.uk's texts); otherwise it is a cross-heading over it
    and the units after it (an Act's schedule paragraphs have none of their own)."""

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.words, self.ignore_case)


@dataclass(frozen=True)
class Level:
    """One level of a holder's subdivisions."""

    kind: str
    numbering: tuple[str, ...]
    """Styles a number at this level may take (``arabic``, ``lower``, …)."""
    written: str = "paren"
    """``paren``: ``(1)``; ``dot``: ``1.`` (an EU Article's paragraphs; ``(1)`` is read too)."""
    cited: str = "({number})"
    """How a label writes a number at this level after the ones above it: ``(2)``;
    ``-2`` and ``.ii`` in a CFR official interpretation (``comment 2(a)-2.ii``); ``1``
    for an EU Annex's points (``point 1(a)``)."""
    id_form: str = "-{number}"
    """How an id spells it after its holder's id (``-c2`` for a CFR comment, which
    would otherwise be the interpretations of a paragraph ``(2)``)."""


@dataclass(frozen=True)
class Defined:
    """A definition that is a unit of its own: in the CFR, a definitions section lists
    its terms unlettered (``*Term* means …``), and each may have numbered paragraphs, so
    two definitions may both have a paragraph (1). They are cited through the term:
    ``paragraph (1) of the definition of “Term” in § 457.103``."""

    kind: str
    words: str
    """A regular expression on a block's words, with a group ``term``."""
    within: tuple[str, ...]
    """The holders a definition sits in (its container)."""
    id: str = "{container}-def-{term}"
    """``{term}`` slugged; the term's spelling is in the label only."""
    label: str = "the definition of “{term}” in {container}"
    subdivision: str = "paragraph "
    """What a subdivision's label starts with; the definition's words follow its numbers."""
    suffix: str = " of the definition of “{term}” in {container}"

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.words, False)


@dataclass(frozen=True)
class Tradition:
    kind: str
    """``uk-si``, ``uk-act``, ``us-cfr``, ``eu-act``."""
    name: str
    headed: tuple[Headed, ...]
    """Headed units, tried in order: the first whose words match and whose place fits."""
    levels: dict[str, tuple[Level, ...]]
    """Each holder kind's subdivisions, outermost first."""
    body: str
    """The kind of the main numbered unit (``regulation``, ``section``, ``§``, ``article``),
    which a text without headings writes as a block ``5. …`` (or ``5.—(1) …``)."""
    example_heading: str = "3. Heading"
    """A heading opening a :attr:`body` unit, as a warning about a text without any shows it."""
    schedule_paragraph: str = ""
    """The holder numbered ``1.`` inside a schedule (``schedule-paragraph``), if any."""
    schedules: tuple[str, ...] = ()
    """Kinds whose numbered blocks are :attr:`schedule_paragraph` s, not :attr:`body` units."""
    unnumbered: str = "section"
    """What an unnumbered level-1/2 heading opens (beyond the title): ``section``
    (``## Explanatory note``), rank 1."""
    cross_heading: str = ""
    """What an unnumbered heading at level 3 or deeper opens when it is not a unit's
    own heading (uk-act: ``cross-heading``); empty: nothing, it stays in the unit before."""
    cross_heading_rank: int = 0
    recital: Level | None = None
    """Numbered blocks of the preamble (EU recitals ``(12) Whereas …``)."""
    recital_id: str = ""
    recital_label: str = ""
    body_words: tuple[str, ...] = ()
    """Words that may stand before a holder's number in a heading or block
    (``Regulation 5.``, ``Article 3``)."""
    marker: str = ""
    """Consolidation markers that may stand before a label or a heading's number
    (legislation.gov.uk's ``[F1`` … ``]``): read past, the provision is recognised."""
    plain_headings: str = ""
    """A line of a text pasted without Markdown that heads a :attr:`body` unit though it
    starts with a bare number (an Act's ``129 Lords Commissioners …``, as
    legislation.gov.uk prints a section); empty: such a line is a block (an SI's ``5.
    Text``), and only a number on its own heads one."""
    annotation_lines: str = ""
    """Lines of a pasted text that are a provision's annotations, never headings
    (legislation.gov.uk's "Annotations:" box: ``Amendments (Textual)``, ``F1S. 130
    repealed …``, ``M11946 c. 36.``): words of the provision above them."""
    definitions: Defined | None = None
    """Definitions that are units, with their subdivisions in :attr:`levels` under
    the definition's kind; ``None``: a definition is words of the unit it is in."""
    quotes: str = "“”"
    """Quotation marks an amending provision quotes text in, each opening mark followed
    by its closing one (an EU act's ``‘’``, with ``“”`` inside)."""
    stretches: bool = False
    """Whether a text of this kind may be read in stretches between its headings
    (:class:`regdraft.core.structure.StretchReader`): true where every level-2 heading
    opens a rank-1 unit (or an unnumbered section) closing every unit, holders open at
    level-3 headings closing every unit below their section, and nothing else
    (cross-headings, recitals, a Chapter at level 3) carries from one stretch into the next."""
    inline_labels: dict[str, str] = field(default_factory=dict)
    """Alternative citation forms of subdivisions, as regular expressions turning a
    label into the canonical one (EU ``point (a) of Article 3(2)``)."""

    def unit(self, kind: str) -> Headed:
        for unit in self.headed:
            if unit.kind == kind:
                return unit
        raise KeyError(kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every provision kind this tradition can give, outermost first."""
        seen = ["preamble"]
        for unit in self.headed:
            if unit.kind not in seen:
                seen.append(unit.kind)
        for levels in self.levels.values():
            for level in levels:
                if level.kind not in seen:
                    seen.append(level.kind)
        for extra in (self.unnumbered, self.cross_heading, "recital" if self.recital else "",
                      self.definitions.kind if self.definitions else ""):
            if extra and extra not in seen:
                seen.append(extra)
        return tuple(seen)


_CACHE: dict[tuple[str, bool], re.Pattern] = {}


def _compiled(words: str, ignore_case: bool) -> re.Pattern:
    key = (words, ignore_case)
    if key not in _CACHE:
        _CACHE[key] = re.compile(words, re.IGNORECASE if ignore_case else 0)
    return _CACHE[key]


# Pieces the kinds' heading words share: what may stand between a number and the
# heading's own words (``Part 2: Heading``, ``PART 1005—TITLE``, ``Article 3 - Scope``).
SEPARATOR = r"[\s:.—–-]*"
REST = r"(?P<heading>.*)$"
