"""Reading only the stretch of a long text around a few offsets (:class:`StretchReader`),
where the text's heading lines alone (its outline) say what holds each stretch."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterator, NamedTuple, Sequence

from regdraft.core.structure.builder import Builder, OpenUnit
from regdraft.core.structure.markdown import UNSPLITTABLE
from regdraft.core.structure.model import Provision, Structure
from regdraft.core.structure.parsing import HEADING_LINE, parse_structure
from regdraft.core.structure.scanner import UNMODELLED, atx_heading_content, scanned
from regdraft.core.traditions import DEFAULT_KIND, Headed, Tradition, slug, tradition, unit_id


# --- Reading only the stretch around a range ----------------------------------------
#
# Proposing an amendment asks which provisions each of its hunks touches: a few places
# in a text of megabytes, whose provisions depend on far less than the whole text. A
# heading at the start of a line after a blank line closes every Markdown block (the
# cut of pieces_between_headings); in the builder, a level-2 heading closes every unit,
# and a ``### N.`` heading (a regulation or a schedule paragraph) every unit below its
# level-2 section. So the provisions between two such headings depend only on that
# stretch, on where it starts, on the level-2 section holding it (which decides that
# ``### 3.`` in a schedule is a schedule paragraph), and on the ids before it (a
# duplicate is given ``~2``). Where all of that can be known from a text's heading
# lines alone (its outline), a stretch is read by the scanner as a text of its own,
# with the builder already holding the section. That is the whole text's reading,
# whichever reader reads the whole: the scanner reads a text as markdown-it does (its
# property test), and markdown-it reads a piece cut there as it does within the whole
# text (which _block_tokens relies on).

# Lines starting with "#": in a text with an outline, its headings are among them.
_HASH_LINE_BODY = re.compile(r"(#+)([^\n]*)")
_HASH_LINE = re.compile(r"\n(#+)([^\n]*)")
# A line of dashes, at any indentation or in a quote: as a setext underline it would
# make a level-2 heading that no line starting "##" shows.
_DASH_LINE = re.compile(r"\n[ >]*-+[ ]*$", re.M)
# A top-level ordered list item: directly under a schedule, a schedule paragraph,
# whose id no heading line shows.
_ORDERED_ITEM = re.compile(r"\n[ ]{0,3}[0-9]{1,9}[.)](?:[ ]|$)", re.M)
# A block opening a unit with no heading ("5.—(1) …", the older SI style), at the start
# of the text or after a newline: a search led by the newline skips to each at memchr
# speed, where "^" (MULTILINE) is tried at every character (1.4 against 5.8 ms a MB).
_NUMBERED_BLOCK_LINE = re.compile(r"[ >]*(?:\[F[0-9]+\s*)?(?:\*\*)?[0-9]+[A-Z]*\.(?:\*\*)?[ ]*[—–]")
_NUMBERED_BLOCK_AFTER_NEWLINE = re.compile("\n" + _NUMBERED_BLOCK_LINE.pattern)


def _has_numbered_block(text: str) -> bool:
    return _NUMBERED_BLOCK_LINE.match(text) is not None or _NUMBERED_BLOCK_AFTER_NEWLINE.search(text) is not None


class _Outline(NamedTuple):
    cuts: list[int]
    """Where a stretch may start or end: each level-2 heading and each ``### N.``
    heading that follows a blank line."""
    cut_lines: list[int]
    """The 0-based line of each cut."""
    sections: list[int]
    """Where each level-2 heading starts."""
    section_lines: list[int]
    section_contents: list[str]
    """Each level-2 heading's content, as the readers give it to the builder."""


def _below_headings(t: Tradition) -> tuple[str, ...]:
    """How the ids of units no heading line shows start (a regulation's subdivisions,
    a schedule's paragraphs): a section whose id starts so may be a duplicate of one."""
    return tuple(unit.id.partition("{")[0] for unit in t.headed
                 if (unit.holds or unit.kind in t.schedules) and not unit.id.startswith("{"))


def _section_kinds(t: Tradition) -> tuple[str, ...]:
    """The kinds a level-2 heading opens (closed at the next level-2 heading)."""
    return (*(unit.kind for unit in t.headed if unit.rank == 1), t.unnumbered)


def _outline(text: str, kind: str = DEFAULT_KIND) -> _Outline | None:
    """The outline of a text (of a kind whose tradition may be read in stretches,
    :attr:`Tradition.stretches`) whose level-2 and level-3 headings are exactly its
    lines starting ``## `` and ``### ``, as both readers find them, whose other headings
    open nothing and name nothing, and whose units' ids are unique and all known from
    those lines; ``None`` for any other text (which is read whole)."""
    if not _plain_lines(text, 0, len(text)) or not HEADING_LINE.search(text) or _has_numbered_block(text):
        return None
    outline = _Outline([], [], [], [], [])
    ids: set[str] = set()
    section: OpenUnit | None = None
    schedule_start: int | None = None  # of the schedule whose first paragraph is still to come
    hashes = line = counted_to = 0
    t = tradition(kind)
    below_headings = _below_headings(t)
    classify = Builder(False, t)
    for start, run, rest in _hash_lines(text):
        hashes += len(run) + rest.count("#")
        if len(run) > 6 or rest[:1] not in ("", " "):
            continue
        content = atx_heading_content(rest[1:]).strip()
        classify.stack = [section] if section is not None else []
        found = classify._headed(content, len(run))
        if len(run) == 1:
            if found is not None:
                return None  # a Part at level 1
            continue
        if found is None and len(run) > 2:
            return None  # the heading of the unit below it, or words the next unit may take as its heading
        if len(run) not in (2, 3):
            return None  # a unit opened at a level the outline does not cut at
        if len(run) == 2:
            if found is None:
                unit = OpenUnit(slug(content) or "section", "", "", "section", "", None, 1, 0, start)
                if unit.id.startswith(below_headings):
                    return None
            elif found[0].rank == 1:
                unit = _headed_unit(*found, None, start)
            else:
                return None
        else:
            if not found[0].holds:
                return None
            unit = _headed_unit(*found, section, start)
        if unit.id in ids:
            return None
        ids.add(unit.id)
        if schedule_start is not None:
            if _ORDERED_ITEM.search(text, schedule_start, start):
                return None
            schedule_start = None
        line += text.count("\n", counted_to, start)
        counted_to = start
        if len(run) == 2:
            section = unit
            outline.sections.append(start)
            outline.section_lines.append(line)
            outline.section_contents.append(content)
            if unit.kind in t.schedules:
                schedule_start = start
        if rest[:1] == " " and start >= 2 and text.startswith("\n\n", start - 2):
            outline.cuts.append(start)
            outline.cut_lines.append(line)
    if schedule_start is not None and _ORDERED_ITEM.search(text, schedule_start):
        return None
    # A "#" anywhere else may be a heading in a list item or a quote.
    if hashes != text.count("#"):
        return None
    return outline


# A consultation proposes many amendments to one version: its outline is read once (an
# amended text's is mostly the version's moved along, and is not kept).
_remembered_outline = lru_cache(maxsize=2)(_outline)


def _headed_unit(unit: Headed, m: re.Match, container: OpenUnit | None, start: int) -> OpenUnit:
    """The unit a heading opens, as the outline needs it (its id, kind and start)."""
    number = m.group("number") or ""
    inside = container if unit.within else None
    return OpenUnit(unit_id(unit, number, inside.id if inside else ""), "", "", unit.kind, number, None, unit.rank, 0,
                 start)


def _plain_lines(text: str, start: int, end: int) -> bool:
    """Whether the lines between ``start`` (a line start) and ``end`` (a line end or the
    end of the text) hold nothing that would make an outline miss a heading: characters
    the scanner does not model, blocks that a heading does not close (fences, HTML
    blocks, link reference definitions, whose titles run over lines), a line of dashes."""
    if any(text.find(c, start, end) >= 0 for c in UNMODELLED):
        return False
    if text.find("]", start, end) >= 0 and text.find("]:", start, end) >= 0:
        return False
    if any(text.find(c, start, end) >= 0 for c in "<`~") and UNSPLITTABLE.search(text, start, end):
        return False
    return not _DASH_LINE.search(text, max(start - 1, 0), end)


def _edited_outline(outline: _Outline, old: str, new: str, changed: tuple[int, int, int] | None) -> _Outline | None:
    """The outline of ``new``, which is ``old`` changed only between ``changed[0]`` and
    ``changed[2]`` (``changed[1]`` in ``old``; see ``ApplyResult.changed``), when the
    changed lines and the line either side of them hold no "#" and nothing else an
    outline looks for: then every heading, and the blank line before it, is where it
    was, moved along. ``None`` when the change may have altered the outline."""
    if changed is None:
        return outline
    start, old_end, new_end = changed
    around = _start_of_line_before(new, start)
    old_stop, new_stop = _end_of_line_after(old, old_end), _end_of_line_after(new, new_end)
    if old.find("#", around, old_stop) >= 0 or new.find("#", around, new_stop) >= 0:
        return None
    if not _plain_lines(new, around, new_stop) or _ORDERED_ITEM.search(new, max(around - 1, 0), new_stop):
        return None
    moved, lines_moved = new_end - old_end, new.count("\n", start, new_end) - old.count("\n", start, old_end)
    kept_cuts, kept_sections = bisect.bisect_left(outline.cuts, around), bisect.bisect_left(outline.sections, around)

    def along(positions: list[int], kept: int, by: int) -> list[int]:
        return positions[:kept] + [p + by for p in positions[kept:]]

    return _Outline(along(outline.cuts, kept_cuts, moved), along(outline.cut_lines, kept_cuts, lines_moved),
                    along(outline.sections, kept_sections, moved),
                    along(outline.section_lines, kept_sections, lines_moved), outline.section_contents)


def _start_of_line_before(text: str, offset: int) -> int:
    """Where the line before the one holding ``offset`` starts (0 at the first line)."""
    start = text.rfind("\n", 0, offset) + 1
    return text.rfind("\n", 0, start - 1) + 1 if start else 0


def _end_of_line_after(text: str, offset: int) -> int:
    """Where the line after the one holding ``offset`` ends, its newline included (the
    end of the text if there is none)."""
    end = text.find("\n", offset)
    if end >= 0:
        end = text.find("\n", end + 1)
    return end + 1 if end >= 0 else len(text)


def _hash_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """Each line starting with "#": where it starts, its run of "#", and the rest."""
    if first := _HASH_LINE_BODY.match(text):
        yield 0, first.group(1), first.group(2)
    for m in _HASH_LINE.finditer(text):
        yield m.start() + 1, m.group(1), m.group(2)


# Reading a stretch costs about what its share of the text costs read whole, and the
# outline a few per cent of the whole; past a quarter of the stretches, the whole is cheaper.
_STRETCHES_PER_WHOLE = 4


class StretchReader:
    """The provisions around a range of one text, read from the stretch between the
    headings before and after the range rather than from the whole text.

    For any offset or range within ``start..end`` (both ends included), the
    :class:`Structure` that :meth:`structure_around` gives answers ``touching``, ``at``
    and ``ancestors`` exactly as ``parse_structure(text, strict=False)`` does, with the
    same provisions field by field. It holds the provisions that start in the stretch
    and the section holding it (the preamble only if the stretch starts the text). A
    text whose stretches cannot be read alone (see :func:`_outline`), or a stretch the
    scanner declines, is read whole, once; so is every text of a ``kind`` whose tradition
    is not read in stretches (:attr:`Tradition.stretches`: an outline needs headings that
    close every unit, which an Act's cross-headings or an EU act's recitals do not).

    ``edited_from`` and ``changed`` say that ``text`` is another reader's text changed
    only between ``changed[0]`` and ``changed[2]`` (``changed[1]`` in the other; as
    ``ApplyResult.changed`` says): where the change cannot have moved a heading, the
    outline is the other's, moved along, and ``text`` is not read for it. A text
    edited from one that is read whole is read whole too (an amendment seldom takes
    away what stopped the other being read in stretches).
    """

    def __init__(self, text: str, edited_from: StretchReader | None = None,
                 changed: tuple[int, int, int] | None = None, *, kind: str = DEFAULT_KIND) -> None:
        self.text = text
        self.kind = edited_from.kind if edited_from is not None else kind
        self.tradition = tradition(self.kind)
        if not self.tradition.stretches:
            self._outline = None
        elif edited_from is None:
            self._outline = _remembered_outline(text, self.kind)
        elif edited_from._outline is None:
            self._outline = None
        else:
            moved_along = _edited_outline(edited_from._outline, edited_from.text, text, changed)
            self._outline = moved_along if moved_along is not None else _outline(text, self.kind)
        self._whole: Structure | None = None

    def structure_around(self, start: int, end: int) -> Structure:
        outline = self._outline
        if outline is None:
            return self._read_whole()
        text, cuts, sections = self.text, outline.cuts, outline.sections
        i = bisect.bisect_right(cuts, start) - 1
        first, line = (cuts[i], outline.cut_lines[i]) if i >= 0 else (0, 0)
        j = bisect.bisect_right(cuts, end)
        stop = cuts[j] if j < len(cuts) else len(text)
        build = Builder(False, self.tradition)
        k = bisect.bisect_right(sections, first) - 1
        if k >= 0 and sections[k] != first:
            # Offsets and lines are the stretch's own until the end: the section's are negative.
            build.heading(2, outline.section_contents[k], outline.section_lines[k] - line, sections[k] - first)
        found = scanned(text[first:stop], False, build)
        if found is None:
            return self._read_whole()
        provisions = list(found)
        if first:
            provisions = [p._replace(start=p.start + first, end=p.end + first, line=p.line + line) for p in provisions]
        # The stretch closes the section open at its end; the text closes it at the next
        # level-2 heading.
        section_kinds = _section_kinds(self.tradition)
        for n in range(len(provisions) - 1, -1, -1):
            if provisions[n].kind in section_kinds:
                following = bisect.bisect_left(sections, stop)
                provisions[n] = provisions[n]._replace(
                    end=sections[following] if following < len(sections) else len(text))
                break
        return Structure(text, tuple(provisions))

    def provisions_at(self, offsets: Sequence[int]) -> list[Provision | None]:
        """``parse_structure(text, strict=False).at(offset)`` for each of ``offsets``, each
        read from the stretch around it (:meth:`structure_around`; a stretch read once,
        however many offsets stand in it), or from the whole text where the offsets stand
        in more than a quarter of its stretches (:data:`_STRETCHES_PER_WHOLE`: reading so
        many one by one costs more than reading the text once)."""
        outline = self._outline
        stretch_of = [bisect.bisect_right(outline.cuts, offset) for offset in offsets] if outline else []
        if outline is None or len(set(stretch_of)) * _STRETCHES_PER_WHOLE > len(outline.cuts) + 1:
            whole = self._read_whole()
            return [whole.at(offset) for offset in offsets]
        read: dict[int, Structure] = {}
        found = []
        for offset, stretch in zip(offsets, stretch_of):
            # The same stretch as structure_around(offset, offset) reads: between the cuts either side.
            structure = read.get(stretch)
            if structure is None:
                structure = read[stretch] = self.structure_around(offset, offset)
            found.append(structure.at(offset))
        return found

    def _read_whole(self) -> Structure:
        if self._whole is None:
            self._whole = parse_structure(self.text, kind=self.kind, strict=False)
        return self._whole
