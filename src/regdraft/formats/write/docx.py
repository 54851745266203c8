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
indented by their depth with the number hanging. The file can therefore be read back
exactly (``formats/read/tracked_changes.py``), and a paragraph a reviewer adds in Word,
which has no hidden syntax, is given it from its style.

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
from collections.abc import Iterable, Mapping
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

from regdraft.core.patching import DELETE, EQUAL, INSERT
from regdraft.formats.write import Provenance, Revision, xml_safe
from regdraft.formats.write.blocks import block_syntax

SYNTAX_STYLE = "Markdown syntax"
"""The character style of the hidden Markdown syntax at the start of a line."""
SYNTAX_STYLE_ID = "Markdownsyntax"
"""Its id in the file (python-docx drops the space)."""
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
                    base: Provenance | None, new_hash: str, old_hash: str) -> bytes:
    """A comparison with its changes as tracked revisions. ``pieces`` are the diff's
    operations in order; ``revisions`` says who made the changes of each source (the
    ``None`` key: changes with no source). ``base`` is the version compared from,
    when it is one: the document's properties name it."""
    properties = _properties(base) if base is not None else {"regdraft.content-hash": old_hash}
    properties["regdraft.new-content-hash"] = new_hash
    return _document(list(pieces), title=title, subtitle=subtitle, properties=properties, revisions=revisions)


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
              revisions: Mapping[str | None, Revision]) -> bytes:
    pieces = [(kind, xml_safe(text), source) for kind, text, source in pieces]
    title, subtitle = xml_safe(title), xml_safe(subtitle)
    properties = {name: xml_safe(value) for name, value in properties.items()}
    document = docx.Document()
    _styles(document)
    _page(document, title, subtitle)
    ids = iter(range(1, 1 << 30))
    body = document.element.body
    for paragraph in paragraphs_of(pieces):
        p = _paragraph_element(paragraph, revisions, ids)
        body.insert(len(body) - 1, p)  # before the section properties, which end the body
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


def _paragraph_element(paragraph: _Paragraph, revisions: Mapping[str | None, Revision], ids) -> etree._Element:
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
    # The syntax at the start of each side's line is hidden: equal and inserted words
    # count along the new line, deleted ones along the old.
    syntax = {DELETE: len(block_syntax(paragraph.view(INSERT)).syntax), EQUAL: len(line.syntax)}
    syntax[INSERT] = syntax[EQUAL]
    at = {DELETE: 0, EQUAL: 0}
    for kind, text, source in paragraph.runs:
        side = DELETE if kind == DELETE else EQUAL
        hidden = max(0, min(len(text), syntax[kind] - at[side]))
        for part, is_syntax in ((text[:hidden], True), (text[hidden:], False)):
            if not part:
                continue
            run = _run(part, deleted=kind == DELETE, syntax=is_syntax)
            if kind == EQUAL:
                p.append(run)
            else:
                revision = _revision(kind, source, revisions, ids)
                revision.append(run)
                p.append(revision)
        at[side] += len(text)
        if kind == EQUAL:
            at[DELETE] += len(text)
    return p


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


def _run(text: str, *, deleted: bool, syntax: bool) -> etree._Element:
    run = OxmlElement("w:r")
    if syntax:
        r_pr = OxmlElement("w:rPr")
        r_style = OxmlElement("w:rStyle")
        r_style.set(qn("w:val"), SYNTAX_STYLE_ID)
        r_pr.append(r_style)
        run.append(r_pr)
    for i, piece in enumerate(text.split("\t")):
        if i:
            run.append(OxmlElement("w:tab"))
        if piece:
            element = OxmlElement("w:delText" if deleted else "w:t")
            element.text = piece
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(element)
    return run


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
