"""EU regulations and directives: recitals; Titles, Chapters, Sections, Articles,
their numbered paragraphs, points and sub-points; Annexes."""

from regdraft.core.traditions.model import REST, SEPARATOR, Headed, Level, Tradition

_ROMAN = r"[IVXLC]+"

TRADITION = Tradition(
    kind="eu-act",
    name="EU act",
    headed=(
        Headed("title", rf"^Title\s+(?P<number>{_ROMAN})\b" + SEPARATOR + REST, "title-{number}", "Title {number}",
               rank=1, numbering="upper-roman"),
        Headed("chapter", rf"^Chapter\s+(?P<number>{_ROMAN})\b" + SEPARATOR + REST, "chapter-{number}",
               "Chapter {number}", rank=2, numbering="upper-roman"),
        Headed("eu-section", r"^Section\s+(?P<number>[0-9]+)\b" + SEPARATOR + REST, "{container}-section-{number}",
               "Section {number} of {container}", rank=3, within=("chapter",)),
        Headed("annex", rf"^Annex(?:\s+(?P<number>{_ROMAN}|[0-9]+))?\b" + SEPARATOR + REST, "annex-{number}",
               "Annex {number}", rank=1, unnumbered_id="annex", unnumbered_label="the Annex", numbering="upper-roman"),
        Headed("article", r"^Article\s+(?P<number>[0-9]+[a-z]*)\b" + SEPARATOR + REST, "art-{number}",
               "Article {number}", rank=4, holds=True, not_within=("annex",)),
    ),
    levels={
        "article": (Level("paragraph", ("arabic",), written="dot"), Level("point", ("lower",)),
                    Level("sub-point", ("roman",))),
    },
    body="article",
    recital=Level("recital", ("arabic",)),
    recital_id="rec-{number}",
    recital_label="recital {number}",
    # "point (a) of Article 3(2)" is Article 3(2)(a); "point (i) of point (a) of …" nests.
    inline_labels={r"^point\s+(\([^)]+\))\s+of\s+(.+)$": r"\2\1"},
)
