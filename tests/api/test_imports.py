"""Importing files over HTTP: ``POST /api/documents/import`` and a version's source."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from regdraft.settings import Settings

from .support import problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SI = (FIXTURES / "clml" / "uksi-2006-622-made.xml").read_bytes()
TEXT = (FIXTURES / "text" / "uksi-2014-2407_as-made.txt").read_bytes()


@pytest.fixture
def settings(fresh_database_url: str) -> Settings:
    """Room for the fixtures and the zip bomb (the other API tests keep 64 KiB)."""
    return Settings(database_url=fresh_database_url, max_body_bytes=2 * 1024 * 1024)


def test_a_clml_file_becomes_a_document_with_its_source(client):
    r = client.post("/api/documents/import?document=insolvent-partnerships", content=SI,
                    headers={"Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created_document"] is True
    assert body["document"]["slug"] == "insolvent-partnerships"
    assert body["document"]["kind"] == "uk-si"
    assert body["document"]["title"] == "The Insolvent Partnerships (Amendment) Order 2006"
    assert r.headers["Location"] == "/api/documents/insolvent-partnerships/versions/1"
    source = body["source"]
    assert source["format"] == "clml"
    assert source["metadata"]["frbr_work"] == "http://www.legislation.gov.uk/id/uksi/2006/622"
    assert {"source": "article-5-2-b", "id": "reg-5-2-b"} in source["source_ids"]
    assert source["report"]["units"]["regulation"] == 10
    again = client.get("/api/documents/insolvent-partnerships/versions/1/source")
    assert again.status_code == 200 and again.json() == source
    text = client.get("/api/documents/insolvent-partnerships/versions/1/text").text
    assert "### 5. Amendment to Schedule 2 to the Insolvent Partnerships Order 1994" in text


def test_a_file_as_the_next_version_of_a_document(client):
    first = client.post("/api/documents/import?document=cypa", content=TEXT, headers={"Content-Type": "text/plain"})
    assert first.status_code == 201, first.text
    second = client.post("/api/documents/import?document=cypa&as_version=true", content=TEXT.replace(
        b"may not be a party", b"must not be a party"), headers={"Content-Type": "text/plain"})
    assert second.status_code == 201, second.text
    assert second.json()["created_document"] is False
    assert second.json()["version"]["number"] == 2 and second.json()["version"]["parent"] == 1
    assert second.json()["document"]["versions"] == 2


def test_a_version_typed_in_has_no_source(example):
    r = example.client.get(example.url("/versions/1/source"))
    assert problem(r, 404, "not-found")


def _counts(client):
    return client.get("/api/documents").json()["total"]


def test_hostile_and_malformed_files_are_refused_and_change_nothing(client):
    before = _counts(client)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<lolz>&lol2;</lolz>")
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                b'<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation">&xxe;</Legislation>')
    huge_attribute = (b'<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation" a="'
                      + b"x" * 100_000 + b'"><Secondary/></Legislation>')
    truncated = SI[: len(SI) // 2]
    cases = ((bomb, "application/xml", "declares a DTD or entities"),
             (external, "application/xml", "declares a DTD or entities"),
             (huge_attribute, "application/xml", "attribute a is 100000 characters long"),
             (truncated, "application/xml", "not well-formed XML"),
             (b"\x00\x01\x02", "application/octet-stream", "control character U+0000"),
             (_zip_bomb(), "application/octet-stream", "zip bomb"))
    for body, media, why in cases:
        r = client.post("/api/documents/import?document=hostile", content=body, headers={"Content-Type": media})
        assert problem(r, 422, "invalid-format"), r.text
        assert why in r.json()["detail"]
    assert _counts(client) == before
    assert client.get("/api/documents/hostile").status_code == 404


@pytest.mark.parametrize("added, why", [(b"\n\nEvil <script>alert(1)</script> words.\n", "text contains HTML"),
                                        ("\n\nEvil \u202e words.\n".encode(), "U+202E RIGHT-TO-LEFT OVERRIDE")])
def test_a_file_is_held_to_the_text_policy_and_imports_nothing(client, added, why):
    """SI 2014/2407 as pasted text with raw HTML or a bidi override in it: refused as
    the same text typed in would be, and nothing made."""
    before = _counts(client)
    body = TEXT + added
    r = client.post("/api/documents/import?document=pasted", content=body, headers={"Content-Type": "text/plain"})
    assert why in problem(r, 422, "invalid-text")["detail"]
    assert _counts(client) == before and client.get("/api/documents/pasted").status_code == 404


def _zip_bomb() -> bytes:
    """A .docx whose document.xml unpacks to 300 MB of zeros from well under 1 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                part.write(chunk)
    return buffer.getvalue()


def test_an_explicit_format_overrides_the_content(client):
    r = client.post("/api/documents/import?document=as-text&format=text", content=TEXT,
                    headers={"Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    assert r.json()["source"]["format"] == "text"
    # CLML named as text is read as text: markup, which no text may hold, not an SI.
    r = client.post("/api/documents/import?document=xml-as-text&format=text", content=SI,
                    headers={"Content-Type": "application/xml"})
    assert "text contains HTML" in problem(r, 422, "invalid-text")["detail"]
    assert client.get("/api/documents/xml-as-text").status_code == 404


def test_a_taken_slug_is_a_conflict_and_imports_nothing(example):
    r = example.client.post(f"/api/documents/import?document={example.doc}", content=TEXT,
                            headers={"Content-Type": "text/plain"})
    assert problem(r, 409, "already-exists")
    assert example.client.get(example.url()).json()["versions"] == 2
