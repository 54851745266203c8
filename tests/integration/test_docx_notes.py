"""Word export: each amendment's Keeling note is a real Word comment (by its proposer,
dated by its proposal, with the passages it cites) on its first change, and inline
Markdown is formatting (bold, italic, code, link text) with its marks hidden, never
shown literally; the text still reads back exactly, and the notes are not taken for a
reviewer's comments. LibreOffice, where installed, prints the formatting and keeps the
comments as PDF annotations."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from regdraft.core.diffing import diff_texts
from regdraft.core.keeling import AmendmentNote, CitationNote
from regdraft.formats.read.tracked_changes import read_tracked_changes
from regdraft.formats.write import Provenance, Revision
from regdraft.formats.write.docx import comparison_docx, version_docx

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = [p.read_text(encoding="utf-8") for p in
            sorted((ROOT / "drafts" / "children-social-care-delegation" / "versions").glob("*.md"))]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
ABOUT = Provenance("children-social-care-delegation", "The Regulations", "uk-si", 1, "c0f812", "DfE",
                   "2014-04-17T00:00:00Z")
# The worked case's profit ban (amendments/…/profit-ban.md), as a Keeling schedule notes it.
PROFIT_BAN = AmendmentNote("profit-ban", "Bar bodies carried on for profit from discharging relevant care functions",
                           "adcs", "/documents/x/amendments/profit-ban",
                           (CitationNote("ADCS", "should not be predicated on a profit motive", "/q/1"),
                            CitationNote("Barnardo’s", "a profit cannot be made", "/q/2")),
                           "accepted", "The government adopted the restriction.")
WITHHELD = AmendmentNote("not-for-profit-or-local-authority", "Only not-for-profit bodies or local authorities",
                         "unison", "/documents/x/amendments/n", (), "proposed")
REVISIONS = {"profit-ban": Revision("adcs", "2014-06-05T00:00:00Z")}
# Version 3's regulation 5, as a drafter might mark it up.
MARKED_UP = VERSIONS[2].replace(
    "A body corporate that is carried on for profit may not",
    "A body corporate that is carried on **for profit** (see *the [guidance](https://www.gov.uk/guidance)*, "
    "`s. 1(6)`) may not \\*")


def _schedule(old: str, new: str) -> bytes:
    pieces = [(op.kind, op.text, "profit-ban" if op.kind != "equal" else None)
              for group in diff_texts(old, new).groups for op in group.ops]
    return comparison_docx(pieces, title="The Regulations as amended", subtitle="version 1 as amended by 1 amendment",
                           revisions=REVISIONS, base=ABOUT, new_hash="n", old_hash="o",
                           notes={"profit-ban": PROFIT_BAN, WITHHELD.slug: WITHHELD})


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def test_each_note_is_a_comment_by_the_proposer_dated_on_its_first_change():
    old, new = VERSIONS[0], VERSIONS[1]  # the profit ban inserts regulation 5
    data = _schedule(old, new)
    comments = {c.get(f"{{{W}}}author"): c for c in _part(data, "word/comments.xml").iterfind("w:comment", NS)}
    assert set(comments) == {"adcs", "unison"}
    ban = comments["adcs"]
    assert ban.get(f"{{{W}}}date") == "2014-06-05T00:00:00Z"
    assert comments["unison"].get(f"{{{W}}}date") is None  # undated, not dated today
    said = ["".join(p.itertext()) for p in ban.iterfind("w:p", NS)]
    assert said[0] == f"Amendment profit-ban: {PROFIT_BAN.title}"
    assert "accepted: The government adopted the restriction." in said[1]
    assert said[2:] == ["“should not be predicated on a profit motive” (ADCS)",
                        "“a profit cannot be made” (Barnardo’s)"]

    # The comment's range opens just before the amendment's first tracked change.
    body = _part(data, "word/document.xml")
    start = body.find(f".//w:commentRangeStart[@w:id='{ban.get(f'{{{W}}}id')}']", NS)
    following = start.getnext()
    assert following.tag == f"{{{W}}}ins" and following.get(f"{{{W}}}author") == "adcs"
    assert following is body.xpath("(//w:p/w:ins)[1]", namespaces=NS)[0]  # the first inserted words

    tracked = read_tracked_changes(data)
    assert (tracked.accepted(), tracked.rejected()) == (new, old)
    assert tracked.comments == ()  # regdraft's notes are not a reviewer's comments
    assert [note.author for note in tracked.notes] == ["adcs", "unison"]


def test_a_reviewers_comment_beside_the_notes_is_still_read_as_a_comment():
    data = _schedule(VERSIONS[0], VERSIONS[1])
    document = docx.Document(io.BytesIO(data))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("In these Regulations"))
    document.add_comment(paragraph.runs, text="Say which Act.", author="Reviewer", initials="R")
    out = io.BytesIO()
    document.save(out)
    tracked = read_tracked_changes(out.getvalue())
    assert [(c.author, c.text) for c in tracked.comments] == [("Reviewer", "Say which Act.")]
    assert len(tracked.notes) == 2


def _runs(data: bytes) -> list[tuple[str, set[str], bool]]:
    """Each text run: its words, its direct formatting, whether it is hidden syntax."""
    found = []
    for run in _part(data, "word/document.xml").iterfind(".//w:r", NS):
        words = "".join(t.text or "" for t in run.iterfind("w:t", NS)) + \
            "".join(t.text or "" for t in run.iterfind("w:delText", NS))
        if not words:
            continue
        properties = run.find("w:rPr", NS)
        formats = {etree.QName(child).localname for child in properties} if properties is not None else set()
        hidden = properties is not None and properties.find("w:rStyle", NS) is not None \
            and properties.find("w:rStyle", NS).get(f"{{{W}}}val") == "Markdownsyntax"
        found.append((words, formats, hidden))
    return found


def test_inline_markdown_is_formatting_with_its_marks_hidden():
    data = version_docx(MARKED_UP, ABOUT)
    runs = _runs(data)
    shown = "".join(words for words, _, hidden in runs if not hidden)
    assert "**" not in shown and "](" not in shown and "`" not in shown and "\\" not in shown
    assert "carried on for profit (see the guidance, s. 1(6)) may not *" in shown
    formats = {words: formats for words, formats, hidden in runs if not hidden}
    assert "b" in formats["for profit"]
    assert "i" in formats["the "] and {"i", "u", "color"} <= formats["guidance"]
    assert "rFonts" in formats["s. 1(6)"]
    assert not formats[") may not "]
    # The preamble's note "> **Reconstruction, …**" of version 1 is bold, its marks hidden.
    assert "b" in dict((w, f) for w, f, h in _runs(version_docx(VERSIONS[0], ABOUT)) if not h)[
        "Reconstruction, not a source text."]
    assert read_tracked_changes(data).accepted() == MARKED_UP  # every mark is still in the file


def test_inline_markdown_inside_tracked_changes_reads_back_both_ways():
    data = _schedule(VERSIONS[2], MARKED_UP)
    tracked = read_tracked_changes(data)
    assert (tracked.accepted(), tracked.rejected()) == (MARKED_UP, VERSIONS[2])
    inserted_bold = [words for words, formats, hidden in _runs(data) if "b" in formats and not hidden]
    assert "for profit" in inserted_bold


needs_libreoffice = pytest.mark.skipif(
    (shutil.which("soffice") is None or shutil.which("pdftotext") is None)
    and not os.environ.get("REGDRAFT_REQUIRE_LIBREOFFICE"), reason="LibreOffice or pdftotext is not installed")


@needs_libreoffice
def test_libreoffice_prints_the_formatting_and_keeps_the_notes(tmp_path):
    (tmp_path / "schedule.docx").write_bytes(_schedule(VERSIONS[0], MARKED_UP))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}',
                    "--outdir", str(tmp_path), str(tmp_path / "schedule.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "schedule.pdf"
    words = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                    text=True).stdout.split())
    assert "carried on for profit (see the guidance, s. 1(6)) may not *" in words
    assert "](" not in words and "`" not in words
    # The comments are the PDF's text annotations; pdfinfo-free check: the raw file names them.
    raw = pdf.read_bytes()
    assert len(re.findall(rb"/Subtype\s*/Text", raw)) >= 2


def test_a_new_heading_that_opens_with_hidden_inline_marks_is_still_given_its_heading_syntax():
    """A reviewer's new Heading 2 paragraph has no hidden ``### ``; hidden ``**`` pasted
    at its start is inline, not the block syntax its style stands for."""
    old = "# T\n\n### 1. A\n\nWords.\n"
    new = old + "\n### **2.** B\n"
    data = _schedule(old, new)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    body = etree.fromstring(parts["word/document.xml"])
    # The new heading's hidden run "### **" (block syntax and bold mark) without its "### ".
    (leading,) = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Heading2']//w:t[.='### **']", namespaces=NS)
    leading.text = "**"
    parts["word/document.xml"] = etree.tostring(body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    assert read_tracked_changes(out.getvalue()).accepted() == new
