"""The US Code of Federal Regulations: a part, its subparts and sections (§), their
paragraphs (a), (1), (i), (A), (*1*), (*i*); appendices and supplements (official
interpretations) to the part."""

from regdraft.core.traditions.model import REST, Headed, Level, Tradition

_DASH = r"\s*[—–-]*\s*"

TRADITION = Tradition(
    kind="us-cfr",
    name="US Code of Federal Regulations part",
    headed=(
        Headed("part", r"^Part\s+(?P<number>[0-9]+)\b" + _DASH + REST, "part-{number}", "part {number}", rank=1),
        Headed("subpart", r"^Subpart\s+(?P<number>[A-Z]+)\b" + _DASH + REST, "subpart-{number}",
               "subpart {number}", rank=2, ignore_case=False,
               numbering="upper"),
        Headed("appendix", r"^Appendix\s+(?P<number>[A-Z0-9]+(?:-[0-9]+)?)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH
               + REST, "appendix-{number}-to-part-{part}", "appendix {number} to part {part}", rank=2,
               numbering="upper"),
        Headed("supplement", r"^Supplement\s+(?P<number>[IVXLC]+)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH + REST,
               "supplement-{number}-to-part-{part}", "supplement {number} to part {part}", rank=2,
               numbering="upper-roman"),
        Headed("section", r"^§\s*(?P<number>[0-9]+\.[0-9]+[a-z]*)\b\.?\s*" + REST, "s{number}", "§ {number}",
               rank=3, holds=True),
    ),
    levels={
        "section": (Level("paragraph", ("lower",)), Level("paragraph", ("arabic",)), Level("paragraph", ("roman",)),
                    Level("paragraph", ("upper",)), Level("paragraph", ("italic-arabic",)),
                    Level("paragraph", ("italic-roman",))),
    },
    body="section",
)
