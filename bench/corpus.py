"""Regulation-shaped Markdown and edits to it, from a seed, so every run sees the same texts.

The texts follow docs/drafting-format.md: a title, a preamble, ``## Part N: Heading``
sections holding ``### N. Heading`` regulations, ``(1)`` paragraphs, ``- (a)``
sub-paragraphs and ``  - (i)`` heads, with cross-references ("regulation 12(3)") in the
prose. Edits work on lines and keep a record of what they did, so a benchmark can check
results against ground truth.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Callable

_WORDS = (
    "authority local person body provider functions children care social services delegate delegation "
    "accommodation arrangements assessment inspection registered officer plan duty power exercise relevant "
    "Secretary State consultation protection welfare placement review record notice period direction "
    "agreement contract appropriate reasonable practicable purpose condition requirement standard "
    "information proceedings court order application decision manager staff premises facilities "
    "education health safeguarding partner council district county area arrangements annual report "
    "within after before under subject without pursuant accordance respect relation connection"
).split()
_JOINERS = ("the", "of", "to", "and", "in", "a", "by", "for", "with", "or", "any", "such", "that", "is", "may", "must")
_HEADINGS = ("Interpretation", "Citation and commencement", "Functions to be treated as relevant care functions",
             "Duty to consult", "Delegation of functions", "Inspection", "Records", "Notices", "Reviews",
             "Conditions of delegation", "Revocation", "Transitional provision", "Fees", "Complaints",
             "Information sharing", "Annual reports", "Directions", "Enforcement", "Registration")


def _sentence(rng: random.Random, reg_count: int, min_words: int = 10, max_words: int = 34) -> str:
    words = []
    for _ in range(rng.randint(min_words, max_words)):
        words.append(rng.choice(_JOINERS) if rng.random() < 0.4 else rng.choice(_WORDS))
        if rng.random() < 0.04:
            words.append(f"regulation {rng.randint(1, max(reg_count, 1))}({rng.randint(1, 4)})")
    text = " ".join(words)
    return text[0].upper() + text[1:]


def regulation_text(target_bytes: int, seed: int = 1) -> str:
    """A regulation of about ``target_bytes`` (UTF-8), normalised as regdraft stores text."""
    rng = random.Random(seed)
    estimated_regs = max(target_bytes // 1400, 1)
    out = ["# The Generated (Relevant Care Functions) (England) Regulations 2026\n",
           "The Secretary of State makes the following Regulations in exercise of the powers conferred "
           "by sections 1 and 2 of the Children and Young Persons Act 2008.\n"]
    size = sum(len(s) + 1 for s in out)
    reg = part = 0
    while size < target_bytes:
        if reg % 12 == 0:
            part += 1
            block = [f"## Part {part}: {rng.choice(_HEADINGS)}\n"]
        else:
            block = []
        reg += 1
        block.append(f"### {reg}. {rng.choice(_HEADINGS)}\n")
        for paragraph in range(1, rng.randint(1, 5) + 1):
            lead = _sentence(rng, estimated_regs)
            if rng.random() < 0.45:
                block.append(f"({paragraph}) {lead}—\n")
                items = []
                for letter in "abcdefgh"[:rng.randint(2, 6)]:
                    item = f"- ({letter}) {_sentence(rng, estimated_regs, 6, 20)};"
                    if rng.random() < 0.2:
                        item += "\n" + "\n".join(f"  - ({roman}) {_sentence(rng, estimated_regs, 4, 12)};"
                                                 for roman in ("i", "ii", "iii")[:rng.randint(2, 3)])
                    items.append(item)
                block.append("\n".join(items) + "\n")
            else:
                block.append(f"({paragraph}) {lead}.\n")
        out.extend(block)
        size += sum(len(s) + 1 for s in block)
    return "\n".join(out)


@dataclass(frozen=True)
class Edit:
    """One single-line change: line ``line`` of the old text, ``old`` -> ``new``."""

    line: int
    old: str
    new: str


def editable_lines(lines: list[str]) -> list[int]:
    """Body lines (paragraphs, sub-paragraphs) long enough to change a word in."""
    return [i for i, line in enumerate(lines) if line.startswith(("(", "- (", "  - (")) and len(line) > 40]


def change_line(rng: random.Random, line: str) -> str:
    words = line.split(" ")
    at = rng.randrange(2, len(words) - 1)
    choice = rng.random()
    if choice < 0.5:
        words[at] = rng.choice(_WORDS) + ("s" if words[at] in _WORDS else "")
    elif choice < 0.8:
        words.insert(at, rng.choice(("not", "reasonably", "only", "in writing", "without delay")))
    else:
        del words[at]
    changed = " ".join(words)
    return changed if changed != line else line + " (amended)"


def edit_lines(text: str, fraction: float, seed: int = 2) -> tuple[str, list[Edit]]:
    """Change one word on ``fraction`` of the text's lines (chosen among body lines)."""
    rng = random.Random(seed)
    lines = text.split("\n")
    candidates = editable_lines(lines)
    count = min(len(candidates), max(1, round(len(lines) * fraction)))
    edits = []
    for i in sorted(rng.sample(candidates, count)):
        new = change_line(rng, lines[i])
        edits.append(Edit(i, lines[i], new))
        lines[i] = new
    return "\n".join(lines), edits


_REG_HEADING = re.compile(r"^### (\d+)\. ", re.M)


def _regulation_spans(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for m in _REG_HEADING.finditer(text)]
    return [(s, e) for s, e in zip(starts, starts[1:] + [len(text)])]


def move_block(text: str, regulations: int = 8, seed: int = 3) -> str:
    """Move a run of ``regulations`` regulations from the first third to the last third,
    unchanged (numbers and all): a reordering the diff must show as one deletion and
    one insertion, not as edits everywhere in between."""
    rng = random.Random(seed)
    spans = _regulation_spans(text)
    first = rng.randrange(len(spans) // 10, len(spans) // 3)
    start, end = spans[first][0], spans[first + regulations - 1][1]
    block = text[start:end]
    rest = text[:start] + text[end:]
    target = rng.choice([s for s, _ in _regulation_spans(rest)][len(spans) * 2 // 3:])
    return rest[:target] + block + rest[target:]


def insert_regulation(text: str, seed: int = 4) -> str:
    """Insert one new regulation (``### 7A.``) after the middle one."""
    rng = random.Random(seed)
    spans = _regulation_spans(text)
    start, end = spans[len(spans) // 2]
    number = _REG_HEADING.match(text, start).group(1)
    new = (f"### {number}A. {rng.choice(_HEADINGS)}\n\n(1) {_sentence(rng, len(spans))}.\n\n"
           f"(2) {_sentence(rng, len(spans))}—\n\n- (a) {_sentence(rng, len(spans), 5, 12)};\n"
           f"- (b) {_sentence(rng, len(spans), 5, 12)}.\n\n")
    return text[:end] + new + text[end:]


def renumbered(text: str, seed: int = 5) -> tuple[str, dict[int, int], Callable[[str], str]]:
    """A later version: one regulation inserted near the start, every regulation after it
    renumbered (headings and cross-references), and a block of regulations moved.

    Returns the text, the map from each old line number to its new line number, and
    the renumbering as a function of one line, for ground truth.
    """
    rng = random.Random(seed)
    lines = text.split("\n")
    headings = [i for i, line in enumerate(lines) if _REG_HEADING.match(line)]
    insert_at = headings[rng.randrange(2, 6)]
    inserted_number = int(_REG_HEADING.match(lines[insert_at]).group(1))

    def renumber(n: int) -> int:
        return n + 1 if n >= inserted_number else n

    def renumber_line(line: str) -> str:
        line = _REG_HEADING.sub(lambda m: f"### {renumber(int(m.group(1)))}. ", line)
        return re.sub(r"regulation (\d+)\(", lambda m: f"regulation {renumber(int(m.group(1)))}(", line)

    new_lines = [renumber_line(line) for line in lines]
    new_reg = [f"### {inserted_number}. Additional duty", "",
               f"(1) {_sentence(rng, len(headings))}.", ""]
    order = list(range(len(lines)))
    # Move a block of 10 regulations from the middle to the end of the text.
    block_start = headings[len(headings) // 2]
    block_end = headings[len(headings) // 2 + 10]
    moved = order[block_start:block_end]
    order = order[:block_start] + order[block_end:]
    order = order[:-1] + moved + order[-1:]  # the last line is the empty one after the final newline
    result: list[str] = []
    mapping: dict[int, int] = {}
    for index in order:
        if index == insert_at:
            result.extend(new_reg)
        mapping[index] = len(result)
        result.append(new_lines[index])
    return "\n".join(result), mapping, renumber_line


# Texts of the other kinds: the same generated regulation, written the way each drafting
# tradition writes it (docs/drafting-format.md), so each kind reads the same amount of
# structure and its timings compare.
_HOLDER = re.compile(r"^### (\d+)\. (.*)$", re.M)
_PART_LINE = re.compile(r"^## Part (\d+): (.*)$", re.M)


def act_text(target_bytes: int, seed: int = 1) -> str:
    """An Act-shaped text (uk-act): sections ``### 1 Heading``, subsections, paragraphs."""
    return _HOLDER.sub(r"### \1 \2", regulation_text(target_bytes, seed)).replace("regulation ", "section ")


def cfr_text(target_bytes: int, seed: int = 1) -> str:
    """A CFR-shaped text (us-cfr): ``### § 1005.N Heading.``, flat paragraphs (a), (1), (i)
    one after another as the CFR prints them, subparts for Parts."""
    text = regulation_text(target_bytes, seed)
    text = text.replace("# The Generated", "# PART 1005—THE GENERATED", 1)
    # A CFR part has at most 26 subparts (A to Z): the sections of the rest stay in subpart Z.
    text = _PART_LINE.sub(lambda m: f"## Subpart {chr(64 + int(m.group(1)))}—{m.group(2)}"
                          if int(m.group(1)) <= 26 else "", text)
    text = _HOLDER.sub(r"### § 1005.\1 \2.", text)
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = re.sub(r"^\((\d+)\) ", lambda m: f"({letters[int(m.group(1)) - 1]}) ", text, flags=re.M)
    text = re.sub(r"^- \(([a-h])\) ", lambda m: f"({letters.index(m.group(1)) + 1}) ", text, flags=re.M)
    text = re.sub(r"^  - \(([ivx]+)\) ", r"(\1) ", text, flags=re.M)
    text = re.sub(r"\n(?=\([0-9ivx]+\) )", "\n\n", text)  # each paragraph a block of its own
    return re.sub(r"regulation (\d+)\((\d+)\)", lambda m: f"§ 1005.{m.group(1)}({letters[int(m.group(2)) - 1]})", text)


def eu_text(target_bytes: int, seed: int = 1) -> str:
    """An EU-shaped text (eu-act): Chapters, ``### Article N: Heading``, paragraphs ``1.``."""
    text = regulation_text(target_bytes, seed)
    text = _PART_LINE.sub(lambda m: f"## Chapter {_roman(int(m.group(1)))}: {m.group(2)}", text)
    text = _HOLDER.sub(r"### Article \1: \2", text)
    return re.sub(r"^\((\d+)\) ", r"\1. ", text, flags=re.M).replace("regulation ", "Article ")


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


KIND_TEXTS: dict[str, Callable[[int, int], str]] = {
    "uk-si": regulation_text, "uk-act": act_text, "us-cfr": cfr_text, "eu-act": eu_text}
