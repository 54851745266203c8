"""The Word round trip on the worked case: export version 3 of SI 2014/2407 as .docx,
edit it as Word does with Track Changes on (runs put into w:del and w:ins, new
paragraphs whose marks are inserted, a new regulation typed in the Heading 2 style,
comments), import it as an amendment, and the amendment's patch gives exactly the
edited text; a comment quoting UNISON's response becomes a citation of it."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import Session

from regdraft.core.errors import InvalidInput
from regdraft.core.patching import apply_patch, parse_patch
from regdraft.files.loader import load
from regdraft.services import amendments as amendment_service
from regdraft.services import documents, rendering
from regdraft.services.word_amendments import propose_from_word, read_word_amendment
from regdraft.store.engine import make_engine, migrate, session_scope

ROOT = Path(__file__).resolve().parents[2]
DOC = "children-social-care-delegation"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REVIEWER = "British Association of Social Workers"  # a stakeholder's name, as Word's user name
DATE = "2026-12-01T10:00:00Z"
REG_4 = ("A local authority’s functions under Part 1 of the Act are to be treated as not being relevant care "
         "functions for the purposes of section 1 of the Act.")
REG_5 = ("A body corporate that is carried on for profit may not be a party to an arrangement for the discharge of "
         "a function specified in regulation 3.")
EXCEPTION = "This regulation does not apply to functions under section 17 of the Children Act 1989."
REVIEW = "The Secretary of State must review these Regulations within three years of their coming into force."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('word') / 'worked.sqlite'}")
    migrate(engine)
    with session_scope(engine) as session:
        load(session, ROOT, actor="test")
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
        session.rollback()


def _w(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{W}}}{tag}", {f"{{{W}}}{k}": v for k, v in attributes.items()})


def _revision(tag: str, *children: etree._Element) -> etree._Element:
    element = _w(tag, id=str(900 + len(children)), author=REVIEWER, date=DATE)
    element.extend(children)
    return element


def _run(text: str, deleted: bool = False) -> etree._Element:
    run = _w("r")
    t = etree.SubElement(run, f"{{{W}}}{'delText' if deleted else 't'}")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _paragraph(body: etree._Element, text: str) -> etree._Element:
    return next(p for p in body.iter(f"{{{W}}}p") if "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) == text)


def _replace_words(p: etree._Element, old: str, new: str) -> None:
    """Word's way: the run is split, the old words deleted and the new inserted."""
    run = next(r for r in p.iter(f"{{{W}}}r") if old in "".join(t.text or "" for t in r.iter(f"{{{W}}}t")))
    before, _, after = run.findtext(f"{{{W}}}t").partition(old)
    run.getparent().replace(run, _run(before))
    at = p.index(p.find(f"{{{W}}}r[last()]"))
    p.insert(at + 1, _revision("del", _run(old, deleted=True)))
    p.insert(at + 2, _revision("ins", _run(new)))
    p.insert(at + 3, _run(after))


def _insert_paragraphs_after(p: etree._Element, paragraphs: list[tuple[str | None, str]]) -> None:
    """Enter pressed at the end of ``p`` and new paragraphs typed: ``p``'s mark and
    every new one but the last are inserted; the last keeps ``p``'s old mark."""
    p_pr = p.find(f"{{{W}}}pPr")
    if p_pr is None:
        p_pr = etree.SubElement(p, f"{{{W}}}pPr")
        p.insert(0, p_pr)
    etree.SubElement(p_pr, f"{{{W}}}rPr").append(_revision("ins"))
    after = p
    for i, (style, text) in enumerate(paragraphs):
        new = _w("p")
        new_pr = etree.SubElement(new, f"{{{W}}}pPr")
        if style:
            etree.SubElement(new_pr, f"{{{W}}}pStyle", {f"{{{W}}}val": style})
        if i < len(paragraphs) - 1:
            etree.SubElement(new_pr, f"{{{W}}}rPr").append(_revision("ins"))
        if text:
            new.append(_revision("ins", _run(text)))
        after.addnext(new)
        after = new


def _comment(p: etree._Element, cid: str) -> None:
    p.insert(1, _w("commentRangeStart", id=cid))
    p.append(_w("commentRangeEnd", id=cid))


COMMENTS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="{W}">
<w:comment w:id="1" w:author="{REVIEWER}" w:date="{DATE}"><w:p><w:r><w:t>UNISON called outsourcing “a dangerous step”.</w:t></w:r></w:p></w:comment>
<w:comment w:id="2" w:author="{REVIEWER}" w:date="{DATE}"><w:p><w:r><w:t>Family support under section 17 should stay with councils.</w:t></w:r></w:p></w:comment>
</w:comments>""".encode()


def _edited(docx: bytes, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    document = etree.fromstring(source.read("word/document.xml"))
    edit(document.find(f"{{{W}}}body"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/word/comments.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>')
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdComments" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/comments" '
                                    b'Target="comments.xml"/></Relationships>')
            target.writestr(info, data)
        target.writestr("word/comments.xml", COMMENTS)
    return out.getvalue()


def _export(session: Session, number: int) -> bytes:
    document = documents.get_document(session, DOC)
    return rendering.render(rendering.version_export(session, document, number), "docx")


def _reviewers_edit(body: etree._Element) -> None:
    reg_4 = _paragraph(body, REG_4)
    _replace_words(reg_4, "Part 1", "Parts 1 and 2")
    _comment(reg_4, "1")
    _insert_paragraphs_after(reg_4, [(None, ""), (None, EXCEPTION)])
    _comment(_paragraph(body, EXCEPTION), "2")
    # A new regulation typed in Word: the heading in the Heading 2 style, without the
    # hidden "### " an exported heading has.
    _insert_paragraphs_after(_paragraph(body, REG_5), [(None, ""), ("Heading2", "6. Review"), (None, ""),
                                                      (None, REVIEW)])


def _expected(text: str) -> str:
    text = text.replace(REG_4, REG_4.replace("Part 1", "Parts 1 and 2") + "\n\n" + EXCEPTION)
    return text.replace(REG_5, REG_5 + "\n\n### 6. Review\n\n" + REVIEW)


def test_an_edited_export_becomes_an_amendment_whose_patch_gives_the_edited_text(session):
    document = documents.get_document(session, DOC)
    base = documents.get_version(session, document, 3)
    edited = _edited(_export(session, 3), _reviewers_edit)
    amendment, word = propose_from_word(session, document, edited, slug="from-word", title="BASW's edits in Word",
                                        categories=["review"], actor="test")
    assert word.base.number == 3 and word.unplaced == [] and word.untracked == []
    assert word.candidates == [REVIEWER]
    result = apply_patch(parse_patch(amendment.patch_text), base.text)
    assert result.ok and result.text == _expected(base.text)
    assert amendment.base_version_id == base.id
    assert session.get(type(amendment), amendment.id).proposer_id == documents.get_stakeholder(session, "basw").id
    cited = amendment_service.citations_of(session, amendment)
    assert [(c.quote, r.slug) for c, r in cited] == [("a dangerous step", "unison")]
    assert amendment.rationale == f"{REVIEWER}: Family support under section 17 should stay with councils."
    structure = documents.structure_of(document, result.text)
    assert structure.get("reg-6").heading == "Review"


def test_untracked_edits_are_listed_and_the_tracked_ones_still_placed(session):
    document = documents.get_document(session, DOC)
    base = documents.get_version(session, document, 3)

    def edit(body):
        _reviewers_edit(body)
        untracked = _paragraph(body, "### 2. Interpretation")  # typed over with tracking off (### is hidden)
        untracked.find(f".//{{{W}}}r[last()]/{{{W}}}t").text = "2. Interpretation and application"

    word = read_word_amendment(session, document, _edited(_export(session, 3), edit))
    assert [u.kind for u in word.untracked] == ["untracked"] and "application" in word.untracked[0].text
    assert word.unplaced == []
    assert word.new_text == _expected(base.text)  # only the tracked changes are proposed


def test_changes_that_cannot_be_placed_are_listed_never_dropped(session):
    document = documents.get_document(session, DOC)

    def edit(body):
        # Tracking off: the whole of regulation 4 retyped; then, tracked, words changed in it.
        reg_4 = _paragraph(body, REG_4)
        reg_4.find(f".//{{{W}}}r[last()]/{{{W}}}t").text = "Something else entirely, that version 3 never said."
        _replace_words(reg_4, "never said", "does not say")

    word = read_word_amendment(session, document, _edited(_export(session, 3), edit))
    assert {(u.kind, u.text) for u in word.unplaced} >= {("delete", "never said"), ("insert", "does not say")}
    with pytest.raises(InvalidInput, match="cannot be placed"):
        propose_from_word(session, document, _edited(_export(session, 3), edit), slug="x", title="x",
                          categories=["review"], actor="test", proposer="basw")


def test_files_that_do_not_come_from_the_document_are_refused(session):
    document = documents.get_document(session, DOC)
    clean = _export(session, 3)
    with pytest.raises(InvalidInput, match="no tracked changes"):
        read_word_amendment(session, document, clean)
    edited = _edited(clean, _reviewers_edit)
    with pytest.raises(InvalidInput, match="exported from document 'another-document'"):
        read_word_amendment(session, document, _with_custom(edited, DOC.encode(), b"another-document"))
    with pytest.raises(InvalidInput, match="whose text is not this one's"):
        read_word_amendment(session, document, _with_custom(edited, b"<vt:lpwstr>867b", b"<vt:lpwstr>000b"))
    with pytest.raises(InvalidInput, match="does not say which version"):
        read_word_amendment(session, document, _with_custom(edited, b"regdraft.version", b"other.version"))


def _with_custom(docx: bytes, old: bytes, new: bytes) -> bytes:
    """The file with its custom properties edited (``old`` replaced by ``new``)."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data.replace(old, new) if info.filename == "docProps/custom.xml" else data)
    return out.getvalue()


def test_a_reviewer_who_is_not_a_stakeholder_must_be_named(session):
    document = documents.get_document(session, DOC)

    def edit(body):
        _replace_words(_paragraph(body, REG_4), "Part 1", "Part 2")
        for revision in body.iter(f"{{{W}}}ins", f"{{{W}}}del"):
            revision.set(f"{{{W}}}author", "Jo Bloggs")

    edited = _edited(_export(session, 3), edit)
    with pytest.raises(InvalidInput, match=r"none of the revision authors \(Jo Bloggs\)"):
        propose_from_word(session, document, edited, slug="jo", title="Jo's edit", categories=["review"],
                          actor="test")
    amendment, _ = propose_from_word(session, document, copy.copy(edited), slug="jo", title="Jo's edit",
                                     categories=["review"], actor="test", proposer="basw")
    assert "Part 2 of the Act" in apply_patch(parse_patch(amendment.patch_text),
                                              documents.get_version(session, document, 3).text).text
