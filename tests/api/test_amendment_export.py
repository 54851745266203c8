"""GET /api/documents/{doc}/amendments/{slug}/export.akn: an amendment as an Akoma
Ntoso amendment document, valid against the OASIS schema, with an ETag; read back, its
instructions give the amended text exactly."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from regdraft.core.instructions import parse
from regdraft.formats.read.akn_amendment import read_amendment

from .support import PROFIT_BAN_TEXT, V1

ROOT = Path(__file__).resolve().parents[2]
NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}


def test_an_amendment_exports_as_a_valid_akn_amendment(example, profit_ban):
    r = example.client.get(example.url("/amendments/profit-ban/export.akn"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/akn+xml")
    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "fixtures" / "akn-schema" / "akomantoso30.xsd")))
    root = etree.fromstring(r.content)
    assert schema.validate(root), schema.error_log
    assert root.find(".//a:textualMod", NS) is not None
    read = read_amendment(r.content)
    assert parse(read.instructions, V1) == PROFIT_BAN_TEXT
    assert [quote for _, quote in read.citations] == [
        "a profit motive has no place in the delivery of children's social care"]
    again = example.client.get(example.url("/amendments/profit-ban/export"), headers={
        "Accept": "application/akn+xml", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_other_formats_are_not_offered(example, profit_ban):
    assert example.client.get(example.url("/amendments/profit-ban/export.docx")).status_code == 422
    assert example.client.get(example.url("/amendments/nope/export.akn")).status_code == 404
