"""Fuzzing the amending-instructions parser: whatever is written, reading or applying
instructions either gives a result or raises a RegdraftError that says what is wrong
(InvalidInstruction, InvalidStructure, ...), never anything else; and an applied
result is always a normalised text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regdraft.core.errors import RegdraftError
from regdraft.core.instructions import parse, read_instructions
from regdraft.core.text import normalise

from test_instructions import BASE

LABELS = ["regulation 3", "regulation 3(1)", "regulation 3(1)(b)(ii)", "regulation 5(3)(a)", "regulation 9",
          "paragraph (2)", "sub-paragraph (a)", "Schedule 1", "paragraph 1(2) of Schedule 1", "the preamble",
          "regulation 2(1)", "regulation 0", "regulation 3(1)(z)", "regulation 99(99)(zz)(xi)"]
WORDS = ["any person", "local authority", "functions", "Ofsted", "the 1989 Act", "", "“", "\"", "—", "x" * 50,
         "relevant body", "in writing"]
VERBS = ["for {q} substitute {q2}", "after {q} insert {q2}", "omit {q}", "omit", "substitute—", "insert—",
         "after {label} insert—", "before {label} insert—", "at the end insert {q2}", "for the heading substitute {q}",
         "in the definition of {q}, for {q2} substitute {q}", "{q}"]


def _quote(words: str) -> str:
    return f"“{words}”"


@st.composite
def sentences(draw) -> str:
    label = draw(st.sampled_from(LABELS))
    verb = draw(st.sampled_from(VERBS)).format(q=_quote(draw(st.sampled_from(WORDS))),
                                               q2=_quote(draw(st.sampled_from(WORDS))), label=draw(st.sampled_from(LABELS)))
    sentence = f"In {label}, {verb}" + draw(st.sampled_from([".", "", ";", " and"]))
    if verb.endswith("—"):
        block = draw(st.lists(st.sampled_from(["(4) A new paragraph.", "- (c) a new item;", "### 6. New",
                                               "", "“quoted”", "> nested"]), max_size=4))
        sentence += "\n\n" + "\n".join(f"> {line}" for line in block)
    return sentence


@st.composite
def instruction_texts(draw) -> str:
    parts = draw(st.lists(sentences(), min_size=1, max_size=5))
    numbered = draw(st.booleans())
    return "\n\n".join(f"{n}. {p}" if numbered else p for n, p in enumerate(parts, start=1))


noise = st.text(alphabet=st.sampled_from(list("In regulation (1)(a)“”\"—–-:.,;>#`\n 0123456789abcdefomitsubstitue")),
                max_size=300)


def _read_or_refused(text: str) -> None:
    try:
        read_instructions(text)
    except RegdraftError as error:
        assert error.message and "\n" not in error.message


def _apply_or_refused(text: str) -> None:
    try:
        result = parse(text, BASE)
    except RegdraftError as error:
        assert error.message
        return
    assert result == normalise(result)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=400) | noise)
def test_reading_any_text_gives_instructions_or_a_regdraft_error(text):
    _read_or_refused(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(instruction_texts())
def test_instruction_shaped_text_reads_or_is_refused(text):
    _read_or_refused(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(instruction_texts() | noise)
def test_applying_any_instructions_gives_a_text_or_a_regdraft_error(text):
    _apply_or_refused(text)
