"""How each drafting tradition words its amending instructions: one table, read by the
one instruction engine in both directions (``core/instructions``).

Every form is a list of templates: the first is what the generator writes, and the
reader accepts them all. In a template ``{p}`` is a provision (a label, or a name
relative to the provision the instruction is already in: ``paragraph (2)``, ``point
(a)``), ``{q}`` a second one (renumbering), ``{w}`` the quoted words acted on, ``{x}``
the quoted words a span runs to, ``{n}`` the quoted words put in, ``{t}`` a quoted
defined term, ``{u}`` the unit word of the provisions a block puts in (``Article``) and a
trailing ``{b}`` the text a block brings in (the tradition's ``block_intro`` and then the
text, quoted as the tradition prints it).

Forms with no ``{p}`` are "rests": they follow a lead (``In regulation 3, ``) that says
where they act.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regdraft.core.traditions import DEFAULT_KIND, tradition


@dataclass(frozen=True, eq=False)  # one value per tradition: compared, and cached, by identity
class Phrasing:
    kind: str
    open: str
    """The quotation marks around quoted words."""
    close: str
    block_intro: str
    """What ends a sentence that a block follows (``—`` in UK drafting, ``:``)."""
    block_open: str
    """What opens a printed block (``“``), or "" where the block runs, unquoted, to the
    next instruction (the Federal Register's style)."""
    block_close: str
    leads: tuple[str, ...]
    """Ways to say which provision the rest of the sentence acts in."""
    heading_leads: tuple[str, ...]
    definition_leads: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]
    relative_units: dict[str, str]
    """Unit words that name a provision inside another, and how the number is written
    in a label: ``bracketed`` (``paragraph (2)`` → ``(2)``) or ``bare`` (EU ``paragraph
    2`` → ``(2)``)."""
    relative_from: str
    """What a relative name is counted from: ``context`` (the provision the sentence is
    in: UK ``In regulation 3, in paragraph (2)``) or ``section`` (the section it stands
    in: US ``In § 1005.2(a), revise paragraph (a)(1)``)."""
    name_relatively: tuple[str, ...]
    """The unit words the generator names relative to the provision above (EU: an
    Article's ``paragraph 2``, a paragraph's ``point (a)``, by depth below the unit that
    has a heading; US: ``paragraph (a)(1)`` of its section). Empty: labels in full."""
    heading_units: tuple[str, ...]
    """Unit words that open a heading line in the storage form (``Part 2: Heading``)."""
    numbered_headings: str
    """A regular expression for the number that opens a provision's heading line when
    no unit word does (``3.`` in an SI, ``3`` in an Act, ``§ 1005.2``)."""
    heading_ends_with_stop: bool = False
    """Whether a heading may end with a full stop (``§ 1005.2 Definitions.``); where it
    may not, a numbered line that does is a paragraph (``1. A provider must ...``)."""
    heading_level: dict[str, str] = field(default_factory=dict)
    """How many ``#`` a printed heading takes back in storage, by its first word
    (``Part`` → ``##``); other numbered headings take ``###``."""
    item_numbers: str = ""
    """A regular expression for the numbers of the units stored as ``- `` list items
    (``(a)``, ``(i)``), which print without the marker."""
    abbreviations: dict[str, str] = field(default_factory=dict)
    """Short forms of unit words that labels may be written with (``reg.``)."""
    repeal_words: tuple[str, ...] = ()
    """The verbs this tradition ends a provision with, all read (``revoked``)."""
    quote_nouns: tuple[str, ...] = ()
    """Words a reader takes before any quoted words without change of meaning (UK “for
    the word “of” substitute the word “on””, as SI 2005/2338 writes): longest first."""


def _uk(kind: str, unit: str, repeal: str, paragraph: str, numbered: str, heading_units: tuple[str, ...],
        levels: dict[str, str]) -> Phrasing:
    """UK drafting words SIs and Acts alike; they differ in their unit words."""
    return Phrasing(
        kind=kind, open="“", close="”", block_intro="—", block_open="“", block_close="”",
        leads=("In {p}, ",),
        heading_leads=("In the heading of {p}, ", "In the heading to {p}, ", "In {p}, in the heading, ",
                       "In the heading, "),
        definition_leads=("In {p}, in the definition of {t}, ",),
        forms={
            "substitute words": ("for {w} substitute {n}", "for the words {w} substitute {n}",
                                 "for the word {w} substitute {n}"),
            "substitute words each": ("for {w}, in each place it occurs, substitute {n}",
                                      "for {w} in each place it occurs substitute {n}",
                                      "for {w}, wherever it occurs, substitute {n}"),
            "substitute words nth": ("for {w}, in the {o} place it occurs, substitute {n}",
                                     "for {w} in the {o} place it occurs substitute {n}",
                                     "for {w}, where it {o} occurs, substitute {n}",
                                     "for {w} (where it {o} occurs) substitute {n}"),
            "substitute words to end": ("for the words from {w} to the end substitute {n}",
                                        "for the words from {w} to the end of {p} substitute {n}"),
            "substitute words to": ("for the words from {w} to {x} substitute {n}",),
            "omit words": ("omit {w}", "omit the words {w}", "omit the word {w}", "the words {w} are omitted",
                           "the word {w} is omitted", "{w} is omitted"),
            "omit words each": ("omit {w}, in each place it occurs", "omit {w} in each place it occurs",
                                "omit {w} wherever it occurs", "omit {w}, wherever it occurs"),
            "omit words both": ("omit {w}, in both places where it occurs", "omit {w} in both places where it occurs",
                                "omit {w} in both places", "omit {w}, in both places it occurs",
                                "omit {w} in both places it occurs"),
            "omit words nth": ("omit {w}, in the {o} place it occurs", "omit {w} in the {o} place it occurs",
                               "omit {w} in the {o} place where it occurs"),
            "omit words to end": ("omit the words from {w} to the end", "the words from {w} to the end are omitted",
                                  "omit the words from {w} to the end of {p}"),
            "omit words to": ("omit the words from {w} to {x}",),
            "omit words after": ("omit the {w} after {p}", "omit the {w} at the end of {p}",
                                 "the {w} after {p} is omitted", "omit {w} at the end of {p}"),
            "insert words after": ("after {w} insert {n}", "after the words {w} insert {n}",
                                   "after the word {w} insert {n}", "insert {n} after {w}"),
            "insert words after nth": ("after {w}, in the {o} place it occurs, insert {n}",
                                       "after {w} in the {o} place it occurs insert {n}"),
            "insert words before": ("before {w} insert {n}", "before the words {w} insert {n}",
                                    "before the word {w} insert {n}", "insert {n} before {w}"),
            "insert words beginning": ("at the beginning insert {n}",),
            "insert words end": ("at the end insert {n}", "at the end add {n}"),
            "substitute heading": ("for the heading of {p} substitute {n}", "for the heading to {p} substitute {n}",
                                   "for the heading substitute {n}"),
            "omit provision": ("omit {p}", f"{{p}} is {repeal}", f"{{p}} are {repeal}"),
            "substitute provision": ("for {p} substitute{b}", "for {p} substitute the following {u}{b}"),
            "insert provision after": ("after {p} insert{b}", "after {p}, insert the following {u}{b}",
                                       "after {p} insert the following {u}{b}", "after {p}, insert the following{b}",
                                       "after {p} insert the following{b}"),
            "insert provision before": ("before {p} insert{b}", "before {p}, insert the following {u}{b}",
                                        "before {p} insert the following {u}{b}"),
            "insert provision end": ("at the end insert{b}", "at the end add{b}"),
            "insert provision appropriate": ("in the appropriate place insert{b}",),
            "renumber provision": ("renumber {p} as {q}", "{p} is renumbered as {q}",
                                   "{p} is renumbered {q}"),
            "omit definition": ("omit the definition of {t}", "the definition of {t} is omitted"),
            "substitute definition": ("for the definition of {t} substitute{b}",),
            "insert definition after": ("after the definition of {t} insert{b}",),
            "insert definition before": ("before the definition of {t} insert{b}",),
            "substitute text": ("for the whole text substitute{b}", "for the entire text substitute{b}",
                                "for the whole of the text substitute{b}"),
            "amended": ("{p} is amended as follows", "{p} are amended as follows", "{p} is amended"),
        },
        relative_units={paragraph: "bracketed", "sub-paragraph": "bracketed", "head": "bracketed",
                        "paragraph": "bracketed"},
        relative_from="context",
        name_relatively=(),
        heading_units=heading_units,
        numbered_headings=numbered,
        heading_level=levels,
        item_numbers=r"\((?:[a-z]{1,2}|[ivxl]+)\)",
        abbreviations={"reg": "regulation", "regs": "regulation", "para": "paragraph", "paras": "paragraph",
                       "sch": "schedule", "s": "section", "ss": "section", unit: unit},
        repeal_words=(repeal,),
        quote_nouns=("the words", "the word"),
    )


UK_SI = _uk("uk-si", "regulation", "revoked", "paragraph", r"\d+[A-Z]*\.", ("Part", "Schedule"),
            {"Part": "##", "Schedule": "##"})
UK_ACT = _uk("uk-act", "section", "repealed", "subsection", r"\d+[A-Z]*\.?", ("Part", "Chapter", "Schedule"),
             {"Part": "##", "Schedule": "##", "Chapter": "###"})

US_CFR = Phrasing(
    kind="us-cfr", open="“", close="”", block_intro=":", block_open="", block_close="",
    leads=("In {p}, ", "Amend {p} by "),
    heading_leads=("In the heading of {p}, ", "In {p}, in the section heading, "),
    definition_leads=("In {p}, in the definition of {t}, ", "In {p}, in the definition for {t}, "),
    forms={
        "substitute words": ("remove the words {w} and add in their place the words {n}",
                             "remove {w} and add in its place {n}", "remove the word {w} and add in its place the word {n}",
                             "removing the words {w} and adding in their place the words {n}",
                             "removing {w} and adding in its place {n}"),
        "substitute words each": ("remove the words {w} wherever they appear and add in their place the words {n}",
                                  "remove {w} wherever it appears and add in its place {n}"),
        "omit words": ("remove the words {w}", "remove {w}", "remove the word {w}", "removing the words {w}"),
        "omit words each": ("remove the words {w} wherever they appear", "remove {w} wherever it appears"),
        "insert words after": ("add the words {n} after the words {w}", "add {n} after {w}",
                               "adding the words {n} after the words {w}"),
        "insert words before": ("add the words {n} before the words {w}", "add {n} before {w}"),
        "insert words beginning": ("add the words {n} at the beginning", "add {n} at the beginning"),
        "insert words end": ("add the words {n} at the end", "add {n} at the end"),
        "substitute heading": ("revise the heading of {p} to read {n}", "revise the section heading to read {n}"),
        "omit provision": ("remove {p}", "remove and reserve {p}", "{p} is removed", "{p} are removed",
                           "removing {p}"),
        "substitute provision": ("revise {p} to read as follows{b}", "{p} is revised to read as follows{b}",
                                 "revising {p} to read as follows{b}"),
        "insert provision numbered": ("add {p} to read as follows{b}", "adding {p} to read as follows{b}",
                                      "{p} is added to read as follows{b}"),
        "insert provision after": ("add after {p} the following{b}", "adding after {p} the following{b}"),
        "insert provision before": ("add before {p} the following{b}",),
        "insert provision end": ("add at the end the following{b}",),
        "insert provision appropriate": ("add, in alphabetical order, definitions to read as follows{b}",
                                         "add definitions in alphabetical order to read as follows{b}"),
        "renumber provision": ("redesignate {p} as {q}", "{p} is redesignated as {q}",
                               "redesignating {p} as {q}"),
        "omit definition": ("remove the definition of {t}", "remove the definition for {t}"),
        "substitute definition": ("revise the definition of {t} to read as follows{b}",),
        "insert definition after": ("add after the definition of {t} the following{b}",),
        "insert definition before": ("add before the definition of {t} the following{b}",),
        "substitute text": ("revise the whole text to read as follows{b}",),
        "amended": ("{p} is amended as follows", "{p} is amended by", "amend {p} by", "amend {p} as follows"),
    },
    relative_units={"paragraph": "bracketed", "paragraphs": "bracketed"},
    relative_from="section",
    name_relatively=("paragraph",),
    heading_units=("PART", "Part", "Subpart", "Appendix", "Supplement"),
    numbered_headings=r"§+\s*\d+\.\d+[a-z]*",
    heading_ends_with_stop=True,
    heading_level={"PART": "#", "Part": "#", "Subpart": "##", "Appendix": "##", "Supplement": "##"},
    item_numbers="",
    abbreviations={"sec": "§", "section": "§"},
    repeal_words=("removed",),
)

EU_ACT = Phrasing(
    kind="eu-act", open="‘", close="’", block_intro=":", block_open="‘", block_close="’",
    leads=("In {p}, ", "{p} is amended as follows: "),
    heading_leads=("In the title of {p}, ", "In the heading of {p}, "),
    definition_leads=("In {p}, in the definition of {t}, ",),
    forms={
        "substitute words": ("the words {w} are replaced by {n}", "the word {w} is replaced by {n}",
                             "{w} is replaced by {n}"),
        "substitute words each": ("the words {w} are replaced by {n} throughout",
                                  "the words {w} are replaced by {n} wherever they appear"),
        "omit words": ("the words {w} are deleted", "the word {w} is deleted", "{w} is deleted"),
        "omit words each": ("the words {w} are deleted throughout", "the words {w} are deleted wherever they appear"),
        "insert words after": ("the words {n} are inserted after {w}", "the word {n} is inserted after {w}",
                               "the words {n} are inserted after the words {w}"),
        "insert words before": ("the words {n} are inserted before {w}", "the word {n} is inserted before {w}"),
        "insert words beginning": ("the words {n} are inserted at the beginning",),
        "insert words end": ("the words {n} are added at the end", "the word {n} is added at the end",
                             "the following words are added at the end: {n}"),
        "substitute heading": ("the title of {p} is replaced by {n}", "the heading of {p} is replaced by {n}"),
        "omit provision": ("{p} is deleted", "{p} are deleted"),
        "substitute provision": ("{p} is replaced by the following{b}", "{p} are replaced by the following{b}"),
        "insert provision after": ("the following {u} is inserted after {p}{b}",
                                   "the following {u} are inserted after {p}{b}",
                                   "after {p}, the following {u} is inserted{b}",
                                   "after {p}, the following {u} are inserted{b}"),
        "insert provision before": ("the following {u} is inserted before {p}{b}",
                                    "the following {u} are inserted before {p}{b}"),
        "insert provision end": ("the following {u} is added{b}", "the following {u} are added{b}",
                                 "the following is added{b}"),
        "insert provision appropriate": ("the following definitions are inserted{b}",
                                         "the following definition is inserted{b}"),
        "renumber provision": ("{p} is renumbered {q}", "{p} is renumbered as {q}"),
        "omit definition": ("the definition of {t} is deleted",),
        "substitute definition": ("the definition of {t} is replaced by the following{b}",),
        "insert definition after": ("the following definition is inserted after the definition of {t}{b}",),
        "insert definition before": ("the following definition is inserted before the definition of {t}{b}",),
        "substitute text": ("the whole text is replaced by the following{b}",),
        "amended": ("{p} is amended as follows", "{p} are amended as follows"),
    },
    relative_units={"paragraph": "bare", "point": "bracketed", "points": "bracketed", "paragraphs": "bare",
                    "subparagraph": "bare"},
    relative_from="context",
    name_relatively=("paragraph", "point", "point"),
    heading_units=("Title", "Chapter", "Section", "Annex", "Article"),
    numbered_headings=r"Article\s+\d+[a-z]*",
    heading_level={"Title": "##", "Chapter": "##", "Section": "###", "Annex": "##", "Article": "###"},
    item_numbers=r"\((?:[a-z]{1,2}|[ivxl]+)\)",
    abbreviations={"art": "article"},
    repeal_words=("deleted",),
)

PHRASINGS: dict[str, Phrasing] = {p.kind: p for p in (UK_SI, UK_ACT, US_CFR, EU_ACT)}

__all__ = ["DEFAULT_KIND", "PHRASINGS", "Phrasing", "phrasing"]


def phrasing(kind: str) -> Phrasing:
    """The phrasing of a document kind; ``ValueError`` naming the known kinds for any other."""
    tradition(kind)
    return PHRASINGS[kind]
