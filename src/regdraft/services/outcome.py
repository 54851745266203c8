"""The consultation's outcome, as a government response sets it out: for each provision
an amendment touches, in drafting order, who responded (with their stance and the
passages they wrote that the amendments cite, each linked to the quoted place), the
amendments proposed, and what was decided, by whom, when and why, in the words of the
decision's record. Responses no amendment cites are listed after, so every respondent
is accounted for.

:func:`outcome` gathers it; :func:`render_markdown`, :func:`render_html` and
:func:`as_json` write it. Every word of it comes from the store: the titles, stances,
quotes and reasons are the records' own, never written here.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import asdict, dataclass

from sqlmodel import Session

from regdraft.core.redline import PAGE_CSS
from regdraft.services import amendments as amendment_service
from regdraft.services import decisions, documents, xref
from regdraft.services.rendering import amendment_url, quote_url, response_url
from regdraft.store.models import Amendment, Document, Response, Stakeholder

#: How the outcome names each status: the government's words, not the workflow's.
VERDICTS = {"accepted": "Adopted", "rejected": "Rejected", "withdrawn": "Withdrawn", "fallen": "Fell",
            "proposed": "Not yet decided", "draft": "Not yet decided (a draft)"}
FORMATS = {"json": "application/json", "html": "text/html", "md": "text/markdown"}
"""Each format of an outcome, by path suffix, and its media type."""


@dataclass(frozen=True)
class Passage:
    quote: str
    href: str
    """The quoted place in the response's page."""
    amendments: tuple[str, ...]
    """The amendments (here) that cite it."""


@dataclass(frozen=True)
class Responded:
    """A response and who wrote it."""

    stakeholder: str
    name: str
    stance: str
    response: str
    title: str
    href: str


@dataclass(frozen=True)
class Respondent(Responded):
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Decided:
    slug: str
    title: str
    href: str
    proposer: str
    status: str
    verdict: str
    reason: str
    by: str
    at: str
    """The decision's date (YYYY-MM-DD), empty when never decided."""
    version: int | None
    """The version its acceptance produced."""
    cause: str | None
    """For a fall: the amendment whose adoption it fell with."""


@dataclass(frozen=True)
class ProvisionOutcome:
    id: str
    label: str
    respondents: tuple[Respondent, ...]
    amendments: tuple[Decided, ...]


@dataclass(frozen=True)
class Outcome:
    document: str
    title: str
    responses: int
    stakeholders: int
    decided: dict[str, int]
    """Amendments by verdict, in the order of :data:`VERDICTS`."""
    provisions: tuple[ProvisionOutcome, ...]
    uncited: tuple[Responded, ...]
    """The responses no amendment cites."""


def outcome(session: Session, document: Document) -> Outcome:
    rows, _ = amendment_service.list_amendments(session, document, limit=10_000)
    hunks = amendment_service.hunks_of_each(session, rows)
    citations = amendment_service.citations_of_each(session, rows)
    latest = decisions.latest_each(session, rows)
    produced = {a.id: amendment_service.produced_version(session, a) for a in rows if a.status == "accepted"}
    names: dict[int, Stakeholder] = {}

    def stakeholder(stakeholder_id: int) -> Stakeholder:
        if stakeholder_id not in names:
            names[stakeholder_id] = session.get(Stakeholder, stakeholder_id)
        return names[stakeholder_id]

    by_provision: dict[str, list[Amendment]] = {}
    labels: dict[str, str] = {}
    for amendment in rows:
        for _, links in hunks[amendment.id]:
            if links:  # the provision a hunk is about is its first
                labels.setdefault(links[0].provision_id, links[0].label)
                if amendment not in by_provision.setdefault(links[0].provision_id, []):
                    by_provision[links[0].provision_id].append(amendment)
    order = xref.provision_order(session, document, list(by_provision))
    provisions = []
    for pid in sorted(by_provision, key=lambda p: order[p]):
        chosen = sorted(by_provision[pid], key=lambda a: (a.created_at, a.slug))
        provisions.append(ProvisionOutcome(pid, labels[pid], _respondents(document, chosen, citations, stakeholder),
                                           tuple(_decided(document, a, latest.get(a.id), produced.get(a.id),
                                                          stakeholder, session) for a in chosen)))
    responses = documents.list_responses(session, document)
    cited = {response.id for cited_ in citations.values() for _, response in cited_}
    uncited = tuple(_responded(document, r, stakeholder(r.stakeholder_id)) for r in responses if r.id not in cited)
    verdicts = Counter(VERDICTS[a.status] for a in rows)
    return Outcome(document.slug, document.title, len(responses), len({r.stakeholder_id for r in responses}),
                   {v: verdicts[v] for v in dict.fromkeys(VERDICTS.values()) if verdicts[v]},
                   tuple(provisions), uncited)


def _respondents(document, chosen, citations, stakeholder) -> tuple[Respondent, ...]:
    """Who wrote the passages the amendments cite, in the order first cited."""
    passages: dict[int, dict[tuple[int, int], list]] = {}
    responses = {}
    for amendment in chosen:
        for citation, response in citations[amendment.id]:
            responses[response.id] = response
            place = passages.setdefault(response.id, {}).setdefault((citation.start, citation.end),
                                                                     [citation.quote, []])
            if amendment.slug not in place[1]:
                place[1].append(amendment.slug)
    out = []
    for response_id, places in passages.items():
        response = responses[response_id]
        out.append(Respondent(**asdict(_responded(document, response, stakeholder(response.stakeholder_id))),
                              passages=tuple(Passage(quote, quote_url(document.slug, response.slug, start, end),
                                                     tuple(slugs))
                                             for (start, end), (quote, slugs) in sorted(places.items()))))
    return tuple(out)


def _responded(document: Document, response: Response, who: Stakeholder) -> Responded:
    return Responded(who.slug, who.name, response.stance, response.slug, response.title,
                     response_url(document.slug, response.slug))


def _decided(document, amendment, decision, version, stakeholder, session) -> Decided:
    cause = session.get(Amendment, decision.cause_id).slug if decision and decision.cause_id else None
    return Decided(amendment.slug, amendment.title, amendment_url(document.slug, amendment.slug),
                   stakeholder(amendment.proposer_id).name, amendment.status, VERDICTS[amendment.status],
                   decision.reason if decision else "", decision.actor if decision else "",
                   decision.at.strftime("%Y-%m-%d") if decision else "", version.number if version else None, cause)


# Renderings ----------------------------------------------------------------------------

def as_json(result: Outcome) -> dict:
    return asdict(result)


def _summary(result: Outcome) -> str:
    counts = ", ".join(f"{v.lower()} {n}" for v, n in result.decided.items()) or "none"
    total = sum(result.decided.values())
    return (f"{result.responses} response{'s' if result.responses != 1 else ''} from {result.stakeholders} "
            f"stakeholder{'s' if result.stakeholders != 1 else ''}; {total} amendment{'s' if total != 1 else ''} "
            f"proposed ({counts}).")


def _decision_line(d: Decided) -> str:
    """What was decided, in words: ``Adopted on 2014-06-20 by X (version 2)``."""
    words = d.verdict
    if d.at:
        words += f" on {d.at} by {d.by}"
    if d.version is not None:
        words += f", producing version {d.version}"
    if d.cause:
        words += f", when {d.cause} was adopted"
    return words


def render_markdown(result: Outcome, *, site: str = "") -> str:
    """The outcome as Markdown; links are relative unless ``site`` names the server."""
    out = [f"# Consultation outcome: {result.title}", "", _summary(result), ""]
    for provision in result.provisions:
        out += [f"## {provision.label[:1].upper()}{provision.label[1:]}", "", "### What was decided", ""]
        for d in provision.amendments:
            out.append(f"- **{_decision_line(d)}**: [{d.title}]({site}{d.href}) (`{d.slug}`), proposed by "
                       f"{d.proposer}.")
            if d.reason:
                out.append(f"  Why: {d.reason}")
        out += ["", "### Who responded", ""]
        if not provision.respondents:
            out += ["No consultation response is cited.", ""]
        for r in provision.respondents:
            stance = f" (stance: {r.stance})" if r.stance else ""
            out.append(f"- **{r.name}**{stance}, in [{r.title}]({site}{r.href}):")
            for p in r.passages:
                out.append(f"  - “{p.quote}” ([the passage]({site}{p.href})), cited by "
                           f"{', '.join(f'`{s}`' for s in p.amendments)}")
        out.append("")
    if result.uncited:
        out += ["## Responses no amendment cites", ""]
        out += [f"- **{u.name}**" + (f" (stance: {u.stance})" if u.stance else "") + f", in [{u.title}]({site}{u.href})"
                for u in result.uncited]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_html_body(result: Outcome) -> str:
    """The outcome as an HTML fragment: every record's text escaped."""
    e = html.escape
    out = [f"<p class=\"rd-summary\">{e(_summary(result))}</p>"]
    for provision in result.provisions:
        out.append(f'<section class="rd-provision" id="outcome-{e(provision.id)}">'
                   f"<h2>{e(provision.label[:1].upper() + provision.label[1:])}</h2><h3>What was decided</h3><ul>")
        for d in provision.amendments:
            why = f'<blockquote class="rd-reason"><p>{e(d.reason)}</p></blockquote>' if d.reason else ""
            out.append(f'<li class="rd-decided rd-{e(d.status)}"><strong>{e(_decision_line(d))}</strong>: '
                       f'<a href="{e(d.href)}">{e(d.title)}</a> (<code>{e(d.slug)}</code>), proposed by '
                       f"{e(d.proposer)}.{why}</li>")
        out.append("</ul><h3>Who responded</h3>")
        if not provision.respondents:
            out.append("<p>No consultation response is cited.</p>")
        out.append("<ul>")
        for r in provision.respondents:
            stance = f" (stance: {e(r.stance)})" if r.stance else ""
            passages = "".join(f'<li><q>{e(p.quote)}</q> (<a href="{e(p.href)}">the passage</a>), cited by '
                               + ", ".join(f"<code>{e(s)}</code>" for s in p.amendments) + "</li>"
                               for p in r.passages)
            out.append(f'<li><strong>{e(r.name)}</strong>{stance}, in <a href="{e(r.href)}">{e(r.title)}</a>:'
                       f"<ul>{passages}</ul></li>")
        out.append("</ul></section>")
    if result.uncited:
        out.append("<section><h2>Responses no amendment cites</h2><ul>")
        out += [f"<li><strong>{e(u.name)}</strong>" + (f" (stance: {e(u.stance)})" if u.stance else "")
                + f', in <a href="{e(u.href)}">{e(u.title)}</a></li>' for u in result.uncited]
        out.append("</ul></section>")
    return "\n".join(out)


def render_html(result: Outcome) -> str:
    """A complete, printable page (no external assets)."""
    title = f"Consultation outcome: {result.title}"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
            f"<header class=\"rd-head\"><h1>{html.escape(title)}</h1></header>\n<main>\n"
            f"{render_html_body(result)}\n</main>\n</body>\n</html>\n")
