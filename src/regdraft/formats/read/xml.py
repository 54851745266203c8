"""Parsing untrusted XML safely.

Every XML reader parses through :func:`parse`, with lxml set so that a file cannot make
regdraft fetch anything, expand entities, or build an unbounded tree:

- ``resolve_entities=False``, ``load_dtd=False``, ``no_network=True``: no external
  entity (XXE) is read and no DTD is fetched;
- a document that declares a DTD at all is refused: none of the formats read here uses
  one, and an internal DTD is where entity-expansion bombs ("billion laughs") live;
- ``huge_tree=False`` keeps libxml2's own limits on depth and text node size, and
  :data:`MAX_ATTRIBUTE` bounds every attribute value;
- the size of the file is bounded by the caller (the API's body limit, the CLI's
  :data:`regdraft.formats.MAX_BYTES`).

lxml is used rather than the standard library's ElementTree (whose expat has had
entity-expansion weaknesses) and rather than defusedxml, which wraps the standard
library's parsers and would cost the XPath and namespace handling the readers use.
"""

from __future__ import annotations

from lxml import etree

from regdraft.core.errors import InvalidFormat

MAX_ATTRIBUTE = 16 * 1024
"""The longest attribute value accepted; real legislation's longest are URIs of ~200 characters."""

_PARSER_OPTIONS = dict(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                       dtd_validation=False, remove_comments=True, remove_pis=True, collect_ids=False)


def parse(data: bytes, format: str) -> etree._Element:
    """The root element of ``data``, or :class:`InvalidFormat` saying why it cannot be read."""
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise InvalidFormat("the file declares a DTD or entities, which regdraft refuses to read "
                            "(XML legislation formats use none; entity declarations are how XML bombs "
                            "and external-entity attacks arrive)", format=format)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidFormat(f"not well-formed XML: {exc.msg}", format=format) from None  # msg names line and column
    for element in root.iter():
        for name, value in element.attrib.items():
            if len(value) > MAX_ATTRIBUTE:
                raise InvalidFormat(f"attribute {etree.QName(name).localname} is {len(value)} characters long "
                                    f"(at most {MAX_ATTRIBUTE} are read)", format=format,
                                    where=f"line {element.sourceline}")
    return root


def local(element: etree._Element) -> str:
    """An element's name without its namespace (``P1group``); comments and PIs give ``""``."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def path(element: etree._Element) -> str:
    """A short path to name where an element stood: ``/Legislation/Secondary/Body/P1group[3]``."""
    parts = []
    node = element
    while node is not None:
        parent = node.getparent()
        name = local(node)
        if parent is not None:
            same = [sibling for sibling in parent if local(sibling) == name]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))
