"""Exports over HTTP: a version as Akoma Ntoso, Word and PDF
(``/versions/{n}/export.{akn,docx,pdf}``), redlines as Word with tracked changes, by
suffix and Accept, with ETags; formats a resource does not offer are 422, a missing
LibreOffice a 503."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from regdraft.formats.read.tracked_changes import read_tracked_changes
from regdraft.formats.write import pdf

from .support import PROFIT_BAN_TEXT, V1, V2, problem, tracked_replacement

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "akn-schema" / "akomantoso30.xsd"


def test_a_version_as_akn_is_valid_and_tagged(example):
    url = example.url("/versions/2/export")
    response = example.client.get(f"{url}.akn")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/akn+xml"
    root = etree.fromstring(response.content)
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    assert root.find(".//{*}FRBRversionNumber").get("value") == "2"
    assert root.find(".//{*}FRBRWork/{*}FRBRuri").get("value").endswith(f"/{example.doc}")
    by_accept = example.client.get(url)  # no Accept: AKN, the one that is text, comes first
    assert by_accept.content == response.content and by_accept.headers["etag"] == response.headers["etag"]
    again = example.client.get(f"{url}.akn", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert example.client.get(url + ".docx").headers["etag"] != response.headers["etag"]


def test_a_version_as_word_names_itself_and_reads_back(example):
    response = example.client.get(example.url("/versions/1/export"), headers={"Accept": DOCX})
    assert response.status_code == 200 and response.headers["content-type"] == DOCX
    assert response.headers["content-disposition"] == f'attachment; filename="{example.doc}-1.docx"'
    tracked = read_tracked_changes(response.content)
    assert tracked.accepted() == tracked.rejected() == V1
    assert tracked.properties["regdraft.document"] == example.doc
    assert tracked.properties["regdraft.version"] == "1"


def test_a_redline_as_word_has_the_proposers_tracked_changes(example, profit_ban):
    response = example.client.get(example.url("/amendments/profit-ban/redline.docx"))
    assert response.status_code == 200, response.text
    tracked = read_tracked_changes(response.content)
    assert tracked.rejected() == V1 and tracked.accepted() == PROFIT_BAN_TEXT
    assert tracked.authors == ["Association of Directors of Children's Services"]
    assert {run.date[:10] for run in tracked.revisions()} == {profit_ban["created_at"][:10]}
    assert tracked.properties["regdraft.version"] == "1"
    versions = read_tracked_changes(example.client.get(example.url("/redline.docx"), params={"from": 1, "to": 2})
                                    .content)
    assert versions.rejected() == V1 and versions.accepted() == V2


def test_formats_a_resource_does_not_offer_are_422(example, profit_ban):
    assert problem(example.client.get(example.url("/redline.akn"), params={"from": 1, "to": 2}), 422,
                   "invalid-input")["field"] == "format"
    problem(example.client.get(example.url("/versions/1/export.html")), 422, "invalid-input")
    body = problem(example.client.get(example.url("/versions/1/export"), headers={"Accept": "text/html"}), 406,
                   "not-acceptable")
    assert body["acceptable"] == ["application/akn+xml", "application/pdf", DOCX]


def test_without_libreoffice_pdf_is_a_503_and_the_rest_still_works(example, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    body = problem(example.client.get(example.url("/versions/1/export.pdf")), 503, "renderer-unavailable")
    assert "LibreOffice" in body["detail"]
    assert example.client.get(example.url("/versions/1/export.docx")).status_code == 200


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_version_as_pdf(example):
    response = example.client.get(example.url("/versions/1/export.pdf"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_an_edited_word_export_comes_back_as_an_amendment(example):
    exported = example.client.get(example.url("/versions/1/export.docx")).content
    old = "any person"
    edited = tracked_replacement(exported, old, "a charity", "NSPCC")
    url = example.url("/word-amendments")
    response = example.client.post(url, params={"slug": "charity", "categories": "profit-ban"},
                                   content=edited, headers={"Content-Type": DOCX})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["base"] == 1 and body["candidates"] == ["NSPCC"] and body["unplaced"] == []
    assert body["amendment"]["proposer"] == "nspcc"
    applied = example.client.get(example.url("/amendments/charity/apply"), params={"version": 1}).json()
    assert applied["text"] == V1.replace(old, "a charity")
    again = example.client.post(url, params={"slug": "charity-2", "categories": "profit-ban"}, content=exported,
                                headers={"Content-Type": DOCX})
    assert problem(again, 422, "invalid-input")["detail"].startswith("the file has no tracked changes")
    assert problem(example.client.post(url, params={"slug": "x", "categories": "profit-ban"}, content=b"PK junk",
                                       headers={"Content-Type": DOCX}), 422, "invalid-input")
