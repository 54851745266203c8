"""PDF: the Word export laid out for print by LibreOffice (``soffice --headless``).

Why LibreOffice from the .docx rather than weasyprint or chromium from the HTML
redline: the PDF is then the page a Word user prints — the same styles, the running
header with the document's title and version, ``Page N of M`` in the footer, and the
tracked changes drawn as LibreOffice draws revisions (inserted words underlined,
deleted words struck through, a change bar in the margin) — so there is one print
layout to keep, not a second one in CSS. LibreOffice is a Debian package (`.ci/run`
installs ``libreoffice-writer-nogui``), needs no network and no Python dependency. It
costs a process per conversion (about 2 s measured on the worked case); the API's
render cache keeps the result by ETag, so a PDF is made once per version or change.

Each conversion runs with a profile directory of its own, so conversions running at
once do not share LibreOffice's lock, and under a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from regdraft.core.errors import RendererUnavailable

TIMEOUT_SECONDS = 120.0


def soffice() -> str | None:
    """LibreOffice's command, if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_from_docx(docx: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    command = soffice()
    if command is None:
        raise RendererUnavailable("PDF needs LibreOffice (soffice), which is not installed on this server",
                                  format="pdf")
    with tempfile.TemporaryDirectory(prefix="regdraft-pdf-") as folder:
        work = Path(folder)
        (work / "export.docx").write_bytes(docx)
        try:
            done = subprocess.run(
                [command, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                 "--nologo", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work), str(work / "export.docx")],
                capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RendererUnavailable(f"LibreOffice took more than {timeout:g} s to make the PDF", format="pdf") from None
        pdf = work / "export.pdf"
        if done.returncode != 0 or not pdf.is_file():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            raise RendererUnavailable("LibreOffice could not make the PDF" + (f": {detail[-1]}" if detail else ""),
                                      format="pdf")
        return pdf.read_bytes()
