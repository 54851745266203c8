"""Renderings of comparisons and Keeling schedules, in every format regdraft serves.

A *comparison* (version against version, or a version against amendments: see
``services.comparisons``) and a *Keeling schedule* (the version as amended by a chosen
set, conflicting amendments withheld and the conflict stated where it arises) are each
rendered as:

=============  ==================  ==================================================
format         media type          what
=============  ==================  ==================================================
html           text/html           a complete, printable page (no external assets)
fragment       text/html           the same body, to embed in another page
criticmarkup   text/markdown       the merged text with CriticMarkup marks
unified        text/plain          a line-based unified diff
json           application/json    changes grouped by provision (and, for a schedule,
                                   its notes, conflicts, applied and withheld sets)
instructions   text/plain          numbered UK-style amending instructions
docx           (Word)              the changes as Word tracked changes, by proposer
pdf            application/pdf     the .docx laid out for print by LibreOffice
akn            application/akn+xml a single version as an Akoma Ntoso 3.0 act, an
                                   amendment as an AKN amendment document
=============  ==================  ==================================================

A single version (:class:`VersionExport`) renders as ``akn``, ``docx`` and ``pdf``,
and in the text formats as itself against itself (the clean text); comparisons and
schedules render in every format but ``akn``. ``docx``, ``pdf`` and ``akn`` are bytes
(:data:`BINARY`: the first two are not text at all).

:func:`etag_of` is computed before rendering (so a conditional request need not
render) from everything the rendering depends on: the texts' content hashes, each
amendment's slug and patch, the titles, proposers and citations that attributions and
notes show, the format, and the renderer version.

The CLI renders two files with this module and no database: the store's modules are
imported by the functions that query it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from regdraft import json_text
from regdraft.core.conflicts import ConflictPair
from regdraft.core.diffing import TextDiff
from regdraft.core.errors import InvalidInput, PatchDoesNotApply
from regdraft.core.keeling import AmendmentNote, CitationNote, ConflictNotice, Keeling, render_keeling
from regdraft.core.patching import DELETE, EQUAL, INSERT, ApplyResult, apply_patch, parse_patch
from regdraft.core.redline import (END_OF_TEXT, render_criticmarkup, render_html, render_html_chunks, render_page,
                                   render_page_utf8)
from regdraft.core.structure import PREAMBLE, Structure
from regdraft.services.comparisons import (Comparison, Plan, StakeholderNames, amended_where_possible, iso_time,
                                          amendment_key, compare_texts, etag, plan_amendments, provenance,
                                          sources_of)
from regdraft.services.rendering_formats import BINARY, COMPARISON_FORMATS, FORMATS, VERSION_FORMATS

if TYPE_CHECKING:
    from sqlmodel import Session

    from regdraft.formats.write import Provenance
    from regdraft.formats.write.akn_amendment import AmendmentAbout, CitedQuote
    from regdraft.store.models import Amendment, Citation, Decision, Document, Response, Version

# The writers of the outside formats (lxml, python-docx) are imported by the functions
# that write them: an html or json rendering, and the CLI's file commands, do without.

SCHEDULE_STATUSES = ("draft", "proposed", "accepted")
"""The amendments a schedule shows when none are named: every one that is still open
or was accepted (not rejected or withdrawn)."""


@dataclass(frozen=True)
class Links:
    """Where rendered links point: the API by default, web pages when they render."""

    amendment: Callable[[str, str], str] = lambda doc, slug: f"/api/documents/{doc}/amendments/{slug}"
    quote: Callable[[str, str, int, int], str] = (
        lambda doc, slug, start, end: f"/api/documents/{doc}/responses/{slug}#quote-{start}-{end}")


def amendment_url(doc: str, slug: str) -> str:
    """The reviewer page of an amendment (docs/web.md)."""
    return f"/documents/{doc}/amendments/{slug}"


def response_url(doc: str, slug: str) -> str:
    return f"/documents/{doc}/responses/{slug}"


def quote_url(doc: str, response: str, start: int, end: int) -> str:
    """The quoted place in a response's page, which highlights it."""
    return f"{response_url(doc, response)}#quote-{start}-{end}"


def page_links(base: str = "") -> Links:
    """Links to the reviewer pages, under ``base`` (a site such as
    ``https://regdraft.example.org``) for a rendering read away from the site, such as a
    file written by ``regdraft render``."""
    return Links(amendment=lambda doc, slug: base + amendment_url(doc, slug),
                 quote=lambda doc, response, start, end: base + quote_url(doc, response, start, end))


@dataclass(frozen=True)
class KeelingSchedule:
    title: str
    keeling: Keeling
    applied: tuple[str, ...]
    withheld: tuple[str, ...]
    """Amendments left out because they conflict with another chosen one, or because
    the ones applied before them changed the text they change or stand beside."""
    etag: str
    comparison: Comparison
    """The version against the applied amendments, for the text formats."""
    notes: tuple[AmendmentNote, ...]
    """Every chosen amendment, applied or withheld, with its citations."""
    proposed: tuple[tuple[str, str], ...] = ()
    """When each chosen amendment was proposed (slug, ISO 8601): Word dates its note so."""


@dataclass(frozen=True)
class VersionExport:
    """One version itself: a whole document (AKN, Word, PDF), or in the text formats
    the version against itself."""

    about: Provenance
    structure: Structure
    etag: str

    @property
    def comparison(self) -> Comparison:
        name = f"{self.about.document}@{self.about.version}"
        text = self.structure.text
        return compare_texts(name, text, name, text, self.about.kind)


def version_export(session: Session, document: Document, number: int) -> VersionExport:
    from regdraft.services import documents

    version = documents.get_version(session, document, number)
    about = provenance(session, document, version)
    return VersionExport(about, documents.version_structure(session, document, version),
                         etag("version", version.content_hash, repr(about)))


@dataclass(frozen=True)
class AmendmentExport:
    """One amendment as a whole document: an Akoma Ntoso ``amendment`` of the version it
    is made against (formats/write/akn_amendment.py)."""

    about: AmendmentAbout
    base: Structure
    amended: str
    """The base's text with the amendment's patch applied."""
    rationale: str
    citations: tuple[CitedQuote, ...]
    etag: str


AMENDMENT_FORMATS = ("akn",)


def amendment_export(session: Session, document: Document, slug: str) -> AmendmentExport:
    from regdraft.core.amendments import analyse
    from regdraft.formats.write.akn_amendment import AmendmentAbout, CitedQuote
    from regdraft.services import amendments as amendment_service
    from regdraft.services import documents
    from regdraft.store.models import Version

    amendment = amendment_service.get_amendment(session, document, slug)
    base = session.get(Version, amendment.base_version_id)
    cited = tuple(CitedQuote(response.slug, response.title or response.slug, citation.quote,
                             response_url(document.slug, response.slug))
                  for citation, response in amendment_service.citations_of(session, amendment))
    about = AmendmentAbout(amendment.slug, amendment.title, StakeholderNames(session)[amendment.proposer_id],
                           iso_time(amendment.created_at), provenance(session, document, base), amendment.status)
    return AmendmentExport(about, documents.version_structure(session, document, base),
                           analyse(base.text, amendment.patch_text, document.kind).result, amendment.rationale, cited,
                           etag("amendment", amendment_key(amendment), base.content_hash, repr(about), repr(cited),
                                amendment.rationale))


def amendment_redline(session: Session, document: Document, slug: str, version: int | None = None) -> Comparison:
    """A version (by default the amendment's own base) against one amendment applied to it."""
    return plan_amendment_redline(session, document, slug, version).make()


def plan_amendment_redline(session: Session, document: Document, slug: str, version: int | None = None) -> Plan:
    from sqlmodel import select

    from regdraft.services import amendments as amendment_service
    from regdraft.store.models import Version

    amendment = amendment_service.get_amendment(session, document, slug)
    if version is None:
        version = session.exec(select(Version.number).where(Version.id == amendment.base_version_id)).one()
    return plan_amendments(session, document, version, [slug])


def schedule_amendments(session: Session, document: Document, version: int) -> list[str]:
    """The amendments a schedule of ``version`` shows when none are named: those made
    against it that are not rejected or withdrawn, in the order they were proposed."""
    from sqlmodel import select

    from regdraft.services import documents
    from regdraft.store.models import Amendment

    base = documents.get_version(session, document, version)
    return list(session.exec(select(Amendment.slug).where(
        *_in_schedules(document), Amendment.base_version_id == base.id).order_by(Amendment.created_at,
                                                                                Amendment.id)).all())


def schedule_counts(session: Session, document: Document) -> dict[int, int]:
    """How many amendments :func:`schedule_amendments` gives for each version of the
    document that has any (one query, for a page offering every version)."""
    from sqlmodel import func, select

    from regdraft.store.models import Amendment, Version

    return dict(session.exec(select(Version.number, func.count(Amendment.id))
                             .join(Amendment, Amendment.base_version_id == Version.id)
                             .where(*_in_schedules(document)).group_by(Version.number)).all())


def _in_schedules(document: Document) -> tuple:
    """The document's amendments that a schedule shows when none are named."""
    from regdraft.store.models import Amendment

    return Amendment.document_id == document.id, Amendment.status.in_(SCHEDULE_STATUSES)


def keeling_schedule(session: Session, document: Document, version: int, slugs: list[str],
                     links: Links = Links()) -> KeelingSchedule:
    """The version as amended by ``slugs``; amendments that conflict are withheld and
    the conflict is stated where it arises. Conflicts are read off the hunks
    (:func:`amendment_service.conflicts`); an amendment that does not apply after
    those before it is withheld too, naming the applied ones in its way."""
    from regdraft.services import amendments as amendment_service
    from regdraft.services import decisions, documents

    base = documents.get_version(session, document, version)
    chosen = amendment_service.resolve(session, document, slugs)
    amendment_service.check_not_already_in(session, base, chosen)
    # Two amendments that change the same text or provision are the drafter's choice:
    # both are withheld. Two that only stand close together (``context`` conflicts) are
    # applied in order, and the one that no longer finds its words is withheld below.
    pairs = amendment_service.conflicts(session, document, chosen, context=False)
    withheld = {name for pair in pairs for name in (pair.first, pair.second)}
    base_structure = documents.version_structure(session, document, base)
    history, left_out = amended_where_possible(base, [a for a in chosen if a.slug not in withheld], document.kind,
                                               base_structure)
    _check_each_applies_alone(base, [amendment for amendment, _ in left_out])
    withheld |= {amendment.slug for amendment, _ in left_out}
    to_apply = [a for a in chosen if a.slug not in withheld]
    applied = [a.slug for a in to_apply]
    final = history.current
    final_structure = documents.structure_of(document, final)
    diff = history.diff(final_structure)
    del history  # each step's runs: the diff holds what the rendering needs (issue 17, target 5)
    notices = _conflict_notices(pairs, left_out, chosen, withheld, base.text, diff, final_structure) if withheld else []
    citations = amendment_service.citations_of_each(session, chosen)
    reasons = decisions.latest_each(session, chosen)
    names = StakeholderNames(session).read({a.proposer_id for a in chosen} | {
        response.stakeholder_id for cited in citations.values() for _, response in cited})
    notes = {a.slug: _amendment_note(document, a, citations[a.id], links, names, reasons.get(a.id))
             for a in chosen}
    keeling = render_keeling(diff, notes, notices)
    tag = etag("keeling", document.kind, base.content_hash, *map(amendment_key, chosen))
    name = f"{document.slug}@{base.number}"
    comparison = Comparison(name, name + "".join(f"+{s}" for s in applied), base.text, final, diff,
                            sources_of(session, to_apply, names), tag, document.kind, base_structure,
                            provenance(session, document, base), new_structure=final_structure)
    return KeelingSchedule(f"{document.title}: Keeling schedule of version {base.number}", keeling,
                           tuple(applied), tuple(a.slug for a in chosen if a.slug in withheld),
                           tag, comparison, tuple(notes.values()),
                           tuple((a.slug, iso_time(a.created_at)) for a in chosen))


def _check_each_applies_alone(base: Version, amendments: list[Amendment]) -> None:
    """An amendment that does not apply to the version even on its own is an error, as
    it is in any comparison; one that the amendments before it got in the way of is a
    conflict the schedule states."""
    for amendment in amendments:
        alone = apply_patch(parse_patch(amendment.patch_text), base.text)
        if not alone.ok:
            raise PatchDoesNotApply(f"amendment {amendment.slug!r} does not apply to version {base.number}",
                                    amendment=amendment.slug, hunks=[h.as_dict() for h in alone.hunks])


def _conflict_notices(pairs: list[ConflictPair], left_out: list[tuple[Amendment, ApplyResult]],
                      chosen: list[Amendment], withheld: set[str], base: str, diff: TextDiff,
                      structure: Structure) -> list[ConflictNotice]:
    """A notice for each conflicting pair, before the first provision of the amended
    text (``final``) that both change, or where the first of them would have acted; and
    for each amendment left out because it no longer applied, where it would have acted."""
    notices = []
    for pair in pairs:
        labels = ", ".join(label for _, label in pair.provisions) or "the same text"
        message = (f"Conflict: amendments “{pair.first}” and “{pair.second}” both change {labels}. "
                   f"Neither is applied in this schedule; the drafter must choose.")
        place = next((pid for pid, _ in pair.provisions if pid in structure), None)
        first = next(a for a in chosen if a.slug == pair.first)
        notices.append(ConflictNotice(place or _place_of(first, base, diff, structure), message))
    position = {a.slug: i for i, a in enumerate(chosen)}
    for amendment, result in left_out:
        before = [a for a in chosen[:position[amendment.slug]] if a.slug not in withheld]
        culprits = _in_the_way(amendment, result, before) or before
        message = (f"Conflict: amendment “{amendment.slug}” does not apply after "
                   + ", ".join(f"“{a.slug}”" for a in culprits)
                   + ", which change the text it changes or stands beside. It is not applied in this schedule; "
                     "the drafter must choose, or rebase it.")
        notices.append(ConflictNotice(_place_of(amendment, base, diff, structure), message))
    return notices


def _in_the_way(amendment: Amendment, result: ApplyResult, applied: list[Amendment]) -> list[Amendment]:
    """Those of ``applied`` (against the same version) that change text inside the
    context of a hunk of ``amendment`` that failed: the text it looked for and did not
    find."""
    hunks = parse_patch(amendment.patch_text).hunks
    looked_for = [hunks[r.index].looks_for for r in result.hunks if not r.applied]
    return [other for other in applied if other.base_version_id == amendment.base_version_id and any(
        hunk.start <= end and start <= hunk.end for hunk in parse_patch(other.patch_text).hunks
        for start, end in looked_for)]


def _place_of(amendment: Amendment, base: str, diff: TextDiff, structure: Structure) -> str:
    """Where a withheld amendment would have acted, in the amended text: the provision
    at the start of the line of its first change (found by applying it to the base
    alone), or :data:`END_OF_TEXT` when that is after the last provision."""
    alone = apply_patch(parse_patch(amendment.patch_text), base, partial=True).text or base
    changed_at = next((i for i, (x, y) in enumerate(zip(base, alone)) if x != y), min(len(base), len(alone)))
    at = _new_offset(diff, base.rfind("\n", 0, changed_at) + 1)
    if not structure.text[at:].strip():
        return END_OF_TEXT
    hit = structure.at(at)
    return hit.id if hit is not None else PREAMBLE


def _new_offset(diff: TextDiff, old_offset: int) -> int:
    """Where an offset of the diff's old text stands in its new text."""
    old_at = new_at = 0
    for op in (op for group in diff.groups for op in group.ops):
        size = len(op.text)
        if op.kind != INSERT and old_offset < old_at + size:
            return new_at + (old_offset - old_at if op.kind == EQUAL else 0)
        old_at += size if op.kind != INSERT else 0
        new_at += size if op.kind != DELETE else 0
    return new_at


def _amendment_note(document: Document, amendment: Amendment, citations: list[tuple[Citation, Response]],
                    links: Links, names: StakeholderNames, decision: Decision | None) -> AmendmentNote:
    notes = tuple(CitationNote(names[response.stakeholder_id], citation.quote,
                               links.quote(document.slug, response.slug, citation.start, citation.end))
                  for citation, response in citations)
    return AmendmentNote(amendment.slug, amendment.title, names[amendment.proposer_id],
                         links.amendment(document.slug, amendment.slug), notes, amendment.status,
                         decision.reason if decision is not None else "")


# Formats -----------------------------------------------------------------------------

Rendered = Comparison | KeelingSchedule | VersionExport | AmendmentExport


def etag_of(subject: Rendered | Plan, format: str) -> str:
    """A strong entity tag for ``subject`` rendered as ``format``, without rendering it
    (and, for a comparison's :class:`Plan`, without diffing)."""
    if isinstance(subject, (VersionExport, AmendmentExport)):
        return etag("rendering", format, subject.etag)
    if isinstance(subject, KeelingSchedule):
        shown = [subject.title, subject.applied, subject.withheld, subject.notes,
                 [(n.provision, n.message) for n in subject.keeling.conflicts]]
        return etag("rendering", format, subject.etag, repr(shown))
    return etag("rendering", format, subject.etag, repr(sorted(subject.sources.items())))


INSTRUCTION_WORK = 50_000_000
"""Characters of text that making the amending instructions of one request may read
(core/budget.py; the API sets it, the CLI does not): each instruction tried costs the
length of the text it is tried on, so this is about 500 changes to a 100 000-character
regulation, about 10 s of work."""


def formats_of(subject: Rendered) -> tuple[str, ...]:
    if isinstance(subject, AmendmentExport):
        return AMENDMENT_FORMATS
    return tuple(FORMATS) if isinstance(subject, VersionExport) else COMPARISON_FORMATS


def render(subject: Rendered, format: str, *, title: str = "") -> str | bytes:
    """``subject`` in ``format`` (a key of :data:`FORMATS`; bytes for ``docx``, ``pdf``
    and ``akn``). ``title`` heads an html page or Word document of a comparison (a
    schedule has its own)."""
    return _render(subject, format, title=title, utf8=False)


def render_utf8(subject: Rendered, format: str, *, title: str = "") -> bytes:
    """:func:`render` as the bytes a response sends (text in UTF-8). A comparison's
    html redline is made as UTF-8 and never held as a str, which for a text with an em
    dash takes twice the room: what a cache of responses keeps is half the size. A json
    rendering is written as UTF-8 too, not decoded to be encoded again."""
    rendered = _render(subject, format, title=title, utf8=True)
    return rendered.encode() if isinstance(rendered, str) else rendered


def _render(subject: Rendered, format: str, *, title: str, utf8: bool) -> str | bytes:
    if format not in formats_of(subject):
        raise InvalidInput(f"format {format!r} is not offered for this rendering; offered: "
                           + ", ".join(formats_of(subject)), field="format")
    if isinstance(subject, VersionExport):
        return _render_version(subject, format, title=title)
    if isinstance(subject, AmendmentExport):
        from regdraft.core.instructions import generate
        from regdraft.formats.write.akn_amendment import write_amendment

        kind = subject.about.base.kind
        return write_amendment(subject.base, generate(subject.base.text, subject.amended, kind=kind), subject.about,
                               rationale=subject.rationale, citations=subject.citations)
    if format in ("docx", "pdf"):
        if isinstance(subject, KeelingSchedule):
            docx = _comparison_docx(subject.comparison, subject.title, f"{subject.comparison.old_name} as amended "
                                    f"by {_count(len(subject.applied), 'amendment')}",
                                    {note.slug: note for note in subject.notes}, dict(subject.proposed))
        else:
            docx = _comparison_docx(subject, title or "Redline", f"{subject.old_name} → {subject.new_name}",
                                    {slug: AmendmentNote(slug, source.title, source.proposer, "", ())
                                     for slug, source in subject.sources.items()})
        return docx if format == "docx" else _pdf(docx)
    if isinstance(subject, KeelingSchedule):
        return _render_schedule(subject, format, utf8=utf8)
    comparison = subject
    if format in ("html", "fragment"):
        # In UTF-8 the page is joined once, around the fragment's chunks (of which the
        # spliced ones are views of the stored rendering): the fragment is never held
        # whole beside the page.
        body, changes = (render_html_chunks if utf8 or format == "html" else render_html)(
            comparison.diff, sources=comparison.sources, rendering=comparison.rendering_to_splice())
        if format == "fragment":
            return b"".join(body) if utf8 else body
        return (render_page_utf8 if utf8 else render_page)(title or _redline_title(comparison), body,
                                                           subtitle=_summary(comparison, len(changes)))
    if format == "criticmarkup":
        return render_criticmarkup(comparison.diff, sources=comparison.sources)
    if format == "unified":
        return comparison.unified()
    if format == "json":
        body = comparison.json_utf8()
        return body if utf8 else body.decode()
    return comparison.instructions()


def _render_version(export: VersionExport, format: str, *, title: str = "") -> str | bytes:
    if format == "akn":
        from regdraft.formats.write.akn import write_act

        return write_act(export.structure, export.about)
    if format in ("docx", "pdf"):
        from regdraft.formats.write.docx import version_docx

        docx = version_docx(export.structure.text, export.about)
        return docx if format == "docx" else _pdf(docx)
    return render(export.comparison, format, title=title or f"{export.about.title}: version {export.about.version}")


def _pdf(docx: bytes) -> bytes:
    from regdraft.formats.write.pdf import pdf_from_docx

    return pdf_from_docx(docx)


def _comparison_docx(comparison: Comparison, title: str, subtitle: str,
                     notes: dict[str, AmendmentNote], proposed: dict[str, str] | None = None) -> bytes:
    """The comparison with its changes as Word revisions: an amendment's by its
    proposer, dated when it was proposed; a direct edit's by the version's author.
    Each amendment's note (its title, proposer and, in a schedule, its citations) is a
    Word comment on its first change, dated by its proposal (``proposed``, for those
    withheld, which made no change)."""
    from regdraft.formats.write import Revision
    from regdraft.formats.write.docx import comparison_docx

    revisions = {slug: Revision(note.proposer, (proposed or {}).get(slug, "")) for slug, note in notes.items()}
    revisions.update({slug: Revision(source.proposer, source.proposed) for slug, source in comparison.sources.items()})
    revisions.update(comparison.editors)
    pieces = [(op.kind, op.text, op.source) for group in comparison.diff.groups for op in group.ops]
    return comparison_docx(pieces, title=title, subtitle=subtitle,
                           revisions=revisions, base=comparison.base, new_hash=comparison.new_hash,
                           old_hash=comparison.old_hash, notes=notes)


def _render_schedule(schedule: KeelingSchedule, format: str, *, utf8: bool) -> str | bytes:
    comparison, keeling = schedule.comparison, schedule.keeling
    conflicts = [notice.message for notice in keeling.conflicts]
    if format in ("html", "fragment"):  # made in UTF-8, as the schedule's body is
        if format == "html":
            made = render_page_utf8(schedule.title, keeling.body, notes_html=keeling.notes,
                                    subtitle=_schedule_summary(schedule))
        else:
            made = keeling.body + ("\n<section class=\"rd-notes-section\" aria-label=\"Notes\">\n<h2>Notes</h2>\n"
                                   f"{keeling.notes}\n</section>".encode() if keeling.notes else b"")
        return made if utf8 else made.decode("utf-8", "surrogatepass")
    if format == "criticmarkup":
        notices: dict[str, list[str]] = {}
        for notice in keeling.conflicts:
            notices.setdefault(notice.provision, []).append(notice.message)
        return render_criticmarkup(comparison.diff, sources=comparison.sources, notices=notices)
    if format == "unified":
        # Text before the first "---" line is ignored by patch tools, as git's headers are.
        return "".join(f"{message}\n" for message in conflicts) + ("\n" if conflicts else "") + comparison.unified()
    if format == "json":
        return _json({**comparison.as_json(), "title": schedule.title, "applied": list(schedule.applied),
                      "withheld": list(schedule.withheld),
                      "conflicts": [{"provision": n.provision, "message": n.message} for n in keeling.conflicts],
                      "notes": [{"number": c.number, "provision": c.provision, "label": c.label,
                                 "amendment": c.source, "deleted": c.deleted, "inserted": c.inserted}
                                for c in keeling.changes],
                      "amendments": [{"slug": n.slug, "title": n.title, "proposer": n.proposer, "href": n.href,
                                      "status": n.status, "reason": n.reason,
                                      "citations": [{"stakeholder": c.stakeholder, "quote": c.quote,
                                                     "href": c.href} for c in n.citations]}
                                     for n in schedule.notes]}, utf8)
    # A Markdown heading: the instructions parser passes over it, so the text still parses.
    return "".join(f"# {message}\n\n" for message in conflicts) + comparison.instructions()


def _json(value: dict, utf8: bool) -> str | bytes:
    return json_text.pretty_utf8(value) if utf8 else json_text.pretty(value)


def _redline_title(comparison: Comparison) -> str:
    return f"Redline: {comparison.old_name} → {comparison.new_name}"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def _summary(comparison: Comparison, changes: int) -> str:
    """What a redline page compares, how much changed, and whose changes they are."""
    stats = comparison.diff.stats()
    parts = [f"{comparison.old_name} → {comparison.new_name}",
             f"{_count(changes, 'change')} in "
             f"{_count(stats['added'] + stats['removed'] + stats['changed'], 'provision')}"]
    parts += [f"{slug}: {source.title} ({source.proposer})" for slug, source in comparison.sources.items()]
    return "; ".join(parts)


def _schedule_summary(schedule: KeelingSchedule) -> str:
    chosen = len(schedule.applied) + len(schedule.withheld)
    parts = [f"{schedule.comparison.old_name} as amended by {len(schedule.applied)} of "
             f"{_count(chosen, 'chosen amendment')}"
             + (f" ({', '.join(schedule.applied)})" if schedule.applied else ""),
             f"{_count(len(schedule.keeling.changes), 'change')}, each with a numbered note"]
    if schedule.withheld:
        parts.append(f"{_count(len(schedule.keeling.conflicts), 'conflict')} stated in place; not applied: "
                     + ", ".join(schedule.withheld))
    return "; ".join(parts)
