"""The Word redline opened by LibreOffice headless: the PDF it prints shows the deleted
and the inserted words (LibreOffice shows revisions, so both are on the page), and the
running header and page numbers; and regdraft's own PDF export is that conversion.

Skipped where LibreOffice is not installed, except under CI
(``REGDRAFT_REQUIRE_LIBREOFFICE=1``, set by .ci/run, which installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from regdraft.core.diffing import diff_texts
from regdraft.formats.write import Provenance, Revision
from regdraft.formats.write.docx import comparison_docx
from regdraft.formats.write.pdf import pdf_from_docx

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = [p.read_text(encoding="utf-8") for p in
            sorted((ROOT / "drafts" / "children-social-care-delegation" / "versions").glob("*.md"))]

if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
    if os.environ.get("REGDRAFT_REQUIRE_LIBREOFFICE"):
        raise RuntimeError("REGDRAFT_REQUIRE_LIBREOFFICE is set but soffice or pdftotext is missing")
    pytest.skip("LibreOffice (soffice) or pdftotext is not installed", allow_module_level=True)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_libreoffice_prints_both_the_deletion_and_the_insertion(tmp_path):
    old, new = VERSIONS[0], VERSIONS[2]  # the consultation draft against the regulations as made
    pieces = [(op.kind, op.text, "version-3" if op.kind != "equal" else None)
              for group in diff_texts(old, new).groups for op in group.ops]
    about = Provenance("children-social-care-delegation", "The Relevant Care Functions Regulations", "uk-si", 1,
                       "c0f812", "Department for Education", "2014-04-17T00:00:00Z")
    docx = comparison_docx(pieces, title=about.title, subtitle="version 1 → version 3",
                           revisions={"version-3": Revision("Department for Education", "2014-09-09T00:00:00Z")},
                           base=about, new_hash="n", old_hash="o")
    (tmp_path / "redline.docx").write_bytes(docx)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "redline.docx")],
                   check=True, capture_output=True, timeout=180)
    printed = subprocess.run(["pdftotext", str(tmp_path / "redline.pdf"), "-"], check=True, capture_output=True,
                             text=True).stdout
    words = _words(printed)
    assert "DRAFT STATUTORY INSTRUMENTS" in words  # deleted: only in version 1
    assert "Made: 9th September 2014" in words  # inserted: only in version 3
    assert "Provision as to bodies corporate that may discharge the functions in regulation 3" in words
    assert "###" not in words and "- (a)" not in words  # the Markdown syntax is hidden
    assert "The Relevant Care Functions Regulations — version 1 → version 3" in words  # running header
    assert "Page 1 of" in words
    assert _words(subprocess.run(["pdftotext", "-", "-"], input=pdf_from_docx(docx), check=True,
                                 capture_output=True).stdout.decode()) == words
