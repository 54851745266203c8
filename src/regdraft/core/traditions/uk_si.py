"""UK statutory instruments: Parts, regulations (articles, rules), paragraphs,
sub-paragraphs and heads; Schedules with their paragraphs."""

from regdraft.core.traditions.model import REST, SEPARATOR, Headed, Level, Tradition

# ``3.``, ``3A.``, ``5 Heading`` (no full stop), ``Regulation 5.``; not ``1.5 metres``.
# The number keeps its drafting case (``3A``), so only the word is case-blind.
NUMBERED_HEADING = (r"^(?:(?i:regulation|article|rule|section|paragraph)\s+)?(?P<number>[0-9]+[A-Z]*)"
                    r"(?:\.(?=\s|$)|(?=\s|$))\s*" + REST)
MARKER = r"\[(?:F[0-9]+\s*)?"
# legislation.gov.uk's "Annotations:" box under a provision, as its page is copied: the
# box's title, its group headings, and each annotation, its marker run into its words
# ("F1S. 130 repealed …", "M11946 c. 36.", "X1The text of …").
ANNOTATION_LINES = (r"^(?:Annotations:|Amendments \(Textual\)|Modifications etc\. \(not altering text\)"
                    r"|Commencement Information|Extent Information|Editorial Information|Marginal Citations"
                    r"|[FCIEXM][0-9]+(?=[A-Z“\"(.\[]|[0-9]{4}\b)\S.*)$")

# Older instruments number their Parts in roman numerals (Part IV of the Schedule to
# S.R. 2007/311): ``part-iv``, ``Part IV``.
PART_WORDS = r"^Part\s+(?P<number>[0-9]+[A-Z]*|[IVXLC]+)\b" + SEPARATOR + REST
PART = Headed("part", PART_WORDS, "part-{number}", "Part {number}", rank=1)
# A Part of a Schedule is the Schedule's, not a Part of the instrument that would close
# it (and make paragraph 2 of the Schedule “regulation 2”).
SCHEDULE_PART = Headed("schedule-part", PART_WORDS, "{container}-part-{number}", "Part {number} of {container}",
                       rank=2, within=("schedule",))
SCHEDULE = Headed("schedule", r"^Schedule(?:\s+(?P<number>[0-9]+[A-Z]*))?\b" + SEPARATOR + REST, "sch-{number}",
                  "Schedule {number}", rank=1, unnumbered_id="sch", unnumbered_label="the Schedule")

SUBDIVISIONS = (Level("sub-paragraph", ("lower",)), Level("head", ("roman",)), Level("item", ("upper",)))

TRADITION = Tradition(
    kind="uk-si",
    name="UK statutory instrument",
    headed=(
        SCHEDULE_PART,
        PART,
        SCHEDULE,
        Headed("schedule-paragraph", NUMBERED_HEADING, "{container}-para-{number}", "paragraph {number}", rank=3,
               within=("schedule",), holds=True, suffix=" of {container}", ignore_case=False),
        Headed("regulation", NUMBERED_HEADING, "reg-{number}", "regulation {number}", rank=2, holds=True,
               ignore_case=False),
    ),
    levels={
        "regulation": (Level("paragraph", ("arabic",)), *SUBDIVISIONS),
        "schedule-paragraph": (Level("schedule-sub-paragraph", ("arabic",)), *SUBDIVISIONS),
    },
    body="regulation",
    schedule_paragraph="schedule-paragraph",
    schedules=("schedule",),
    marker=MARKER,
    annotation_lines=ANNOTATION_LINES,
    stretches=True,
)
