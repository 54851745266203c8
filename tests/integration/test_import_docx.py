"""Word import on a .docx made by a real word processor: LibreOffice headless turns the
plain-text fixture (SI 2014/2407 as made) into HTML into .docx, with the regulations
numbered by Word's automatic numbering and the sub-paragraphs by a lettered list, and
a table. Importing it gives the same provisions as importing the plain text."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from regdraft.core.structure import parse_structure
from regdraft.formats import read_document

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "text" / "uksi-2014-2407_as-made.txt"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice (soffice) is not installed; .ci/run installs it")

_NUMBERED = re.compile(r"^(\d+)\. (.*)$")
_LETTERED = re.compile(r"^\(([a-z])\) (.*)$")


def _html(text: str) -> str:
    """The SI as a word processor holds it: the title in the Title style, headings as
    headings, each regulation an item of one numbered list (its number not typed), the
    sub-paragraphs a lettered list, and a table after the regulations."""
    lines = text.splitlines()
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>SI</title></head><body>"]
    lines = [line for line in lines if line.strip()]
    title = next(line for line in lines if line.startswith("The Children"))
    out.append(f"<h1 class='title'>{html.escape(title)}</h1>")
    number = 0
    for i, line in enumerate(lines):
        if line == title:
            continue
        numbered, lettered = _NUMBERED.match(line), _LETTERED.match(line)
        if numbered:
            number = int(numbered.group(1))
            out.append(f"<ol start='{number}'><li>{html.escape(numbered.group(2))}</li></ol>")
        elif lettered:
            start = ord(lettered.group(1)) - ord("a") + 1
            out.append(f"<ol type='a' start='{start}'><li>{html.escape(lettered.group(2))}</li></ol>")
        elif i + 1 < len(lines) and _NUMBERED.match(lines[i + 1]):
            out.append(f"<h2>{html.escape(line)}</h2>")
        else:
            out.append(f"<p>{html.escape(line)}</p>")
    out.append("<table><tr><td>Regulation</td><td>Subject</td></tr><tr><td>3</td><td>Relevant care functions</td>"
               "</tr></table></body></html>")
    return "\n".join(out)


@pytest.fixture(scope="module")
def docx(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("docx")
    source = folder / "si.html"
    source.write_text(_html(FIXTURE.read_text(encoding="utf-8")), encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (folder / "si.docx").read_bytes()


def _provisions(text: str) -> list[tuple[str, str]]:
    return [(p.id, p.heading) for p in parse_structure(text, kind="uk-si").provisions
            if p.kind not in ("preamble", "section")]


def test_a_docx_numbered_by_word_gives_the_provisions_of_the_text(docx: bytes):
    assert b"w:numPr" in _part(docx, "word/document.xml")  # the numbers are Word's, not typed
    from_word = read_document(docx)
    from_text = read_document(FIXTURE.read_bytes())
    assert from_word.report.format == "docx"
    assert from_word.title == from_text.title
    assert _provisions(from_word.text) == _provisions(from_text.text)
    assert "- (b) the functions conferred on a local authority under section 10" in from_word.text
    assert "| Regulation | Subject |\n| 3 | Relevant care functions |" in from_word.text


def _part(docx: bytes, name: str) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read(name)
