"""A Word file's tracked changes: the text with every revision accepted, with every
revision rejected, who made each, the comments, and the custom properties that say
which regdraft version it was exported from.

Each paragraph is a line; a run inside ``w:ins`` or ``w:moveTo`` is inserted, inside
``w:del`` or ``w:moveFrom`` deleted, and a paragraph mark carrying ``w:ins``/``w:del``
is an inserted or deleted line break. Runs in the character style ``Markdown syntax``
(the hidden syntax regdraft's export keeps) count as text like any other; a paragraph
a reviewer added, which has none, is given the syntax its style stands for (Heading 2
→ ``### ``, a list paragraph → ``- ``), inserted with it.

Text this reader cannot place in a line — text boxes, footnotes, a table's cell
borders — is never dropped silently: :attr:`TrackedDocument.unplaced` lists the
revisions found there.

The file is untrusted: the zip is read with limits on the number of members and on
their expanded size (a zip bomb stops at the limit, whatever its headers claim), and
XML is parsed without a DTD, entities or network (a file with a DOCTYPE is refused).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from regdraft.core.errors import InvalidInput
from regdraft.formats.write.blocks import block_syntax
from regdraft.formats.write.docx import CUSTOM_PROPERTIES, HEADING_STYLES, NOTE_STYLE_ID, SYNTAX_STYLE_ID

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 64 << 20
"""The most a part of the file may expand to (64 MiB: a 5 MB text is ~15 MB of XML)."""
INSERT, DELETE, EQUAL = "insert", "delete", "equal"
WITHDRAWN = "inserted-and-deleted"
"""A run inserted by one revision and deleted by another: in neither text."""
_SYNTAX_OF_STYLE = {style: "#" * level + " " for level, style in HEADING_STYLES.items()} | {
    "ListParagraph": "- ", "Quote": "> "}
_INSERTED = {f"{{{W}}}ins", f"{{{W}}}moveTo"}
_DELETED = {f"{{{W}}}del", f"{{{W}}}moveFrom"}


@dataclass(frozen=True)
class Run:
    kind: str
    """``insert``, ``delete``, ``equal`` or ``inserted-and-deleted``."""
    text: str
    author: str = ""
    date: str = ""
    syntax: bool = False
    """Hidden Markdown syntax written by regdraft's export."""


@dataclass(frozen=True)
class Comment:
    author: str
    date: str
    text: str
    anchored: str
    """The words the comment is anchored to (as accepted)."""
    paragraph: int
    """The 0-based paragraph (line) where its range starts."""


@dataclass
class Line:
    runs: list[Run] = field(default_factory=list)
    mark: Run = field(default_factory=lambda: Run(EQUAL, "\n"))
    """The paragraph mark: the line break after the line, with its revision."""
    style: str = ""

    def text(self, leave_out: str) -> str:
        return "".join(r.text for r in self.runs + [self.mark] if r.kind not in (leave_out, WITHDRAWN))


@dataclass(frozen=True)
class TrackedDocument:
    lines: tuple[Line, ...]
    properties: dict[str, str]
    comments: tuple[Comment, ...]
    """A reviewer's comments (regdraft's own notes left out)."""
    unplaced: tuple[Run, ...]
    """Revisions outside the document's lines (text boxes, notes), listed, not applied."""
    notes: tuple[Comment, ...] = ()
    """The comments regdraft's export wrote (its notes on amendments, in the style
    ``Keeling note``): what the file was sent out with, not what came back."""

    def accepted(self) -> str:
        """The text with every revision accepted."""
        return self._text(DELETE)

    def rejected(self) -> str:
        """The text with every revision rejected."""
        return self._text(INSERT)

    def _text(self, leave_out: str) -> str:
        text = "".join(line.text(leave_out) for line in self.lines)
        # An empty text is written as one empty paragraph: a Word body needs one.
        return "" if text == "\n" else text

    def revisions(self) -> list[Run]:
        return [run for line in self.lines for run in line.runs + [line.mark] if run.kind != EQUAL]

    @property
    def authors(self) -> list[str]:
        """Who made the revisions, in order of their first revision."""
        return list(dict.fromkeys(run.author for run in self.revisions() + list(self.unplaced) if run.author))


def read_tracked_changes(data: bytes) -> TrackedDocument:
    """Read a .docx; an unreadable or hostile file is :class:`InvalidInput`."""
    parts = _Parts(data)
    body = parts.xml("word/document.xml").find(f"{{{W}}}body")
    if body is None:
        raise InvalidInput("the file's word/document.xml has no body", field="file")
    lines: list[Line] = []
    unplaced: list[Run] = []
    starts: dict[str, tuple[int, int]] = {}  # comment id -> (line, offset in the accepted line)
    ends: dict[str, tuple[int, int]] = {}
    for p in body.iter(f"{{{W}}}p"):
        if _in_text_box(p):
            unplaced += [run for run in _runs(p) if run.kind != EQUAL]
            continue
        line = Line(style=_style(p), mark=_mark(p))
        for element in p.iter(f"{{{W}}}commentRangeStart", f"{{{W}}}commentRangeEnd", f"{{{W}}}r"):
            if element.tag == f"{{{W}}}r":
                line.runs += _runs_of(element)
                continue
            at = (len(lines), sum(len(r.text) for r in line.runs if r.kind != DELETE))
            (starts if element.tag.endswith("Start") else ends)[element.get(f"{{{W}}}id")] = at
        _give_syntax(line, lines[-1].mark if lines else Run(EQUAL, ""))
        lines.append(line)
    comments = _comments(parts, lines, starts, ends)
    return TrackedDocument(tuple(lines), _properties(parts), tuple(c for c, note in comments if not note),
                           tuple(unplaced), tuple(c for c, note in comments if note))


def _in_text_box(p: etree._Element) -> bool:
    return any(a.tag in (f"{{{W}}}txbxContent", _MC_FALLBACK) for a in p.iterancestors())


def _style(p: etree._Element) -> str:
    style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return style.get(f"{{{W}}}val", "") if style is not None else ""


def _mark(p: etree._Element) -> Run:
    for revision in p.iterfind(f"{{{W}}}pPr/{{{W}}}rPr/*"):
        if revision.tag in _INSERTED | _DELETED:
            return Run(INSERT if revision.tag in _INSERTED else DELETE, "\n", *_who(revision))
    return Run(EQUAL, "\n")


def _who(revision: etree._Element) -> tuple[str, str]:
    return revision.get(f"{{{W}}}author", ""), revision.get(f"{{{W}}}date", "")


def _runs(p: etree._Element) -> list[Run]:
    return [run for r in p.iter(f"{{{W}}}r") for run in _runs_of(r)]


def _runs_of(r: etree._Element) -> list[Run]:
    """The text of one ``w:r``, as one run with the revision that holds it."""
    kinds, who = set(), ("", "")
    for ancestor in r.iterancestors():
        if ancestor.tag in _INSERTED | _DELETED:
            kinds.add(INSERT if ancestor.tag in _INSERTED else DELETE)
            who = who if who[0] else _who(ancestor)  # the innermost revision is the latest
        if ancestor.tag == f"{{{W}}}p":
            break
    kind = WITHDRAWN if len(kinds) == 2 else kinds.pop() if kinds else EQUAL
    style = r.find(f"{{{W}}}rPr/{{{W}}}rStyle")
    syntax = style is not None and style.get(f"{{{W}}}val") == SYNTAX_STYLE_ID
    text = []
    for child in r:
        tag = etree.QName(child).localname
        if tag in ("t", "delText"):
            text.append(child.text or "")
        elif tag == "tab":
            text.append("\t")
        elif tag in ("br", "cr"):
            text.append(" ")  # a line break inside a paragraph is a soft break of the line
        elif tag == "noBreakHyphen":
            text.append("\u2011")
    return [Run(kind, "".join(text), *who, syntax=syntax)] if text else []


def _give_syntax(line: Line, before: Run) -> None:
    """A paragraph that starts new (the mark before it inserted) and has no hidden
    syntax is given the syntax its style stands for, inserted by the same author."""
    syntax = _SYNTAX_OF_STYLE.get(line.style)
    if not syntax or before.kind != INSERT or _has_syntax(line):
        return
    line.runs.insert(0, Run(INSERT, syntax, before.author, before.date))


def _has_syntax(line: Line) -> bool:
    """Whether the line opens with hidden block syntax (``### ``, ``- ``): hidden inline
    marks (``**``) pasted at its start do not stand for its style."""
    hidden = []
    for run in line.runs:
        if not run.syntax:
            break
        hidden.append(run.text)
    return bool(block_syntax("".join(hidden)).syntax)


def _comments(parts: "_Parts", lines: list[Line], starts: dict, ends: dict) -> tuple[tuple[Comment, bool], ...]:
    """Each comment, and whether it is one of regdraft's notes."""
    if not parts.has("word/comments.xml"):
        return ()
    accepted = [line.text(DELETE) for line in lines]
    comments = []
    for comment in parts.xml("word/comments.xml").iterfind(f"{{{W}}}comment"):
        cid = comment.get(f"{{{W}}}id")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in comment.iter(f"{{{W}}}p"))
        (line, start), (end_line, end) = starts.get(cid, (0, 0)), ends.get(cid, starts.get(cid, (0, 0)))
        anchored = "".join(accepted[line:end_line + 1])
        offset_end = len(anchored) - len(accepted[end_line]) + end if end_line < len(accepted) else len(anchored)
        style = comment.find(f"{{{W}}}p/{{{W}}}pPr/{{{W}}}pStyle")
        note = style is not None and style.get(f"{{{W}}}val") == NOTE_STYLE_ID
        comments.append((Comment(*_who(comment), text.strip(), anchored[start:offset_end], line), note))
    return tuple(comments)


def _properties(parts: "_Parts") -> dict[str, str]:
    if not parts.has("docProps/custom.xml"):
        return {}
    root = parts.xml("docProps/custom.xml")
    return {prop.get("name", ""): "".join(prop.itertext()).strip()
            for prop in root.iterfind(f"{{{CUSTOM_PROPERTIES}}}property")}


class _Parts:
    """The zip's members, read within limits."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise InvalidInput(f"not a Word file (.docx is a zip): {error}", field="file") from None
        if len(members) > MAX_MEMBERS:
            raise InvalidInput(f"the file has {len(members)} parts; at most {MAX_MEMBERS} are read", field="file")
        self.names = {m.filename for m in members}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise InvalidInput(f"the file has no {name}: not a Word document", field="file")
        try:
            with self.zip.open(name) as member:
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise InvalidInput(f"{name} cannot be read from the file: {error}", field="file") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise InvalidInput(f"{name} expands to more than {MAX_MEMBER_BYTES >> 20} MiB; refused", field="file")
        return data

    def xml(self, name: str) -> etree._Element:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            tree = etree.fromstring(self.read(name), parser).getroottree()
        except etree.XMLSyntaxError as error:
            raise InvalidInput(f"{name} is not well-formed XML: {error}", field="file") from None
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise InvalidInput(f"{name} declares a DOCTYPE, which Word files never do; refused", field="file")
        return tree.getroot()
