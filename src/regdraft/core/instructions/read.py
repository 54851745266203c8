"""Reading amending instructions: sentences written in a drafting tradition's style
become :class:`Instruction` values, by the forms in ``core/traditions/phrasing.py``.

A sentence is read as a lead (``In regulation 3, ``, ``In the heading of section 2, ``)
followed by a rest (``for “x” substitute “y”``), or as one whole form (``Omit
regulation 4.``). A compound instruction ("In regulation 3— (a) …; (b) …", or
"Regulation 3 is amended as follows." and limbs under it) carries its provision into
its limbs, where provisions may be named relative to it (``paragraph (2)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions.model import (
    DEFINITION, HEADING, INSERT, OMIT, PROVISION, RENUMBER, SUBSTITUTE, TEXT, TO_END, WORDS, Instruction,
    Problem,
)
from regdraft.core.instructions.printed import is_apostrophe, stored
from regdraft.core.traditions import label_to_id, tradition
from regdraft.core.traditions.phrasing import DEFAULT_KIND, Phrasing, phrasing

_NUMBERED = re.compile(r"^ {0,3}(\d+)[.)][ \t]+(.*)$")
_BULLET = re.compile(r"^ {0,3}[-*•][ \t]+(.*)$")
_LIMB_LINE = re.compile(r"^[ \t]*\(\w{1,5}\)[ \t]")
_QUOTE_LINE = re.compile(r"^ {0,3}> ?(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# What closes a limb after the text it quotes ("”; and"), on a line of its own after a blockquote.
_CLOSING = re.compile(r"^\s*[;,.]\s*(?:and|or)?\s*$")
PH_OPEN, PH_CLOSE = "\ue000", "\ue001"
"""Around the number of a quoted phrase in a sentence's skeleton."""
_VERBATIM_OPEN, _VERBATIM_CLOSE = "\ue002", "\ue003"
"""Around the number of a block given verbatim (a blockquote or fenced block)."""
_Q = f"{PH_OPEN}(\\d+){PH_CLOSE}"
_INTRO = r"(?:—|–|--|-|:)"
_NOTE = re.compile(r"\s*\([^()]*\bU\+[0-9A-F]{4}[^()]*\)(?=\s*\.?\s*$)")
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
             "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "last": "last"}


@dataclass
class _Entry:
    number: int | None
    text: str
    blocks: list[str] = field(default_factory=list)
    depth: int = 0
    """How many quotations are open at the end of ``text``."""
    printed_block: list[str] | None = None
    """Unquoted printed text (the Federal Register's style) after a sentence ending
    in the block intro."""


def read_instructions(instructions: str, *, kind: str = DEFAULT_KIND) -> list[Instruction]:
    """Read instructions written in the style of ``kind``'s tradition, without applying them.

    Numbered (``1.``, ``1)``) or not (one instruction per paragraph); curly or straight
    quotes; inserted text quoted as printed (``“4A. …”``), as a blockquote (``> ``
    lines, verbatim storage form) or as a fenced block. Markdown headings that start a
    paragraph are passed over.
    """
    ph = phrasing(kind)
    entries = _entries(instructions, ph)
    result: list[Instruction] = []
    previous = 0
    context = ""
    for entry in entries:
        number = entry.number if entry.number is not None else previous + 1
        previous = number
        try:
            skeleton, phrases = _split_quotes(entry.text, ph)
            if entry.printed_block is not None:
                skeleton += f" {PH_OPEN}{len(phrases)}{PH_CLOSE}"
                phrases.append("\n".join(entry.printed_block).strip("\n"))
            reader = _Reader(ph, phrases, entry.blocks, entry.text)
            found, context = reader.entry(" ".join(skeleton.split()), context)
        except Problem as exc:
            raise InvalidInstruction(f"instruction {number}{exc.args[1] if len(exc.args) > 1 else ''}: "
                                     f"{exc.args[0]}", instruction=number) from None
        result.extend(replace(ins, number=number) for ins in found)
    return result


def _entries(instructions: str, ph: Phrasing) -> list[_Entry]:
    """The instructions' paragraphs: a numbered line starts one, and so does a line
    after a blank line; a quotation left open runs on over lines and blank lines."""
    lines = instructions.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    entries: list[_Entry] = []
    blank_before = True

    def attach(block: list[str]) -> None:
        if not entries:
            raise InvalidInstruction("instruction 1: a quoted block comes before any instruction", instruction=1)
        last = entries[-1]
        if last.text.endswith(_VERBATIM_CLOSE):
            # Two blockquotes separated only by a blank line are one block with a blank line.
            last.blocks[-1] += "\n\n" + "\n".join(block)
            return
        last.text += f" {_VERBATIM_OPEN}{len(last.blocks)}{_VERBATIM_CLOSE}"
        last.blocks.append("\n".join(block))

    i = 0
    while i < len(lines):
        line = lines[i]
        if entries and entries[-1].depth > 0:
            last = entries[-1]
            last.text += "\n" + line
            last.depth = _depth(line, ph, last.depth)
            i += 1
            continue
        if entries and entries[-1].printed_block is not None:
            m = _NUMBERED.match(line)
            if not "".join(entries[-1].printed_block).strip() and (_QUOTE_LINE.match(line) or _FENCE.match(line)):
                entries[-1].printed_block = None  # the text is given verbatim after all
            elif m is None or int(m.group(1)) != _number(entries):
                entries[-1].printed_block.append(line)
                i += 1
                continue
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
            entries.append(_Entry(int(m.group(1)), m.group(2).strip()))
        elif entries and (not blank_before or _LIMB_LINE.match(line) or _opens_block(entries[-1].text, line, ph)
                          or (entries[-1].text.endswith(_VERBATIM_CLOSE) and _CLOSING.match(line))):
            entries[-1].text += "\n" + line.strip()
        else:
            m = _BULLET.match(line)
            entries.append(_Entry(None, (m.group(1) if m else line).strip()))
        last = entries[-1]
        last.depth = _depth(line, ph, last.depth)
        if not ph.block_open and last.depth == 0 and re.search(r"(?:follows|following)\s*:\s*$", line):
            last.printed_block = []
        blank_before = False
    return entries


def _opens_block(sentence: str, line: str, ph: Phrasing) -> bool:
    """Whether ``line`` opens the printed text that ``sentence`` brings in."""
    return bool(ph.block_open) and line.lstrip().startswith(ph.block_open) \
        and re.search(rf"{_INTRO}\s*$", sentence) is not None


def _number(entries: list[_Entry]) -> int:
    """The number the instruction after the last one would have."""
    previous = 0
    for entry in entries:
        previous = entry.number if entry.number is not None else previous + 1
    return previous + 1


def _depth(line: str, ph: Phrasing, depth: int) -> int:
    """How many quotations are open after ``line``, given ``depth`` open before it."""
    for k, c in enumerate(line):
        if c == ph.open or (c == "“" and ph.open != "“"):
            depth += 1
        elif (c == ph.close and not is_apostrophe(line, k, ph)) or (c == "”" and ph.close != "”"):
            depth = max(0, depth - 1)
    return depth


def _split_quotes(sentence: str, ph: Phrasing) -> tuple[str, list[str]]:
    """The sentence with each quoted phrase replaced by a placeholder, and the phrases.
    Curly quotes (and the tradition's own) nest, so a phrase may quote a defined term;
    straight quotes do not."""
    pairs = {"“": "”", ph.open: ph.close}
    out: list[str] = []
    phrases: list[str] = []
    i, n = 0, len(sentence)
    while i < n:
        c = sentence[i]
        if c in pairs:
            opener, closer = c, pairs[c]
            depth, j = 1, i + 1
            while j < n and depth:
                if sentence[j] == opener:
                    depth += 1
                elif sentence[j] == closer and not is_apostrophe(sentence, j, ph):
                    depth -= 1
                j += 1
            if depth:
                raise Problem(f"a quotation opened with {opener} is not closed: {_one_line(sentence[i:i + 60])}")
            phrases.append(sentence[i + 1:j - 1])
        elif c == '"':
            j = sentence.find('"', i + 1)
            if j < 0:
                raise Problem(f'a quotation opened with " is not closed: {_one_line(sentence[i:i + 60])}')
            j += 1
            phrases.append(sentence[i + 1:j - 1])
        elif c in ("”", ph.close) and not is_apostrophe(sentence, i, ph):
            raise Problem(f"a closing {c} has no opening quote: {_one_line(sentence[max(0, i - 40):i + 1])}")
        else:
            out.append(c)
            i += 1
            continue
        out.append(f"{PH_OPEN}{len(phrases) - 1}{PH_CLOSE}")
        i = j
    return "".join(out), phrases


# --------------------------------------------------------------------------- forms


@dataclass(frozen=True)
class _Form:
    name: str
    pattern: re.Pattern
    takes_block: bool


def _regex(template: str, *, tail: bool = False, nouns: tuple[str, ...] = ()) -> str:
    """A template as a regular expression; ``tail`` leaves the end open for a rest;
    ``nouns`` may stand before any quoted words (“the words”, “the word”)."""
    noun = "(?:(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in nouns) + r")\s+)?" if nouns else ""
    out = []
    for piece in re.split(r"(\{\w\})", template):
        if piece in ("{p}", "{q}"):
            # A provision's name is not a lead ("In Article 3, paragraph 2 is replaced"
            # names paragraph 2 in Article 3): it neither opens with "In " nor holds a
            # comma, but for the "Schedule 1, paragraph 2" way of writing a label.
            out.append(rf"(?P<{piece[1]}>(?!in\s)(?:(?!,\s(?!paragraph\b))[^{PH_OPEN}{_VERBATIM_OPEN}])+?)")
        elif piece in ("{w}", "{n}", "{t}", "{x}"):
            out.append((noun if piece != "{t}" else "") + rf"{PH_OPEN}(?P<{piece[1]}>\d+){PH_CLOSE}")
        elif piece == "{o}":
            out.append(rf"(?P<o>{'|'.join(_ORDINALS)}|\d+(?:st|nd|rd|th))")
        elif piece == "{u}":
            out.append(r"(?P<u>[\w-]+)")
        elif piece == "{b}":
            out.append(rf"\s*{_INTRO}?\s*(?:{PH_OPEN}(?P<b>\d+){PH_CLOSE}|{_VERBATIM_OPEN}(?P<v>\d+){_VERBATIM_CLOSE})?")
        else:
            out.append(r"\s+".join(re.escape(word) for word in piece.split(" ")))
    return "".join(out) + ("(?P<rest>.*)" if tail else "")


@lru_cache(maxsize=8)
def _forms(ph: Phrasing) -> tuple[_Form, ...]:
    forms = [(name, t) for name, templates in ph.forms.items() for t in templates]
    # Fixed wording before a free label: "For the whole text substitute—" is not "For {p} substitute—".
    forms.sort(key=lambda form: "{p}" in form[1])
    return tuple(_Form(name, re.compile(_regex(t, nouns=ph.quote_nouns), re.IGNORECASE), t.endswith("{b}"))
                 for name, t in forms)


@lru_cache(maxsize=8)
def _leads(ph: Phrasing) -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    """Each lead as (what it sets, the part before ``{p}``, the part after)."""
    leads = []
    # The narrower leads first: "In the heading of regulation 3, " is not "In {p}, ".
    for within, templates in ((HEADING, ph.heading_leads), (DEFINITION, ph.definition_leads), ("", ph.leads)):
        for t in templates:
            # A lead without {p} ("in the heading, ") acts in the provision already named.
            before, _, after = t.partition("{p}") if "{p}" in t else (t, "", None)
            leads.append((within, re.compile(_regex(before), re.IGNORECASE),
                          None if after is None else re.compile(_regex(after.rstrip()) + r"\s*", re.IGNORECASE)))
    return tuple(leads)


@dataclass(frozen=True)
class _Context:
    label: str = ""
    within: str = ""
    term: str = ""
    limb: str = ""


class _Reader:
    def __init__(self, ph: Phrasing, phrases: list[str], blocks: list[str], sentence: str) -> None:
        self.ph, self.phrases, self.blocks, self.sentence = ph, phrases, blocks, sentence

    def entry(self, skeleton: str, carried: str) -> tuple[list[Instruction], str]:
        """The instructions of one numbered paragraph, and the provision it leaves as
        context for the paragraphs after it ("Regulation 5 is amended as follows.")."""
        skeleton = _NOTE.sub("", skeleton)
        limbs = _limbs(skeleton)
        if limbs is None:
            context = self.context(skeleton, _Context(carried), leads=False)
            if context is not None and not any(v in skeleton for v in (_VERBATIM_OPEN, PH_OPEN)):
                return [], context.label
            return self.clause(skeleton, _Context(carried)), carried
        head, parts = limbs
        context = self.context(head, _Context(carried)) if head.strip() else _Context(carried)
        if context is None:
            raise Problem(f"not understood as the start of a compound instruction: {self._shown(head)}")
        return self.limbs(parts, context), carried

    def limbs(self, parts: list[tuple[str, str]], context: _Context) -> list[Instruction]:
        found = []
        for mark, text in parts:
            inner = replace(context, limb=context.limb + mark)
            nested = _limbs(text)
            if nested is not None:
                head, sub = nested
                sub_context = self.context(head, inner)
                if sub_context is None:
                    raise Problem(f"not understood: {self._shown(head)}", inner.limb)
                found += self.limbs(sub, replace(sub_context, limb=inner.limb))
            else:
                found += self.clause(text, inner)
        return found

    def context(self, head: str, ctx: _Context, *, leads: bool = True) -> _Context | None:
        """What a compound instruction's head ("In regulation 3—", "Regulation 3 is
        amended as follows.") says its limbs act in, or ``None``; a lead alone
        ("In regulation 3") only where ``leads``."""
        head = re.sub(rf"\s*(?:{_INTRO}|\.|,)\s*$", "", head.strip())
        for form in _forms(self.ph):
            if form.name == "amended" and (m := form.pattern.fullmatch(head)):
                return replace(ctx, label=self.name(m.group("p"), ctx.label))
        for within, before, after in _leads(self.ph) if leads else ():
            for label, groups, rest in self._splits(before, after, head + ", "):
                if not rest.strip():
                    return replace(ctx, label=self.name(label, ctx.label), within=within,
                                   term=self._phrase(groups, "t") if within == DEFINITION else "")
        return None

    def clause(self, skeleton: str, ctx: _Context) -> list[Instruction]:
        clause = _bare(skeleton)
        found = self._read(clause, ctx)
        if found is None:
            given = re.search(rf"\s*(?:{_VERBATIM_OPEN}\d+{_VERBATIM_CLOSE}|{PH_OPEN}\d+{PH_CLOSE})$", clause)
            if given is not None and self._read(_bare(clause[:given.start()]), ctx):
                raise Problem("a quoted block follows an instruction that takes none", ctx.limb)
            raise Problem(f"not understood: {self._shown(skeleton)}", ctx.limb)
        text = self._shown(skeleton, whole=True)
        return [replace(ins, text=text, limb=ctx.limb) for ins in found]

    def _shown(self, skeleton: str, *, whole: bool = False) -> str:
        """The sentence a skeleton stands for, its quotations put back and the text a
        block brings in left out; cut short for a message unless ``whole``."""
        text = re.sub(f"{_VERBATIM_OPEN}\\d+{_VERBATIM_CLOSE}", "", skeleton)
        text = re.sub(rf"({_INTRO})\s*{PH_OPEN}\d+{PH_CLOSE}(\W*)$", r"\1", text.strip())
        text = re.sub(f"{PH_OPEN}(\\d+){PH_CLOSE}", lambda m: self._quoted(int(m.group(1))), text).strip()
        return text if whole or len(text) <= 120 else text[:117] + "..."

    def _quoted(self, k: int) -> str:
        return f"{self.ph.open}{_one_line(self.phrases[k])}{self.ph.close}"

    def _phrase(self, groups: dict, key: str) -> str:
        return _one_line(self.phrases[int(groups[key])]) if groups.get(key) is not None else ""

    def _splits(self, before: re.Pattern, after: re.Pattern | None, text: str):
        """Every way ``text`` reads as a lead naming a provision, then a rest (the
        provision ``""`` for a lead that names none)."""
        m = before.match(text)
        if m is None:
            return
        start = m.end()
        if after is None:
            yield "", m.groupdict(), text[start:]
            return
        for k in range(start + 1, len(text)):
            if text[k - 1] in (PH_OPEN, _VERBATIM_OPEN):
                return
            a = after.match(text, k)
            if a is not None:
                yield text[start:k], {**m.groupdict(), **a.groupdict()}, text[a.end():]

    def _read(self, clause: str, ctx: _Context) -> list[Instruction] | None:
        for form in _forms(self.ph):
            if (m := form.pattern.fullmatch(clause)) is not None:
                found = self._build(form, m.groupdict(), ctx)
                if found is not None:
                    return found
        if ctx.within:
            return None
        for within, before, after in _leads(self.ph):
            for label, groups, rest in self._splits(before, after, clause):
                if not rest or (not label and not ctx.label):
                    continue
                # "in paragraphs (1) and (4), for …": the rest acts in each of them
                found: list[Instruction] = []
                for one in _each(label) if label else [""]:
                    inner = replace(ctx, label=self.name(one, ctx.label) if one else ctx.label, within=within,
                                    term=self._phrase(groups, "t") if within == DEFINITION else "")
                    each = self._read(rest, inner)
                    if each is None:
                        break
                    found.extend(each)
                else:
                    return found
        return None

    def _block(self, form: _Form, groups: dict) -> str | None:
        if groups.get("b") is not None:
            return stored(self.phrases[int(groups["b"])].strip("\n"), self.ph)
        if groups.get("v") is not None:
            return self.blocks[int(groups["v"])]
        return None

    def _build(self, form: _Form, g: dict, ctx: _Context) -> list[Instruction] | None:
        """The instructions a matched form gives in ``ctx``, or ``None`` if the form
        does not fit there (a rest with no provision to act in)."""
        action, _, rest = form.name.partition(" ")
        target, _, detail = rest.partition(" ")
        if form.name == "amended":
            return None
        block = self._block(form, g)
        if form.takes_block and block is None:
            raise Problem(f"'{action}{self.ph.block_intro}' must be followed by the text to put in, quoted "
                          f"({self.ph.block_open or 'on the lines after it'}…{self.ph.block_close}) or as a "
                          "blockquote (lines starting '> ')", ctx.limb)
        if not form.takes_block and (g.get("b") or g.get("v")):
            raise Problem("a quoted block follows an instruction that takes none", ctx.limb)
        if block is not None and target != TEXT:
            block = block.lstrip("\n").rstrip()
            if not block:
                raise Problem("the quoted block is empty", ctx.limb)
        word = lambda key: self._phrase(g, key)  # noqa: E731 - a reading of this match's groups
        label = self.name(g["p"], ctx.label) if g.get("p") is not None else ctx.label
        if target == TEXT:
            return [Instruction(0, self.sentence, SUBSTITUTE, TEXT, block=block)]
        if target == "words":
            if ctx.within and g.get("p") is not None:
                return None
            if not label:
                return None
            fields = dict(provision=label, within=ctx.within, term=ctx.term, words=word("w"), new=word("n"))
            where, occurrence, to_words = "", "", ""
            parts = detail.split()
            if "to" in parts:
                to_words = TO_END if parts[-1] == "end" else word("x")
                parts = [part for part in parts if part not in ("to", "end")]
            for part in parts:
                if part in ("after", "before", "beginning", "end"):
                    where = part
                elif part in ("each", "both"):
                    occurrence = part
                elif part == "nth":
                    o = g["o"].lower()
                    occurrence = _ORDINALS.get(o) or re.sub(r"\D", "", o)
            if action == OMIT and where == "after":  # "omit the “or” after sub-paragraph (a)"
                where, occurrence = "", "last"
            return [Instruction(0, self.sentence, action, WORDS, where=where, occurrence=occurrence,
                                to_words=to_words, **fields)]
        if ctx.within:
            return None
        if target == HEADING:
            if not label:
                return None
            return [Instruction(0, self.sentence, SUBSTITUTE, HEADING, provision=label, new=word("n"))]
        if target == DEFINITION:
            if not ctx.label:
                return None
            return [Instruction(0, self.sentence, action, DEFINITION, provision=ctx.label, term=word("t"),
                                where=detail, block=block if action != OMIT else None)]
        if action == RENUMBER:
            return [Instruction(0, self.sentence, RENUMBER, PROVISION, provision=label,
                                new_label=self.name(g["q"], ctx.label))]
        if detail in ("end", "appropriate"):
            if not ctx.label or g.get("p") is not None:
                return None
            return [Instruction(0, self.sentence, INSERT, PROVISION, provision=ctx.label, where=detail, block=block)]
        if g.get("p") is None:
            return None
        labels = [self.name(one, ctx.label) for one in _each(g["p"])]
        if detail == "numbered":
            return [Instruction(0, self.sentence, INSERT, PROVISION, provision=labels[0], where="numbered",
                                new_label=labels[0], block=block)]
        return [Instruction(0, self.sentence, action, PROVISION, provision=one, where=detail,
                            block=block if action != OMIT else None) for one in labels]

    def name(self, name: str, context: str) -> str:
        """The label a provision is named by, read relative to ``context`` where it is
        named that way (``paragraph (2)`` in regulation 3 is ``regulation 3(2)``;
        ``paragraph (b) of regulation 3`` is ``regulation 3(b)``; EU ``point (a) of
        Article 3(2)`` is ``Article 3(2)(a)``). A description in brackets after a label
        ("regulation 1(4) (duration of pilot scheme)") is not part of it."""
        name = " ".join(name.split())
        name = re.sub(r"\s+\((?=[^()]*\s)[^()]*\)$", "", name)
        name = re.sub(r"(?<=[0-9)])\s+(?=\([0-9A-Za-z]{1,5}\))", "", name)  # "paragraph 2 (2) (iv)", as printed
        if (whole := self._whole_unit(name, context)) is not None:
            return whole
        relative = self._relative(name, context)
        if relative == name and context and " of " not in name and label_to_id(name, self.ph.kind) is None \
                and label_to_id(in_context := f"{name} of {context}", self.ph.kind) is not None:
            # "In Schedule 2— (a) in paragraph 2(2)(i), …": a Schedule's paragraph is
            # named without its Schedule inside an instruction that names the Schedule.
            return in_context
        return relative

    def _whole_unit(self, name: str, context: str) -> str | None:
        """``the Schedule`` inside an instruction in Schedule 3 (“In Schedule 3— (a) in
        the heading to the Schedule, …”) is Schedule 3: a unit's unnumbered name means
        the numbered one of its kind that the instruction is in."""
        for unit in tradition(self.ph.kind).headed:
            if unit.unnumbered_label and name.lower() == unit.unnumbered_label.lower() and "{number}" in unit.label \
                    and not unit.within:
                numbered = re.escape(unit.label).replace(re.escape("{number}"), r"[0-9A-Za-z]+")
                if m := re.search(rf"(?:^|\bof\s)({numbered})$", context):
                    return m.group(1)
        return None

    def _relative(self, name: str, context: str) -> str:
        units = "|".join(re.escape(u) for u in sorted(self.ph.relative_units, key=len, reverse=True))
        m = re.fullmatch(rf"(?:the )?({units})s? ((?:\([0-9A-Za-z]+\))+|\d+[a-z]*)(?: of (.+))?", name,
                         re.IGNORECASE)
        if m is None:
            return name
        unit, numbers, of = m.group(1).lower(), m.group(2), m.group(3)
        if not numbers.startswith("("):
            if self.ph.relative_units[unit] != "bare":
                return name
            numbers = f"({numbers})"
        base = self.name(of, context) if of else context
        if not base:
            return name
        if self.ph.relative_from == "section":
            base = re.sub(r"(?:\([0-9A-Za-z]+\))+$", "", base)
        if sch := re.fullmatch(r"(paragraph \S+?)( of .+)", base, re.IGNORECASE):
            return sch.group(1) + numbers + sch.group(2)
        return base + numbers


def _bare(clause: str) -> str:
    """A clause without the punctuation that ends it (``.``, ``;``, ``; and``)."""
    return re.sub(r"\s*(?:;\s*(?:and|or)?|\.|,)\s*$", "", clause.strip())


def _one_line(words: str) -> str:
    """Quoted words wrapped over lines, as one line."""
    return re.sub(r"[ \t]*\n\s*", " ", words)


def _each(names: str) -> list[str]:
    """``regulations 4 and 5`` → ``regulation 4``, ``regulation 5``; ``paragraphs (2),
    (3) and (5)`` likewise; one name stays one."""
    m = re.fullmatch(r"(\S+?)s (.+?),? and (.+)", names.strip(), re.IGNORECASE) \
        or re.fullmatch(r"(§)§ (.+?),? and (.+)", names.strip())
    if m is None:
        return [names]
    unit = m.group(1)
    numbers = [n.strip() for n in m.group(2).split(",")] + [m.group(3).strip()]
    return [f"{unit} {n}" for n in numbers]


_LIMB_MARK = re.compile(r"(?:^|(?<=[—–:;.]))\s*(?:and\s+|or\s+)?\((\w{1,5})\)\s+")


def _limbs(skeleton: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A compound instruction's head and its limbs ((mark, text) in order), or ``None``.
    Limbs are numbered in one sequence — (a), (b), (c); (i), (ii); (1), (2) — so a
    limb's own sub-limbs stay inside it."""
    first = None
    for m in _LIMB_MARK.finditer(skeleton):
        head = skeleton[:m.start()].strip()
        if head == "" or re.search(rf"(?:{_INTRO}|\bfollows\s*[.:]|\bas follows)\s*$", head):
            first = m
            break
    if first is None:
        return None
    head = skeleton[:first.start()]
    marks = [(first.group(1), first.start(), first.end())]
    while True:
        wanted = _successor(marks[-1][0], marks[0][0])
        nxt = None
        for m in _LIMB_MARK.finditer(skeleton, marks[-1][2]):
            if m.group(1) == wanted and re.search(r"[;.:—]\s*(?:and|or)?\s*$", skeleton[:m.start()] + " "):
                nxt = m
                break
        if nxt is None:
            break
        marks.append((nxt.group(1), nxt.start(), nxt.end()))
    parts = []
    for k, (mark, _, end) in enumerate(marks):
        stop = marks[k + 1][1] if k + 1 < len(marks) else len(skeleton)
        parts.append((f"({mark})", skeleton[end:stop].strip()))
    if len(parts) == 1 and not head.strip():
        return None
    return head, parts


_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]


def _successor(mark: str, first: str) -> str:
    if mark.isdigit():
        return str(int(mark) + 1)
    if first.lower() == "i" and mark.lower() in _ROMAN[:-1]:
        nxt = _ROMAN[_ROMAN.index(mark.lower()) + 1]
        return nxt.upper() if mark.isupper() else nxt
    if len(mark) == 1 and mark.isalpha():
        return chr(ord(mark) + 1)
    return mark + "a"
