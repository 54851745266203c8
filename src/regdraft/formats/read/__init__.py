"""Readers: a file's bytes to an :class:`~regdraft.formats.model.ImportedDocument`.

The format is recognised from the content (:func:`detect_format`): a zip holding
``word/document.xml`` is Word, XML is told by its root element's namespace (CLML, Akoma
Ntoso, eCFR), anything else that decodes as UTF-8 is plain text. An explicit format
overrides the guess. Every failure is :class:`~regdraft.core.errors.InvalidFormat`,
raised before anything is stored.
"""

from __future__ import annotations

from lxml import etree

from regdraft.core.errors import InvalidFormat
from regdraft.formats.model import ImportedDocument
from regdraft.formats.read import akn_reader, clml_reader, docx_reader, ecfr_reader, text_reader, xml

FORMATS = ("clml", "akn", "ecfr", "docx", "text")
"""The formats regdraft reads, by the name ``--from`` and the API take."""

MAX_BYTES = 20 * 1024 * 1024
"""The largest file read (the longest Acts' CLML is a few MB)."""

_XML_READERS = (("clml", clml_reader), ("akn", akn_reader), ("ecfr", ecfr_reader))


def detect_format(data: bytes) -> str:
    """The format ``data`` is in, told from its content."""
    return _recognise(data)[0]


def _recognise(data: bytes) -> tuple[str, etree._Element | None]:
    """The format, and for XML the root element already parsed (so it is parsed once)."""
    if data[:4] == b"PK\x03\x04":
        return "docx", None
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = xml.parse(data, "xml")
        for name, reader in _XML_READERS:
            if reader.sniff(root):
                return name, root
        raise InvalidFormat(f"XML whose root element is {xml.local(root)!r} in namespace "
                            f"{xml.namespace(root) or '(none)'!r}: regdraft reads CLML "
                            f"({clml_reader.NAMESPACE}), Akoma Ntoso ({akn_reader.NAMESPACE}) and eCFR XML",
                            format="xml")
    return "text", None


def read_document(data: bytes, *, format: str | None = None, kind: str | None = None) -> ImportedDocument:
    """Read ``data`` as ``format`` (or the format its content shows), for a document of
    ``kind`` (or the kind the source declares)."""
    if len(data) > MAX_BYTES:
        raise InvalidFormat(f"the file is {len(data)} bytes; at most {MAX_BYTES} are read", format=format)
    if not data.strip():
        raise InvalidFormat("the file is empty", format=format)
    root = None
    if format is None:
        format, root = _recognise(data)
    if format not in FORMATS:
        raise InvalidFormat(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")
    if format == "docx":
        return docx_reader.read(data, kind=kind)
    if format == "text":
        return text_reader.read(data, kind=kind)
    if root is None:
        root = xml.parse(data, format)
    reader = dict(_XML_READERS)[format]
    if not reader.sniff(root):
        raise InvalidFormat(f"the root element is {xml.local(root)!r} in namespace "
                            f"{xml.namespace(root) or '(none)'!r}, not a {format} document", format=format)
    return reader.read(root, kind=kind)
