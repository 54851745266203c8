"""Word (.docx): a version as a clean document, and a comparison with real tracked
changes.

A comparison's changes are WordprocessingML revisions: inserted words are ``w:ins``
runs and deleted words ``w:del`` runs (``w:delText``), each with ``w:author`` (the
proposer of the amendment that made it, or the version's author) and ``w:date`` (when
it was proposed) where known, so Word's and LibreOffice's Review pane list them and
Accept All gives the new text, Reject All the old. A line break inserted or deleted is
the paragraph mark's revision (``w:pPr/w:rPr/w:ins``).

Layout: one paragraph per line of the storage Markdown, so the file keeps every
character of the text (a blank line is an empty paragraph, which is also the space
between blocks). The Markdown syntax that opens a line (``### ``, ``- ``, ``> ``) is
kept as hidden text in the character style ``Markdown syntax`` and shown instead by
the paragraph style: ``#`` is Title, ``##`` Heading 1, ``###`` Heading 2; items are
indented by their depth with the number hanging. Inline Markdown is formatting: the
words of ``**bold**``, ``*italic*``, a code span and a link's text take their style, the
marks (and an escaping backslash) are hidden in ``Markdown syntax`` too
(:func:`~regdraft.formats.write.blocks.line_roles`). The file can therefore be read back
exactly (``formats/read/tracked_changes.py``), and a paragraph a reviewer adds in Word,
which has no hidden syntax, is given it from its style.

A comparison's notes (an amendment's title, proposer, status and citations) are Word
comments on the amendment's first change, by its proposer and dated by its proposal,
in the paragraph style ``Keeling note`` that the round trip's reader sets apart.

The document says what it was exported from in its custom properties
(``docProps/custom.xml``: ``regdraft.document``, ``regdraft.version``,
``regdraft.content-hash`` and, for a comparison, ``regdraft.new-content-hash``), and
has change tracking switched on, so a colleague's edits come back as revisions.
The zip's entries carry a fixed time: the same input gives the same bytes.

python-docx builds the package, styles, sections and headers; it has no API for
revisions, so the ``w:ins``/``w:del`` runs and the paragraph marks' revisions are
written with lxml on its tree.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from regdraft.core.instructions.model import CLOSE, OPEN
from regdraft.core.keeling import AmendmentNote
from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.formats.write import Provenance, Revision, xml_safe
from regdraft.formats.write.blocks import BOLD, CODE, ITALIC, LINK, SYNTAX, block_syntax, line_roles

SYNTAX_STYLE = "Markdown syntax"
"""The character style of the hidden Markdown syntax at the start of a line."""
SYNTAX_STYLE_ID = "Markdownsyntax"
"""Its id in the file (python-docx drops the space)."""
NOTE_STYLE = "Keeling note"
"""The paragraph style of the comments that carry regdraft's notes on amendments."""
NOTE_STYLE_ID = "Keelingnote"
HEADING_STYLES = {1: "Title", 2: "Heading1", 3: "Heading2", 4: "Heading3", 5: "Heading4", 6: "Heading5"}
"""The paragraph style of each Markdown heading level."""
CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one fmtid of user-defined properties
_ITEM_INDENT, _HANGING = Cm(0.9), Cm(0.9)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

Piece = tuple[str, str, str | None]
"""(kind: EQUAL, INSERT or DELETE; text; source: whose change, or None)."""


@dataclass
class _Paragraph:
    runs: list[Piece] = field(default_factory=list)
    mark: tuple[str, str | None] | None = None
    """How the line break ending it came about (kind, source); None: the text's last
    line has no line break."""

    def view(self, leave_out: str) -> str:
        return "".join(text for kind, text, _ in self.runs if kind != leave_out)


def version_docx(text: str, about: Provenance) -> bytes:
    """A version as a clean document."""
    return _document([(EQUAL, text, None)], title=about.title, subtitle=f"version {about.version}",
                     properties=_properties(about), revisions={})


def comparison_docx(pieces: Iterable[Piece], *, title: str, subtitle: str, revisions: Mapping[str | None, Revision],
                    base: Provenance | None, new_hash: str, old_hash: str,
                    notes: Mapping[str, AmendmentNote] = {}) -> bytes:
    """A comparison with its changes as tracked revisions. ``pieces`` are the diff's
    operations in order; ``revisions`` says who made the changes of each source (the
    ``None`` key: changes with no source). ``base`` is the version compared from,
    when it is one: the document's properties name it. Each of ``notes`` (by source) is
    a comment on that source's first change (on the title line when it made none):
    the amendment, its proposer and status, and the passages it cites."""
    properties = _properties(base) if base is not None else {"regdraft.content-hash": old_hash}
    properties["regdraft.new-content-hash"] = new_hash
    return _document(list(pieces), title=title, subtitle=subtitle, properties=properties, revisions=revisions,
                     notes=notes)


def _properties(about: Provenance) -> dict[str, str]:
    return {"regdraft.document": about.document, "regdraft.version": str(about.version),
            "regdraft.kind": about.kind, "regdraft.content-hash": about.content_hash}


def paragraphs_of(pieces: list[Piece]) -> list[_Paragraph]:
    """The pieces cut into lines, each ending with its line break's revision."""
    pieces = _ending_unchanged([p for p in pieces if p[1]])
    paragraphs = [_Paragraph()]
    for kind, text, source in pieces:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line:
                paragraphs[-1].runs.append((kind, line, source))
            if i < len(lines) - 1:
                paragraphs[-1].mark = (kind, source)
                paragraphs.append(_Paragraph())
    if not paragraphs[-1].runs and len(paragraphs) > 1:
        paragraphs.pop()  # the text's final line break ends the last paragraph
    return paragraphs


def _ending_unchanged(pieces: list[Piece]) -> list[Piece]:
    """Changes that end the text with a line break (``"x\\n" + ins("y\\n")``) turned
    round (``"x" + ins("\\ny") + "\\n"``), so that the text's last line break, which is
    the document's last paragraph mark and cannot be removed in Word, is unchanged."""
    last_equal = max((i for i, piece in enumerate(pieces) if piece[0] == EQUAL), default=-1)
    tail = pieces[last_equal + 1:]
    if last_equal < 0 or not tail or not pieces[last_equal][1].endswith("\n"):
        return pieces
    kinds = {kind for kind, _, _ in tail}
    if any(not "".join(text for k, text, _ in tail if k == kind).endswith("\n") for kind in kinds):
        return pieces
    firsts = {kind: next(i for i, piece in enumerate(tail) if piece[0] == kind) for kind in kinds}
    lasts = {kind: max(i for i, piece in enumerate(tail) if piece[0] == kind) for kind in kinds}
    turned = []
    for i, (kind, text, source) in enumerate(tail):
        text = ("\n" if firsts[kind] == i else "") + text
        turned.append((kind, text[:-1] if lasts[kind] == i else text, source))
    kind, text, source = pieces[last_equal]
    return pieces[:last_equal] + [(kind, text[:-1], source)] + [p for p in turned if p[1]] + [(EQUAL, "\n", None)]


def _document(pieces: list[Piece], *, title: str, subtitle: str, properties: dict[str, str],
              revisions: Mapping[str | None, Revision], notes: Mapping[str, AmendmentNote] = {}) -> bytes:
    pieces = [(kind, xml_safe(text), source) for kind, text, source in pieces]
    title, subtitle = xml_safe(title), xml_safe(subtitle)
    properties = {name: xml_safe(value) for name, value in properties.items()}
    document = docx.Document()
    _styles(document)
    _page(document, title, subtitle)
    ids = iter(range(1, 1 << 30))
    body = document.element.body
    first_changes: dict[str | None, etree._Element] = {}
    for paragraph in paragraphs_of(pieces):
        p = _paragraph_element(paragraph, revisions, ids, first_changes)
        body.insert(len(body) - 1, p)  # before the section properties, which end the body
    title_line = body.find(qn("w:p"))
    for slug, note in notes.items():
        anchor = first_changes.get(slug)
        _comment(document, note, revisions.get(slug), (anchor, anchor) if anchor is not None else (
            title_line[1], title_line[-1]) if title_line is not None and len(title_line) > 1 else None)
    _track_changes(document)
    document.core_properties.title = title
    document.core_properties.subject = subtitle
    document.core_properties.author = "regdraft"
    _custom_properties(document, properties)
    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _styles(document: docx.Document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    syntax = styles.add_style(SYNTAX_STYLE, WD_STYLE_TYPE.CHARACTER)
    syntax.font.hidden = True
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = styles[name]
        style.font.color.rgb = RGBColor(0, 0, 0)  # print in black: colour is for the revisions
        style.font.name = "Times New Roman"
        style.paragraph_format.keep_with_next = True
    styles["Title"].font.size = Pt(18)


def _page(document: docx.Document, title: str, subtitle: str) -> None:
    """A4, with the title and version as a running header and page numbers below."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    header = section.header.paragraphs[0]
    header.text = f"{title} — {subtitle}"
    header.style = document.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.alignment = 1  # centred
    footer.add_run("Page ")
    footer._p.append(_field("PAGE"))
    footer.add_run(" of ")
    footer._p.append(_field("NUMPAGES"))


def _field(instruction: str) -> etree._Element:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _paragraph_element(paragraph: _Paragraph, revisions: Mapping[str | None, Revision], ids,
                       first_changes: dict[str | None, etree._Element]) -> etree._Element:
    """One line as a paragraph; the first revision of each source is noted in ``first_changes``."""
    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    p.append(p_pr)
    line = block_syntax(paragraph.view(DELETE) or paragraph.view(INSERT))
    style = _style_of(line)
    if style:
        p_style = OxmlElement("w:pStyle")
        p_style.set(qn("w:val"), style)
        p_pr.append(p_style)
    if line.depth:
        indent = OxmlElement("w:ind")
        indent.set(qn("w:left"), str(Cm(_ITEM_INDENT.cm * line.depth + _HANGING.cm).twips))
        indent.set(qn("w:hanging"), str(_HANGING.twips))
        p_pr.append(indent)
    if paragraph.mark is not None and paragraph.mark[0] != EQUAL:
        kind, source = paragraph.mark
        r_pr = OxmlElement("w:rPr")
        r_pr.append(_revision(kind, source, revisions, ids))
        p_pr.append(r_pr)
    # The Markdown syntax of each side's line (its opening ``### ``, inline ``**`` and
    # the like) is hidden and the words it marks formatted: equal and inserted words
    # count along the new line, deleted ones along the old.
    roles = {EQUAL: line_roles(paragraph.view(DELETE)), DELETE: line_roles(paragraph.view(INSERT))}
    at = {DELETE: 0, EQUAL: 0}
    for kind, text, source in paragraph.runs:
        side = DELETE if kind == DELETE else EQUAL
        revision = None if kind == EQUAL else _revision(kind, source, revisions, ids)
        for part, part_roles in _by_role(text, roles[side][at[side]:at[side] + len(text)]):
            run = _run(part, deleted=kind == DELETE, roles=part_roles)
            (p if revision is None else revision).append(run)
        if revision is not None:
            p.append(revision)
            first_changes.setdefault(source, revision)
        at[side] += len(text)
        if kind == EQUAL:
            at[DELETE] += len(text)
    return p


def _by_role(text: str, roles: list[frozenset[str]]) -> Iterator[tuple[str, frozenset[str]]]:
    """``text`` cut where what its characters are (:func:`line_roles`) changes."""
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or roles[end] != roles[start]:
            yield text[start:end], roles[start] if start < len(roles) else frozenset()
            start = end


def _style_of(line) -> str | None:
    if line.heading:
        return HEADING_STYLES[line.heading]
    if line.quote:
        return "Quote"
    if line.depth:
        return "ListParagraph"
    return None


def _revision(kind: str, source: str | None, revisions: Mapping[str | None, Revision], ids) -> etree._Element:
    element = OxmlElement("w:ins" if kind == INSERT else "w:del")
    element.set(qn("w:id"), str(next(ids)))
    who = revisions.get(source) or Revision(source or "regdraft")
    element.set(qn("w:author"), xml_safe(who.author))
    if who.date:
        element.set(qn("w:date"), who.date)
    return element


def _run(text: str, *, deleted: bool, roles: frozenset[str] = frozenset()) -> etree._Element:
    run = OxmlElement("w:r")
    if roles:
        r_pr = OxmlElement("w:rPr")
        run.append(r_pr)
        if SYNTAX in roles:
            r_style = OxmlElement("w:rStyle")
            r_style.set(qn("w:val"), SYNTAX_STYLE_ID)
            # Hidden directly too: LibreOffice shows a hidden style's text in a deletion.
            r_pr.extend([r_style, OxmlElement("w:vanish")])
        else:  # in the order the schema wants rPr's children
            if CODE in roles:
                fonts = OxmlElement("w:rFonts")
                for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
                    fonts.set(qn(attribute), "Courier New")
                r_pr.append(fonts)
            for role, tag in ((BOLD, "w:b"), (ITALIC, "w:i")):
                if role in roles:
                    r_pr.append(OxmlElement(tag))
            if LINK in roles:
                colour = OxmlElement("w:color")
                colour.set(qn("w:val"), "0563C1")
                underline = OxmlElement("w:u")
                underline.set(qn("w:val"), "single")
                r_pr.extend([colour, underline])
    for i, piece in enumerate(text.split("\t")):
        if i:
            run.append(OxmlElement("w:tab"))
        if piece:
            element = OxmlElement("w:delText" if deleted else "w:t")
            element.text = piece
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(element)
    return run


def _comment(document: docx.Document, note: AmendmentNote, revision: Revision | None,
             anchor: tuple[etree._Element, etree._Element] | None) -> None:
    """``note`` as a Word comment on the runs or revisions from ``anchor[0]`` to
    ``anchor[1]``, by the amendment's proposer, dated when it was proposed. Its
    paragraphs take the style ``Keeling note``, by which the Word round trip tells
    regdraft's notes from a reviewer's comments."""
    if anchor is None:
        return
    status = f" ({note.status}{': ' + note.reason if note.reason else ''})" if note.status else ""
    lines = [f"Amendment {note.slug}: {note.title}", f"Proposed by {note.proposer}{status}."]
    lines += [f"{OPEN}{cited.quote}{CLOSE} ({cited.stakeholder})" for cited in note.citations]
    author = xml_safe(note.proposer or "regdraft")
    comment = document.comments.add_comment(author=author, initials="".join(w[:1] for w in author.split())[:8])
    element = comment._comment_elm
    if revision is not None and revision.date:
        element.set(qn("w:date"), revision.date)
    else:  # undated rather than dated today: the same input gives the same file
        element.attrib.pop(qn("w:date"), None)
    for paragraph in list(element):
        element.remove(paragraph)
    for i, line in enumerate(lines):
        comment.add_paragraph(xml_safe(line), style=NOTE_STYLE).runs[0].bold = i == 0
    cid = str(comment.comment_id)
    start, end, reference = (OxmlElement("w:commentRangeStart"), OxmlElement("w:commentRangeEnd"),
                             OxmlElement("w:r"))
    start.set(qn("w:id"), cid)
    end.set(qn("w:id"), cid)
    mark = OxmlElement("w:commentReference")
    mark.set(qn("w:id"), cid)
    reference.append(mark)
    anchor[0].addprevious(start)
    anchor[1].addnext(end)
    end.addnext(reference)


def _track_changes(document: docx.Document) -> None:
    """Switch change tracking on, so edits in Word come back as revisions. The
    schema orders settings: ``w:trackRevisions`` stands before ``w:defaultTabStop``."""
    settings = document.settings.element
    track = OxmlElement("w:trackRevisions")
    after = settings.find(qn("w:defaultTabStop"))
    if after is not None:
        after.addprevious(track)
    else:
        settings.append(track)


def _custom_properties(document: docx.Document, properties: dict[str, str]) -> None:
    root = etree.Element(f"{{{CUSTOM_PROPERTIES}}}Properties", nsmap={None: CUSTOM_PROPERTIES, "vt": _VT})
    for pid, (name, value) in enumerate(properties.items(), start=2):  # pids 0 and 1 are reserved
        prop = etree.SubElement(root, f"{{{CUSTOM_PROPERTIES}}}property", fmtid=_FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{_VT}}}lpwstr").text = value
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), _CUSTOM_CONTENT_TYPE,
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)


def _fixed_times(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), source.read(info),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
