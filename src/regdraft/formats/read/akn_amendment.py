"""Akoma Ntoso 3.0 ``amendment`` documents (regdraft's own, :mod:`regdraft.formats.write.akn_amendment`)
read back into an :class:`~regdraft.formats.model.ImportedAmendment`.

Each ``blockContainer`` of the ``amendmentContent`` is an instruction: its ``num``, its
``mod``'s sentence with each ``quotedText`` between its ``startQuote`` and ``endQuote``,
and the text its ``quotedStructure`` puts in, rebuilt from the ``rd:md`` layout (or, in
another tool's file, the structure's paragraphs one block each). Its ``textualMod``
(found by the ``source`` that points at the ``mod``) gives the action and the
destination. The rationale and the citations come from the ``amendmentJustification``.
"""

from __future__ import annotations

from lxml import etree

from regdraft.core.errors import InvalidFormat
from regdraft.core.instructions import Instruction, render_instructions
from regdraft.core.instructions.model import PROVISION, TEXT, WORDS
from regdraft.core.traditions import DEFAULT_KIND, KINDS
from regdraft.formats.model import ImportedAmendment
from regdraft.formats.read import akn_reader, xml
from regdraft.formats.read.akn_reader import laid_out
from regdraft.formats.read.xml import local, namespace
from regdraft.formats.write.akn import REGDRAFT
from regdraft.formats.write.akn_amendment import END, MODIFICATIONS

_ACTIONS = {kind: action for action, kind in MODIFICATIONS.items()}


def read_amendment(data: bytes) -> ImportedAmendment:
    root = xml.parse(data, "akn")
    if not akn_reader.sniff(root):
        raise InvalidFormat(f"the root element is {local(root)!r}, not an Akoma Ntoso document", format="akn")
    document = next((child for child in root if local(child) == "amendment"), None)
    if document is None:
        raise InvalidFormat("this Akoma Ntoso file holds no amendment document", format="akn")
    ns = {"a": namespace(root)}
    own = document.find(f"a:meta/a:proprietary/{{{REGDRAFT}}}amendment", ns)
    own = own.attrib if own is not None else {}
    kind = own.get("kind") if own.get("kind") in KINDS else (document.get("name") if document.get("name") in KINDS
                                                             else DEFAULT_KIND)
    records = {}
    for record in document.iterfind("a:meta/a:analysis/a:activeModifications/a:textualMod", ns):
        source = record.find("a:source", ns)
        destination = record.find("a:destination", ns)
        if source is not None:
            records[source.get("href", "").lstrip("#")] = (record.get("type", ""),
                                                           destination.get("href", "") if destination is not None
                                                           else "")
    instructions, modifications = [], []
    for number, container in enumerate(document.iterfind("a:amendmentBody/a:amendmentContent/a:blockContainer", ns),
                                       start=1):
        mod = container.find(".//a:mod", ns)
        if mod is None:
            continue
        written = (container.findtext("a:num", "", ns) or "").strip().rstrip(".")
        block_holder = mod.find("a:quotedStructure", ns)
        block = _text(block_holder) if block_holder is not None else None
        kind_of_change, destination = records.get(mod.get("eId", ""), ("substitution", ""))
        modifications.append((kind_of_change, destination))
        target = WORDS if block is None else (PROVISION if "#" in destination else TEXT)
        instructions.append(Instruction(int(written) if written.isdigit() else number, _sentence(mod),
                                        _ACTIONS.get(kind_of_change, "substitute"), target, block=block))
    justification = document.find("a:amendmentBody/a:amendmentJustification", ns)
    rationale, citations = "", []
    if justification is not None:
        holder = justification.find("a:blockContainer[@class='rationale']", ns)
        rationale = _text(holder) if holder is not None else ""
        for cited in justification.iterfind("a:blockContainer[@class='citations']/a:p[@class='citation']", ns):
            quote = cited.find("a:embeddedText", ns)
            response = (cited.get("refersTo") or "").removeprefix("#response_")
            citations.append((response, "".join(quote.itertext()) if quote is not None else ""))
    affected = document.find("a:amendmentBody/a:amendmentHeading//a:affectedDocument", ns)
    proposer = document.find("a:meta/a:references/*[@eId='proposer']", ns)
    metadata = [("document", own.get("document", "")), ("slug", own.get("slug", "")),
                ("base_version", own.get("baseVersion", "")), ("base_hash", own.get("baseHash", "")),
                ("status", own.get("status", "")),
                ("proposer", proposer.get("showAs", "") if proposer is not None else ""),
                ("proposed", _frbr(document, ns, "FRBRExpression", "FRBRdate", "date")),
                ("frbr_work", _frbr(document, ns, "FRBRWork", "FRBRuri")),
                ("frbr_expression", _frbr(document, ns, "FRBRExpression", "FRBRuri")),
                ("affected_document", affected.get("href", "") if affected is not None else "")]
    title = "".join(document.find("a:preface//a:docTitle", ns).itertext()) \
        if document.find("a:preface//a:docTitle", ns) is not None else _frbr(document, ns, "FRBRWork", "FRBRname")
    return ImportedAmendment(title=title, kind=kind, instructions=render_instructions(instructions, kind=kind),
                             modifications=tuple(modifications), rationale=rationale, citations=tuple(citations),
                             metadata=tuple((k, v) for k, v in metadata if v))


def _frbr(document: etree._Element, ns: dict[str, str], level: str, field: str, attribute: str = "value") -> str:
    found = document.find(f"a:meta/a:identification/a:{level}/a:{field}", ns)
    return found.get(attribute, "") if found is not None else ""


def _sentence(mod: etree._Element) -> str:
    """The instruction's sentence: its words, each quoted text between its quotes; the
    text put in is not part of it."""
    parts = [mod.text or ""]
    for child in mod:
        if local(child) == "quotedText":
            parts.append(child.get("startQuote", "") + "".join(child.itertext()) + child.get("endQuote", ""))
        elif local(child) != "quotedStructure":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _text(holder: etree._Element) -> str:
    """The text under ``holder``: as laid out when it carries the layout, else its
    paragraphs as blocks."""
    pieces = [markdown + words for _, markdown, words in laid_out(holder)]
    if pieces:
        return "".join(pieces) + holder.get(END, "")
    return "\n\n".join(" ".join("".join(p.itertext()).split()) for p in holder.iter(f"{{{namespace(holder)}}}p")
                       if "".join(p.itertext()).strip())
