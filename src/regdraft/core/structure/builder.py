"""Building provisions from blocks: the events both block readers give (headings,
paragraphs, list items), read against a tradition's data."""

from __future__ import annotations

import re
from operator import attrgetter

from regdraft.core.errors import InvalidStructure
from regdraft.core.structure.model import PREAMBLE, Provision, StructureWarning
from regdraft.core.structure.numbering import (ROMAN, deeper_level, number_fits, number_follows, numbering_warning,
                                            starts_numbering)
from regdraft.core.traditions import (DEFAULT_KIND, Headed, Level, Tradition, cross_heading_id, cross_heading_label,
                                      definition_id, id_number, section_label, slug, subdivision_base, tradition,
                                      unit_id, unit_label)


_DEFAULT = tradition(DEFAULT_KIND)

# --- Building provisions from blocks -----------------------------------------------
#
# The builder knows no tradition of its own: which headings open which units, how
# subdivisions are numbered, and how ids and labels are spelt are the tradition's data
# (regdraft.core.traditions). Both block readers give it the same events in the same
# order (headings, paragraphs, list items, each with the first line of its text), so
# whatever it makes of them, they agree.

# Levels order units against each other when spans are closed: a headed unit has its
# tradition's rank (1 outermost); subdivisions, recitals and list items sit below all
# of them, a list item one lower for each list it is nested in.
_CHAIN = 10
_INTRODUCES_A_LIST = ("—", "–")  # how UK drafting ends the words before a list
_DEFINITION_LINE = re.compile(r"[“\"][^”\"()]{1,80}[”\"]")  # “appeal”, in the context of …, includes—
_DEFINITION = _CHAIN - 1  # a definition: inside its section, around the paragraphs it holds

# One subdivision number between brackets, in any tradition's styles (an inserted
# number keeps its letters: (2A), (aa)); italic CFR numbers are written (*1*).
_ONE_LABEL = r"\((?:[0-9]+[A-Z]*|[a-z]+|[A-Z]+|\*[0-9]+\*|\*[ivxlcdm]+\*)\)"
_LABELS = re.compile(rf"(?:\*\*)?(?P<labels>(?:{_ONE_LABEL})+)(?:\*\*)?(?=\s|$|[—–])")
_EACH_LABEL = re.compile(r"\(([^()]+)\)")
# A numbered block: "5. Text" (a line of a text without headings, an EU paragraph),
# the older SI style "5.—(1) Text", never "1.5 metres".
_NUMBERED = re.compile(r"(?:\*\*)?(?P<number>[0-9]+[A-Z]*)\.(?:\*\*)?(?:\s*[—–]\s*(?=\()|\s+|$)")
# A lettered block "ii. …", "A. …": a CFR comment's paragraphs.
_LETTERED = re.compile(r"(?:\*\*)?(?P<number>[ivxlc]+|[A-Z])\.(?:\*\*)?\s+")
# Quoted text: a block opening with a quotation mark before a label or a number is text
# an amending provision inserts, not a unit of the host.
_OPENING_QUOTE = re.compile(r"[“‘\"]\s*(?:\(|[0-9]+[A-Z]*\.?(?:\s|$))")
MAY_OPEN_A_QUOTATION = ("“", "‘", '"', "[")  # a marker may stand before the quotation mark


_ITEM_FORM = ("item", "-", "(", ")")  # a subdivision of a holder without levels
_NO_SHAPE = ((), (), ())
NEEDS_TEXT = object()  # what the builder answers where only the block's text can decide
# Provision._make without its length check: the builder always gives nine fields.
_new_provision = tuple.__new__
_new_open = object.__new__
_PROVISION_FIELDS = attrgetter(*Provision._fields)  # a unit's first nine fields, as its provision's
# A subdivision's number as its label and its id spell it (``*1*``: ``1``, ``1``; ``2A``:
# ``2A``, ``2a``), for the numbers met (1, 2, a, b, i: few, met over and over).
_NUMBER_FORMS: dict[str, tuple[str, str]] = {}


def _number_forms(number: str) -> tuple[str, str]:
    forms = (number.strip("*") if "*" in number else number), id_number(number)
    if len(_NUMBER_FORMS) < 4096:
        _NUMBER_FORMS[number] = forms
    return forms


class OpenUnit:
    """A provision being built: its end is fixed by what follows it. Its first nine
    fields become the provision's own, once it is closed."""

    __slots__ = ("id", "label", "kind", "number", "parent", "start", "end", "line", "heading",
                 "base_label", "own_label", "suffix", "level", "end_line", "index", "holder", "up", "alternative",
                 "run", "follows", "owner")

    def __init__(self, id: str, label: str, suffix: str, kind: str, number: str, parent: OpenUnit | None, level: int,
                 line: int, start: int, end_line: int | None = None, end: int | None = None,
                 heading: str = "", index: int = -1, holder: bool = False) -> None:
        self.id, self.label, self.kind, self.number = id, label + suffix, kind, number
        self.parent = parent.id if parent is not None else None
        self.start, self.end, self.line, self.heading = start, end, line + 1, heading
        self.base_label, self.suffix, self.level, self.end_line = label, suffix, level, end_line
        # Its label as a container's, even where its subdivisions are cited around it
        # (an Annex: base_label "point ", own_label "the Annex", for "Part I of the Annex").
        self.own_label = label
        self.index, self.holder, self.up = index, holder, parent
        # A subdivision's holder (the innermost holder above it); None for a headed unit.
        self.owner: OpenUnit | None = None
        # Where a subdivision read as a letter would go were it a roman numeral: (i) after (h).
        self.alternative: tuple[OpenUnit, int] | None = None
        # What a subdivision's id has before its own number (its parent's id and "-"): the
        # run of units numbered one after another that it is checked in (None: read off the id).
        self.run: str | None = None
        # Whether it was placed as the next after the unit made before it, in the same run:
        # its numbering needs no check.
        self.follows = False

    def close(self, line: int, start: int) -> None:
        self.end_line = line
        self.end = start


class Builder:
    """Provisions from the blocks of a text in document order, as either reader finds
    them: headings, paragraphs and list items, each with the first line of its text,
    its 0-based line and the offset where that line starts. A unit is closed by the
    next one at its own or a higher level; a list item's end is its block's end.

    What looks wrong is kept as :class:`StructureWarning` s (``warnings``); only a
    duplicate id under ``strict`` is refused at once, naming both lines."""

    def __init__(self, strict: bool, tradition: Tradition = _DEFAULT) -> None:
        self.strict = strict
        self.t = tradition
        self.marker = re.compile(tradition.marker) if tradition.marker else None
        self.plain_headings = re.compile(tradition.plain_headings) if tradition.plain_headings else None
        self.annotation_lines = re.compile(tradition.annotation_lines) if tradition.annotation_lines else None
        # Each headed unit with its compiled words and the names of any groups beyond
        # number and heading (an appendix's part).
        self.headed = [(unit, unit.pattern, tuple(set(unit.pattern.groupindex) - {"number", "heading"}))
                       for unit in tradition.headed]
        self.extra_groups = {unit.kind: extra for unit, _, extra in self.headed}
        # A numbered unit's id and label templates and suffix where it has no container.
        self.uncontained = {unit.kind: (unit.id, unit.label, unit.suffix.format(container=""))
                            for unit in tradition.headed}
        self.styles = {kind: tuple(level.numbering for level in levels) for kind, levels in tradition.levels.items()}
        # Each holder's levels as the builder spells them: (kind, id before the number,
        # label before and after it).
        # Whether any holder numbers blocks "ii." or "A." (read only where one does).
        self.lettered_dots = any(level.written == "dot" and level.numbering != ("arabic",)
                                 for levels in tradition.levels.values() for level in levels)
        self.forms = {kind: tuple((level.kind, level.id_form.partition("{number}")[0],
                                   *level.cited.split("{number}")) for level in levels)
                      for kind, levels in tradition.levels.items()}
        # The three, by holder kind, as the innermost loop takes them.
        self.shapes = {kind: (levels, self.styles[kind], self.forms[kind]) for kind, levels in tradition.levels.items()}
        self.defines = tradition.definitions is not None
        self.built: list[OpenUnit] = []
        self.stack: list[OpenUnit] = []
        self.seen: dict[str, OpenUnit] = {}
        self.warnings: list[StructureWarning] = []
        # An unnumbered heading that may be the heading of the unit that follows it
        # (legislation.gov.uk puts a section's title on a line of its own above its number).
        self.pending: tuple[str, int, int] | None = None
        # A holder opened without words of its own, which the next unnumbered heading names
        # (an EU "Article 3" with its title on the next line).
        self.unnamed: OpenUnit | None = None
        self.quoting = 0  # the balance of quotation marks in quoted text being read
        self.last: OpenUnit | None = None  # the last subdivision made
        # Set by words introducing a list of their own: the next subdivision starts a run.
        self.list_introduced = False
        # In a text without Markdown: whether the last labelled line introduced a list,
        # whether the line before was unlabelled, and whether the labels read now are a
        # definition's limbs (see _plain_words).
        self.introduced = self.unlabelled = self.limbs = False
        self.alternative: tuple[OpenUnit, int] | None = None  # for the subdivision being placed
        self.body_started = False  # whether a headed unit has opened (recitals come before)
        self.sparse = frozenset(unit.kind for unit in tradition.headed if unit.sparse)
        self.numbering: list[StructureWarning] = []  # jumps and steps back, found by provisions()

    # Headings ----------------------------------------------------------------------

    def heading(self, level: int, content: str, line: int, start: int) -> None:
        content = content.strip()
        self.quoting = 0
        found = self._headed(content, level)
        if found is None:
            self._unnumbered_heading(level, content, line, start)
            return
        unit, m = found
        pending, self.pending = self.pending, None
        heading = (m.group("heading") or "").strip()
        if pending is not None:
            if unit.holds and unit.titled and not heading:  # its own title, on the line above: it starts there
                heading, line, start = pending
            else:
                self._cross_heading(*pending)
        self.unnamed = None
        opened = self._open_headed(unit, m, heading, line, start)
        if unit.holds and not heading:
            self.unnamed = opened

    def _headed(self, content: str, level: int) -> tuple[Headed, re.Match] | None:
        words = self._past_marker(content)
        for unit, pattern, _ in self.headed:
            if unit.holds and level == 1 and unit.rank > 1:
                continue  # a level-1 heading is a title or a whole part, never a numbered holder
            m = pattern.match(words)
            if m is None:
                continue
            if unit.within and not unit.within_optional and self._innermost(unit.within) is None:
                continue
            if unit.not_within and self._innermost(unit.not_within) is not None:
                continue
            return unit, m
        return None

    def _past_marker(self, content: str) -> str:
        if self.marker is not None and (m := self.marker.match(content)):
            return content[m.end():].lstrip()
        return content

    def _unnumbered_heading(self, level: int, content: str, line: int, start: int) -> None:
        if level == 1:
            return  # the title
        if level == 2:
            self._drop_pending()
            self.unnamed = None
            self._close_until(line, start, 1)
            unit = OpenUnit(slug(content) or "section", section_label(content), "", self.t.unnumbered, "", None, 1,
                         line, start, heading=content)
            self._open(unit)
            return
        if self.unnamed is not None:
            self.unnamed.heading, self.unnamed = content, None
            return
        self._drop_pending()
        self.pending = (content, line, start)

    def _drop_pending(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._cross_heading(*pending)

    def _cross_heading(self, content: str, line: int, start: int) -> None:
        """An unnumbered heading that names no unit: a cross-heading where the tradition
        has them, otherwise words inside the unit before it."""
        if not self.t.cross_heading:
            return
        rank = self.t.cross_heading_rank
        self._close_until(line, start, rank)
        container = self.stack[-1] if self.stack else None
        unit = OpenUnit(cross_heading_id(content, container.id if container else ""),
                     cross_heading_label(content, container.own_label if container else ""), "",
                     self.t.cross_heading, "", container, rank, line, start, heading=content)
        self._open(unit)

    def _open_headed(self, unit: Headed, m: re.Match, heading: str, line: int, start: int) -> OpenUnit:
        self.body_started = True
        self.introduced = self.unlabelled = self.limbs = False
        self._close_until(line, start, unit.rank)
        groups = m.groupdict()
        number = groups.get("number") or ""
        extra_groups = self.extra_groups[unit.kind]
        if not unit.within and not extra_groups and number:  # a regulation, a section: no container
            id_template, label_template, suffix = self.uncontained[unit.kind]
            label = label_template.format(number=number, container="")
            unit_key = id_template.format(number=id_number(number), container="")
        else:
            extra = {k: groups[k] for k in extra_groups if groups[k] is not None}
            container = self._innermost(unit.within) if unit.within else None
            container_id = container.id if container else ""
            container_label = container.own_label if container else ""
            label = unit_label(unit, number, container_label, **extra)
            suffix = unit.suffix.format(container=container_label)
            unit_key = unit_id(unit, number, container_id, **extra)
        opened = OpenUnit(unit_key, label, suffix, unit.kind, number, self.stack[-1] if self.stack else None,
                       unit.rank, line, start, heading=heading, holder=unit.holds)
        if unit.subdivisions_cited:  # its subdivisions are cited around its label (point 1 of Annex I)
            opened.base_label, opened.suffix = subdivision_base(unit, label, suffix)
        self._open(opened)
        if unit.holds:
            self.last = None  # the subdivisions of the holder before are not weighed for its own
        return opened

    # Blocks ------------------------------------------------------------------------

    def paragraph(self, content: str | None, line: int, start: int, depth: int = 0, quoted: bool = False) -> None:
        """A block outside lists (or, in a text without Markdown headings, a line, with
        its indentation as ``depth``)."""
        if content is None:
            return
        self.unnamed = None
        if quoted:
            self._drop_pending()
            self._hold_quotation()
            self._quoted(content, line)
            # A block quote opening a quotation it does not close: the quotation runs on
            # through the blocks after it (an amending Annex's replacement text).
            opens, closes = self._quote_balance(content)
            if self.quoting or content[:1] in self.t.quotes[::2]:
                self.quoting = max(self.quoting + opens - closes, 0)
            return
        if self._in_quotation(content, line):
            self._drop_pending()
            self._hold_quotation()
            return
        words = self._past_marker(content)
        numbered = _NUMBERED.match(words)
        if numbered is not None:
            opened = self._numbered(numbered.group("number"), line, start, depth)
            self._drop_pending()
            if opened is None:
                return
            words = words[numbered.end():]
        else:
            self._drop_pending()
            if self.lettered_dots and (lettered := _LETTERED.match(words)) is not None:
                holder = self._innermost_holder()
                if holder is not None and self._dot_level(holder) is not None:
                    self._subdivisions(f"({lettered.group('number')})", depth, line, start)
                    return
        m = _LABELS.match(words)
        if m is None:
            if self.t.definitions is not None and (term := self.t.definitions.pattern.match(words)):
                self._definition(term.group("term"), line, start)
            elif words.endswith(_INTRODUCES_A_LIST) and self.last is not None and depth < self.last.level - _CHAIN:
                self._list_of_its_own()
            elif numbered is None:
                self._run_on_over_words()
            return
        if self.t.recital is not None and not self.body_started:
            self._recital(m.group("labels"), line, start)
            return
        self._subdivisions(m.group("labels"), depth, line, start)

    def _list_of_its_own(self) -> None:
        """Words of the unit above the last subdivision introduce a list of their own
        ("(b) into the Senior Courts, / then, if that enactment has been repealed— /
        (i) …", s. 137 of the Senior Courts Act 1981, where legislation.gov.uk numbers
        them section-137-i): the list after them is that unit's, so its (i) is not a
        first roman numeral inside the (b) before, nor a gap after (b)."""
        self.last, self.list_introduced = None, True

    def _plain_words(self, words: str) -> bool:
        """Whether a line of a text without Markdown is words where its label would make
        it a unit; and what a line tells of the lines after it. Without indentation a
        list's owner is told by the words before it: an unlabelled line ending "—" after
        a subdivision that introduced nothing opens a list of its own (s. 137); after a
        definition ("“appeal” … includes—") or an entry of an unlabelled list ("section
        152(1) and Schedule 5, so far as they amend—", s. 153(4)(c)) the limbs are its
        words, until a label continues a numbering already open ("(2)" after "(1)")."""
        labels = _LABELS.match(words)
        if labels is None:
            if words.endswith(_INTRODUCES_A_LIST):
                if self.unlabelled or _DEFINITION_LINE.match(words):
                    self.limbs = True  # an entry of an unlabelled list, or a definition
                elif not self.introduced and self.last is not None:
                    self._list_of_its_own()
            self.unlabelled = True
            return False
        self.introduced, self.unlabelled = words.endswith(_INTRODUCES_A_LIST), False
        if not self.limbs:
            return False
        number = _EACH_LABEL.match(labels.group("labels")).group(1)
        holder = self._innermost_holder()
        unit, levels = self.last, self.t.levels.get(holder.kind, ()) if holder is not None else ()
        while unit is not None and not unit.holder and levels:
            if number_follows(levels[unit.index].numbering, unit.number, number):
                self.limbs = False
                return False
            unit = unit.up
        return True

    def line(self, content: str, indent: int, line: int, start: int) -> None:
        """A line of a text without Markdown headings: a heading where its words are a
        unit's (``PART 2``, ``Article 3``, ``§ 1005.2 Definitions.``), a heading of the
        unit that follows where it is short and unnumbered, or a block."""
        bare = content[2:] if content[:2] in ("- ", "* ", "+ ") else content
        if self.annotation_lines is not None and self.annotation_lines.match(bare):
            self._drop_pending()
            return  # words of the provision above, which runs on over them
        words = self._past_marker(bare)
        found = self._headed(words, 2)
        if found is not None and found[0].holds and (
                words[:1].islower() or words[:1].isdigit() and not words.rstrip(".").isdigit()
                and (self.plain_headings is None or not self.plain_headings.match(words))):
            # "5. Text" is a block of regulation 5, "2014 No. 2407" no heading at all, nor
            # "paragraph 1 of Schedule 4." (an entry of a list).
            found = None
        if found is not None and _heading_like(bare):
            self.heading(2 if found[0].rank == 1 else 3, bare, line, start)
            if not found[0].holds and not (found[1].group("heading") or "").strip():
                self.unnamed = self.stack[-1]  # "PART VI", its title on the next line
            return
        if (_NUMBERED.match(self._past_marker(bare)) is None and _LABELS.match(self._past_marker(bare)) is None
                and _heading_like(bare) and not bare.rstrip("]").endswith(".")):
            if self.unnamed is not None and not self.unnamed.holder:
                self.unnamed.heading, self.unnamed = bare, None
            elif self.built and bare.isupper() and len(bare.split()) <= 4:
                self.heading(2, bare.capitalize(), line, start)  # EXPLANATORY NOTE
            else:
                self._drop_pending()
                self.pending = (bare, line, start)
            return
        if self._plain_words(words):
            self._drop_pending()
            return
        self.paragraph(bare, line, start, depth=indent)

    def list_item(self, depth: int, info: str, content: str | None, line: int, start: int,
                  end_line: int | None = None, end: int | None = None) -> OpenUnit | None:
        """An item's end may instead be given later, by closing the returned unit before
        any block at or above its depth."""
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if content is not None and self._in_quotation(content, line):
            self._hold_quotation()
            return None
        self._close_until(line, start, _CHAIN + depth)
        if self.t.recital is not None and not self.body_started and depth == 1:
            m = _LABELS.match(content or "")
            if m is not None:  # "Whereas: - (1) …", which runs on to the next recital or unit
                self._recital(m.group("labels"), line, start)
                return None
        if not self.stack:
            return None
        parent = self.stack[-1]
        if info and depth == 1 and parent.kind in self.t.schedules and self.t.schedule_paragraph:
            unit = self._schedule_paragraph(parent, info, line, start, end_line, end)
            self._open(unit)
            return unit
        if info and parent.holder and self._dot_level(parent) is not None:
            return self._subdivisions(f"({info})", depth, line, start, end_line, end)
        if info and depth == 1 and (holder := self._innermost_holder()) is not None \
                and self._dot_level(holder) is not None:
            # An ordered item of a list at the top is a block "2. …" that follows the
            # subdivisions of the one before (a CFR comment after comment 1.ii).
            return self._subdivisions(f"({info})", 0, line, start, end_line, end)
        words = self._past_marker(content) if content is not None else ""
        m = _LABELS.match(words)
        if m is None:
            return None
        return self._subdivisions(m.group("labels"), depth, line, start, end_line, end)

    # What paragraph and list_item make of a block, or a bullet item, whose text starts
    # with one label "(2) " outside any quotation: the scanner's common case, read from
    # the label its block pattern found rather than from the text again.

    def labelled_paragraph(self, number: str, line: int, start: int) -> None:
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if self.t.recital is not None and not self.body_started:
            self._recital(f"({number})", line, start)
            return
        self._subdivision(number, 0, line, start, None, None, False)

    def labelled_item(self, depth: int, number: str, line: int, start: int) -> OpenUnit | None:
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        if self.t.recital is not None and not self.body_started and depth == 1:
            self._close_until(line, start, _CHAIN + depth)
            self._recital(f"({number})", line, start)
            return None
        return self._subdivision(number, depth, line, start, None, None, False)  # which closes the stack

    def numbered_item(self, depth: int, info: str, line: int, start: int) -> OpenUnit | None:
        """An ordered item ``2. …`` whose text opens no quotation, where what list_item
        makes of it does not depend on its text (an EU paragraph, a schedule's
        paragraph); ``NEEDS_TEXT`` where it does."""
        if self.t.recital is not None and not self.body_started and depth == 1:
            return NEEDS_TEXT
        self.unnamed = None
        if self.pending is not None:
            self._drop_pending()
        self._close_until(line, start, _CHAIN + depth)
        if not self.stack:
            return None
        parent = self.stack[-1]
        if depth == 1 and parent.kind in self.t.schedules and self.t.schedule_paragraph:
            unit = self._schedule_paragraph(parent, info, line, start, None, None)
            self._open(unit)
            return unit
        if parent.holder and self._dot_level(parent) is not None:
            return self._subdivision(info, depth, line, start, None, None, False)
        if depth == 1 and (holder := self._innermost_holder()) is not None and self._dot_level(holder) is not None:
            return self._subdivision(info, 0, line, start, None, None, False)
        return NEEDS_TEXT

    def _quoted(self, content: str, line: int) -> None:
        if _LABELS.match(self._past_marker(content)) or _NUMBERED.match(content):
            self._warn("quoted-text", f"quoted text “{_clip(content)}” is read as part of the provision quoting it",
                       line)

    def _in_quotation(self, content: str, line: int) -> bool:
        """Whether the block is (or opens) text quoted by an amending provision."""
        if not self.quoting and content[:1] not in MAY_OPEN_A_QUOTATION:
            return False
        opens, closes = self._quote_balance(content)
        if self.quoting > 0:
            self.quoting = max(self.quoting + opens - closes, 0)
            return True
        if _OPENING_QUOTE.match(self._past_marker(content)):
            self._quoted(content.lstrip("“‘\" "), line)
            self.quoting = max(opens - closes, 0)
            return True
        return False

    def _hold_quotation(self) -> None:
        """Quoted text belongs to the provision quoting it: the subdivision made last,
        where it is the last unit made and its block (a list item) has ended, runs on
        over the quotation."""
        self._run_last_on()

    def _run_on_over_words(self) -> None:
        """An EU paragraph ``2. …`` or Annex point (an ordered list item, which Markdown
        ends at the next block) runs on over the unnumbered blocks after it, its
        subparagraphs, as a UK ``(2)`` block does (Article 3(2) of Regulation (EU) No
        319/2014; its “d = v + a + h 1 − e” in Article 5(1))."""
        last = self.last
        holder = last.up if last is not None else None
        if holder is None or not holder.holder or (level := self._dot_level(holder)) is None:
            return
        if self.t.levels[holder.kind].index(level) == last.index:
            self._run_last_on()

    def _run_last_on(self) -> None:
        last = self.last
        if last is not None and last.end_line is not None and self.built and self.built[-1] is last:
            if self.stack and self.stack[-1] is last:  # markdown-it gave its end with it
                # and its holders' that end with it ("- (a) x;" "  - (i) z;"): they run on
                # too, so no unit ends before a subdivision inside it.
                end = last.end
                for unit in reversed(self.stack):
                    if unit.end is None or unit.end > end:
                        break
                    unit.end_line = unit.end = None
            else:
                self._reopened(last)

    def _quote_balance(self, content: str) -> tuple[int, int]:
        """How many quotations ``content`` opens and closes, in the tradition's marks."""
        quotes = self.t.quotes
        return (sum(content.count(mark) for mark in quotes[::2]), sum(content.count(mark) for mark in quotes[1::2]))

    def _numbered(self, number: str, line: int, start: int, depth: int) -> OpenUnit | None:
        """A block ``5. …`` or ``5.—(1) …``: a paragraph of a holder whose paragraphs are
        written so (an EU Article's), a schedule's paragraph, or a main unit."""
        holder = self._innermost_holder()
        if holder is not None and self._dot_level(holder) is not None:
            return self._subdivisions(f"({number})", depth, line, start)
        schedule = self._innermost(self.t.schedules) if self.t.schedules else None
        if schedule is not None:
            self._drop_pending()
            self._close_until(line, start, self.t.unit(self.t.schedule_paragraph).rank)
            unit = self._schedule_paragraph(schedule, number, line, start, None, None)
            self._open(unit)
            return unit
        body = self.t.unit(self.t.body)
        m = body.pattern.match(number)
        if m is None:
            return None
        heading = ""
        if self.pending is not None:  # its heading, on the line above: the unit starts there
            (heading, line, start), self.pending = self.pending, None
        return self._open_headed(body, m, heading, line, start)

    def _recital(self, labels: str, line: int, start: int) -> None:
        number = _EACH_LABEL.match(labels).group(1)
        self._close_until(line, start, _CHAIN)
        unit = OpenUnit(self.t.recital_id.format(number=id_number(number)),
                     self.t.recital_label.format(number=number), "", self.t.recital.kind, number, None, _CHAIN,
                     line, start)
        self._open(unit)

    def _schedule_paragraph(self, schedule: OpenUnit, number: str, line: int, start: int, end_line: int | None,
                            end: int | None, heading: str = "") -> OpenUnit:
        unit = self.t.unit(self.t.schedule_paragraph)
        label = unit_label(unit, number, schedule.base_label)
        return OpenUnit(unit_id(unit, number, schedule.id), label, unit.suffix.format(container=schedule.base_label),
                     unit.kind, number, schedule, unit.rank, line, start, end_line, end, heading, holder=True)

    def _definition(self, term: str, line: int, start: int) -> None:
        """A definition that is a unit (:attr:`Tradition.definitions`): it closes the
        definition or subdivisions before it, and holds the numbered paragraphs after it."""
        d = self.t.definitions
        self._close_until(line, start, _DEFINITION)
        container = self._innermost(d.within)
        if container is None:
            return
        term = term.strip()
        unit = OpenUnit(definition_id(d, term, container.id), d.label.format(term=term, container=container.base_label),
                     "", d.kind, "", container, _DEFINITION, line, start, heading=term, holder=True)
        unit.base_label, unit.suffix = d.subdivision, d.suffix.format(term=term, container=container.base_label)
        self._open(unit)
        self.last = None

    def _leaves_definition(self, number: str, line: int, start: int) -> None:
        """Close the open definition where ``number`` is one of its container's own (a
        ``(b)`` after the definitions), not the next of the definition's paragraphs."""
        definition = self._innermost_holder()
        if self.t.definitions is None or definition is None or definition.kind != self.t.definitions.kind:
            return
        if not number_fits(self.styles[definition.up.kind][0], number) or number == "i":
            return
        levels = self.t.levels[definition.kind]
        unit = self.last
        while unit is not None and unit is not definition:  # the definition's own (ii) after (i)
            if number_follows(levels[unit.index].numbering, unit.number, number):
                return
            unit = unit.up
        self._close_until(line, start, _DEFINITION)
        self.last = None

    # Subdivisions ------------------------------------------------------------------

    def _subdivisions(self, labels: str, depth: int, line: int, start: int, end_line: int | None = None,
                      end: int | None = None) -> OpenUnit | None:
        """The units a label, or a run of them (``(a)(1)``), opens at once; the innermost
        is given the block's end."""
        numbers = _EACH_LABEL.findall(labels) if labels.count("(") > 1 else (labels[1:-1],)
        unit = None
        for k, number in enumerate(numbers):
            last = k == len(numbers) - 1
            unit = self._subdivision(number, depth, line, start, end_line if last else None, end if last else None,
                                     chained=k > 0)
            if unit is None:
                return None
        return unit

    def _subdivision(self, number: str, depth: int, line: int, start: int, end_line: int | None, end: int | None,
                     chained: bool) -> OpenUnit | None:
        # The builder's innermost loop (once a subdivision, tens of thousands in a long
        # text): the stack closed and the holder found here rather than by calls. The
        # stack is closed first: closing never reaches a holder (its level is below
        # _CHAIN), so the holder found after is the one before.
        if self.defines and not chained:
            self._leaves_definition(number, line, start)
        stack = self.stack
        level = _CHAIN + depth
        if not chained:
            while stack:
                top = stack[-1]
                if top.end_line is not None:
                    if top.end_line > line:
                        break
                elif top.level >= level:
                    top.end_line, top.end = line, start
                else:
                    break
                stack.pop()
        if not stack:
            return None
        top = stack[-1]  # a subdivision, its holder, or a unit no subdivision is in
        if top.holder:
            holder = top
        elif top.level < _CHAIN:
            return None
        elif (holder := top.owner) is None:  # not a subdivision (a recital): the holder below it, if any
            holder = next((unit for unit in reversed(stack) if unit.holder or unit.level < _CHAIN), None)
            if holder is None or not holder.holder:
                return None
        follows = False
        holder_kind = holder.kind
        levels, styles, forms = self.shapes.get(holder_kind, _NO_SHAPE)
        if chained:
            parent, index = stack[-1], None
        else:
            # _placed's answer, sooner, where the last subdivision is the only one to weigh:
            parent, last = stack[-1], self.last
            if last is parent:  # the first subdivision inside the last one
                index = None
            elif last is None:  # the first in its holder, or of a list of its own
                index = None
                follows, self.list_introduced = self.list_introduced, False
            elif last.alternative is not None:
                parent, index = self._placed(number, holder, levels, depth)
                follows, self.list_introduced = self.list_introduced, False
            elif (after_last := number_follows(styles[last.index], last.number, number)) and last.up is parent:
                index = last.index  # the next after the last one
                follows = "~" not in last.id
            elif ((deeper := deeper_level(styles, number, last.index)) is not None
                  and starts_numbering(styles[deeper], number)):
                if last.up is parent:
                    parent, index = self._reopened(last), deeper  # the first of a level below it
                else:
                    parent, index = self._placed(number, holder, levels, depth)
                    follows, self.list_introduced = self.list_introduced, False
            elif not after_last and (up := last.up) is not parent and up.up is parent and up.alternative is None \
                    and number_follows(styles[up.index], up.number, number):
                # What _placed would find, sooner: the next after the unit the last one is in
                # ((2) after (1)(a)(b)), in order.
                index = up.index
                follows = "~" not in up.id
            else:
                parent, index = self._placed(number, holder, levels, depth)
                follows, self.list_introduced = self.list_introduced, False
        if index is None:
            index = deeper_level(styles, number, parent.index if parent is not holder else -1)
            if index is None:
                if parent is holder or depth == 0:
                    self._warn("unknown-label",
                               f"({number}) is not a number {holder.label} is divided by in a {self.t.name}",
                               line, holder.id)
                    return None
                index = min(parent.index + 1, len(levels) - 1) if levels else 0
        kind, id_form, before, after = forms[index] if levels else _ITEM_FORM
        bare, spelled = _NUMBER_FORMS.get(number) or _number_forms(number)
        run = parent.id + id_form
        # The unit's fields set here, not by OpenUnit(): tens of thousands of them in a long
        # text. A subdivision has no suffix of its own: its holder's is its label's end.
        unit = _new_open(OpenUnit)
        unit.id = run + spelled
        unit.base_label = unit.own_label = label = parent.base_label + before + bare + after
        unit.label = label + holder.suffix
        unit.kind = kind
        unit.number = bare
        unit.parent = parent.id
        unit.up = parent
        unit.level = level
        unit.start = start
        unit.end = end
        unit.line = line + 1
        unit.end_line = end_line
        unit.heading = ""
        unit.index = index
        unit.holder = False
        unit.owner = holder
        unit.run = run
        unit.follows = follows
        unit.alternative = self.alternative
        if self.alternative is not None:
            self.alternative = None
        if self.seen.setdefault(unit.id, unit) is unit:
            self.built.append(unit)
            stack.append(unit)
        else:
            self._open(unit)
        self.last = unit
        return unit

    def _placed(self, number: str, holder: OpenUnit, levels: tuple[Level, ...],
                depth: int) -> tuple[OpenUnit, int | None]:
        """Where a subdivision goes: after the one it follows in its numbering, inside
        the one before it where its numbering starts a deeper level (``(a)`` after
        ``(1)``, written at the same depth), or else where list nesting put it."""
        parent = self.stack[-1]
        trail: list[OpenUnit] = []  # the last subdivision and its ancestors, below ``parent``
        unit = self.last
        while unit is not None and unit is not parent and unit is not holder:
            trail.append(unit)
            unit = unit.up
        if unit is not parent or not levels:
            return parent, None
        if trail and trail[0].alternative is not None and trail[0].number == "i" and ROMAN.fullmatch(number) \
                and number != "i" and not number_follows(levels[trail[0].index].numbering, "h", number):
            # (ii) after an (i) read as the letter after (h): that (i) was the first roman numeral.
            self._renest(trail[0], *trail[0].alternative)
            return self._reopened(trail[0].up), trail[0].index
        for k, candidate in enumerate(trail):
            if number_follows(levels[candidate.index].numbering, candidate.number, number):
                return self._reopened(candidate.up), candidate.index
            deeper = deeper_level(self.styles[holder.kind], number, candidate.index)
            if deeper is not None and starts_numbering(levels[deeper].numbering, number):
                # (i) after (h) is the next letter, not a first roman numeral.
                letter = next((c for c in trail[k + 1:]
                               if number_follows(levels[c.index].numbering, c.number, number)), None)
                if letter is not None:
                    self.alternative = (candidate, deeper)
                    return self._reopened(letter.up), letter.index
                return self._reopened(candidate), deeper
        for candidate in trail:
            if number_fits(levels[candidate.index].numbering, number):
                return self._reopened(candidate.up), candidate.index
        return parent, None

    def _renest(self, unit: OpenUnit, parent: OpenUnit, index: int) -> None:
        """``unit`` (which has no subdivisions yet) moved inside ``parent`` at ``index``."""
        del self.seen[unit.id]
        kind, id_form, before, after = self.forms[self._innermost_holder().kind][index]
        unit.run = parent.id + id_form
        unit.id, unit.parent, unit.up, unit.index = unit.run + id_number(unit.number), parent.id, parent, index
        unit.base_label = unit.own_label = parent.base_label + before + unit.number + after
        unit.label = unit.base_label + (parent if parent.holder else parent.owner).suffix
        unit.kind, unit.alternative = kind, None
        self.seen.setdefault(unit.id, unit)
        self._reopened(parent)

    def _reopened(self, unit: OpenUnit) -> OpenUnit:
        """``unit`` open again, with its ancestors, for a subdivision that its numbering
        puts inside it though the text closed it."""
        chain = []
        while unit is not None and unit not in self.stack:
            chain.append(unit)
            unit = unit.up
        for again in reversed(chain):
            again.end_line = again.end = None
            self.stack.append(again)
        return self.stack[-1]

    def _dot_level(self, holder: OpenUnit) -> Level | None:
        levels = self.t.levels.get(holder.kind, ())
        return levels[0] if levels and levels[0].written == "dot" else None

    # Results -----------------------------------------------------------------------

    def provisions(self, n_lines: int, text_length: int) -> tuple[Provision, ...]:
        self._drop_pending()
        self._close_until(n_lines, text_length, 0)
        built, self.built = self.built, []
        self.seen.clear()
        provisions: list[Provision] = []
        first_start = built[0].start if built else text_length
        if first_start > 0 or not built:
            provisions.append(Provision(PREAMBLE, "the preamble", "preamble", "", None, 0, first_start, 1))
        # Each unit is let go as its provision is made, so a long text's units and
        # provisions are not all held at once.
        append = provisions.append
        # The numbering is checked as the provisions are made (see numbering_warning).
        runs: dict[tuple[str, str], Provision] = {}
        sparse = self.sparse
        fields = _PROVISION_FIELDS
        for i, unit in enumerate(built):
            built[i] = None
            provision = _new_provision(Provision, fields(unit))
            append(provision)
            if unit.follows:  # the next after the one before (a subdivision, never a duplicate): in order
                runs[(unit.kind, unit.run)] = provision
                continue
            number = unit.number
            if not number or unit.kind in sparse:
                continue
            run, provision_id = unit.run, unit.id
            if run is None or "~" in provision_id:
                own = id_number(number)
                if not provision_id.endswith(own):
                    continue  # a duplicate's "~2"
                run = provision_id[:-len(own)]
            key = (unit.kind, run)
            before = runs.get(key)
            runs[key] = provision
            if before is not None:
                warning = numbering_warning(before, provision)
                if warning is not None:
                    self.numbering.append(warning)
        return tuple(provisions)

    def _close_until(self, line: int, start: int, level: int) -> None:
        stack = self.stack
        while stack:
            top = stack[-1]
            if top.end_line is not None:
                if top.end_line > line:
                    break
            elif top.level >= level:
                top.close(line, start)
            else:
                break
            stack.pop()

    def _open(self, unit: OpenUnit) -> None:
        seen = self.seen
        if unit.id in seen:
            first = seen[unit.id]
            if self.strict:
                raise InvalidStructure(
                    f"duplicate provision {unit.label!r}: lines {first.line} and {unit.line}",
                    provision=unit.id, lines=[first.line, unit.line])
            n = 2
            while f"{unit.id}~{n}" in seen:
                n += 1
            unit.id = f"{unit.id}~{n}"
            unit.follows = False  # a duplicate is not in the run of the one before it
            self._warn("duplicate", f"duplicate provision {unit.label!r}: lines {first.line} and {unit.line}",
                       unit.line - 1, unit.id)
        seen[unit.id] = unit
        self.built.append(unit)
        self.stack.append(unit)

    def _innermost(self, kinds: tuple[str, ...]) -> OpenUnit | None:
        for unit in reversed(self.stack):
            if unit.kind in kinds:
                return unit
        return None

    def _innermost_holder(self) -> OpenUnit | None:
        for unit in reversed(self.stack):
            if unit.holder:
                return unit
            if unit.level < _CHAIN:
                return None
        return None

    def _warn(self, code: str, message: str, line: int, provision_id: str | None = None) -> None:
        if provision_id is None and self.stack:
            provision_id = self.stack[-1].id
        self.warnings.append(StructureWarning(code, message, line + 1, provision_id))


def _clip(words: str, size: int = 40) -> str:
    return words if len(words) <= size else words[:size - 1] + "…"


def _heading_like(line: str) -> bool:
    """Whether a line of a text without Markdown headings may be a heading: short, and
    not ending as a sentence or a list does."""
    end = line.rstrip("]")  # the end of words an amendment marks: "[F29the Judge Advocate General; or]"
    return len(line) <= 160 and not end.endswith((";", ",", "—", ":", "–", " or", " and")) and len(
        _DOTS.sub(" .", line).split()) <= 16


_DOTS = re.compile(r"(?:\s*\.){3,}")  # ". . . ." printed for repealed words: one word
