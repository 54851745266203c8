"""Reading amending instructions: sentences written in the drafting style become
:class:`Instruction` values."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions.model import (
    CLOSE, DASH, DEFINITION, HEADING, INSERT, OMIT, OPEN, PROVISION, SUBSTITUTE, TEXT, WORDS, Instruction,
    Problem,
)

# --------------------------------------------------------------------------- reading

_NUMBERED = re.compile(r"^ {0,3}(\d+)[.)][ \t]+(.*)$")
_BULLET = re.compile(r"^ {0,3}[-*•][ \t]+(.*)$")
_QUOTE_LINE = re.compile(r"^ {0,3}> ?(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
PH_OPEN, PH_CLOSE = "\ue000", "\ue001"
_Q = f"{PH_OPEN}(\\d+){PH_CLOSE}"
_BLOCK_INTRO = re.compile(r"\s*(?:—|–|--|-|:)\s*$")
_NO_OP = re.compile(r".*\bamended as follows\b.*", re.IGNORECASE)


@dataclass
class _Entry:
    number: int | None
    lines: list[str]
    block: list[str] | None = None


def read_instructions(instructions: str) -> list[Instruction]:
    """Read instructions written in the drafting style, without applying them.

    Numbered (``1.``, ``1)``) or not (one instruction per paragraph); curly or straight
    quotes; ``insert—``, ``insert–``, ``insert:`` or ``insert -`` before a block, which
    is a blockquote (``> `` lines) or a fenced code block. Lines saying a text "is
    amended as follows" and Markdown headings are passed over.
    """
    lines = instructions.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    entries: list[_Entry] = []
    blank_before = True

    def attach(block: list[str]) -> None:
        if not entries:
            raise InvalidInstruction("instruction 1: a quoted block comes before any instruction", instruction=1)
        last = entries[-1]
        last.block = block if last.block is None else last.block + [""] + block

    i = 0
    while i < len(lines):
        line = lines[i]
        if _QUOTE_LINE.match(line):
            block = []
            while i < len(lines) and (m := _QUOTE_LINE.match(lines[i])):
                block.append(m.group(1))
                i += 1
            attach(block)
            blank_before = False
            continue
        if m := _FENCE.match(line):
            fence, block = m.group(1), []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                block.append(lines[i])
                i += 1
            i += 1
            attach(block)
            blank_before = False
            continue
        i += 1
        if not line.strip():
            blank_before = True
            continue
        if line.lstrip().startswith("#") and blank_before:
            continue
        if m := _NUMBERED.match(line):
            entries.append(_Entry(int(m.group(1)), [m.group(2).strip()]))
        elif entries and not blank_before and entries[-1].block is None:
            entries[-1].lines.append(line.strip())
        else:
            m = _BULLET.match(line)
            entries.append(_Entry(None, [(m.group(1) if m else line).strip()]))
        blank_before = False

    result = []
    previous = 0
    for entry in entries:
        number = entry.number if entry.number is not None else previous + 1
        previous = number
        sentence = " ".join(entry.lines)
        block = "\n".join(entry.block) if entry.block is not None else None
        try:
            ins = _read_sentence(sentence, block)
        except Problem as exc:
            raise InvalidInstruction(f"instruction {number}: {exc}", instruction=number) from None
        if ins is not None:
            result.append(replace(ins, number=number))
    return result


def _split_quotes(sentence: str) -> tuple[str, list[str]]:
    """The sentence with each quoted phrase replaced by a placeholder, and the phrases.
    Curly quotes nest (a phrase may quote a defined term); straight quotes do not."""
    out: list[str] = []
    phrases: list[str] = []
    i, n = 0, len(sentence)
    while i < n:
        c = sentence[i]
        if c == OPEN:
            depth, j = 1, i + 1
            while j < n and depth:
                if sentence[j] == OPEN:
                    depth += 1
                elif sentence[j] == CLOSE:
                    depth -= 1
                j += 1
            if depth:
                raise Problem(f"a quotation opened with {OPEN} is not closed: {sentence[i:i + 60]}")
            phrases.append(sentence[i + 1:j - 1])
        elif c == '"':
            j = sentence.find('"', i + 1)
            if j < 0:
                raise Problem(f'a quotation opened with " is not closed: {sentence[i:i + 60]}')
            j += 1
            phrases.append(sentence[i + 1:j - 1])
        elif c == CLOSE:
            raise Problem(f"a closing {CLOSE} has no opening {OPEN}: {sentence[max(0, i - 40):i + 1]}")
        else:
            out.append(c)
            i += 1
            continue
        out.append(f"{PH_OPEN}{len(phrases) - 1}{PH_CLOSE}")
        i = j
    return "".join(out), phrases


def _full(pattern: str, text: str) -> re.Match | None:
    return re.fullmatch(pattern, text, re.IGNORECASE)


def _read_sentence(sentence: str, block: str | None) -> Instruction | None:
    skeleton, phrases = _split_quotes(sentence)
    skeleton = " ".join(skeleton.split())
    intro = _BLOCK_INTRO.search(skeleton)
    if intro:
        skeleton = skeleton[:intro.start()]
    else:
        skeleton = skeleton.rstrip(". ")
    if _NO_OP.fullmatch(skeleton) and block is None:
        return None
    wants_block = bool(intro) or block is not None

    def ph(m: re.Match, group: int | str) -> str:
        return phrases[int(m.group(group))]

    def made(ins: Instruction) -> Instruction:
        takes_block = ins.target in (PROVISION, TEXT, DEFINITION) and ins.action != OMIT
        if takes_block and block is None:
            raise Problem(f"{_verb(ins)} must be followed by the text to put in, as a quoted block "
                           "(lines starting '> ')")
        if not takes_block and block is not None:
            raise Problem("a quoted block follows an instruction that takes none")
        return replace(ins, text=sentence, block=_block(block, ins.target) if takes_block else None)

    if wants_block and _full(r"for the (?:whole|entire) (?:of the )?text substitute", skeleton):
        return made(Instruction(0, "", SUBSTITUTE, TEXT))
    if m := _full(rf"for the heading (?:of|to) (.+?) substitute {_Q}", skeleton):
        return made(Instruction(0, "", SUBSTITUTE, HEADING, provision=_label(m.group(1)), new=ph(m, 2)))
    if m := _full(r"omit (.+)", skeleton):
        if PH_OPEN not in m.group(1):
            return made(Instruction(0, "", OMIT, PROVISION, provision=_label(m.group(1))))
    if wants_block:
        if m := _full(r"for (.+?) substitute", skeleton):
            if PH_OPEN not in m.group(1):
                return made(Instruction(0, "", SUBSTITUTE, PROVISION, provision=_label(m.group(1))))
        if m := _full(r"(after|before) (.+?) insert", skeleton):
            if PH_OPEN not in m.group(2):
                return made(Instruction(0, "", INSERT, PROVISION, provision=_label(m.group(2)),
                                        where=m.group(1).lower()))
    if m := _full(r"in the heading (?:of|to) (.+?), (.+)", skeleton):
        found = _rest(m.group(2), phrases, wants_block, _label(m.group(1)), HEADING, "")
        if found is not None:
            return made(found)
    if skeleton[:3].lower() == "in ":
        for split in re.finditer(", ", skeleton):
            label = skeleton[3:split.start()]
            if PH_OPEN in label:
                break
            found = _rest(skeleton[split.end():], phrases, wants_block, _label(label), "", "")
            if found is not None:
                return made(found)
    shown = sentence if len(sentence) <= 120 else sentence[:117] + "..."
    raise Problem(f"not understood: {shown}")


_RELATIVE = r"(?:paragraph|sub-paragraph|head)s? ((?:\([0-9A-Za-z]+\))+)"


def _rest(rest: str, phrases: list[str], wants_block: bool, label: str, within: str,
          term: str) -> Instruction | None:
    """What follows ``In <provision>, ``. Provisions within it may be named relative to
    it: ``In regulation 5, after paragraph (2) insert—``."""

    def ph(m: re.Match, group: int) -> str:
        return phrases[int(m.group(group))]

    if not within:
        if m := _full(r"in the heading, (.+)", rest):
            return _rest(m.group(1), phrases, wants_block, label, HEADING, "")
        if m := _full(rf"in the definition of {_Q}, (.+)", rest):
            return _rest(m.group(2), phrases, wants_block, label, DEFINITION, ph(m, 1))
        if m := _full(rf"in {_RELATIVE}, (.+)", rest):
            return _rest(m.group(2), phrases, wants_block, _within_label(label, m.group(1)), "", "")
        if m := _full(rf"omit {_RELATIVE}", rest):
            return Instruction(0, "", OMIT, PROVISION, provision=_within_label(label, m.group(1)))
        if wants_block and (m := _full(rf"for {_RELATIVE} substitute", rest)):
            return Instruction(0, "", SUBSTITUTE, PROVISION, provision=_within_label(label, m.group(1)))
        if wants_block and (m := _full(rf"(after|before) {_RELATIVE} insert", rest)):
            return Instruction(0, "", INSERT, PROVISION, provision=_within_label(label, m.group(2)),
                               where=m.group(1).lower())
    fields = dict(provision=label, within=within, term=term)
    if m := _full(rf"for (?:the words? )?{_Q} substitute {_Q}", rest):
        return Instruction(0, "", SUBSTITUTE, WORDS, words=ph(m, 1), new=ph(m, 2), **fields)
    if m := _full(rf"omit (?:the words? )?{_Q}", rest):
        return Instruction(0, "", OMIT, WORDS, words=ph(m, 1), **fields)
    if m := _full(rf"(after|before) (?:the words? )?{_Q} insert {_Q}", rest):
        return Instruction(0, "", INSERT, WORDS, where=m.group(1).lower(), words=ph(m, 2), new=ph(m, 3), **fields)
    if m := _full(rf"at the (beginning|end) insert {_Q}", rest):
        return Instruction(0, "", INSERT, WORDS, where=m.group(1).lower(), new=ph(m, 2), **fields)
    if within:
        return None
    if m := _full(rf"omit the definition of {_Q}", rest):
        return Instruction(0, "", OMIT, DEFINITION, provision=label, term=ph(m, 1))
    if not wants_block:
        return None
    if m := _full(rf"for the definition of {_Q} substitute", rest):
        return Instruction(0, "", SUBSTITUTE, DEFINITION, provision=label, term=ph(m, 1))
    if m := _full(rf"(after|before) the definition of {_Q} insert", rest):
        return Instruction(0, "", INSERT, DEFINITION, provision=label, where=m.group(1).lower(), term=ph(m, 2))
    if _full(r"in the appropriate place insert", rest):
        return Instruction(0, "", INSERT, PROVISION, provision=label, where="appropriate")
    if _full(r"at the end insert", rest):
        return Instruction(0, "", INSERT, PROVISION, provision=label, where="end")
    return None


def _within_label(label: str, numbers: str) -> str:
    """``regulation 5`` + ``(2)(b)`` → ``regulation 5(2)(b)``; ``paragraph 1 of
    Schedule 1`` + ``(2)`` → ``paragraph 1(2) of Schedule 1``."""
    if m := re.fullmatch(r"(paragraph \S+?)( of .+)", label, re.IGNORECASE):
        return m.group(1) + numbers + m.group(2)
    return label + numbers


def _label(label: str) -> str:
    return " ".join(label.split())


def _block(block: str | None, target: str) -> str:
    if block is None:
        return ""
    if target == TEXT:
        return block
    block = block.lstrip("\n").rstrip()
    if not block:
        raise Problem("the quoted block is empty")
    return block


def _verb(ins: Instruction) -> str:
    return f"'{ins.action}{DASH}'"

