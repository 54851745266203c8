"""The US Code of Federal Regulations: a title's chapters and subchapters; a part, its
subparts and sections (§), their paragraphs (a), (1), (i), (A), (*1*), (*i*), and the
definitions of a definitions section; appendices (their lettered sections A-1, A-2 and
paragraphs) and supplements to the part, with the official interpretations' comments as
the CFPB cites them (``comment 2(a)-1.ii``)."""

from regdraft.core.traditions.model import REST, Defined, Headed, Level, Tradition

_DASH = r"\s*[—–-]*\s*"
_SECTION_LEVELS = (Level("paragraph", ("lower",)), Level("paragraph", ("arabic",)), Level("paragraph", ("roman",)),
                   Level("paragraph", ("upper",)), Level("paragraph", ("italic-arabic",)),
                   Level("paragraph", ("italic-roman",)))
# An official interpretation's comments: "1." under "2(a) Access device" is comment
# 2(a)-1, its "i." comment 2(a)-1.i, and "A." under that comment 2(a)-1.i.A.
_COMMENTS = (Level("comment", ("arabic",), written="dot", cited="-{number}", id_form="-c{number}"),
             Level("comment-paragraph", ("roman",), written="dot", cited=".{number}"),
             Level("comment-sub-paragraph", ("upper",), written="dot", cited=".{number}"))
_IN_SUPPLEMENT = {"within": ("supplement",), "holds": True, "suffix": " of {container}", "sparse": True}

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
        # Parts and sections are numbered with room left between them (§ 15.4, then
        # § 15.10; parts 23-49 reserved): their numbers skip as a rule.
        Headed("part", r"^Part\s+(?P<number>[0-9]+)\b" + _DASH + REST, "part-{number}", "part {number}", rank=3,
               sparse=True),
        # Subparts are lettered afresh in each part: a title's subpart A of part 2 and of
        # part 10 are told apart by their part; an excerpt without its part has bare subparts.
        Headed("subpart", r"^Subpart\s+(?P<number>[A-Z]+)\b" + _DASH + REST, "{container}-subpart-{number}",
               "subpart {number} of {container}", rank=4, within=("part",), within_optional=True,
               ignore_case=False, numbering="upper"),
        Headed("appendix", r"^Appendix\s+(?P<number>[A-Z0-9]+(?:-[0-9]+)?)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH
               + REST, "appendix-{number}-to-part-{part}", "appendix {number} to part {part}", rank=4,
               numbering="upper"),
        Headed("supplement", r"^Supplement\s+(?P<number>[IVXLC]+)\s+to\s+Part\s+(?P<part>[0-9]+)\b" + _DASH + REST,
               "supplement-{number}-to-part-{part}", "supplement {number} to part {part}", rank=4,
               numbering="upper-roman"),
        # An appendix's model forms and clauses: "A-1—Model Clauses for …", paragraphs (a), (1).
        Headed("appendix-section", r"^(?P<number>[A-Z]+-[0-9]+)\b" + _DASH + REST, "{container}-{number}",
               "{number}", rank=5, within=("appendix",), holds=True, suffix=" of {container}",
               ignore_case=False, numbering="upper", number_form=r"[A-Z]+-[0-9]+", number_id_form=r"[a-z]+-[0-9]+"),
        # The interpretations of one paragraph: "2(a) Access Device", "Paragraph 2(b)(2)".
        Headed("interpreted-paragraph", r"^(?:Paragraph\s+)?(?P<number>[0-9]+[a-z]*(?:\([0-9A-Za-z*]+\))+)" + _DASH
               + REST, "{container}-{number}", "comment {number}", rank=6, ignore_case=False,
               number_form=r"[0-9]+[a-z]*(?:\([0-9A-Za-z]+\))+", number_id_form=r"[0-9]+[a-z]*(?:-(?!c[0-9])[0-9a-z]+)+",
               spelled_by="section", **_IN_SUPPLEMENT),
        # The interpretations of a section ("Section 1005.2 Definitions", cited by its
        # number within the part: comment 2-1) and of an appendix ("Appendix A—…": comment app. A-1).
        Headed("interpreted-section", r"^Section\s+[0-9]+\.(?P<number>[0-9]+[a-z]*)\b\.?" + _DASH + REST,
               "{container}-{number}", "comment {number}", rank=5, number_form=r"[0-9]+[a-z]*",
               number_id_form=r"[0-9]+[a-z]*", **_IN_SUPPLEMENT),
        Headed("interpreted-appendix", r"^Appendix\s+(?P<number>[A-Z]+)\b(?!\s+to\b)" + _DASH + REST,
               "{container}-app-{number}", "comment app. {number}", rank=5, numbering="upper", ignore_case=False,
               **_IN_SUPPLEMENT),
        Headed("section", r"^§\s*(?P<number>[0-9]+\.[0-9]+[a-z]*)\b\.?\s*" + REST, "s{number}", "§ {number}",
               rank=5, holds=True, sparse=True),
    ),
    levels={
        "section": _SECTION_LEVELS,
        "appendix-section": _SECTION_LEVELS,
        "interpreted-section": _COMMENTS,
        "interpreted-paragraph": _COMMENTS,
        "interpreted-appendix": _COMMENTS,
        "definition": (Level("paragraph", ("arabic",)), Level("paragraph", ("roman",)), Level("paragraph", ("upper",)),
                       Level("paragraph", ("italic-arabic",)), Level("paragraph", ("italic-roman",))),
    },
    body="section",
    example_heading="§ 1005.3 Heading.",
    # ``*Agency* means …``: a definitions section's unlettered terms, with paragraphs (1)
    # of their own ("paragraph (1) of the definition of “Handicapped person” in § 457.103").
    definitions=Defined("definition", r"^\*(?P<term>[^*]+?)\*,?\s+(?:\([^)]*\)\s+)?"
                        r"(?:means|includes|has the (?:same )?meaning|refers to|is defined)\b", within=("section",)),
)
