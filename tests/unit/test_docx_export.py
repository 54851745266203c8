"""Word export: a comparison's changes are real tracked changes (w:ins / w:del with
author and date); reading them back from document.xml and accepting all gives the new
text, rejecting all the old, on every pair of versions of the worked case and on any
pair of texts of regulation syntax. Hostile files are refused with one error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from regdraft.core.diffing import diff_texts
from regdraft.core.errors import InvalidInput
from regdraft.core.text import normalise
from regdraft.formats.read.tracked_changes import read_tracked_changes
from regdraft.formats.write import Provenance, Revision
from regdraft.formats.write.docx import comparison_docx, version_docx

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = [p.read_text(encoding="utf-8") for p in
            sorted((ROOT / "drafts" / "children-social-care-delegation" / "versions").glob("*.md"))]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ABOUT = Provenance("children-social-care-delegation", "The Regulations", "uk-si", 1, "c0f812", "DfE",
                   "2014-04-17T00:00:00Z")


def _pieces(old: str, new: str, source: str | None = "profit-ban"):
    return [(op.kind, op.text, source if op.kind != "equal" else None)
            for group in diff_texts(old, new).groups for op in group.ops]


def _comparison(old: str, new: str) -> bytes:
    return comparison_docx(_pieces(old, new), title="The Regulations", subtitle="1 → 3",
                           revisions={"profit-ban": Revision("UNISON", "2014-05-01T00:00:00Z")},
                           base=ABOUT, new_hash="new", old_hash="old")


def _part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


@pytest.mark.parametrize("old,new", [(0, 1), (0, 2), (1, 2), (2, 0), (1, 0)], ids=lambda n: f"v{n + 1}")
def test_accept_all_gives_the_new_version_and_reject_all_the_old(old, new):
    data = _comparison(VERSIONS[old], VERSIONS[new])
    tracked = read_tracked_changes(data)
    assert tracked.accepted() == VERSIONS[new]
    assert tracked.rejected() == VERSIONS[old]
    assert tracked.authors == ["UNISON"]
    document = _part(data, "word/document.xml")
    revisions = document.findall(f".//{{{W}}}ins") + document.findall(f".//{{{W}}}del")
    assert revisions and all(r.get(f"{{{W}}}author") == "UNISON" and r.get(f"{{{W}}}date") == "2014-05-01T00:00:00Z"
                             for r in revisions)
    deleted = "".join(t.text for t in document.iter(f"{{{W}}}delText"))
    inserted = "".join(t.text for ins in document.iter(f"{{{W}}}ins") for t in ins.iter(f"{{{W}}}t"))
    assert deleted or inserted
    assert not document.findall(f".//{{{W}}}del//{{{W}}}t")  # deleted words are w:delText, as Word writes them


def test_regulation_5_comes_in_as_an_insertion_with_its_paragraph_marks():
    tracked = read_tracked_changes(_comparison(VERSIONS[0], VERSIONS[1]))
    inserted = "".join(run.text for run in tracked.revisions() if run.kind == "insert")
    assert "### 5. Provision as to bodies corporate" in inserted
    assert "A body corporate that is carried on for profit" in inserted
    assert all(run.kind == "insert" for run in tracked.revisions())


def test_a_version_is_a_clean_document_that_says_where_it_came_from():
    data = version_docx(VERSIONS[2], ABOUT)
    tracked = read_tracked_changes(data)
    assert tracked.accepted() == tracked.rejected() == VERSIONS[2]
    assert tracked.revisions() == []
    assert tracked.properties == {"regdraft.document": "children-social-care-delegation", "regdraft.version": "1",
                                  "regdraft.kind": "uk-si", "regdraft.content-hash": "c0f812"}
    assert _part(data, "word/settings.xml").find(f"{{{W}}}trackRevisions") is not None
    document = _part(data, "word/document.xml")
    by_style: dict[str, list] = {}
    for p in document.iter(f"{{{W}}}p"):
        style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        by_style.setdefault(style.get(f"{{{W}}}val") if style is not None else "", []).append(p)
    assert {"Title", "Heading1", "Heading2", "ListParagraph", "Quote"} <= by_style.keys()
    visible = "".join(t.text for t in by_style["Heading2"][0].iter(f"{{{W}}}t")
                      if t.getparent().find(f"{{{W}}}rPr/{{{W}}}rStyle") is None)
    assert visible == "1. Citation and commencement"  # the hashes are hidden, the number shown


def test_the_same_version_gives_the_same_bytes():
    assert version_docx(VERSIONS[2], ABOUT) == version_docx(VERSIONS[2], ABOUT)


_LINES = ["### 1. A", "### 2. B", "(1) Para.", "(2) Para\twith a tab.", "- (a) x;", "- (b) y;", "  - (i) z;",
          "Words & <b>.", "## Schedule 1: S", "", "", "# T", "> quoted", "Ünïcode “quotes” — dash"]
# Texts as versions hold them (core.text.normalise): the empty text is "", not "\n".
_texts = st.lists(st.sampled_from(_LINES), max_size=14).map(lambda lines: normalise("\n".join(lines)))


@settings(max_examples=150, deadline=None)
@given(_texts, _texts)
def test_any_two_texts_round_trip_through_tracked_changes(old, new):
    tracked = read_tracked_changes(_comparison(old, new))
    assert tracked.accepted() == new
    assert tracked.rejected() == old


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name.replace("__", "/") + ".xml", data)
    return out.getvalue()


_BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p>
</w:body></w:document>""" % W.encode()
_EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>""" % W.encode()


@pytest.mark.parametrize("data,message", [
    (b"not a zip at all", "not a Word file"),
    (_zip(hello=b"x"), "no word/document.xml"),
    (_zip(word__document=b"<w:document"), "not well-formed"),
    (_zip(word__document=_BILLION_LAUGHS), "DOCTYPE"),
    (_zip(word__document=_EXTERNAL), "DOCTYPE"),
    (_zip(word__document=b"\0" * (65 << 20)), "expands to more than 64 MiB"),
], ids=["not-zip", "no-document", "malformed", "entity-bomb", "external-entity", "zip-bomb"])
def test_hostile_files_are_refused_with_one_error(data, message):
    with pytest.raises(InvalidInput, match=message):
        read_tracked_changes(data)
