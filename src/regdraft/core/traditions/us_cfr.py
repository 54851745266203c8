"""The US Code of Federal Regulations: chapters and subchapters of a title; a part, its subparts and sections (§), their
paragraphs (a), (1), (i), (A), (*1*), (*i*); appendices and supplements (official
interpretations) to the part."""

from regdraft.core.traditions.model import REST, Defined, Headed, Level, Tradition

_DASH = r"\s*[—–-]*\s*"
_SUBPART = r"^Subpart\s+(?P<number>[A-Z]+)\b" + _DASH + REST

TRADITION = Tradition(
    kind="us-cfr",
    name="US Code of Federal Regulations part",
    headed=(
        # A whole title (GPO's bulk files) has chapters and subchapters above its parts;
        # a part alone has none, and its ranks below are the same either way.
        Headed("chapter", r"^Chapter\s+(?P<number>[IVXLC]+)\b" + _DASH + REST, "chapter-{number}", "chapter {number}",
               rank=1, numbering="upper-roman"),
        Headed("subchapter", r"^Subchapter\s+(?P<number>[A-Z]+)\b" + _DASH + REST, "{container}-subchapter-{number}",
               "subchapter {number} of {container}", rank=2, within=("chapter",), numbering="upper"),
        Headed("part", r"^Part\s+(?P<number>[0-9]+)\b" + _DASH + REST, "part-{number}", "part {number}", rank=3,
               gaps_usual=True),
        # Subparts are lettered afresh in each part: a title's subpart A of part 2 and of
        # part 10 are told apart by their part ("subpart A of part 10"); an excerpt
        # without its part has bare subparts.
        Headed("subpart", _SUBPART, "{container}-subpart-{number}", "subpart {number} of {container}", rank=4,
               within=("part",), ignore_case=False, numbering="upper"),
        Headed("subpart", _SUBPART, "subpart-{number}", "subpart {number}", rank=4, not_within=("part",),
               ignore_case=False, numbering="upper"),
        Headed("appendix", r"^Appendix\s+(?P<number>[A-Z0-9]+(?:-[0-9]+)?)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH
               + REST, "appendix-{number}-to-part-{part}", "appendix {number} to part {part}", rank=4,
               numbering="upper"),
        Headed("supplement", r"^Supplement\s+(?P<number>[IVXLC]+)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH + REST,
               "supplement-{number}-to-part-{part}", "supplement {number} to part {part}", rank=4,
               numbering="upper-roman"),
        Headed("section", r"^§\s*(?P<number>[0-9]+\.[0-9]+[a-z]*)\b\.?\s*" + REST, "s{number}", "§ {number}",
               rank=5, holds=True, gaps_usual=True),
    ),
    levels={
        "section": (Level("paragraph", ("lower",)), Level("paragraph", ("arabic",)), Level("paragraph", ("roman",)),
                    Level("paragraph", ("upper",)), Level("paragraph", ("italic-arabic",)),
                    Level("paragraph", ("italic-roman",))),
        "definition": (Level("paragraph", ("arabic",)), Level("paragraph", ("roman",)), Level("paragraph", ("upper",)),
                       Level("paragraph", ("italic-arabic",)), Level("paragraph", ("italic-roman",))),
    },
    body="section",
    # ``*Agency* means …``: a definitions section's unlettered terms, with paragraphs (1)
    # of their own ("paragraph (1) of the definition of “Handicapped person” in § 457.103").
    definitions=Defined("definition", r"^\*(?P<term>[^*]+?)\*,?\s+(?:\([^)]*\)\s+)?"
                        r"(?:means|includes|has the (?:same )?meaning|refers to|is defined)\b", within=("section",)),
)
