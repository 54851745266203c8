"""Amending instructions: a change between two texts written the way UK amending
legislation writes it, and read back again.

:func:`generate` turns a pair of texts into numbered instructions in document order::

    1. In regulation 3(2), for “any person” substitute “a body that is not-for-profit”.

    2. After regulation 4 insert—

    > ### 5. Bodies carried on for profit
    >
    > A body carried on for profit may not be a party.

    3. Omit regulation 5(3)(b).

:func:`parse` reads instructions written in that style (by :func:`render_instructions`
or by a drafter) and applies them, in order, to a text. Each instruction names a
provision by its label (``regulation 3(2)(a)``, ``paragraph 2 of Schedule 1``, ``the
preamble``), which is looked up in the text *as amended by the instructions before
it*, as an amending instrument is read.

The round trip ``parse(render_instructions(generate(old, new)), old) == new`` always
holds: the generator proposes the most natural instruction for each change, applies it
exactly as the parser will (render, read back, apply), and keeps it only if it gives
exactly the intended text; otherwise it tries a plainer form, and in the end
substitutes the whole of the innermost provision that it can (``For regulation 3(a)
substitute—``). ``docs/instructions.md`` describes the language.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Callable, Iterator

from regdraft.core.errors import InvalidInstruction, RegdraftError
from regdraft.core.patching import DELETE, EQUAL, diff_words
from regdraft.core.structure import Provision, Structure, parse_structure

OPEN, CLOSE = "“", "”"
DASH = "—"

# What an instruction does, and to what.
SUBSTITUTE, INSERT, OMIT = "substitute", "insert", "omit"
WORDS, HEADING, PROVISION, DEFINITION, TEXT = "words", "heading", "provision", "definition", "text"


@dataclass(frozen=True)
class Instruction:
    """One amending instruction.

    ``text`` is the sentence as written (``In regulation 3(2), omit “and”.``); the
    other fields are what it means. ``block`` is the text an ``insert—`` or
    ``substitute—`` instruction puts in, verbatim, or ``None``.
    """

    number: int
    text: str
    action: str
    """``substitute``, ``insert`` or ``omit``."""
    target: str
    """``words`` (quoted words inside a provision), ``heading`` (a provision's
    heading), ``provision`` (whole provisions), ``definition`` (a definition in an
    interpretation provision) or ``text`` (the whole text)."""
    provision: str = ""
    """The label of the provision addressed (for ``words`` and ``definition``, the one
    the words or definition stand in; for insertions ``at the end`` and ``in the
    appropriate place``, the one that receives the new text)."""
    where: str = ""
    """For insertions: ``after``, ``before``, ``beginning``, ``end`` or ``appropriate``."""
    within: str = ""
    """For ``words``: ``heading`` or ``definition`` when the words are sought only
    there, else empty."""
    term: str = ""
    """The defined term, for ``definition`` targets and words within a definition."""
    words: str = ""
    """The quoted words substituted for or omitted, or the words an insertion is
    placed after or before."""
    new: str = ""
    """The quoted words put in (``words`` and ``heading`` targets)."""
    block: str | None = None


class _Problem(Exception):
    """What is wrong with one instruction (numbered by the caller)."""


class _Fail(Exception):
    """The generator's candidate instruction does not give the intended text."""


# --------------------------------------------------------------------------- sentences


def _q(words: str) -> str:
    return f"{OPEN}{words}{CLOSE}"


def _sentence(ins: Instruction) -> str:
    p = ins.provision
    if ins.target == TEXT:
        return f"For the whole text substitute{DASH}"
    if ins.target == HEADING:
        return f"For the heading of {p} substitute {_q(ins.new)}."
    if ins.target == WORDS:
        if ins.within == HEADING:
            lead = f"In the heading of {p}, "
        elif ins.within == DEFINITION:
            lead = f"In {p}, in the definition of {_q(ins.term)}, "
        else:
            lead = f"In {p}, "
        if ins.action == SUBSTITUTE:
            return lead + f"for {_q(ins.words)} substitute {_q(ins.new)}."
        if ins.action == OMIT:
            return lead + f"omit {_q(ins.words)}."
        if ins.where in ("after", "before"):
            return lead + f"{ins.where} {_q(ins.words)} insert {_q(ins.new)}."
        return lead + f"at the {ins.where} insert {_q(ins.new)}."
    if ins.target == DEFINITION:
        if ins.action == OMIT:
            return f"In {p}, omit the definition of {_q(ins.term)}."
        if ins.action == SUBSTITUTE:
            return f"In {p}, for the definition of {_q(ins.term)} substitute{DASH}"
        return f"In {p}, {ins.where} the definition of {_q(ins.term)} insert{DASH}"
    if ins.action == OMIT:
        return f"Omit {p}."
    if ins.action == SUBSTITUTE:
        return f"For {p} substitute{DASH}"
    if ins.where in ("after", "before"):
        return f"{ins.where.capitalize()} {p} insert{DASH}"
    if ins.where == "end":
        return f"In {p}, at the end insert{DASH}"
    return f"In {p}, in the appropriate place insert{DASH}"


def _make(action: str, target: str, **fields) -> Instruction:
    draft = Instruction(0, "", action, target, **fields)
    return replace(draft, text=_sentence(draft))


def render_instructions(instructions: list[Instruction]) -> str:
    """Numbered instructions, one per paragraph; inserted and substituted text follows
    its instruction as a Markdown blockquote (``> `` lines), verbatim."""
    paragraphs = []
    for ins in instructions:
        paragraph = f"{ins.number}. {ins.text}"
        if ins.block is not None:
            paragraph += "\n\n" + "\n".join(">" + (" " + line if line else "") for line in ins.block.split("\n"))
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


# --------------------------------------------------------------------------- reading

_NUMBERED = re.compile(r"^ {0,3}(\d+)[.)][ \t]+(.*)$")
_BULLET = re.compile(r"^ {0,3}[-*•][ \t]+(.*)$")
_QUOTE_LINE = re.compile(r"^ {0,3}> ?(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_Q = f"{_PH_OPEN}(\\d+){_PH_CLOSE}"
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
        except _Problem as exc:
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
                raise _Problem(f"a quotation opened with {OPEN} is not closed: {sentence[i:i + 60]}")
            phrases.append(sentence[i + 1:j - 1])
        elif c == '"':
            j = sentence.find('"', i + 1)
            if j < 0:
                raise _Problem(f'a quotation opened with " is not closed: {sentence[i:i + 60]}')
            j += 1
            phrases.append(sentence[i + 1:j - 1])
        elif c == CLOSE:
            raise _Problem(f"a closing {CLOSE} has no opening {OPEN}: {sentence[max(0, i - 40):i + 1]}")
        else:
            out.append(c)
            i += 1
            continue
        out.append(f"{_PH_OPEN}{len(phrases) - 1}{_PH_CLOSE}")
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
            raise _Problem(f"{_verb(ins)} must be followed by the text to put in, as a quoted block "
                           "(lines starting '> ')")
        if not takes_block and block is not None:
            raise _Problem("a quoted block follows an instruction that takes none")
        return replace(ins, text=sentence, block=_block(block, ins.target) if takes_block else None)

    if wants_block and _full(r"for the (?:whole|entire) (?:of the )?text substitute", skeleton):
        return made(Instruction(0, "", SUBSTITUTE, TEXT))
    if m := _full(rf"for the heading (?:of|to) (.+?) substitute {_Q}", skeleton):
        return made(Instruction(0, "", SUBSTITUTE, HEADING, provision=_label(m.group(1)), new=ph(m, 2)))
    if m := _full(r"omit (.+)", skeleton):
        if _PH_OPEN not in m.group(1):
            return made(Instruction(0, "", OMIT, PROVISION, provision=_label(m.group(1))))
    if wants_block:
        if m := _full(r"for (.+?) substitute", skeleton):
            if _PH_OPEN not in m.group(1):
                return made(Instruction(0, "", SUBSTITUTE, PROVISION, provision=_label(m.group(1))))
        if m := _full(r"(after|before) (.+?) insert", skeleton):
            if _PH_OPEN not in m.group(2):
                return made(Instruction(0, "", INSERT, PROVISION, provision=_label(m.group(2)),
                                        where=m.group(1).lower()))
    if m := _full(r"in the heading (?:of|to) (.+?), (.+)", skeleton):
        found = _rest(m.group(2), phrases, wants_block, _label(m.group(1)), HEADING, "")
        if found is not None:
            return made(found)
    if skeleton[:3].lower() == "in ":
        for split in re.finditer(", ", skeleton):
            label = skeleton[3:split.start()]
            if _PH_OPEN in label:
                break
            found = _rest(skeleton[split.end():], phrases, wants_block, _label(label), "", "")
            if found is not None:
                return made(found)
    shown = sentence if len(sentence) <= 120 else sentence[:117] + "..."
    raise _Problem(f"not understood: {shown}")


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
        raise _Problem("the quoted block is empty")
    return block


def _verb(ins: Instruction) -> str:
    return f"'{ins.action}{DASH}'"


# --------------------------------------------------------------------------- applying


def parse(instructions: str, old: str) -> str:
    """Apply instructions written in the drafting style, in order, to ``old``.

    Raises :class:`InvalidInstruction` naming the instruction: ``instruction 3: no
    provision 'regulation 9'``, ``instruction 2: “any person” occurs twice in
    regulation 3(2)``, ``instruction 4: not understood: ...``.
    """
    text = old
    for ins in read_instructions(instructions):
        text = apply_instruction(ins, text)
    return text


def apply_instruction(ins: Instruction, text: str) -> str:
    """Apply one instruction to ``text``."""
    try:
        return _apply(ins, text)
    except _Problem as exc:
        raise InvalidInstruction(f"instruction {ins.number}: {exc}", instruction=ins.number) from None


@dataclass(frozen=True)
class _Tree:
    structure: Structure
    children: dict
    """Parent id → ids of its children, in order."""
    labels: dict
    """Canonical label → ids of the provisions with that label. Ids, not provisions:
    both dicts hold for a text whose provisions only moved along (:func:`_edit`)."""


_TREES: dict[str, _Tree] = {}
"""The trees of the texts read last (at most :data:`_KEPT_TREES`, oldest first)."""
_KEPT_TREES = 32


def _tree(text: str) -> _Tree:
    tree = _TREES.pop(text, None)
    if tree is None:
        structure = parse_structure(text, strict=False)
        children: dict[str | None, list[str]] = {}
        labels: dict[str, list[str]] = {}
        for p in structure.provisions:
            children.setdefault(p.parent, []).append(p.id)
            labels.setdefault(_canon(p.label), []).append(p.id)
        tree = _Tree(structure, children, labels)
    _keep(text, tree)
    return tree


def _keep(text: str, tree: _Tree) -> None:
    _TREES[text] = tree
    while len(_TREES) > _KEPT_TREES:
        del _TREES[next(iter(_TREES))]


def _edit(text: str, start: int, end: int, new: str) -> str:
    """``text[:start] + new + text[end:]``. Where the edit is of words inside one line
    that is not a heading, and that line read alone reads as before, the provisions of
    the result are those of ``text`` moved along, and its tree is made so rather than
    read again: reading the whole text after each word edit made ``n`` instructions
    cost ``n`` readings of the text (2000 hunks took 200 s)."""
    result = text[:start] + new + text[end:]
    tree = _TREES.get(text)
    if tree is not None and result not in _TREES:
        moved = _moved_tree(tree, text, result, start, end, len(new) - (end - start))
        if moved is not None:
            _keep(result, moved)
    return result


def _moved_tree(tree: _Tree, text: str, result: str, start: int, end: int, delta: int) -> _Tree | None:
    if "\n" in text[start:end] or "\n" in result[start:end + delta]:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if (line.lstrip().startswith("#") or start - line_start <= _LINE_MARKS.match(line).end()
            or _line_reading(line) != _line_reading(result[line_start:line_end + delta])):
        return None  # a heading, or the numbers and list marks that open the line
    structure = tree.structure
    provisions = structure.provisions
    # Provisions are in document order of their starts: those holding the edit are the
    # innermost one and its ancestors, and those after it start past its end.
    first_after = bisect_left(provisions, start, key=_start_of)
    if first_after < len(provisions) and provisions[first_after].start <= end:
        return None  # the edit meets a provision's start
    holding = structure.at(start)
    chain = [] if holding is None else [holding, *structure.ancestors(holding)]
    for p in chain:
        if p.end <= end or (p.heading and p.heading in line):
            return None  # it meets the provision's end, or is in its heading (on the line after its number)
    at = Provision._fields.index("start")
    make = Provision._make
    moved = list(provisions[:first_after])
    for p in chain:
        i = bisect_left(provisions, p.start, hi=first_after, key=_start_of)
        while moved[i] is not p:  # provisions may share a start (a list item and its first sub-item)
            i += 1
        moved[i] = make(p[:at] + (p[at], p[at + 1] + delta) + p[at + 2:])
    moved += [make(p[:at] + (p[at] + delta, p[at + 1] + delta) + p[at + 2:]) for p in provisions[first_after:]]
    return _Tree(replace(structure, text=result, provisions=tuple(moved)), tree.children, tree.labels)


def _start_of(p: Provision) -> int:
    return p.start


# What may open a line of a provision: list and quote marks, then numbers such as
# "(1)", "(a)", "(*i*)", "3.", "2)", however many.
_LINE_MARKS = re.compile(r"[ \t]*(?:[-*+>][ \t]+)*(?:(?:\(\*?\w+\*?\)|\d+[A-Za-z]*[.)])[ \t]*)*")


def _line_reading(line: str) -> tuple | None:
    """How one line reads standing alone: what of it would change the provisions."""
    try:
        structure = parse_structure(line, strict=False)
    except RegdraftError:
        return None
    return tuple((p.id, p.label, p.kind, p.number, p.heading) for p in structure.provisions)


def _canon(label: str) -> str:
    s = " ".join(label.replace("\u00a0", " ").split()).casefold()
    s = re.sub(r"\s+\(", "(", s)
    s = re.sub(r"^regs?\.?\s+", "regulation ", s)
    s = re.sub(r"^paras?\.?\s+", "paragraph ", s)
    s = re.sub(r"\bsch\.?\s+", "schedule ", s)
    if m := re.fullmatch(r"(?:the )?(schedule(?: \w+)?),? paragraph (.+)", s):
        s = f"paragraph {m.group(2)} of {m.group(1)}"
    return s


def _resolve(tree: _Tree, label: str) -> Provision:
    key = _canon(label)
    found = [tree.structure.get(i) for i in tree.labels.get(key) or tree.labels.get("the " + key) or []]
    if not found:
        raise _Problem(f"no provision {label!r}")
    if len(found) > 1:
        raise _Problem(f"{label!r} is ambiguous: the text has {len(found)} provisions with that label "
                       f"(lines {', '.join(str(p.line) for p in found)})")
    return found[0]


def _words_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _body(text: str, p: Provision) -> tuple[int, int]:
    return p.start, _words_end(text, p.start, p.end)


# Items: the units an instruction can insert, omit or substitute whole. The items of a
# provision are its child provisions and, in an interpretation provision, the
# definitions standing in its own text.

@dataclass(frozen=True)
class _Item:
    key: tuple
    start: int
    end: int
    """Where its words end."""
    term: str = ""


_DEF_START = re.compile(r"[ \t]*(?:[-*+][ \t]+)?[“\"]([^”\"\n]+)[”\"]")
_LIST_LINE = re.compile(r"[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|\(\w+\)[ \t])")
_MEANS = re.compile(r"[“\"][^”\"\n]+[”\"]\s+(?:means|has the (?:same )?meaning|includes)\b")
_INTERPRETATION = re.compile(r"interpretation|definitions", re.IGNORECASE)


def _term_key(term: str) -> str:
    return " ".join(term.replace("’", "'").split()).casefold()


@lru_cache(maxsize=256)
def _items(text: str, node_id: str | None) -> tuple[_Item, ...]:
    tree = _tree(text)
    children = [tree.structure.get(i) for i in tree.children.get(node_id, [])]
    items = [_Item(("p", c.id), *_body(text, c)) for c in children]
    if node_id is None:
        return tuple(items)
    node = tree.structure.get(node_id)
    if node is None or node.kind == "preamble":
        return tuple(items)
    ranges = []
    at = node.start
    for c in children:
        ranges.append((at, c.start))
        at = _body(text, c)[1]
    ranges.append((at, _body(text, node)[1]))
    own = "".join(text[a:b] for a, b in ranges)
    chain = [node] + tree.structure.ancestors(node)
    if not (any(_INTERPRETATION.search(q.heading) for q in chain) or _MEANS.search(own)):
        return tuple(items)
    for a, b in ranges:
        items.extend(_definitions(text, node_id, a, b))
    return tuple(sorted(items, key=lambda it: it.start))


def _definitions(text: str, node_id: str, a: int, b: int) -> Iterator[_Item]:
    """Definitions in ``text[a:b]``: a line starting with a quoted term, and the lines
    that continue it (up to a blank line, a list item or the next definition)."""
    line = a
    if a > 0 and text[a - 1] != "\n":
        first = text.find("\n", a, b)
        if first < 0:
            return
        line = first + 1
    while line < b:
        end = text.find("\n", line, b)
        end = b if end < 0 else end
        m = _DEF_START.match(text, line, b)
        if m is None:
            line = end + 1
            continue
        while end + 1 < b:
            following_end = text.find("\n", end + 1, b)
            following_end = b if following_end < 0 else following_end
            following = text[end + 1:following_end]
            if not following.strip() or _DEF_START.match(following) or _LIST_LINE.match(following):
                break
            end = following_end
        yield _Item(("d", node_id, _term_key(m.group(1))), line, _words_end(text, line, end), m.group(1))
        line = end + 1


def _locate(text: str, key: tuple) -> _Item | None:
    if key[0] == "p":
        p = _tree(text).structure.get(key[1])
        return None if p is None else _Item(key, *_body(text, p))
    found = [it for it in _items(text, key[1]) if it.key == key]
    return found[0] if len(found) == 1 else None


def _siblings(text: str, p: Provision) -> tuple[tuple[_Item, ...], int]:
    items = _items(text, p.parent)
    for k, it in enumerate(items):
        if it.key == ("p", p.id):
            return items, k
    raise _Problem(f"cannot place {p.label}")  # pragma: no cover - every provision is an item


def _definition(text: str, tree: _Tree, p: Provision, term: str) -> tuple[tuple[_Item, ...], int]:
    """The definition of ``term`` in ``p`` (or, failing that, in one provision within it)."""
    key = _term_key(term)
    candidates = [p] + [q for q in tree.structure.provisions
                        if q.start >= p.start and q.end <= p.end and q.id != p.id]
    found = []
    for q in candidates:
        items = _items(text, q.id)
        found += [(items, k) for k, it in enumerate(items) if it.key == ("d", q.id, key)]
        if found and q is p:
            break
    if not found:
        raise _Problem(f"{p.label} has no definition of {_q(term)}")
    if len(found) > 1:
        raise _Problem(f"{_q(term)} is defined {len(found)} times in {p.label}")
    return found[0]


_HEADING_TEXT = re.compile(
    r"[ \t]*#{1,6}[ \t]+(?:(?:Part|Schedule)(?:[ \t]+\d+[A-Z]*)?\b[ \t:.—–-]*|\d+[A-Z]*\.[ \t]*)?", re.IGNORECASE)
_ITEM_MARK = re.compile(r"[ \t]*(?:[-*+][ \t]+)?(?:\(\w+\)|\d+[A-Z]*[.)])[ \t]*")


def _heading(text: str, p: Provision) -> tuple[int, int, int] | None:
    """(line start, line end, where the heading's words start), if ``p`` opens with a
    Markdown heading."""
    if p.kind == "preamble":
        return None
    end = text.find("\n", p.start, p.end)
    end = p.end if end < 0 else end
    m = _HEADING_TEXT.match(text, p.start, end)
    if m is None:
        return None
    return p.start, end, m.end()


def _scope(text: str, tree: _Tree, p: Provision, within: str, term: str) -> tuple[int, int, int, str]:
    """Where words are sought for an instruction: (start, end, where its words begin —
    after the provision's number or heading — and how to name the place)."""
    if within == HEADING:
        heading = _heading(text, p)
        if heading is None:
            raise _Problem(f"{p.label} has no heading")
        return heading[0], heading[1], heading[2], f"the heading of {p.label}"
    if within == DEFINITION:
        items, k = _definition(text, tree, p, term)
        it = items[k]
        m = re.match(r"[ \t]*(?:[-*+][ \t]+)?", text[it.start:it.end])
        return it.start, it.end, it.start + m.end(), f"the definition of {_q(term)} in {p.label}"
    start, end = _body(text, p)
    begin = start
    heading = _heading(text, p)
    if heading is not None:
        begin = heading[1]
        while begin < end and text[begin].isspace():
            begin += 1
    elif p.kind != "preamble" and (m := _ITEM_MARK.match(text, start, end)):
        begin = m.end()
    return start, end, begin, p.label


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _occurrences(text: str, start: int, end: int, phrase: str, *, fold: bool = False) -> list[int]:
    """Where ``phrase`` stands in ``text[start:end]`` as whole words (a phrase that
    starts or ends with a letter does not match inside a longer word)."""
    if not phrase:
        return []
    hay = text.translate(_FOLD) if fold else text
    needle = phrase.translate(_FOLD) if fold else phrase
    hits = []
    at = hay.find(needle, start, end)
    while at != -1:
        stop = at + len(needle)
        if not ((_is_word(needle[0]) and at > 0 and _is_word(hay[at - 1]))
                or (_is_word(needle[-1]) and stop < len(hay) and _is_word(hay[stop]))):
            hits.append(at)
        at = hay.find(needle, at + 1, end)
    return hits


def _find(text: str, start: int, end: int, phrase: str, where: str) -> int:
    hits = _occurrences(text, start, end, phrase) or _occurrences(text, start, end, phrase, fold=True)
    if not hits:
        raise _Problem(f"{_q(phrase)} does not occur in {where}")
    if len(hits) > 1:
        times = "twice" if len(hits) == 2 else f"{len(hits)} times"
        raise _Problem(f"{_q(phrase)} occurs {times} in {where}")
    return hits[0]


_CLOSERS = set(",.;:)]”’—!?")
_OPENERS = set("([“‘")


def _apply(ins: Instruction, text: str) -> str:
    if ins.target == TEXT:
        return ins.block or ""
    tree = _tree(text)
    p = _resolve(tree, ins.provision)
    if ins.target == WORDS:
        return _apply_words(ins, text, tree, p)
    if ins.target == HEADING:
        heading = _heading(text, p)
        if heading is None:
            raise _Problem(f"{p.label} has no heading")
        return text[:heading[2]] + ins.new + text[heading[1]:]
    block = ins.block or ""
    if ins.target == DEFINITION:
        items, k = _definition(text, tree, p, ins.term)
    elif ins.where == "appropriate":
        return _insert_definitions(text, p, block)
    elif ins.where == "end":
        items = _items(text, p.id)
        at = _body(text, p)[1]
        if items:
            sep = _separator(text, items, len(items) - 1, block)
        else:
            sep = _default_separator(block, text[text.rfind("\n", 0, at) + 1:at])
        return text[:at] + sep + block + text[at:]
    else:
        items, k = _siblings(text, p)
    x = items[k]
    if ins.action == OMIT:
        return _omit_item(text, items, k)
    if ins.action == SUBSTITUTE:
        return text[:x.start] + block + text[x.end:]
    sep = _separator(text, items, k, block)
    if ins.where == "after":
        return text[:x.end] + sep + block + text[x.end:]
    return text[:x.start] + block + sep + text[x.start:]


def _apply_words(ins: Instruction, text: str, tree: _Tree, p: Provision) -> str:
    start, end, begin, where = _scope(text, tree, p, ins.within, ins.term)
    new = ins.new
    if ins.action == INSERT and not new:
        raise _Problem("there are no words to insert")
    if ins.action == SUBSTITUTE:
        at = _find(text, start, end, ins.words, where)
        return _edit(text, at, at + len(ins.words), new)
    if ins.action == OMIT:
        at = _find(text, start, end, ins.words, where)
        return _omit_words(text, at, at + len(ins.words), begin, end)
    if ins.where == "after":
        at = _find(text, start, end, ins.words, where) + len(ins.words)
        return _edit(text, at, at, ("" if new[0] in _CLOSERS else " ") + new)
    if ins.where == "before":
        at = _find(text, start, end, ins.words, where)
        if at > start and not text[at - 1].isspace():
            return text[:at] + ("" if new[0] in _CLOSERS else " ") + new + text[at:]
        return text[:at] + new + ("" if new[-1] in _OPENERS else " ") + text[at:]
    if ins.where == "beginning":
        return text[:begin] + new + ("" if new[-1] in _OPENERS else " ") + text[begin:]
    return text[:end] + ("" if new[0] in _CLOSERS else " ") + new + text[end:]


def _omit_words(text: str, i: int, j: int, begin: int, end: int) -> str:
    """Omit ``text[i:j]`` and one of the spaces around it."""
    left = text[i - 1] if i > begin else "\n"
    right = text[j] if j < end else "\n"
    if left == " " and (right in " \n" or right in _CLOSERS):
        i -= 1
    elif (left == "\n" or left in _OPENERS) and right == " ":
        j += 1
    return _edit(text, i, j, "")


def _is_list_line(text: str) -> bool:
    return bool(re.match(r"[ \t]*[-*+][ \t]", text))


def _default_separator(block: str, neighbour: str) -> str:
    """A line end between list items, a blank line otherwise."""
    return "\n" if _is_list_line(block) and _is_list_line(neighbour) else "\n\n"


def _separator(text: str, items: tuple[_Item, ...], k: int, block: str) -> str:
    """What separates a new item from its neighbour: what separates the neighbour from
    its own neighbours (a blank line between regulations, a line end between list
    items), or failing that what the new text is."""
    if k > 0:
        gap = text[items[k - 1].end:items[k].start]
        if gap and gap.isspace():
            return gap
    if k + 1 < len(items):
        gap = text[items[k].end:items[k + 1].start]
        if gap and gap.isspace():
            return gap
    return _default_separator(block, text[items[k].start:items[k].end])


def _omit_item(text: str, items: tuple[_Item, ...], k: int) -> str:
    x = items[k]
    if k > 0 and text[items[k - 1].end:x.start].isspace():
        return text[:items[k - 1].end] + text[x.end:]
    if k + 1 < len(items) and text[x.end:items[k + 1].start].isspace():
        return text[:x.start] + text[items[k + 1].start:]
    rest = text[x.end:]
    if rest.strip():
        return text[:x.start] + rest.lstrip()
    i = x.start
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return text[:i] + text[x.end:]


def _sort_key(term: str) -> str:
    """Definitions stand in alphabetical order of their terms, a leading "the" aside."""
    return re.sub(r"^the ", "", re.sub(r"[^\w ]+", "", _term_key(term)))


def _split_definitions(block: str) -> list[tuple[str, str]]:
    starts = [m.start() for m in re.finditer(r"^", block, re.MULTILINE) if _DEF_START.match(block, m.start())]
    if not starts or block[:starts[0]].strip():
        raise _Problem("the text to insert in the appropriate place must be definitions, each starting "
                       "with the term in quotes")
    pieces = []
    for a, b in zip(starts, starts[1:] + [len(block)]):
        piece = block[a:b].rstrip()
        pieces.append((_DEF_START.match(piece).group(1), piece))
    return pieces


def _insert_definitions(text: str, p: Provision, block: str) -> str:
    """Put each definition in ``block`` among the definitions of ``p`` in alphabetical order."""
    for term, piece in _split_definitions(block):
        items = _items(text, p.id)
        defs = [k for k, it in enumerate(items) if it.key[0] == "d" and it.key[1] == p.id]
        if not defs:
            at = _body(text, p)[1]
            text = text[:at] + "\n\n" + piece + text[at:]
            continue
        later = [k for k in defs if _sort_key(items[k].term) > _sort_key(term)]
        if later:
            k = later[0]
            text = text[:items[k].start] + piece + _separator(text, items, k, piece) + text[items[k].start:]
        else:
            k = defs[-1]
            text = text[:items[k].end] + _separator(text, items, k, piece) + piece + text[items[k].end:]
    return text


# --------------------------------------------------------------------------- generating


def generate(old: str, new: str) -> list[Instruction]:
    """The instructions that turn ``old`` into ``new``, numbered, in document order."""
    if old == new:
        return []
    instructions = _Generator(old, new).run()
    numbered = [replace(ins, number=n) for n, ins in enumerate(instructions, start=1)]
    try:
        ok = parse(render_instructions(numbered), old) == new
    except InvalidInstruction:
        ok = False
    if not ok:  # pragma: no cover - every step was checked; kept as a last guard
        numbered = [replace(_make(SUBSTITUTE, TEXT, block=new), number=1)]
    return numbered


_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_MAX_CONTEXT = 12


def _chunks(a: str, b: str) -> list[tuple[int, int, str]]:
    """The changes turning ``a`` into ``b``: (start, end, replacement), in order;
    changes on one line separated by no more than one word are taken together ("for
    “the 2004 Act” substitute “the Children Act 2004”", not two instructions)."""
    raw: list[list] = []
    pos = 0
    current: list | None = None
    for op in diff_words(a, b):
        if op.kind == EQUAL:
            if current is not None:
                raw.append(current)
                current = None
            pos += len(op.text)
            continue
        if current is None:
            current = [pos, pos, ""]
        if op.kind == DELETE:
            pos += len(op.text)
            current[1] = pos
        else:
            current[2] += op.text
    if current is not None:
        raw.append(current)
    merged: list[list] = []
    for chunk in raw:
        if merged:
            between = a[merged[-1][1]:chunk[0]]
            if "\n" not in between and len(_WORD.findall(between)) <= 1 and len(between) <= 24:
                last = merged[-1]
                merged[-1] = [last[0], chunk[1], last[2] + between + chunk[2]]
                continue
        merged.append(chunk)
    return [(x, y, r) for x, y, r in merged]


def _mostly_rewritten(a: str, b: str) -> bool:
    """Whether a provision is better substituted whole than amended word by word: when
    less than half of its words survive (words added to it do not count against it)."""
    ops = diff_words(a, b)
    same = sum(len(_WORD.findall(op.text)) for op in ops if op.kind == EQUAL)
    total = len(_WORD.findall(a))
    if not total or same / total >= 0.5:
        return False
    return "\n" in a.strip() or "\n" in b.strip() or len(_chunks(a, b)) >= 3


def _balanced(s: str) -> bool:
    depth = 0
    for c in s:
        if c == OPEN:
            depth += 1
        elif c == CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _quotable(s: str) -> bool:
    return bool(s) and s == s.strip() and "\n" not in s and _balanced(s) and _PH_OPEN not in s \
        and _PH_CLOSE not in s


class _Generator:
    def __init__(self, old: str, new: str) -> None:
        self.cur = old
        self.new = new
        self.out: list[Instruction] = []
        self.before: list[str] = []
        """The text each instruction in ``out`` was applied to."""

    # -- bookkeeping

    def _snap(self) -> tuple[str, int, Instruction | None]:
        # The last instruction too: _merge may grow it in place after the snapshot.
        return self.cur, len(self.out), self.out[-1] if self.out else None

    def _restore(self, snap: tuple[str, int, Instruction | None]) -> None:
        self.cur, count, last = snap
        del self.out[count:]
        del self.before[count:]
        if last is not None:
            self.out[-1] = last

    @staticmethod
    def _try(ins: Instruction, text: str) -> str:
        """``ins`` applied to ``text`` as the parser will read it."""
        try:
            again = read_instructions(render_instructions([replace(ins, number=1)]))
            if len(again) != 1:
                raise _Fail
            return _apply(again[0], text)
        except (InvalidInstruction, _Problem):
            raise _Fail from None

    def _emit(self, ins: Instruction, expected: str | None = None) -> None:
        """Apply ``ins`` as the parser will read it; keep it if it gives ``expected``."""
        result = self._try(ins, self.cur)
        if expected is not None and result != expected:
            raise _Fail
        if self.out and self._merge(ins, result):
            self.cur = result
            return
        self.before.append(self.cur)
        self.cur = result
        self.out.append(ins)

    def _merge(self, ins: Instruction, result: str) -> bool:
        """New definitions for one provision go in one instruction, where that gives
        the same text."""
        last = self.out[-1]
        if not (ins.where == last.where == "appropriate" and ins.provision == last.provision):
            return False
        both = replace(last, block=f"{last.block}\n\n{ins.block}")
        try:
            if self._try(both, self.before[-1]) != result:
                return False
        except _Fail:
            return False
        self.out[-1] = both
        return True

    def _first(self, candidates: Iterator[Instruction], expected: str) -> None:
        for ins in candidates:
            try:
                self._emit(ins, expected)
                return
            except _Fail:
                continue
        raise _Fail

    # -- the tree

    def run(self) -> list[Instruction]:
        snap = self._snap()
        for first in (self._omit_moved, lambda: None):
            try:
                first()
                self._fine(None)
                if self.cur == self.new:
                    return self.out
            except _Fail:
                pass
            self._restore(snap)
        self._emit(_make(SUBSTITUTE, TEXT, block=self.new), self.new)
        return self.out

    def _omit_moved(self) -> None:
        """A provision that moves to another Part (say) is omitted first and inserted
        at its new place later, so that its label is never in the text twice."""
        old, new = _tree(self.cur).structure, _tree(self.new).structure
        moved = {p.id for p in old.provisions if new.get(p.id) is not None and new.get(p.id).parent != p.parent}
        for p in old.provisions:
            if p.id in moved and not any(a.id in moved for a in old.ancestors(p)):
                self._omit(("p", p.id))


    def _reconcile(self, key: tuple) -> None:
        """Make the item ``key`` read as it does in the new text."""
        cur_it, new_it = _locate(self.cur, key), _locate(self.new, key)
        if cur_it is None or new_it is None:
            raise _Fail
        new_body = self.new[new_it.start:new_it.end]
        cur_body = self.cur[cur_it.start:cur_it.end]
        if cur_body == new_body:
            return
        expected = self.cur[:cur_it.start] + new_body + self.cur[cur_it.end:]
        if not _mostly_rewritten(cur_body, new_body):
            snap = self._snap()
            try:
                if key[0] == "d":
                    self._words(key, lambda text: self._span(text, key), new_body)
                else:
                    self._fine(key[1])
                if self.cur == expected:
                    return
            except _Fail:
                pass
            self._restore(snap)
        self._emit(self._substitute(key, new_body), expected)

    @staticmethod
    def _span(text: str, key: tuple) -> tuple[int, int]:
        it = _locate(text, key)
        if it is None:
            raise _Fail
        return it.start, it.end

    def _fine(self, node_id: str | None) -> None:
        """Amend a provision (or the whole text) piece by piece: its own words, and its
        items inserted, omitted, substituted or amended in turn."""
        a = [it.key for it in _items(self.cur, node_id)]
        b = [it.key for it in _items(self.new, node_id)]
        moved = self._moved(a, b)
        if moved:  # omit first, so that no label is ever in the text twice
            for key in [k for k in a if k in moved]:
                self._omit(key)
            a = [it.key for it in _items(self.cur, node_id)]
        left: tuple | None = None
        pending = None
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                pending = (tag, a[i1:i2], b[j1:j2])
                continue
            for key in a[i1:i2]:
                self._segment(node_id, left, key, pending)
                self._reconcile(key)
                left, pending = key, None
        self._segment(node_id, left, None, pending)

    @staticmethod
    def _moved(a: list, b: list) -> set:
        gone, came = set(), set()
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                gone.update(a[i1:i2])
                came.update(b[j1:j2])
        return gone & came

    def _segment(self, node_id: str | None, left: tuple | None, right: tuple | None, op) -> None:
        """The stretch of ``node_id`` between two items that both texts keep."""

        def bounds(text: str) -> tuple[int, int]:
            if node_id is None:
                start, end = 0, len(text)
            else:
                p = _tree(text).structure.get(node_id)
                if p is None:
                    raise _Fail
                start, end = _body(text, p)
            if left is not None:
                start = self._span(text, left)[1]
            if right is not None:
                end = self._span(text, right)[0]
            return start, end

        ns, ne = bounds(self.new)
        target = self.new[ns:ne]
        scope = None if node_id is None else ("p", node_id)
        if op is None:
            self._words(scope, bounds, target)
            return
        for plan in self._plans(node_id, left, right, op):
            snap = self._snap()
            try:
                for step in plan:
                    step()
                self._words(scope, bounds, target)
                return
            except _Fail:
                self._restore(snap)
        raise _Fail

    def _plans(self, node_id, left, right, op) -> list[list[Callable[[], None]]]:
        tag, olds, news = op
        block = ""
        if news:
            first, last = _locate(self.new, news[0]), _locate(self.new, news[-1])
            block = self.new[first.start:last.end]

        def omit(keys):
            return lambda: [self._omit(k) for k in keys]

        def insert(appropriate):
            return lambda: self._insert(node_id, left, right, block, appropriate)

        if tag == "delete":
            return [[omit(olds)]]
        if tag == "replace":
            return [[omit(olds[:-1]), lambda: self._emit(self._substitute(olds[-1], block))],
                    [omit(olds), insert(False)]]
        plans = []
        if node_id is not None and all(k[0] == "d" for k in news):
            plans.append([insert(True)])
        plans.append([insert(False)])
        return plans

    # -- instructions about items

    def _ref(self, key: tuple) -> tuple[str, str | None]:
        structure = _tree(self.cur).structure
        if key[0] == "p":
            p = structure.get(key[1])
            if p is None:
                raise _Fail
            return p.label, None
        it, parent = _locate(self.cur, key), structure.get(key[1])
        if it is None or parent is None:
            raise _Fail
        return parent.label, it.term

    def _substitute(self, key: tuple, block: str) -> Instruction:
        label, term = self._ref(key)
        if term is None:
            return _make(SUBSTITUTE, PROVISION, provision=label, block=block)
        return _make(SUBSTITUTE, DEFINITION, provision=label, term=term, block=block)

    def _omit(self, key: tuple) -> None:
        label, term = self._ref(key)
        if term is None:
            self._emit(_make(OMIT, PROVISION, provision=label))
        else:
            self._emit(_make(OMIT, DEFINITION, provision=label, term=term))

    def _insert(self, node_id, left, right, block: str, appropriate: bool) -> None:
        structure = _tree(self.cur).structure
        if appropriate or (left is None and right is None):
            node = structure.get(node_id) if node_id is not None else None
            if node is None:
                raise _Fail
            where = "appropriate" if appropriate else "end"
            self._emit(_make(INSERT, PROVISION, provision=node.label, where=where, block=block))
            return
        # Amending instruments say "Before regulation 1 insert—", never "after the preamble".
        if left is not None and not (left == ("p", "preamble") and right is not None):
            anchor, where = left, "after"
        else:
            anchor, where = right, "before"
        label, term = self._ref(anchor)
        if term is None:
            self._emit(_make(INSERT, PROVISION, provision=label, where=where, block=block))
        else:
            self._emit(_make(INSERT, DEFINITION, provision=label, term=term, where=where, block=block))

    # -- words

    def _words(self, scope: tuple | None, bounds, target: str) -> None:
        """Amend ``text[bounds]`` word by word until it reads ``target``."""
        start, end = bounds(self.cur)
        if self.cur[start:end] == target:
            return
        if scope is None:
            raise _Fail
        delta = 0
        for x, y, r in _chunks(self.cur[start:end], target):
            x, y = x + start + delta, y + start + delta
            self._word_edit(scope, x, y, r)
            delta += len(r) - (y - x)
        start, end = bounds(self.cur)
        if self.cur[start:end] != target:
            raise _Fail

    def _word_edit(self, scope: tuple, x: int, y: int, r: str) -> None:
        text = self.cur
        expected = text[:x] + r + text[y:]
        tree = _tree(text)
        parent = tree.structure.get(scope[1])
        if parent is None:
            raise _Fail
        within, term = "", ""
        if scope[0] == "d":
            it = _locate(text, scope)
            if it is None:
                raise _Fail
            within, term = DEFINITION, it.term
        else:
            heading = _heading(text, parent)
            if heading is not None and heading[0] <= x and y <= heading[1]:
                within = HEADING
        try:
            start, end, begin, _ = _scope(text, tree, parent, within, term)
        except _Problem:
            raise _Fail from None
        self._first(_word_candidates(text, parent.label, within, term, start, end, begin, x, y, r), expected)


def _word_candidates(text: str, label: str, within: str, term: str, start: int, end: int, begin: int,
                     x: int, y: int, r: str) -> Iterator[Instruction]:
    """Instructions that may turn ``text[x:y]`` into ``r``, most natural first; each is
    checked by the caller."""
    # The change proper: what both sides share at either end is not part of it.
    while x < y and r and text[x] == r[0]:
        x, r = x + 1, r[1:]
    while y > x and r and text[y - 1] == r[-1]:
        y, r = y - 1, r[:-1]
    # A pure insertion or omission may stand in several places ("care |functions other
    # than child protection |functions"); the last is tried first, so that new words
    # follow the words already there.
    places = {x: (y, r)}
    if x == y:
        at, words = x, r
        while at < end and text[at] == words[0]:
            words, at = words[1:] + text[at], at + 1
            places[at] = (at, words)
        at, words = x, r
        while at > begin and text[at - 1] == words[-1]:
            words, at = text[at - 1] + words[:-1], at - 1
            places[at] = (at, words)
    elif not r:
        at, stop = x, y
        while stop < end and text[at] == text[stop]:
            at, stop = at + 1, stop + 1
            places[at] = (stop, "")
        at, stop = x, y
        while at > begin and text[at - 1] == text[stop - 1]:
            at, stop = at - 1, stop - 1
            places[at] = (stop, "")
    usable = [(at, *places[at]) for at in sorted(places, reverse=True) if at >= begin and places[at][0] <= end]
    seen = set()
    for tidy in (True, False):
        for at, stop, words in usable:
            for ins in _candidates_at(text, label, within, term, start, end, begin, at, stop, words, tidy):
                if ins.text not in seen:
                    seen.add(ins.text)
                    yield ins
        if within == HEADING and usable and tidy:
            at, stop, words = usable[0]
            heading = text[begin:at] + words + text[stop:end]
            if _quotable(heading):
                yield _make(SUBSTITUTE, HEADING, provision=label, new=heading)


def _candidates_at(text: str, label: str, within: str, term: str, start: int, end: int, begin: int,
                   x: int, y: int, r: str, tidy: bool) -> Iterator[Instruction]:
    """Candidates for one placing of the change. ``tidy`` candidates quote whole words
    and never a punctuation mark alone; the others are the last resort before the
    provision is substituted whole."""
    # Whole words only: a change inside a word takes in the whole word.
    while x > begin and x < len(text) and _is_word(text[x - 1]) and _is_word(text[x]):
        x -= 1
        r = text[x] + r
    while y < end and y > 0 and _is_word(text[y]) and _is_word(text[y - 1]):
        r = r + text[y]
        y += 1
    if x < begin or y > end:
        return
    base = dict(provision=label, within=within, term=term)
    d = text[x:y]
    dc, rc = d.strip(), r.strip()
    xc, yc = x + len(d) - len(d.lstrip()), y - (len(d) - len(d.rstrip()))

    def unique(phrase: str) -> bool:
        return _quotable(phrase) and (bool(_WORD.search(phrase)) or not tidy) \
            and len(_occurrences(text, start, end, phrase)) == 1

    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, begin, end)]
    before = [t for t in reversed(tokens) if t[1] <= x][:_MAX_CONTEXT]
    after = [t for t in tokens if t[0] >= y][:_MAX_CONTEXT]

    def in_context() -> Iterator[Instruction]:
        found = 0
        # Words are added around the change until the quoted words are unique; first
        # without stopping on a punctuation mark ("Part 1", not "1."), then anyhow.
        for tidy_edges in (True, False) if tidy else (False,):
            for total in range(0, len(before) + len(after) + 1):
                for left in range(min(total, len(before)), -1, -1):
                    right = total - left
                    if right > len(after):
                        continue
                    if tidy_edges and ((left and not _is_word(text[before[left - 1][0]]))
                                       or (right and not _is_word(text[after[right - 1][1] - 1]))):
                        continue
                    p = before[left - 1][0] if left else x
                    q = after[right - 1][1] if right else y
                    phrase, words = text[p:q], text[p:x] + r + text[y:q]
                    if tidy and p > begin and not _is_word(text[p]) and _is_word(text[p - 1]):
                        continue
                    if p < q and unique(phrase) and _quotable(words):
                        yield _make(SUBSTITUTE, WORDS, words=phrase, new=words, **base)
                        found += 1
                        if found == 3:
                            return

    # Punctuation stuck to the word before it is quoted with that word ("records; and",
    # not "; and").
    glued = bool(dc) and not _is_word(dc[0]) and xc > begin and _is_word(text[xc - 1])
    if not tidy:
        yield from in_context()
        return
    if dc and rc:
        if within == HEADING and not text[begin:xc].strip() and not text[yc:end].strip():
            heading = text[begin:x] + r + text[y:end]
            if _quotable(heading):
                yield _make(SUBSTITUTE, HEADING, provision=label, new=heading)
        if not glued and unique(dc) and _quotable(rc):
            yield _make(SUBSTITUTE, WORDS, words=dc, new=rc, **base)
    elif dc:
        if not glued and unique(dc):
            yield _make(OMIT, WORDS, words=dc, **base)
    elif rc and _quotable(rc):
        anchor_end = x
        while anchor_end > begin and text[anchor_end - 1] in " \t":
            anchor_end -= 1
        anchor_start = y
        while anchor_start < end and text[anchor_start] in " \t":
            anchor_start += 1
        if anchor_end > begin and text[anchor_end - 1] != "\n":
            for t in (t for t in before if t[1] <= anchor_end):
                if unique(text[t[0]:anchor_end]):
                    yield _make(INSERT, WORDS, where="after", words=text[t[0]:anchor_end], new=rc, **base)
                    break
        if anchor_start < end and text[anchor_start] != "\n":
            for t in (t for t in after if t[0] >= anchor_start):
                if unique(text[anchor_start:t[1]]):
                    yield _make(INSERT, WORDS, where="before", words=text[anchor_start:t[1]], new=rc, **base)
                    break
        if not text[begin:x].strip():
            yield _make(INSERT, WORDS, where="beginning", new=rc, **base)
        if not text[y:end].strip():
            yield _make(INSERT, WORDS, where="end", new=rc, **base)
    yield from in_context()
