"""Generating amending instructions: the change between two texts, as numbered
instructions in document order, each checked by applying it as the reader will."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Callable, Iterator

from regdraft.core.budget import spend
from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions.apply import (
    apply_unchecked, defining_unit, heading_span, is_word, items_of, locate, number_key, occurrences, parse,
    provision_tree, word_scope,
    words_span,
)
from regdraft.core.instructions.model import (
    CLOSE, DEFINITION, HEADING, INSERT, OMIT, OPEN, PROVISION, RENUMBER, SUBSTITUTE, TEXT, TO_END, WORDS,
    Instruction, Problem,
)
from regdraft.core.instructions.printed import printable
from regdraft.core.instructions.read import PH_CLOSE, PH_OPEN, read_instructions
from regdraft.core.patching import DELETE, EQUAL, diff_words
from regdraft.core.traditions.phrasing import DEFAULT_KIND, Phrasing, phrasing


class _Fail(Exception):
    """The generator's candidate instruction does not give the intended text."""


# --------------------------------------------------------------------------- sentences


def sentence(ins: Instruction, ph: Phrasing) -> str:
    """The sentence that says ``ins`` in ``ph``'s tradition: the first template of its
    form, after a lead naming the provision it acts in where the form has none."""
    form = _form_name(ins)
    template = ph.forms[form][0]
    q = lambda words: f"{ph.open}{words}{ph.close}"  # noqa: E731 - quoting in this tradition
    fields = dict(w=q(ins.words), n=q(ins.new), t=q(ins.term), x=q(ins.to_words), o=_ordinal(ins.occurrence),
                  q=ins.new_label, b=ph.block_intro)
    lead = ""
    if "{p}" in template:
        base, name = _relative(ins.new_label if ins.where == "numbered" else ins.provision, ph)
        if base:
            lead = ph.leads[0].format(p=base)
        fields["p"] = name
        fields["u"] = name.split()[0] if name.split() else ""
        if ins.new_label and base:
            fields["q"] = _relative(ins.new_label, ph)[1]
    elif ins.within == HEADING:
        lead = ph.heading_leads[0].format(p=ins.provision)
    elif ins.within == DEFINITION:
        lead = ph.definition_leads[0].format(p=ins.provision, t=q(ins.term))
    elif ins.target != TEXT:
        lead = ph.leads[0].format(p=ins.provision)
    said = lead + template.format(**fields)
    said = said[0].upper() + said[1:]
    note = _invisible_change(ins)
    if template.endswith("{b}"):
        return said + (f" {note}" if note else "")
    return said + (f" {note}" if note else "") + "."


def _form_name(ins: Instruction) -> str:
    """Which of the phrasing table's forms says ``ins``."""
    if ins.target in (TEXT, HEADING):
        return f"substitute {ins.target}"
    if ins.action == RENUMBER:
        return "renumber provision"
    name = f"{ins.action} {ins.target}"
    if ins.target == WORDS:
        if ins.to_words:
            name += " to end" if ins.to_words == TO_END else " to"
        if ins.occurrence in ("each", "both"):
            name += f" {ins.occurrence}"
        if ins.where:
            name += f" {ins.where}"
        if ins.occurrence and ins.occurrence not in ("each", "both"):
            name += " nth"
        return name
    return f"{name} {ins.where}" if ins.where else name


_ORDINAL_WORDS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth", "6": "sixth",
                  "7": "seventh", "8": "eighth", "9": "ninth", "10": "tenth", "last": "last"}


def _ordinal(occurrence: str) -> str:
    return _ORDINAL_WORDS.get(occurrence, f"{occurrence}th")


def _relative(label: str, ph: Phrasing) -> tuple[str, str]:
    """(the provision to name first, the name within it) where the tradition names a
    unit relative to the one above it — US ``§ 1005.2`` and ``paragraph (a)(1)``, EU
    ``Article 3`` and ``paragraph 2`` — or ("", the label)."""
    numbers = re.search(r"(?:\([0-9A-Za-z]+\))+$", label)
    if not ph.name_relatively or numbers is None or numbers.start() == 0 or " of " in label:
        return "", label
    if ph.relative_from == "section":
        return label[:numbers.start()], f"{ph.name_relatively[0]} {numbers.group(0)}"
    depth = numbers.group(0).count("(")
    last = label.rfind("(")
    word = ph.name_relatively[min(depth, len(ph.name_relatively)) - 1]
    number = label[last:]
    if ph.relative_units.get(word) == "bare":
        number = number[1:-1]
    return label[:last], f"{word} {number}"


def _invisible_change(ins: Instruction) -> str:
    """A note saying which invisible characters change, where nothing else does
    (“of §§ 1005” and “of §§\u20091005” look alike in print)."""
    if ins.target != WORDS or ins.action != SUBSTITUTE or _visible(ins.words) != _visible(ins.new):
        return ""
    changes = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ins.words, ins.new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        was = " and ".join(_character(c) for c in ins.words[i1:i2])
        becomes = " and ".join(_character(c) for c in ins.new[j1:j2])
        if was and becomes:
            changes.append(f"{was} becomes {becomes}")
        elif was:
            changes.append(f"{was} is taken out")
        else:
            changes.append(f"{becomes} is put in")
    return f"(only invisible characters change: {'; '.join(changes)})"


def _visible(words: str) -> str:
    return "".join(c for c in " ".join(words.split()) if unicodedata.category(c) not in ("Cf", "Zs"))


def _character(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, 'character').lower()}"


def _make(action: str, target: str, **fields) -> Instruction:
    """A candidate instruction; its sentence is written when it is rendered."""
    return Instruction(0, "", action, target, **fields)


def render_instructions(instructions: list[Instruction], *, kind: str = DEFAULT_KIND) -> str:
    """Numbered instructions, one per paragraph, in ``kind``'s tradition. Text put in
    follows its instruction as printed (quoted, without the storage form's ``###`` and
    ``- ``), or, where the printed form would not read back exactly, as a Markdown
    blockquote (``> `` lines) holding it verbatim."""
    ph = phrasing(kind)
    paragraphs = []
    for ins in instructions:
        paragraph = f"{ins.number}. {ins.text or sentence(ins, ph)}"
        if ins.block is not None:
            printed = printable(ins.block, ph) if ins.target != TEXT else None
            if printed is not None and printed.strip():
                paragraph += f"\n\n{ph.block_open}{printed}{ph.block_close}"
            else:
                paragraph += "\n\n" + "\n".join(">" + (" " + line if line else "") for line in ins.block.split("\n"))
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


# --------------------------------------------------------------------------- generating


def generate(old: str, new: str, *, kind: str = DEFAULT_KIND) -> list[Instruction]:
    """The instructions that turn ``old`` into ``new`` (documents of ``kind``),
    numbered, in document order, worded in ``kind``'s tradition."""
    if old == new:
        return []
    ph = phrasing(kind)
    instructions = _Generator(old, new, kind).run()
    numbered = [replace(ins, number=n, text=sentence(ins, ph)) for n, ins in enumerate(instructions, start=1)]
    try:
        ok = parse(render_instructions(numbered, kind=kind), old, kind=kind) == new
    except InvalidInstruction:
        ok = False
    if not ok:  # pragma: no cover - every step was checked; kept as a last guard
        whole = _make(SUBSTITUTE, TEXT, block=new)
        numbered = [replace(whole, number=1, text=sentence(whole, ph))]
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


def _balanced(s: str, opening: str = OPEN, closing: str = CLOSE) -> bool:
    depth = 0
    for c in s:
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _opens(c: str) -> bool:
    """Whether quoted words may start with ``c``: a word, or the bracket of a label."""
    return is_word(c) or c == "("


def _closes(c: str) -> bool:
    return is_word(c) or c == ")"


def _quotable(s: str) -> bool:
    return bool(s) and s == s.strip() and "\n" not in s and _balanced(s) and PH_OPEN not in s \
        and PH_CLOSE not in s


class _Generator:
    def __init__(self, old: str, new: str, kind: str) -> None:
        self.kind = kind
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

    def _try(self, ins: Instruction, text: str) -> str:
        """``ins`` applied to ``text`` as the parser will read it."""
        spend(len(text))  # the request's budget (core/budget.py), if it has one
        try:
            again = read_instructions(render_instructions([replace(ins, number=1)], kind=self.kind), kind=self.kind)
            if len(again) != 1:
                raise _Fail
            return apply_unchecked(again[0], text, self.kind)
        except (InvalidInstruction, Problem):
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
        old, new = provision_tree(self.cur, self.kind).structure, provision_tree(self.new, self.kind).structure
        moved = {p.id for p in old.provisions if new.get(p.id) is not None and new.get(p.id).parent != p.parent}
        for p in old.provisions:
            if p.id in moved and not any(a.id in moved for a in old.ancestors(p)):
                self._omit(("p", p.id))


    def _reconcile(self, key: tuple) -> None:
        """Make the item ``key`` read as it does in the new text."""
        cur_it, new_it = locate(self.cur, key, self.kind), locate(self.new, key, self.kind)
        if cur_it is None or new_it is None:
            raise _Fail
        new_body = self.new[new_it.start:new_it.end]
        cur_body = self.cur[cur_it.start:cur_it.end]
        if cur_body == new_body:
            return
        expected = self.cur[:cur_it.start] + new_body + self.cur[cur_it.end:]
        if key[0] == "p" and self._in_each_place(key, cur_it.start, cur_it.end, _chunks(cur_body, new_body), new_body):
            return
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

    def _span(self, text: str, key: tuple) -> tuple[int, int]:
        it = locate(text, key, self.kind)
        if it is None:
            raise _Fail
        return it.start, it.end

    def _fine(self, node_id: str | None) -> None:
        """Amend a provision (or the whole text) piece by piece: its own words, and its
        items inserted, omitted, substituted or amended in turn."""
        a = [it.key for it in items_of(self.cur, node_id, self.kind)]
        b = [it.key for it in items_of(self.new, node_id, self.kind)]
        moved = self._moved(a, b)
        if moved:  # omit first, so that no label is ever in the text twice
            for key in [k for k in a if k in moved]:
                self._omit(key)
            a = [it.key for it in items_of(self.cur, node_id, self.kind)]
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
                p = provision_tree(text, self.kind).structure.get(node_id)
                if p is None:
                    raise _Fail
                start, end = words_span(text, p)
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
            first, last = locate(self.new, news[0], self.kind), locate(self.new, news[-1], self.kind)
            block = self.new[first.start:last.end]

        def omit(keys):
            return lambda: [self._omit(k) for k in keys]

        def insert(appropriate):
            return lambda: self._insert(node_id, left, right, block, appropriate)

        def insert_each_kind():
            # New provisions of different kinds go in one instruction each: a new
            # regulation is never inserted together with the signature or the
            # explanatory note that follow it.
            anchor = left
            for keys in self._runs_of_one_kind(news):
                first, last = locate(self.new, keys[0], self.kind), locate(self.new, keys[-1], self.kind)
                self._insert(node_id, anchor, right, self.new[first.start:last.end], False)
                anchor = keys[-1]

        if tag == "delete":
            return [[omit(olds)]]
        mixed = len(self._runs_of_one_kind(news)) > 1
        if tag == "replace":
            plans = [[omit(olds[:-1]), lambda: self._emit(self._substitute(olds[-1], block))],
                     [omit(olds), insert(False)]]
            if mixed:
                plans.insert(0, [omit(olds), insert_each_kind])
            if len(olds) == len(news) and all(k[0] == "p" for k in olds + news):
                plans.insert(0, [lambda: self._renumber(olds, news)])
            return plans
        plans = [[insert_each_kind]] if mixed else []
        if node_id is not None and all(k[0] == "d" for k in news):
            plans.append([insert(True)])
        plans.append([insert(False)])
        return plans

    def _renumber(self, olds: list, news: list) -> None:
        """Provisions that read as before under other numbers are renumbered ("Renumber
        regulation 5 as regulation 6"); the last first when the numbers go up, so that
        no label is ever in the text twice."""
        new_structure = provision_tree(self.new, self.kind).structure
        pairs = list(zip(olds, news))
        first_old = provision_tree(self.cur, self.kind).structure.get(olds[0][1])
        if first_old is None or number_key(new_structure.get(news[0][1]).number) > number_key(first_old.number):
            pairs.reverse()
        for old_key, new_key in pairs:
            label, _ = self._ref(old_key)
            self._emit(_make(RENUMBER, PROVISION, provision=label, new_label=new_structure.get(new_key[1]).label))

    def _runs_of_one_kind(self, keys: list) -> list[list]:
        """``keys`` in runs of consecutive items of one kind (regulations, an
        unnumbered section such as a signature, definitions)."""
        structure = provision_tree(self.new, self.kind).structure
        runs: list[tuple[str, list]] = []
        for key in keys:
            kind = structure.get(key[1]).kind if key[0] == "p" else "definition"
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(key)
            else:
                runs.append((kind, [key]))
        return [run for _, run in runs]

    # -- instructions about items

    def _ref(self, key: tuple) -> tuple[str, str | None]:
        structure = provision_tree(self.cur, self.kind).structure
        if key[0] == "p":
            p = structure.get(key[1])
            if p is None:
                raise _Fail
            definition = defining_unit(structure, p, self.kind)
            if definition is p:  # "remove the definition of “Facility”" in its section
                return structure.get(p.parent).label, p.heading
            if definition is not None:
                raise _Fail  # a paragraph of a definition: the definition is revised whole
            return p.label, None
        it, parent = locate(self.cur, key, self.kind), structure.get(key[1])
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
        structure = provision_tree(self.cur, self.kind).structure
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
        chunks = _chunks(self.cur[start:end], target)
        if self._in_each_place(scope, start, end, chunks, target):
            return
        delta = 0
        for x, y, r in chunks:
            x, y = x + start + delta, y + start + delta
            self._word_edit(scope, x, y, r)
            delta += len(r) - (y - x)
        start, end = bounds(self.cur)
        if self.cur[start:end] != target:
            raise _Fail

    def _in_each_place(self, scope: tuple, start: int, end: int, chunks: list, target: str) -> bool:
        """One instruction for one change made in each place the words stand ("for
        “the Act”, in each place it occurs, substitute “the 2008 Act”"), where it gives
        the intended text."""
        if len(chunks) < 2 or scope[0] != "p":
            return False
        structure = provision_tree(self.cur, self.kind).structure
        provision = structure.get(scope[1])
        if provision is None or defining_unit(structure, provision, self.kind) is not None:
            return False
        text, expected = self.cur, self.cur[:start] + target + self.cur[end:]
        # The same whole words around each place: "the Act" → "the 2008 Act", not "2008 " put in.
        for left, right in ((0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (2, 1), (1, 2), (2, 2)):
            changes = set()
            for x, y, r in chunks:
                before = re.search(rf"(?:\b\w+\W*?){{{left}}}$", text[start:start + x])
                after = re.match(rf"(?:\W*?\w+\b){{{right}}}", text[start + y:end])
                if before is None or after is None:
                    break
                lead, tail = before.group(0), after.group(0)
                changes.add((lead + text[start + x:start + y] + tail, lead + r + tail))
            else:
                if len(changes) != 1:
                    continue
                words, new = changes.pop()
                if not _quotable(words) or not (new == "" or _quotable(new)):
                    continue
                action = OMIT if new == "" else SUBSTITUTE
                snap = self._snap()
                try:
                    self._emit(_make(action, WORDS, provision=provision.label, words=words, new=new,
                                     occurrence="each"), expected)
                    return True
                except _Fail:
                    self._restore(snap)
        return False

    def _word_edit(self, scope: tuple, x: int, y: int, r: str) -> None:
        text = self.cur
        expected = text[:x] + r + text[y:]
        tree = provision_tree(text, self.kind)
        parent = tree.structure.get(scope[1])
        if parent is None:
            raise _Fail
        within, term = "", ""
        definition = defining_unit(tree.structure, parent, self.kind) if scope[0] == "p" else None
        if definition is not None:  # "In § 457.103, in the definition of “Facility”, remove …"
            parent, within, term = tree.structure.get(definition.parent), DEFINITION, definition.heading
        elif scope[0] == "d":
            it = locate(text, scope, self.kind)
            if it is None:
                raise _Fail
            within, term = DEFINITION, it.term
        else:
            heading = heading_span(text, parent, self.kind)
            if heading is not None and heading[0] <= x and y <= heading[1]:
                within = HEADING
        try:
            start, end, begin, _ = word_scope(text, tree, parent, within, term)
        except Problem:
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
                if ins not in seen:
                    seen.add(ins)
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
    while x > begin and x < len(text) and is_word(text[x - 1]) and is_word(text[x]):
        x -= 1
        r = text[x] + r
    while y < end and y > 0 and is_word(text[y]) and is_word(text[y - 1]):
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
            and len(occurrences(text, start, end, phrase)) == 1

    def whole(p: int, q: int) -> bool:
        """Whether ``text[p:q]`` keeps a bracketed label whole, as a drafter quotes one:
        “and (2)”, not “and (2”; “(a)”, not the bare “a” inside it."""
        return not tidy or (_balanced(text[p:q], "(", ")")
                            and not (p > 0 and text[p - 1] == "(" and q < len(text) and text[q] == ")"))

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
                    if tidy_edges and ((left and not _opens(text[before[left - 1][0]]))
                                       or (right and not _closes(text[after[right - 1][1] - 1]))):
                        continue
                    p = before[left - 1][0] if left else x
                    q = after[right - 1][1] if right else y
                    phrase, words = text[p:q], text[p:x] + r + text[y:q]
                    if tidy and p > begin and not is_word(text[p]) and is_word(text[p - 1]):
                        continue
                    if p < q and whole(p, q) and unique(phrase) and _quotable(words):
                        yield _make(SUBSTITUTE, WORDS, words=phrase, new=words, **base)
                        found += 1
                        if found == 3:
                            return

    # Punctuation stuck to the word before it is quoted with that word ("records; and",
    # not "; and").
    glued = bool(dc) and not is_word(dc[0]) and xc > begin and is_word(text[xc - 1])
    if not tidy:
        yield from in_context()
        return
    if dc and rc:
        if within == HEADING and not text[begin:xc].strip() and not text[yc:end].strip():
            heading = text[begin:x] + r + text[y:end]
            if _quotable(heading):
                yield _make(SUBSTITUTE, HEADING, provision=label, new=heading)
        if not glued and whole(xc, yc) and unique(dc) and _quotable(rc):
            yield _make(SUBSTITUTE, WORDS, words=dc, new=rc, **base)
    elif dc:
        if not glued and whole(xc, yc) and unique(dc):
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
                if whole(t[0], anchor_end) and unique(text[t[0]:anchor_end]):
                    yield _make(INSERT, WORDS, where="after", words=text[t[0]:anchor_end], new=rc, **base)
                    break
        if anchor_start < end and text[anchor_start] != "\n":
            for t in (t for t in after if t[0] >= anchor_start):
                if whole(anchor_start, t[1]) and unique(text[anchor_start:t[1]]):
                    yield _make(INSERT, WORDS, where="before", words=text[anchor_start:t[1]], new=rc, **base)
                    break
        if not text[begin:x].strip():
            yield _make(INSERT, WORDS, where="beginning", new=rc, **base)
        if not text[y:end].strip():
            yield _make(INSERT, WORDS, where="end", new=rc, **base)
    yield from in_context()

