"""UK Acts: Parts, Chapters, cross-headings, sections, subsections, paragraphs and
sub-paragraphs; Schedules, their Parts and paragraphs."""

from regdraft.core.traditions.model import REST, SEPARATOR, Headed, Level, Tradition
from regdraft.core.traditions.uk_si import ANNOTATION_LINES, MARKER, NUMBERED_HEADING, SCHEDULE

# Acts before the 2000s number their Parts and Chapters in roman numerals (Part VI,
# Chapter II): ``part-vi``, ``Part VI``.
_NUMBER = r"(?P<number>[0-9]+[A-Z]*|[IVXLC]+)"
_PART_WORDS = rf"^Part\s+{_NUMBER}\b" + SEPARATOR + REST

TRADITION = Tradition(
    kind="uk-act",
    name="UK Act of Parliament",
    headed=(
        Headed("schedule-part", _PART_WORDS, "{container}-part-{number}", "Part {number} of {container}", rank=2,
               within=("schedule",)),
        Headed("part", _PART_WORDS, "part-{number}", "Part {number}", rank=1),
        Headed("chapter", rf"^Chapter\s+{_NUMBER}\b" + SEPARATOR + REST, "{container}-chapter-{number}",
               "Chapter {number} of {container}", rank=2, within=("part",)),
        SCHEDULE,
        Headed("schedule-paragraph", NUMBERED_HEADING, "{container}-para-{number}", "paragraph {number}", rank=4,
               within=("schedule",), holds=True, suffix=" of {container}", ignore_case=False, titled=False),
        Headed("section", NUMBERED_HEADING, "sec-{number}", "section {number}", rank=4, holds=True,
               ignore_case=False),
    ),
    levels={
        "section": (Level("subsection", ("arabic",)), Level("paragraph", ("lower",)),
                    Level("sub-paragraph", ("roman",)), Level("item", ("upper",))),
        "schedule-paragraph": (Level("schedule-sub-paragraph", ("arabic",)), Level("paragraph", ("lower",)),
                               Level("sub-paragraph", ("roman",)), Level("item", ("upper",))),
    },
    body="section",
    example_heading="3 Heading",
    schedule_paragraph="schedule-paragraph",
    schedules=("schedule",),
    cross_heading="cross-heading",
    cross_heading_rank=3,
    marker=MARKER,
    # "129 Lords Commissioners …" (or "143 F21. . .", repealed), not "1981 CHAPTER 54".
    plain_headings=r"^[0-9]+[A-Z]*\s+(?!(?:CHAPTER|c\.|No\.)(?:\s|$))(?:[A-Z]|[FX][0-9]|\[)",
    annotation_lines=ANNOTATION_LINES,
)
