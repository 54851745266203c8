"""Citations: what an amendment quotes from the consultation's responses, each quote
checked against its response and anchored where it stands (or refused, with why)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from regdraft.core.anchors import FoldedText
from regdraft.core.errors import InvalidInput, NotFound, QuoteNotFound, RegdraftError
from regdraft.services import documents
from regdraft.store.models import Document, Response

MAX_CITATIONS = 20
"""Citations one amendment may make: each is anchored in its response when proposed."""
MAX_QUOTE_CHARS = 2000
"""The longest quote a citation may make (a paragraph or two of a response)."""


@dataclass
class QuoteMinimum:
    """How much a citation must quote, unless its words stand only once in the response:
    one common word ("profit") stands in many places and says nothing of which it means.
    Set from ``REGDRAFT_CITATION_MIN_WORDS`` and ``REGDRAFT_CITATION_MIN_CHARS``."""

    words: int = 3
    chars: int = 12

    def set_from(self, settings) -> None:
        self.words, self.chars = settings.citation_min_words, settings.citation_min_chars

    def met_by(self, quote: str) -> bool:
        return len(quote.split()) >= self.words and len(" ".join(quote.split())) >= self.chars


QUOTE_MINIMUM = QuoteMinimum()


@dataclass(frozen=True)
class CitationInput:
    response: str
    quote: str


@dataclass(frozen=True)
class Anchored:
    """A citation's quote where it stands in its response (offsets, and the words either side)."""

    response_id: int
    response_hash: str
    """The response text's hash when the quote was anchored in it."""
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class CitationCheck:
    """One citation verified against its response as proposing verifies it: where its
    quote stands, or the error proposing would refuse it with."""

    number: int
    """Numbered from 1, as the errors number them."""
    citation: CitationInput
    response: Response | None = None
    anchored: Anchored | None = None
    refusal: RegdraftError | None = None


def check_citations(session: Session, document: Document, citations: list[CitationInput]) -> list[CitationCheck]:
    """Each citation anchored in its response, or refused (no such response, a quote not
    in it, too short a quote standing in several places); each response is read and
    folded once, however many citations quote it."""
    checks = []
    folded: dict[str, tuple[Response, FoldedText]] = {}
    for number, citation in enumerate(citations, start=1):
        response = None
        try:
            response, text = _read_response(session, document, folded, number, citation)
            checks.append(CitationCheck(number, citation, response, _anchor(text, response, number, citation)))
        except (NotFound, QuoteNotFound, InvalidInput) as refusal:
            checks.append(CitationCheck(number, citation, response, refusal=refusal))
    return checks


def refused(checks: list[CitationCheck]) -> None:
    """Raise the first citation's refusal, if one is refused."""
    refusal = next((check.refusal for check in checks if check.refusal is not None), None)
    if refusal is not None:
        raise refusal


def anchor_citations(session: Session, document: Document, citations: list[CitationInput]) -> list[Anchored]:
    """Each citation anchored in its response; the first refused is raised."""
    checks = check_citations(session, document, citations)
    refused(checks)
    return [check.anchored for check in checks]


def _read_response(session: Session, document: Document, folded: dict[str, tuple[Response, FoldedText]],
                   number: int, citation: CitationInput) -> tuple[Response, FoldedText]:
    """The response citation ``number`` quotes, and its text folded (kept in ``folded``)."""
    if citation.response not in folded:
        response = documents.find_response(session, document, citation.response)
        if response is None:
            raise NotFound(f"citation {number}: document {document.slug!r} has no response "
                           f"{citation.response!r}", citation=number, response=citation.response)
        folded[citation.response] = response, FoldedText(response.text)
    return folded[citation.response]


def _anchor(text: FoldedText, response: Response, number: int, citation: CitationInput) -> Anchored:
    """Citation ``number`` anchored in its response's folded ``text``."""
    try:
        anchor = text.find(citation.quote)
    except QuoteNotFound as exc:
        raise QuoteNotFound(f"citation {number}: {exc.message} in response {citation.response!r}",
                            citation=number, response=citation.response, quote=citation.quote) from None
    if not QUOTE_MINIMUM.met_by(citation.quote) and text.occurrences(citation.quote) > 1:
        raise InvalidInput(f"citation {number}: the quote {citation.quote!r} stands in several places of response "
                           f"{citation.response!r}: quote at least {QUOTE_MINIMUM.words} words and "
                           f"{QUOTE_MINIMUM.chars} characters, or words that stand in one place only",
                           field="citations", citation=number, response=citation.response,
                           min_words=QUOTE_MINIMUM.words, min_chars=QUOTE_MINIMUM.chars)
    return Anchored(response.id, response.content_hash, citation.quote, anchor.start, anchor.end, anchor.prefix,
                    anchor.suffix)
