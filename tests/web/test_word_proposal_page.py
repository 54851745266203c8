"""The Word round trip from the propose page: a version's Word export, edited with
tracked changes, uploaded in the page's second form, becomes a proposed amendment whose
patch gives the edited text; a file that is not Word comes back with what was wrong."""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

from .conftest import DOC, V2
from .test_pages import BASE, csrf_of, html_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _tracked_replacement(docx: bytes, old: str, new: str) -> bytes:
    """``docx`` with the run holding ``old`` deleted and a copy reading ``new``
    inserted, as Word writes a change made with Track Changes on."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    document = etree.fromstring(source.read("word/document.xml"))
    run = next(t.getparent() for t in document.iter(f"{{{W}}}t") if old in (t.text or ""))
    text = run.find(f"{{{W}}}t").text
    revision = {f"{{{W}}}author": "Reviewer", f"{{{W}}}date": "2026-12-07T00:00:00Z"}
    deleted, inserted = etree.Element(f"{{{W}}}del", {f"{{{W}}}id": "901", **revision}), \
        etree.Element(f"{{{W}}}ins", {f"{{{W}}}id": "902", **revision})
    gone, added = copy.deepcopy(run), copy.deepcopy(run)
    gone.find(f"{{{W}}}t").tag = f"{{{W}}}delText"
    added.find(f"{{{W}}}t").text = text.replace(old, new)
    deleted.append(gone)
    inserted.append(added)
    run.addprevious(deleted)
    run.addprevious(inserted)
    run.getparent().remove(run)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue()


def test_an_edited_word_export_uploaded_on_the_propose_page_becomes_the_amendment(web):
    exported = web.get(f"/api/documents/{DOC}/versions/2/export.docx", headers={"Accept": DOCX})
    assert exported.status_code == 200, exported.text
    edited = _tracked_replacement(exported.content, "1st July", "1st September")
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    response = web.post(f"{BASE}/propose/word", data={
        "csrf_token": token, "title": "Later commencement, from Word", "slug": "word-commencement",
        "proposer": "nspcc", "categories": "consultation"},
        files={"file": ("edited.docx", edited, DOCX)})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{BASE}/amendments/word-commencement"
    amended = web.get(f"/api/documents/{DOC}/amendments/word-commencement/apply").json()
    assert amended["text"] == V2.replace("1st July", "1st September")


def test_a_file_that_is_not_word_comes_back_on_the_propose_page(web):
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    response = web.post(f"{BASE}/propose/word", data={
        "csrf_token": token, "title": "Not Word", "slug": "not-word", "proposer": "nspcc",
        "categories": "consultation"}, files={"file": ("notes.docx", b"plain words", DOCX)})
    body = html_of(response, 422)
    assert "The amendment was not proposed" in body and 'value="not-word"' in body
    assert web.get(f"/api/documents/{DOC}/amendments/not-word").status_code == 404
