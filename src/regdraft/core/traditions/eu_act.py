"""EU regulations and directives: recitals; Titles, Chapters, Sections, Articles,
their numbered paragraphs, points and sub-points; Annexes and their points."""

from regdraft.core.traditions.model import REST, SEPARATOR, Headed, Level, Tradition

_ROMAN = r"[IVXLC]+"
# An Annex's points: "1." (or "(1)" in an amending Annex), "(a)", "(i)".
_ANNEX_POINTS = (Level("point", ("arabic",), written="dot", cited="{number}"), Level("point", ("lower",)),
                 Level("point", ("roman",)))

TRADITION = Tradition(
    kind="eu-act",
    name="EU act",
    headed=(
        Headed("title", rf"^Title\s+(?P<number>{_ROMAN})\b" + SEPARATOR + REST, "title-{number}", "Title {number}",
               rank=1, numbering="upper-roman"),
        # Chapters are numbered in roman, but legislation.gov.uk's text of Regulation (EU)
        # No 319/2014 has "CHAPTER 1" before "CHAPTER II": still the Chapter, chapter-1.
        Headed("chapter", rf"^Chapter\s+(?P<number>{_ROMAN}|[0-9]+)\b" + SEPARATOR + REST,
               "{container}-chapter-{number}", "Chapter {number} of {container}", rank=2, numbering="upper-roman",
               within=("title",), within_optional=True),
        Headed("eu-section", r"^Section\s+(?P<number>[0-9]+)\b" + SEPARATOR + REST, "{container}-section-{number}",
               "Section {number} of {container}", rank=3, within=("chapter",)),
        # An Annex's Parts (Regulation (EU) No 319/2014: Parts I-V of its Annex), whose
        # points are numbered afresh in each: "point 2 of Part V of the Annex". Before the
        # Annex, so that an id annex-part-v-2 is read as this unit's, not as the Annex's points.
        Headed("annex-part", rf"^Part\s+(?P<number>{_ROMAN}|[A-Z]|[0-9]+)\b" + SEPARATOR + REST,
               "{container}-part-{number}", "Part {number} of {container}", rank=2, within=("annex",), holds=True,
               subdivisions_cited="point {subdivisions} of {label}", number_id_form="[ivxlc]+|[a-z]|[0-9]+"),
        Headed("annex", rf"^Annex(?:\s+(?P<number>{_ROMAN}|[0-9]+))?\b" + SEPARATOR + REST, "annex-{number}",
               "Annex {number}", rank=1, unnumbered_id="annex", unnumbered_label="the Annex", numbering="upper-roman",
               holds=True, subdivisions_cited="point {subdivisions} of {label}",
               number_id_form="[ivxlc]+"),  # in an id, annex-1-a is point 1(a) of the Annex
        Headed("article", r"^Article\s+(?P<number>[0-9]+[a-z]*)\b" + SEPARATOR + REST, "art-{number}",
               "Article {number}", rank=4, holds=True, not_within=("annex",)),
    ),
    levels={
        "article": (Level("paragraph", ("arabic",), written="dot"), Level("point", ("lower",)),
                    Level("sub-point", ("roman",))),
        "annex": _ANNEX_POINTS,
        "annex-part": _ANNEX_POINTS,
    },
    body="article",
    example_heading="Article 3",
    quotes="‘’“”",
    recital=Level("recital", ("arabic",)),
    recital_id="rec-{number}",
    recital_label="recital {number}",
    # "point (a) of Article 3(2)" is Article 3(2)(a); "point (i) of point (a) of …" nests,
    # and "point (a) of point 1 of Annex I" is point 1(a) of Annex I.
    inline_labels={r"^point\s+(\([^)]+\))\s+of\s+point\s+([^\s()]+(?:\([^)]+\))*)\s+of\s+((?:the\s+)?Annex\b.*)$":
                   r"point \2\1 of \3",
                   r"^point\s+(\([^)]+\))\s+of\s+(?!(?:the\s+)?Annex\b)(.+)$": r"\2\1"},
)
