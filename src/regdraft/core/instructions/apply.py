"""Applying amending instructions: each one changes a text as an amending instrument
is read, naming provisions by their labels in the text as amended so far."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from threading import Lock
from typing import Iterator

from regdraft.core.errors import InvalidInstruction, RegdraftError
from regdraft.core.instructions.model import (
    DEFINITION, HEADING, INSERT, OMIT, RENUMBER, SUBSTITUTE, TEXT, TO_END, WORDS, Instruction, Problem, quoted,
)
from regdraft.core.instructions.read import read_instructions
from regdraft.core.structure import Provision, Structure, markdown_start, parse_structure
from regdraft.core.traditions import tradition
from regdraft.core.traditions.phrasing import DEFAULT_KIND, Phrasing, phrasing

# --------------------------------------------------------------------------- applying


def parse(instructions: str, old: str, *, kind: str = DEFAULT_KIND) -> str:
    """Apply instructions written in the drafting style, in order, to ``old``.

    Raises :class:`InvalidInstruction` naming the instruction: ``instruction 3: no
    provision 'regulation 9'``, ``instruction 2: “any person” occurs twice in
    regulation 3(2)``, ``instruction 4: not understood: ...``.
    """
    text = old
    for ins in read_instructions(instructions, kind=kind):
        text = apply_instruction(ins, text, kind=kind)
    return text


def apply_instruction(ins: Instruction, text: str, *, kind: str = DEFAULT_KIND) -> str:
    """Apply one instruction to ``text``, a document of ``kind``."""
    try:
        return apply_unchecked(ins, text, kind)
    except Problem as exc:
        raise InvalidInstruction(f"{ins.name}: {exc.args[0]}", instruction=ins.number) from None


@dataclass(frozen=True)
class ProvisionTree:
    kind: str
    structure: Structure
    """The text's provisions. In a tree moved along by :func:`edit` they are exactly
    those a reading gives; its warnings are those of the text it was moved from
    (instructions never read them)."""
    children: dict
    """Parent id → ids of its children, in order."""
    labels: dict
    """Canonical label → ids of the provisions with that label. Ids, not provisions:
    both dicts hold for a text whose provisions only moved along (:func:`edit`)."""
    moves_from: int | None
    """From where word edits may move its provisions along: past the front matter (an
    edit there can unmake it); ``None`` in a text read line by line (where a line's
    words can make it a heading)."""


_TREES: dict[tuple[str, str], ProvisionTree] = {}
"""The trees of the texts read last, by (text, kind): at most :data:`_KEPT_TREES`, oldest first."""
_KEPT_TREES = 32
_TREES_LOCK = Lock()  # renderings run on a thread pool: one thread trims while another keeps


def provision_tree(text: str, kind: str) -> ProvisionTree:
    with _TREES_LOCK:
        tree = _TREES.pop((text, kind), None)
    if tree is None:
        ph = phrasing(kind)
        structure = parse_structure(text, kind=kind, strict=False)
        children: dict[str | None, list[str]] = {}
        labels: dict[str, list[str]] = {}
        for p in structure.provisions:
            children.setdefault(p.parent, []).append(p.id)
            labels.setdefault(_canon(p.label, ph), []).append(p.id)
        tree = ProvisionTree(kind, structure, children, labels, markdown_start(text))
    _keep(text, tree)
    return tree


def _keep(text: str, tree: ProvisionTree) -> None:
    with _TREES_LOCK:
        _TREES[text, tree.kind] = tree
        while len(_TREES) > _KEPT_TREES:
            del _TREES[next(iter(_TREES))]


def edit(text: str, start: int, end: int, new: str, kind: str) -> str:
    """``text[:start] + new + text[end:]``. Where the edit is of words inside one line
    that is not a heading, and that line read alone reads as before, the provisions of
    the result are those of ``text`` moved along, and its tree is made so rather than
    read again: reading the whole text after each word edit made ``n`` instructions
    cost ``n`` readings of the text (issue 18: 2000 hunks took 200 s)."""
    at = start + len(new)
    if (end == len(text) or text[end] == "\n") and (new[-1:] in (" ", "\t") or not new and text[start - 1:start]
                                                     in (" ", "\t")):
        # Words taken out at a line's end (a heading made empty) take the blanks before
        # them: a version's lines have no trailing blanks (core.text.normalise).
        cut = at
        while cut > 0 and (new[cut - start - 1] if cut > start else text[cut - 1]) in " \t":
            cut -= 1
        start, new = (start, new[:cut - start]) if cut >= start else (cut, "")
    result = text[:start] + new + text[end:]
    tree = _TREES.get((text, kind))
    if (tree is not None and tree.moves_from is not None and start >= tree.moves_from
            and (result, kind) not in _TREES):
        moved = _moved_tree(tree, text, result, start, end, len(new) - (end - start))
        if moved is not None:
            _keep(result, moved)
    return result


def _moved_tree(tree: ProvisionTree, text: str, result: str, start: int, end: int,
                delta: int) -> ProvisionTree | None:
    changed = text[start:end] + result[start:end + delta]
    if "\n" in changed or any(mark in changed for mark in _QUOTE_MARKS):
        return None  # lines joined or split, or a quotation's balance of marks changed
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line, edited = text[line_start:line_end], result[line_start:line_end + delta]
    next_end = text.find("\n", line_end + 1)
    following = text[line_end + 1:len(text) if next_end < 0 else next_end] if line_end < len(text) else ""
    marks = _LINE_MARKS.match(line).end()
    if (line.lstrip().startswith("#") or not _BLANK.search(line, marks, start - line_start)
            or any(_RULE_LINE.fullmatch(s) for s in (line, edited, following))
            or _line_reading(line, tree.kind) != _line_reading(edited, tree.kind)):
        # A heading; the numbers, list marks and first word that open the line; a line
        # that is (or underlines it as) a heading or a break; or a line read otherwise.
        return None
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
    moved = list(provisions[:first_after])
    for p in chain:
        i = bisect_left(provisions, p.start, hi=first_after, key=_start_of)
        while moved[i] is not p:  # provisions may share a start (a list item and its first sub-item)
            i += 1
        moved[i] = p._replace(end=p.end + delta)
    # Each edit moves every provision after it: made at C speed, not by ``_replace``
    # (four times slower, and the most of 500 edits' time).
    make, at = tuple.__new__, _START
    moved += [make(Provision, p[:at] + (p[at] + delta, p[at + 1] + delta) + p[at + 2:])
              for p in provisions[first_after:]]
    return replace(tree, structure=replace(structure, text=result, provisions=tuple(moved)))


def _start_of(p: Provision) -> int:
    return p.start


_START = Provision._fields.index("start")  # and "end" the field after it


# What may open a line of a provision: list and quote marks, then numbers such as
# "(1)", "(a)", "(*i*)", "3.", "2)", however many.
_LINE_MARKS = re.compile(r"[ \t]*(?:[-*+>][ \t]+)*(?:(?:\(\*?\w+\*?\)|\d+[A-Za-z]*[.)])[ \t]*)*")
_BLANK = re.compile(r"[ \t]")
# A setext heading's underline, a thematic break, or a line that may close front matter.
_RULE_LINE = re.compile(r"[ \t]*(?:[-=*_.][ \t]*)+")
_QUOTE_MARKS = ("“", "”")


def _line_reading(line: str, kind: str) -> tuple | None:
    """How one line reads standing alone: what of it would change the provisions."""
    try:
        structure = parse_structure(line, kind=kind, strict=False)
    except RegdraftError:
        return None
    return tuple((p.id, p.label, p.kind, p.number, p.heading) for p in structure.provisions)


def _canon(label: str, ph: Phrasing) -> str:
    """A label as it is looked up: one case, one spacing, short unit words written out
    (``reg. 3``, ``para 2 of Sch. 1``)."""
    s = " ".join(label.replace("\u00a0", " ").split()).casefold()
    s = re.sub(r"\s+\(", "(", s)
    s = _abbreviations(ph).sub(lambda m: ph.abbreviations[m.group(1)] + " ", s)
    if m := re.fullmatch(r"(?:the )?(schedule(?: \w+)?),? paragraph (.+)", s):
        s = f"paragraph {m.group(2)} of {m.group(1)}"
    return s


@lru_cache(maxsize=8)
def _abbreviations(ph: Phrasing) -> re.Pattern:
    words = "|".join(re.escape(w) for w in sorted(ph.abbreviations, key=len, reverse=True))
    return re.compile(rf"(?:^|(?<= of ))({words})\.?\s+")


def _resolve(tree: ProvisionTree, label: str) -> Provision:
    key = _canon(label, phrasing(tree.kind))
    found = [tree.structure.get(i) for i in tree.labels.get(key) or tree.labels.get("the " + key) or []]
    if not found:
        raise Problem(f"no provision {label!r}")
    if len(found) > 1:
        raise Problem(f"{label!r} is ambiguous: the text has {len(found)} provisions with that label "
                       f"(lines {', '.join(str(p.line) for p in found)})")
    return found[0]


def _words_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def words_span(text: str, p: Provision) -> tuple[int, int]:
    return p.start, _words_end(text, p.start, p.end)


# Items: the units an instruction can insert, omit or substitute whole. The items of a
# provision are its child provisions and, in an interpretation provision, the
# definitions standing in its own text.

@dataclass(frozen=True)
class Item:
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
def items_of(text: str, node_id: str | None, kind: str) -> tuple[Item, ...]:
    tree = provision_tree(text, kind)
    children = [tree.structure.get(i) for i in tree.children.get(node_id, [])]
    items = [Item(("p", c.id), *words_span(text, c)) for c in children]
    if node_id is None:
        return tuple(items)
    node = tree.structure.get(node_id)
    if node is None or node.kind == "preamble":
        return tuple(items)
    ranges = []
    at = node.start
    for c in children:
        ranges.append((at, c.start))
        at = words_span(text, c)[1]
    ranges.append((at, words_span(text, node)[1]))
    own = "".join(text[a:b] for a, b in ranges)
    chain = [node] + tree.structure.ancestors(node)
    if not (any(_INTERPRETATION.search(q.heading) for q in chain) or _MEANS.search(own)):
        return tuple(items)
    for a, b in ranges:
        items.extend(_definitions(text, node_id, a, b))
    return tuple(sorted(items, key=lambda it: it.start))


def _definitions(text: str, node_id: str, a: int, b: int) -> Iterator[Item]:
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
        yield Item(("d", node_id, _term_key(m.group(1))), line, _words_end(text, line, end), m.group(1))
        line = end + 1


def locate(text: str, key: tuple, kind: str) -> Item | None:
    if key[0] == "p":
        p = provision_tree(text, kind).structure.get(key[1])
        return None if p is None else Item(key, *words_span(text, p))
    found = [it for it in items_of(text, key[1], kind) if it.key == key]
    return found[0] if len(found) == 1 else None


def _siblings(text: str, p: Provision, kind: str) -> tuple[tuple[Item, ...], int]:
    items = items_of(text, p.parent, kind)
    for k, it in enumerate(items):
        if it.key == ("p", p.id):
            return items, k
    raise Problem(f"cannot place {p.label}")  # pragma: no cover - every provision is an item


def _definition(text: str, tree: ProvisionTree, p: Provision, term: str) -> tuple[tuple[Item, ...], int]:
    """The definition of ``term`` in ``p`` (or, failing that, in one provision within it)."""
    key = _term_key(term)
    candidates = [p] + [q for q in tree.structure.provisions
                        if q.start >= p.start and q.end <= p.end and q.id != p.id]
    found = []
    for q in candidates:
        items = items_of(text, q.id, tree.kind)
        found += [(items, k) for k, it in enumerate(items) if it.key == ("d", q.id, key)]
        if found and q is p:
            break
    if not found:
        found = _defined_units(text, tree, p, key)
    if not found:
        raise Problem(f"{p.label} has no definition of {quoted(term)}")
    if len(found) > 1:
        raise Problem(f"{quoted(term)} is defined {len(found)} times in {p.label}")
    return found[0]


def defining_unit(structure: Structure, p: Provision, kind: str) -> Provision | None:
    """The definition that is a unit of its own (a CFR definition, ``Tradition.definitions``)
    which ``p`` is, or is a paragraph of; ``None`` if none."""
    definitions = tradition(kind).definitions
    if definitions is None:
        return None
    for q in (p, *structure.ancestors(p)):
        if q.kind == definitions.kind:
            return q
    return None


def _defined_units(text: str, tree: ProvisionTree, p: Provision, key: str) -> list[tuple[tuple[Item, ...], int]]:
    """The definitions of ``p`` that are units (whose heading is the defined term)."""
    definitions = tradition(tree.kind).definitions
    if definitions is None:
        return []
    items = items_of(text, p.id, tree.kind)
    return [(items, k) for k, it in enumerate(items) if it.key[0] == "p"
            and (q := tree.structure.get(it.key[1])) is not None and q.kind == definitions.kind
            and _term_key(q.heading) == key]


@lru_cache(maxsize=8)
def _heading_text(ph: Phrasing) -> re.Pattern:
    """A heading line up to where its words start: after ``#``s and the unit's number
    (``### 3. ``, ``## Part 2: ``, ``### § 1005.2 ``)."""
    units = "|".join(re.escape(u) for u in ph.heading_units)
    return re.compile(rf"[ \t]*#{{1,6}}[ \t]+(?:(?:{units})(?:[ \t]+[0-9A-Z]+[A-Z]*)?\b[ \t:.—–-]*"
                      rf"|(?:{ph.numbered_headings})[ \t]*)?", re.IGNORECASE)


_ITEM_MARK = re.compile(r"[ \t]*(?:[-*+][ \t]+)?(?:\(\w+\)|\d+[A-Z]*[.)])[ \t]*")


def heading_span(text: str, p: Provision, kind: str) -> tuple[int, int, int] | None:
    """(line start, line end, where the heading's words start), if ``p`` opens with a
    Markdown heading."""
    if p.kind == "preamble":
        return None
    end = text.find("\n", p.start, p.end)
    end = p.end if end < 0 else end
    m = _heading_text(phrasing(kind)).match(text, p.start, end)
    if m is None:
        return None
    return p.start, end, m.end()


def word_scope(text: str, tree: ProvisionTree, p: Provision, within: str, term: str) -> tuple[int, int, int, str]:
    """Where words are sought for an instruction: (start, end, where its words begin —
    after the provision's number or heading — and how to name the place)."""
    if within == HEADING:
        heading = heading_span(text, p, tree.kind)
        if heading is None:
            raise Problem(f"{p.label} has no heading")
        return heading[0], heading[1], heading[2], f"the heading of {p.label}"
    if within == DEFINITION:
        items, k = _definition(text, tree, p, term)
        it = items[k]
        m = re.match(r"[ \t]*(?:[-*+][ \t]+)?", text[it.start:it.end])
        return it.start, it.end, it.start + m.end(), f"the definition of {quoted(term)} in {p.label}"
    start, end = words_span(text, p)
    begin = start
    heading = heading_span(text, p, tree.kind)
    if heading is not None:
        begin = heading[1]
        while begin < end and text[begin].isspace():
            begin += 1
    elif p.kind != "preamble" and (m := _ITEM_MARK.match(text, start, end)):
        begin = m.end()
    return start, end, begin, p.label


def is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def occurrences(text: str, start: int, end: int, phrase: str, *, fold: bool = False) -> list[int]:
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
        if not ((is_word(needle[0]) and at > 0 and is_word(hay[at - 1]))
                or (is_word(needle[-1]) and stop < len(hay) and is_word(hay[stop]))):
            hits.append(at)
        at = hay.find(needle, at + 1, end)
    return hits


_CLOSERS = set(",.;:)]”’—!?")
_OPENERS = set("([“‘")


def apply_unchecked(ins: Instruction, text: str, kind: str) -> str:
    if ins.target == TEXT:
        return ins.block or ""
    tree = provision_tree(text, kind)
    if ins.where == "numbered":
        return _insert_numbered(text, tree, ins)
    p = _resolve(tree, ins.provision)
    if ins.target == WORDS:
        return _apply_words(ins, text, tree, p)
    if ins.target == HEADING:
        heading = heading_span(text, p, tree.kind)
        if heading is None:
            raise Problem(f"{p.label} has no heading")
        return edit(text, heading[2], heading[1], ins.new, kind)
    block = ins.block or ""
    if ins.action == RENUMBER:
        return _renumber(text, tree, p, ins.new_label)
    if ins.target == DEFINITION:
        items, k = _definition(text, tree, p, ins.term)
    elif ins.where == "appropriate":
        return _insert_definitions(text, p, block, kind)
    elif ins.where == "end":
        items = items_of(text, p.id, kind)
        at = words_span(text, p)[1]
        if items:
            sep = _separator(text, items, len(items) - 1, block)
        else:
            sep = _default_separator(block, text[text.rfind("\n", 0, at) + 1:at])
        return text[:at] + sep + block + text[at:]
    else:
        items, k = _siblings(text, p, kind)
    x = items[k]
    if ins.action == OMIT:
        return _omit_item(text, items, k)
    if ins.action == SUBSTITUTE:
        return text[:x.start] + block + text[x.end:]
    sep = _separator(text, items, k, block)
    if ins.where == "after":
        return text[:x.end] + sep + block + text[x.end:]
    return text[:x.start] + block + sep + text[x.start:]


def _apply_words(ins: Instruction, text: str, tree: ProvisionTree, p: Provision) -> str:
    start, end, begin, where = word_scope(text, tree, p, ins.within, ins.term)
    new = ins.new
    if ins.action == INSERT and not new:
        raise Problem("there are no words to insert")
    kind = tree.kind
    if ins.where in ("beginning", "end"):
        if ins.where == "beginning":
            return edit(text, begin, begin, new + ("" if new[-1] in _OPENERS else " "), kind)
        # "At the end insert “, or any other body”" goes before a closing full stop, as
        # a drafter means it; words that end in a full stop themselves follow it.
        if text[end - 1:end] == "." and not new.endswith(".") and end - 1 > begin:
            end -= 1
        return edit(text, end, end, ("" if new[0] in _CLOSERS else " ") + new, kind)
    spans = _spans(text, start, end, ins, where)
    for at, stop in reversed(spans):  # from the last, so the earlier places stay where they were
        if ins.action == SUBSTITUTE:
            text = edit(text, at, stop, new, kind)
        elif ins.action == OMIT:
            text = edit(text, *_omitted(text, at, stop, begin, end), "", kind)
        elif ins.where == "after":
            text = edit(text, stop, stop, ("" if new[0] in _CLOSERS else " ") + new, kind)
        elif at > start and not text[at - 1].isspace():
            text = edit(text, at, at, ("" if new[0] in _CLOSERS else " ") + new, kind)
        else:
            text = edit(text, at, at, new + ("" if new[-1] in _OPENERS else " "), kind)
    return text


def _spans(text: str, start: int, end: int, ins: Instruction, where: str) -> list[tuple[int, int]]:
    """Where the words an instruction acts on stand: (start, end) of each place it
    names, in order — the one place, each place, the second, the last; a span "from
    “x” to the end" or "to “y”"."""
    phrase = ins.words
    hits = occurrences(text, start, end, phrase) or occurrences(text, start, end, phrase, fold=True)
    if not hits:
        raise Problem(f"{quoted(phrase)} does not occur in {where}")
    occurrence = ins.occurrence
    if occurrence == "each":
        chosen = hits
    elif occurrence == "both":
        if len(hits) != 2:
            raise Problem(f"{quoted(phrase)} occurs {_times(len(hits))} in {where}, not in two places")
        chosen = hits
    elif occurrence == "last":
        chosen = hits[-1:]
    elif occurrence:
        n = int(occurrence)
        if n > len(hits):
            raise Problem(f"{quoted(phrase)} occurs {_times(len(hits))} in {where}, not {n} times")
        chosen = [hits[n - 1]]
    elif len(hits) > 1:
        raise Problem(f"{quoted(phrase)} occurs {_times(len(hits))} in {where}")
    else:
        chosen = hits
    spans = [(at, at + len(phrase)) for at in chosen]
    if not ins.to_words:
        return spans
    at = spans[0][0]
    if ins.to_words == TO_END:
        return [(at, end)]
    stops = [hit for hit in occurrences(text, at, end, ins.to_words) if hit >= at + len(phrase)] \
        or [hit for hit in occurrences(text, at, end, ins.to_words, fold=True) if hit >= at + len(phrase)]
    if not stops:
        raise Problem(f"{quoted(ins.to_words)} does not occur after {quoted(phrase)} in {where}")
    return [(at, stops[0] + len(ins.to_words))]


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _renumber(text: str, tree: ProvisionTree, p: Provision, new_label: str) -> str:
    """Give ``p`` the number that ends ``new_label`` where its own number is written
    (its heading, or the ``(2)`` that opens it)."""
    m = re.search(r"(?:\(([0-9A-Za-z]+)\)|([0-9]+[A-Za-z]*(?:\.[0-9]+[A-Za-z]*)?))(?=[^()0-9]*$)", new_label)
    if m is None:
        raise Problem(f"{new_label!r} gives no number to renumber {p.label} with")
    number = m.group(1) or m.group(2)
    line_end = text.find("\n", p.start, p.end)
    line_end = p.end if line_end < 0 else line_end
    first = text[p.start:line_end]
    at = re.search(rf"(?<![0-9A-Za-z.]){re.escape(p.number)}(?![0-9A-Za-z])", first)
    if at is None:
        raise Problem(f"the number of {p.label} is not written at its start")
    renumbered = text[:p.start + at.start()] + number + text[p.start + at.end():]
    if _canon(new_label, phrasing(tree.kind)) not in provision_tree(renumbered, tree.kind).labels:
        raise Problem(f"renumbering {p.label} does not give {new_label!r}")
    return renumbered


def _insert_numbered(text: str, tree: ProvisionTree, ins: Instruction) -> str:
    """US "add paragraph (c)": the new provision goes among its siblings in the order
    of their numbers, after the last that comes before it."""
    label = ins.new_label or ins.provision
    if _canon(label, phrasing(tree.kind)) in tree.labels:
        raise Problem(f"{label!r} is already in the text")
    parent_label = re.sub(r"\([0-9A-Za-z]+\)$", "", label)
    if parent_label == label:
        raise Problem(f"cannot tell where {label!r} goes: name the provision it follows")
    parent = _resolve(tree, parent_label)
    own = re.search(r"\(([0-9A-Za-z]+)\)$", label).group(1)
    items = [it for it in items_of(text, parent.id, tree.kind) if it.key[0] == "p"]
    before = [k for k, it in enumerate(items) if number_key(tree.structure.get(it.key[1]).number) < number_key(own)]
    if before:
        k = before[-1]
        sep = _separator(text, tuple(items), k, ins.block or "")
        return text[:items[k].end] + sep + ins.block + text[items[k].end:]
    if items:
        sep = _separator(text, tuple(items), 0, ins.block or "")
        return text[:items[0].start] + ins.block + sep + text[items[0].start:]
    at = words_span(text, parent)[1]
    return text[:at] + _default_separator(ins.block or "", text[text.rfind("\n", 0, at) + 1:at]) + ins.block + text[at:]


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def number_key(number: str) -> tuple:
    """Numbers in drafting order: 2 < 2A < 10; (a) < (b) < (aa); (iv) < (ix)."""
    if m := re.fullmatch(r"(\d+)([A-Za-z]*)", number):
        return (0, int(m.group(1)), m.group(2).lower())
    lower = number.lower()
    if lower and all(c in _ROMAN for c in lower) and lower not in ("c", "l", "v", "x") or lower == "i":
        total = 0
        for k, c in enumerate(lower):
            value = _ROMAN[c]
            total += -value if k + 1 < len(lower) and _ROMAN[lower[k + 1]] > value else value
        return (1, total, "")
    return (2, len(lower), lower)


def _omitted(text: str, i: int, j: int, begin: int, end: int) -> tuple[int, int]:
    """What omitting ``text[i:j]`` takes away: the words and one of the spaces around them."""
    left = text[i - 1] if i > begin else "\n"
    right = text[j] if j < end else "\n"
    if left == " " and (right in " \n" or right in _CLOSERS):
        i -= 1
    elif (left == "\n" or left in _OPENERS) and right == " ":
        j += 1
    return i, j


def _is_list_line(text: str) -> bool:
    return bool(re.match(r"[ \t]*[-*+][ \t]", text))


def _default_separator(block: str, neighbour: str) -> str:
    """A line end between list items, a blank line otherwise."""
    return "\n" if _is_list_line(block) and _is_list_line(neighbour) else "\n\n"


def _separator(text: str, items: tuple[Item, ...], k: int, block: str) -> str:
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


def _omit_item(text: str, items: tuple[Item, ...], k: int) -> str:
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
        raise Problem("the text to insert in the appropriate place must be definitions, each starting "
                       "with the term in quotes")
    pieces = []
    for a, b in zip(starts, starts[1:] + [len(block)]):
        piece = block[a:b].rstrip()
        pieces.append((_DEF_START.match(piece).group(1), piece))
    return pieces


def _insert_definitions(text: str, p: Provision, block: str, kind: str) -> str:
    """Put each definition in ``block`` among the definitions of ``p`` in alphabetical order."""
    for term, piece in _split_definitions(block):
        items = items_of(text, p.id, kind)
        defs = [k for k, it in enumerate(items) if it.key[0] == "d" and it.key[1] == p.id]
        if not defs:
            at = words_span(text, p)[1]
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

