"""Akoma Ntoso 3.0: an amendment as an ``amendment`` document.

- **Metadata**: the FRBR work is the amendment (``/akn/gb/amendment/<date>/<document>-<slug>``,
  dated by its proposal, authored by its proposer); ``analysis/activeModifications``
  holds one ``textualMod`` an instruction, its ``type`` the instruction's action
  (``substitution``, ``insertion``, ``repeal``, ``renumbering``), its ``destination``
  the ``eId`` of the provision addressed in the amended version's expression
  (``/akn/gb/act/…/eng@2014-04-17/!main#sec_3__subpara_a``, with ``pos`` for an insertion
  before, after, at the start or at the end), its ``old`` and ``new`` the quoted words
  or structure. ``references`` names the proposer and each response cited;
  ``proprietary`` repeats document, slug, base version and hash for regdraft's reader.
- **Body**: ``amendmentHeading`` names the version amended (``affectedDocument``);
  ``amendmentContent`` holds the instructions, each a ``blockContainer`` with its
  number and its sentence as a ``mod``: quoted words as ``quotedText`` (the quotes in
  ``startQuote``/``endQuote``), the text put in as a ``quotedStructure`` written as the
  act writer writes a version (its units, each ``eId`` under the structure's own, and the
  ``rd:md`` layout, so the very text reads back); ``amendmentJustification`` holds the
  rationale and then the citations, each quote an ``embeddedText`` followed by a ``ref``
  to its response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from regdraft.core.errors import InvalidInstruction
from regdraft.core.instructions import Instruction, apply_instruction
from regdraft.core.instructions.model import CLOSE, INSERT, OMIT, OPEN, RENUMBER, SUBSTITUTE, TEXT, TO_END, quoted
from regdraft.core.structure import PREAMBLE, Structure, parse_structure
from regdraft.formats.write import Provenance, xml_safe
from regdraft.formats.write.akn import AKN, REGDRAFT, Layout, add, country, element_ids, frbr_uris, \
    word_lines, write_units

MODIFICATIONS = {SUBSTITUTE: "substitution", INSERT: "insertion", OMIT: "repeal", RENUMBER: "renumbering"}
"""An instruction's action → the ``textualMod`` type that records it."""
POSITIONS = {"after": "after", "before": "before", "beginning": "start", "end": "end", "appropriate": "inside"}
"""Where an insertion goes → the destination's ``pos``."""
END = f"{{{REGDRAFT}}}end"
"""The attribute holding what follows an element's last words (a block's closing newline)."""


@dataclass(frozen=True)
class CitedQuote:
    """A passage of a consultation response that the amendment cites."""

    response: str
    """The response's slug."""
    source: str
    """How the response is named (its title)."""
    quote: str
    href: str = ""
    """Where the response can be read."""


@dataclass(frozen=True)
class AmendmentAbout:
    slug: str
    title: str
    proposer: str
    created: str
    """When it was proposed: an ISO 8601 date or date-time."""
    base: Provenance
    """The version it amends."""
    status: str = ""


def amendment_uris(about: AmendmentAbout) -> tuple[str, str]:
    """The FRBR work and expression URIs of an amendment."""
    work = f"/akn/{country(about.base.kind)}/amendment/{about.created[:10]}/{about.base.document}-{about.slug}"
    return work, f"{work}/eng@{about.created[:10]}"


def write_amendment(base: Structure, instructions: Sequence[Instruction], about: AmendmentAbout, *,
                    rationale: str = "", citations: Sequence[CitedQuote] = ()) -> bytes:
    """The amendment whose instructions (``generate(base, amended)``, in ``about.base.kind``'s
    tradition) turn the version ``base`` into the amended text, as an AKN 3.0 amendment."""
    root = etree.Element(f"{{{AKN}}}akomaNtoso", nsmap={None: AKN, "rd": REGDRAFT})
    document = add("amendment", root, name=about.base.kind)
    meta = add("meta", document)
    _identification(meta, about)
    modifications = add("activeModifications", add("analysis", meta, source="#regdraft"))
    _references(meta, about, citations)
    proprietary = add("proprietary", meta, source="#regdraft")
    etree.SubElement(proprietary, f"{{{REGDRAFT}}}amendment", {
        k: xml_safe(v) for k, v in (("document", about.base.document), ("slug", about.slug),
                                    ("baseVersion", str(about.base.version)), ("baseHash", about.base.content_hash),
                                    ("kind", about.base.kind), ("status", about.status)) if v})

    preface = add("preface", document)
    add("docTitle", add("p", preface), about.title)
    proposed = add("p", preface, "Proposed by ")
    add("docProponent", proposed, about.proposer or "unknown", refersTo="#proposer").tail = " on "
    add("docDate", proposed, about.created[:10], date=about.created[:10])

    body = add("amendmentBody", document)
    _, expression = frbr_uris(about.base)
    heading = add("p", add("amendmentHeading", body), "Amendment of ")
    add("affectedDocument", heading, f"{about.base.title}, version {about.base.version}", href=expression)
    content = add("amendmentContent", body)
    text = base.text
    for instruction in instructions:
        destination = _destination(text, instruction, about.base.kind)
        _instruction(content, modifications, instruction, destination, expression, about.base.kind)
        try:
            text = apply_instruction(instruction, text, kind=about.base.kind)
        except InvalidInstruction:  # a later destination is then sought in the text as it was
            pass
    if not len(content):
        add("p", content)
    if not len(modifications):
        modifications.getparent().remove(modifications)
    _justification(body, rationale, citations)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _identification(meta: etree._Element, about: AmendmentAbout) -> None:
    work, expression = amendment_uris(about)
    proposed = about.created[:10]
    identification = add("identification", meta, source="#regdraft")
    frbr = add("FRBRWork", identification)
    add("FRBRthis", frbr, value=f"{work}/!main")
    add("FRBRuri", frbr, value=work)
    add("FRBRdate", frbr, date=proposed, name="proposed")
    add("FRBRauthor", frbr, href="#proposer", **{"as": "#proponent"})
    add("FRBRcountry", frbr, value=country(about.base.kind))
    add("FRBRsubtype", frbr, value="amendment")
    add("FRBRname", frbr, value=about.title)
    frbr = add("FRBRExpression", identification)
    add("FRBRthis", frbr, value=f"{expression}/!main")
    add("FRBRuri", frbr, value=expression)
    add("FRBRdate", frbr, date=proposed, name="proposed")
    add("FRBRauthor", frbr, href="#proposer")
    add("FRBRlanguage", frbr, language="eng")
    frbr = add("FRBRManifestation", identification)
    add("FRBRthis", frbr, value=f"{expression}/!main.xml")
    add("FRBRuri", frbr, value=f"{expression}.akn")
    add("FRBRdate", frbr, date=proposed, name="transform")  # the same amendment always gives the same file
    add("FRBRauthor", frbr, href="#regdraft")
    add("FRBRformat", frbr, value="application/akn+xml")


def _references(meta: etree._Element, about: AmendmentAbout, citations: Sequence[CitedQuote]) -> None:
    references = add("references", meta, source="#regdraft")
    add("TLCOrganization", references, eId="regdraft", href="/ontology/organization/regdraft", showAs="regdraft")
    add("TLCOrganization", references, eId="proposer", href=f"/ontology/organization/{about.proposer or 'unknown'}",
        showAs=about.proposer or "unknown")
    add("TLCRole", references, eId="proponent", href="/ontology/role/proponent", showAs="proposer")
    seen: set[str] = set()
    for citation in citations:
        if citation.response not in seen:
            seen.add(citation.response)
            add("TLCReference", references, eId=f"response_{citation.response}", name="response",
                href=citation.href or f"/ontology/response/{citation.response}", showAs=citation.source)


def _destination(text: str, instruction: Instruction, kind: str) -> str | None:
    """The eId of the provision ``instruction`` addresses in ``text`` (the version as
    amended by the instructions before it, as the instructions are read); ``""`` for
    the whole text, ``None`` when the label is not found."""
    if instruction.target == TEXT or not instruction.provision:
        return ""
    structure = parse_structure(text, kind=kind, strict=False)
    label = instruction.provision.lower()
    found = next((p for p in structure.provisions if p.label.lower() == label), None)
    if found is None:
        return None
    return "preamble" if found.kind == PREAMBLE else element_ids(structure)[found.id]


def _instruction(content: etree._Element, modifications: etree._Element, instruction: Instruction,
                 destination: str | None, expression: str, kind: str) -> None:
    n = instruction.number
    mod_id = f"mod_{n}"
    container = add("blockContainer", content, eId=f"instruction_{n}", **{"class": "instruction"})
    add("num", container, f"{n}.")
    mod = add("mod", add("p", container), eId=mod_id)
    quoted_ids = _sentence(mod, instruction)
    record = add("textualMod", modifications, eId=f"textualMod_{n}",
                 type=MODIFICATIONS.get(instruction.action, "substitution"))
    add("source", record, eId=f"textualMod_{n}__source_1", href=f"#{mod_id}")
    target = add("destination", record, eId=f"textualMod_{n}__destination_1",
                 href=f"{expression}/!main" + (f"#{destination}" if destination else ""))
    if destination is None:
        target.set("incomplete", "true")  # the provision addressed is not in the text amended
    if instruction.action == INSERT and instruction.where in POSITIONS:
        target.set("pos", POSITIONS[instruction.where])
    roles = [role for role, _ in quoted_ids] + (["new"] if instruction.block is not None else [])
    hrefs = [eid for _, eid in quoted_ids] + ([f"{mod_id}__qstr_1"] if instruction.block is not None else [])
    for role in ("previous", "old", "new"):  # the order the schema wants them in
        for count, href in enumerate((h for r, h in zip(roles, hrefs) if r == role), start=1):
            add(role, record, eId=f"textualMod_{n}__{role}_{count}", href=f"#{href}")
    if instruction.block is not None:
        structure_id = f"{mod_id}__qstr_1"
        holder = add("quotedStructure", mod, eId=structure_id, startQuote=OPEN, endQuote=CLOSE)
        _quoted_structure(holder, instruction.block, kind, structure_id)


def _sentence(mod: etree._Element, instruction: Instruction) -> list[tuple[str, str]]:
    """The instruction's sentence in ``mod``, its quoted words as ``quotedText``; returns
    each quoted text's role in the ``textualMod`` (``old``, ``new``) and eId."""
    sentence = instruction.text
    # The words acted on are the old text, or, for an insertion, the words it follows or precedes.
    acted_on = "previous" if instruction.action == INSERT else "old"
    wanted = [(words, role) for words, role in ((instruction.words, acted_on), (instruction.to_words, "old"),
                                                (instruction.new, "new")) if words and words != TO_END]
    spans, at = [], 0
    for words, role in wanted:
        found = sentence.find(quoted(words), at)
        if found >= 0:
            spans.append((found, found + len(quoted(words)), role))
            at = found + len(quoted(words))
    spans.sort()
    mod.text, ids = xml_safe(sentence[:spans[0][0]] if spans else sentence), []
    for i, (start, end, role) in enumerate(spans, start=1):
        eid = f"{mod.get('eId')}__qtext_{i}"
        words = add("quotedText", mod, sentence[start + len(OPEN):end - len(CLOSE)], eId=eid, startQuote=OPEN,
                    endQuote=CLOSE)
        words.tail = xml_safe(sentence[end:spans[i][0] if i < len(spans) else len(sentence)])
        ids.append((role, eid))
    return ids


def _quoted_structure(holder: etree._Element, block: str, kind: str, eid: str) -> None:
    """The text an instruction puts in, laid out as a version is (:mod:`.akn`)."""
    structure = parse_structure(block, kind=kind, strict=False)
    layout = Layout(block)
    tops = [p for p in structure.provisions if p.parent is None and p.kind != PREAMBLE]
    layout.paragraphs(holder, word_lines(block, 0, tops[0].start if tops else len(block)))
    write_units(holder, structure, layout, tops, prefix=eid)
    if not len(holder):
        add("p", holder)
    if layout.at < len(block):
        holder.set(END, xml_safe(block[layout.at:]))


def _justification(body: etree._Element, rationale: str, citations: Sequence[CitedQuote]) -> None:
    if not rationale.strip() and not citations:
        return
    justification = add("amendmentJustification", body)
    if rationale.strip():
        holder = add("blockContainer", justification, eId="rationale", **{"class": "rationale"})
        layout = Layout(rationale)
        layout.paragraphs(holder, word_lines(rationale, 0, len(rationale)))
        if layout.at < len(rationale):
            holder.set(END, xml_safe(rationale[layout.at:]))
    if citations:
        holder = add("blockContainer", justification, eId="citations", **{"class": "citations"})
        for i, citation in enumerate(citations, start=1):
            cited = add("p", holder, **{"class": "citation", "refersTo": f"#response_{citation.response}"})
            add("embeddedText", cited, citation.quote, eId=f"citation_{i}", startQuote=OPEN,
                endQuote=CLOSE).tail = " — "
            add("ref", cited, citation.source, eId=f"citation_{i}__ref_1",
                href=citation.href or f"#response_{citation.response}")


