"""Request and response bodies of the HTTP API.

``XCreate`` / ``XPut`` are what a client sends, ``XPublic`` what it gets back (``XSummary``
where a list shows less than the single resource). They are plain Pydantic models, not
the store's tables: the API's shape can change without a migration and the tables can
change without breaking clients. Allowed values (statuses, categories) come from the
services, which also check them, so the schema and the checks cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from regdraft.api.errors import Problem
from regdraft.core.policy import check_text, check_url
from regdraft.core.traditions import KINDS
from regdraft.services.amendments import MAX_CATEGORIES, MAX_CITATIONS, MAX_NAMED, MAX_QUOTE_CHARS, STATUSES
from regdraft.services.documents import MAX_CATEGORY_CHARS, MAX_DOCUMENT_CATEGORIES
from regdraft.services.batches import MAX_DECISIONS
from regdraft.services.comments import MAX_BODY as COMMENT_MAX_BODY
from regdraft.services.comments import MAX_QUOTE as COMMENT_MAX_QUOTE
from regdraft.services.comments import MAX_REASON as COMMENT_MAX_REASON
from regdraft.services.decisions import MAX_REASON

_SLUG = {"pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80}

#: The largest version number, revision or offset the API takes: both databases store
#: them as 32-bit integers, so a larger one is refused here (422) rather than overflowing.
MAX_NUMBER = 2**31 - 1
#: A version number or revision in a request body.
Number = Annotated[int, Field(ge=1, le=MAX_NUMBER)]


#: The characters of the Basic Multilingual Plane that the text policy refuses, as a
#: character class for a pattern (``core.policy``: controls, invisible and reordering
#: characters, private use, noncharacters). Lone surrogates are refused too, but a
#: pattern cannot name them: no regular expression engine over code points takes them.
REFUSED_CHARACTERS = (r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u180e\u200b\u2028\u2029"
                      r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ue000-\uf8ff\ufdd0-\ufdef\ufeff"
                      r"\ufff9-\ufffb\ufffe\uffff")
TEXT_PATTERN = f"^[^{REFUSED_CHARACTERS}]*$"
#: A text that must say something: at least one character that is not whitespace.
SAID_PATTERN = f"^[^{REFUSED_CHARACTERS}]*[^{REFUSED_CHARACTERS}\\s][^{REFUSED_CHARACTERS}]*$"

#: A version's text: something besides the blanks and line ends that normalising removes.
VERSION_TEXT_PATTERN = f"^[^{REFUSED_CHARACTERS}]*[^{REFUSED_CHARACTERS} \t\n\r][^{REFUSED_CHARACTERS}]*$"


def _said(description: str | None = None, **kw: Any) -> Any:
    """A text that may not be blank (a title, a name)."""
    return Field(description=description, json_schema_extra={"pattern": SAID_PATTERN}, **kw)


def _slug_field(description: str, **kw: Any) -> Any:
    # The pattern is documented, not enforced here: the service checks slugs and says
    # which one is wrong (``field``), so the error is the same from the API and the CLI.
    return Field(description=description, json_schema_extra=dict(_SLUG), **kw)


def _state_the_text_policy(schema: dict[str, Any]) -> None:
    """Every string of a request body says, as its ``pattern``, the characters the
    text policy refuses (those of the Basic Multilingual Plane: a pattern's character
    class is read in UTF-16 by some tools), so that what a client builds from the
    contract is not refused for them."""
    def state(node: dict) -> None:
        if node.get("type") == "string" and "pattern" not in node and "enum" not in node:
            node["pattern"] = TEXT_PATTERN
        for key in ("anyOf", "oneOf"):
            for option in node.get(key, ()):
                state(option)
        if isinstance(node.get("items"), dict):
            state(node["items"])

    for node in schema.get("properties", {}).values():
        state(node)


class _In(BaseModel):
    """A request body. Every text in it is checked before anything else sees it: no
    control characters or lone surrogates (a 422 ``invalid-text`` naming the field and
    offset), and no raw HTML, the way script gets into pages: the one text policy
    (``core.policy``, docs/security.md) that the pages and the loader apply too."""

    model_config = ConfigDict(json_schema_extra=_state_the_text_policy)

    @field_validator("*", mode="after")
    @classmethod
    def _texts_are_plain(cls, value: Any, info: ValidationInfo) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                check_text(text, info.field_name)
        if info.field_name == "url" and value:
            check_url(value)
        return value


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Page(_Out):
    total: int = Field(description="How many items match, across all pages")
    offset: int
    limit: int


class Health(BaseModel):
    status: str = Field(examples=["ok"])


# Documents -------------------------------------------------------------------------

DocumentKind = Annotated[Literal[KINDS], Field(
    description="The drafting tradition whose units, labels and instructions the document follows: "
                "uk-si (statutory instrument), uk-act (Act of Parliament), us-cfr (a part of the US Code of "
                "Federal Regulations), eu-act (an EU regulation, directive or decision)")]

class CategoryIn(_In):
    slug: str = Field(description="Lower-case letters, digits and single hyphens, 1-32 characters",
                      json_schema_extra={"pattern": _SLUG["pattern"], "maxLength": MAX_CATEGORY_CHARS},
                      examples=["profit-ban"])
    title: str = Field("", description="What the category means, as the pages show it",
                       examples=["Profit-making bodies barred"])


class CategoriesPut(_In):
    categories: list[CategoryIn] = Field(
        description="The document's categories, in order; an empty list lets amendments name any category. "
                    "A category an amendment is filed under cannot be taken away (422)",
        json_schema_extra={"maxItems": MAX_DOCUMENT_CATEGORIES})


class DocumentCreate(_In):
    slug: str = _slug_field("Lower-case letters, digits and single hyphens, 1-80 characters",
                            examples=["children-social-care-delegation"])
    title: str = _said()
    description: str = ""
    notice: str = Field("", description="A warning every reader must see, e.g. that a text is a reconstruction")
    kind: DocumentKind = "uk-si"
    strict: bool = Field(False, description="Refuse versions whose structure draws warnings (422 "
                                            "`invalid-structure`, naming line and unit)")
    categories: list[CategoryIn] = Field([], description="What the consultation files amendments under, in "
                                                         "order; none lets amendments name any category",
                                         json_schema_extra={"maxItems": MAX_DOCUMENT_CATEGORIES})


class VersionRef(_Out):
    number: int
    content_hash: str = Field(description="SHA-256 of the normalised text")


class DocumentSummary(_Out):
    slug: str
    title: str
    description: str
    notice: str
    kind: DocumentKind
    strict: bool
    created_at: datetime
    head: VersionRef | None = Field(description="The latest version; null before the first")
    versions: int = Field(description="Number of versions")


class CategoryPublic(_Out):
    slug: str
    title: str


class DocumentPublic(DocumentSummary):
    categories: list[CategoryPublic] = Field(description="What the consultation files amendments under, in "
                                                         "order; empty: amendments may name any category")
    amendments: dict[str, int] = Field(
        description=f"Number of amendments by status ({', '.join(STATUSES)})",
        examples=[{s: 0 for s in STATUSES}])


class DocumentList(_Page):
    items: list[DocumentSummary]


# Versions --------------------------------------------------------------------------

class VersionCreate(_In):
    text: str = Field(description="The full text (Markdown, see docs/drafting-format.md); it is normalised",
                      json_schema_extra={"pattern": VERSION_TEXT_PATTERN})
    parent: Number | None = Field(description="The head version's number (null for the first version); "
                                           "anything else is a stale parent (409, with the head)")
    author: str | None = Field(None, description="Defaults to the name of the token making the change")
    message: str = ""


class ProvisionPublic(_Out):
    id: str = Field(examples=["reg-3-2-a"])
    label: str = Field(examples=["regulation 3(2)(a)"])
    kind: str = Field(examples=["sub-paragraph"])
    parent: str | None
    start: int = Field(description="Offset of its first character in the text")
    end: int = Field(description="Offset just past its span")
    line: int = Field(description="1-based line where it starts")
    heading: str = ""


class VersionSummary(_Out):
    number: int
    parent: int | None
    author: str
    message: str
    created_at: datetime
    content_hash: str
    produced_by: str | None = Field(description="Slug of the accepted amendment that produced it")


class VersionPublic(VersionSummary):
    text: str
    provisions: list[ProvisionPublic]


class StructureWarningPublic(_Out):
    code: str = Field(description="no-units, duplicate, numbering-gap, numbering-order, quoted-text, "
                                  "amendment-marker or unknown-label", examples=["numbering-gap"])
    message: str = Field(examples=["regulation 6 follows regulation 4: 1 missing between them"])
    line: int = Field(description="1-based line of the text")
    provision_id: str | None = Field(description="The unit it is about, where there is one")


class VersionCreated(VersionSummary):
    counts: dict[str, int] = Field(description="How many units of each kind the version's text was read as",
                                   examples=[{"regulation": 5, "paragraph": 7}])
    warnings: list[StructureWarningPublic] = Field(
        description="What looks wrong in the text for its kind (a strict document refuses these instead)")


class UnitPublic(_Out):
    id: str = Field(examples=["reg-3-2-a"])
    label: str = Field(examples=["regulation 3(2)(a)"])
    kind: str = Field(examples=["sub-paragraph"])
    level: int = Field(description="0 for a unit with no parent")
    parent: str | None
    number: str = Field(description="Its own number as written (3, 2A, a, ii); empty for unnumbered units")
    heading: str
    line: int = Field(description="1-based line where it starts")
    start: int = Field(description="Offset of its first character in the text")
    end: int = Field(description="Offset just past its span")


class StructurePublic(_Out):
    """A version's text as its document's kind reads it: the same as `regdraft structure FILE --format json`."""

    kind: DocumentKind
    metadata: dict[str, Any] = Field(description="The text's own front matter, if it has one")
    counts: dict[str, int]
    units: list[UnitPublic]
    warnings: list[StructureWarningPublic]


class VersionList(_Page):
    items: list[VersionSummary]


# Imports ---------------------------------------------------------------------------

class SourceId(_Out):
    source: str = Field(description="The id the source gives the provision", examples=["regulation-3-2-a"])
    id: str = Field(description="The regdraft id the provision has", examples=["reg-3-2-a"])


class NotUnderstood(_Out):
    element: str = Field(examples=["Tabular"])
    where: str = Field(description="Where it stood in the source", examples=["/Legislation/Secondary/Body/P1[2]"])
    provision: str | None = Field(description="The provision whose text now holds it")
    note: str = ""


class ImportReportPublic(_Out):
    format: str = Field(examples=["clml"])
    units: dict[str, int] = Field(description="Provisions found, by kind", examples=[{"regulation": 5}])
    annotations: int = Field(description="Amendment commentaries kept as annotation lines")
    notes: list[str]
    not_understood: list[NotUnderstood] = Field(description="Elements kept as text and listed, never dropped")


class VersionSourcePublic(_Out):
    format: str
    point_in_time: str = Field(description="The date a revised source's text stood at; empty otherwise")
    metadata: dict[str, str] = Field(description="What the source says of itself: frbr_work, frbr_expression, "
                                                 "source_uri, made...")
    source_ids: list[SourceId]
    report: ImportReportPublic


class ImportPublic(_Out):
    created_document: bool = Field(description="Whether the import created the document (else it added a version)")
    document: DocumentPublic
    version: VersionSummary
    source: VersionSourcePublic


# Diffs -----------------------------------------------------------------------------

class DiffSide(_Out):
    name: str = Field(examples=["children-social-care-delegation@1"])
    hash: str


class TextRange(_Out):
    """Where something stands in one text: ``text[start:end]`` in code points (a Python
    ``str`` index). Where the text holds a character beyond U+FFFF (which a JavaScript
    string counts as two), the UTF-16 offsets for ``String.prototype.slice`` are given
    too; without them they are the same as ``start`` and ``end``."""

    start: int = Field(ge=0, examples=[1834])
    end: int = Field(ge=0, description="Equal to start for an empty range: where a deletion stood in the new "
                                       "text, or an insertion goes in the old", examples=[2068])
    start_utf16: int | None = Field(None, ge=0, description="start in UTF-16 code units (only where it may differ)")
    end_utf16: int | None = Field(None, ge=0, description="end in UTF-16 code units (only where it may differ)")


class ChangedBy(_Out):
    """What made a change: an amendment, or the direct edits of a version (changes no
    accepted amendment made), never one taken for the other."""

    kind: Literal["amendment", "version"]
    slug: str | None = Field(None, description="The amendment's slug (kind amendment)", examples=["profit-ban"])
    number: int | None = Field(None, description="The version whose direct edits made it (kind version)",
                               examples=[3])


class DiffOp(_Out):
    op: str = Field(description="equal, insert or delete", examples=["insert"])
    text: str = Field(description="The stored Markdown it covers (syntax and words together)")
    old: TextRange = Field(description="Where it stands in the old text (empty for an insertion)")
    new: TextRange = Field(description="Where it stands in the new text (empty for a deletion)")
    amendment: str | None = Field(None, description="The slug of the amendment that made this change, where one "
                                                    "did (absent for equal text and for a version's direct edits)")
    by: ChangedBy | None = Field(None, description="What made this change (absent for equal text)")


class DiffSegment(_Out):
    """A piece of one op that a renderer draws one way. The segments of a change, in
    order, rebuild its ops' texts exactly; no segment mixes Markdown syntax with words,
    or stands in two provisions."""

    op: str = Field(description="equal, insert or delete (the op's)", examples=["insert"])
    role: Literal["text", "syntax", "break"] = Field(
        description="text: words to show; syntax: Markdown syntax (see markup); break: line ends")
    markup: Literal["heading", "list", "quote", "indent", "emphasis", "code", "escape", "link"] | None = Field(
        None, description="For syntax: a heading's hashes, a list or quote marker, a line's indent, an emphasis "
                          "delimiter run, a backtick run, an escape's backslash, a link's brackets and target")
    provision: str = Field(description="The innermost provision holding it (in the old text for a deletion)",
                           examples=["reg-5"])
    text: str
    old: TextRange
    new: TextRange
    by: ChangedBy | None = Field(None, description="What made this change (absent for equal text)")


class ProvisionRef(_Out):
    provision: str = Field(description="Provision id", examples=["reg-6"])
    label: str = Field(examples=["regulation 6"])


class Relocated(_Out):
    """Where a provision's text was and where it is now."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    from_: ProvisionRef = Field(alias="from", description="The provision in the old text")
    to: ProvisionRef = Field(description="The provision in the new text")
    similarity: float | None = Field(None, description="A provision moved and edited: how much of its words the "
                                                       "two places share (at least 0.8)")
    edit: list[DiffOp] | None = Field(None, description="A provision moved and edited: the word diff of its text "
                                                        "where it was into its text where it is now")


class ProvisionChange(_Out):
    provision: str = Field(description="Provision id (in the new text; in the old one where it was removed)")
    label: str
    kind: str | None = Field(description="The provision's kind, as the document's tradition names its units "
                                         "(regulation, paragraph, section, part, preamble...); absent only for an id "
                                         "neither text's structure holds (never in a diff regdraft made)",
                      examples=["regulation"])
    status: str = Field(description="added, removed, changed or unchanged")
    old: TextRange = Field(description="The stretch of the old text the change covers")
    new: TextRange = Field(description="The stretch of the new text the change covers")
    ops: list[DiffOp]
    segments: list[DiffSegment] = Field(description="The ops cut into plain-text pieces for a renderer")
    moved: Relocated | None = Field(None, description="Present on both changes of a provision moved elsewhere "
                                                      "(unchanged, or with edits: then with its edit): the "
                                                      "removal (ops all delete) and the arrival (ops all insert)")
    renumbered: Relocated | None = Field(None, description="Present where the only change is the provision's "
                                                           "number: regulation 6 renumbered 7")


class DiffStats(_Out):
    added: int
    removed: int
    changed: int
    inserted_words: int
    deleted_words: int
    moved: int = Field(0, description="Provisions moved elsewhere, unchanged or edited (each counted once)")
    renumbered: int = Field(0, description="Provisions whose only change is their number")


class DiffPublic(_Out):
    """Joining the non-insert ops of all groups gives the old text and the non-delete
    ops the new text, when unchanged groups are included (`unchanged=true`)."""

    old: DiffSide
    new: DiffSide
    stats: DiffStats
    changes: list[ProvisionChange]


class ConflictNoticePublic(_Out):
    provision: str = Field(description="The provision of the amended text where the notice stands")
    message: str


class KeelingNote(_Out):
    """One marked change of a Keeling schedule; its number is the note's number."""

    number: int
    provision: str
    label: str
    amendment: str | None
    deleted: str
    inserted: str


class KeelingCitation(_Out):
    stakeholder: str
    quote: str
    href: str = Field(description="The quoted place in the response")


class KeelingAmendment(_Out):
    slug: str
    title: str
    proposer: str
    href: str
    status: str
    reason: str = Field(description="Why it has its status, from its latest decision (empty if none said)")
    citations: list[KeelingCitation]


class KeelingPublic(DiffPublic):
    """A Keeling schedule as data: the diff of the version against the applied
    amendments, the numbered changes, the conflicts stated in place of the withheld
    amendments, and every chosen amendment with its citations."""

    title: str
    applied: list[str]
    withheld: list[str] = Field(description="Chosen amendments left out because they conflict with another")
    conflicts: list[ConflictNoticePublic]
    notes: list[KeelingNote]
    amendments: list[KeelingAmendment]


# Amendments ------------------------------------------------------------------------

class ProvisionRef(_Out):
    id: str
    label: str


class CitationCreate(_In):
    response: str = Field(description="Slug of a response to this document's consultation")
    quote: str = Field(description="Words of the response; whitespace and quote-mark style may differ",
                       json_schema_extra={"maxLength": MAX_QUOTE_CHARS})


class _AmendmentContent(_In):
    title: str = _said()
    # List limits are stated here and checked by the service, whose problem names the field.
    categories: list[str] = Field(description="Among the document's categories (`categories` of the document; "
                                              "any slugs where it declares none)", json_schema_extra={
        "items": {"type": "string", "pattern": _SLUG["pattern"], "maxLength": MAX_CATEGORY_CHARS},
        "minItems": 1, "maxItems": MAX_CATEGORIES, "uniqueItems": True}, examples=[["profit-ban"]])
    rationale: str = ""
    citations: list[CitationCreate] = Field([], json_schema_extra={"maxItems": MAX_CITATIONS})
    patch_text: str | None = None
    new_text: str | None = None
    instructions: str | None = Field(None, examples=["1. In regulation 3(2), for “any person” substitute “a body”."])


class AmendmentCreate(_AmendmentContent):
    """Give exactly one of `patch_text` (diff-match-patch patch text against the base),
    `new_text` (the base as you want it; regdraft makes the patch) and `instructions`
    (amending instructions in the document's drafting tradition, applied to the base:
    docs/instructions.md). The amendment's `hunks` are the hunk report."""

    slug: str = _slug_field("The amendment's slug, unique in the document", examples=["profit-ban"])
    proposer: str = Field(description="Stakeholder slug")
    base: Number = Field(description="Number of the version the patch applies to exactly")
    status: str = Field("proposed", json_schema_extra={"enum": ["draft", "proposed"]})


class AmendmentRevise(_AmendmentContent):
    """The amendment's next revision, whole: its title, categories, rationale and
    citations as they are to be, and exactly one of `patch_text`, `new_text` and
    `instructions` against `base`. Its slug, proposer and status stay."""

    base: Number | None = Field(None, description="The version the new text amends (default: the amendment's "
                                                  "base; name the head to move it there)")


class HunkPublic(_Out):
    index: int = Field(description="Numbered from 1, as in apply reports")
    header: str = Field(examples=["@@ -120,12 +120,31 @@"])
    provisions: list[ProvisionRef]


class CitationPublic(_Out):
    response: str
    stakeholder: str
    quote: str
    start: int = Field(description="Where the quote stands in the response text")
    end: int


class AmendmentSummary(_Out):
    slug: str
    title: str
    proposer: str
    status: str
    base: int = Field(description="Number of the base version")
    base_hash: str
    categories: list[str]
    revision: int = Field(description="Bumped on every change; also the ETag")
    created_at: datetime
    updated_at: datetime


class DecisionPublic(_Out):
    status: str = Field(description="The status it was given")
    previous: str = Field(description="The status it had before")
    reason: str = Field(description="Why (required to reject)")
    actor: str = Field(description="Who decided: a token's name, or the CLI's actor")
    at: datetime
    revision: int = Field(description="The amendment's revision once decided")
    batch: str | None = Field(None, description="The bulk decision it was part of")
    cause: str | None = Field(None, description="For a fall: the amendment whose acceptance it fell with")


class AmendmentPublic(AmendmentSummary):
    rationale: str
    patch_text: str
    hunks: list[HunkPublic]
    citations: list[CitationPublic]
    produced_version: int | None = Field(description="The version its acceptance created")
    decision: DecisionPublic | None = Field(None, description="The latest decision, with its reason (null if "
                                                              "never decided)")
    decisions: list[DecisionPublic] = Field([], description="Every decision on it, oldest first")
    falls_if: list[str] = Field([], description="The amendments whose acceptance makes it fall")
    fall_with_it: list[str] = Field([], description="The amendments that fall if it is accepted")


class AmendmentList(_Page):
    items: list[AmendmentSummary]


Reason = Annotated[str, Field(description="Why: kept with the decision, in the event log, on the pages, in "
                                          "Keeling notes and exports; required to reject", max_length=MAX_REASON)]


class StatusChange(_In):
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    revision: Number | None = Field(None, description="The revision you saw (or send If-Match); a stale one is "
                                                      "a 409")
    reason: Reason = ""


class AcceptRequest(_In):
    revision: Number | None = None
    reason: Reason = ""


class DecisionItem(_In):
    amendment: str = Field(description="The amendment's slug")
    status: str = Field(json_schema_extra={"enum": [s for s in STATUSES if s != "fallen"]})
    reason: Reason = ""
    revision: Number | None = Field(None, description="The revision you saw; a stale one is a 409")


class DecisionsRequest(_In):
    decisions: list[DecisionItem] = Field(description=f"Taken in this order, all or nothing; each amendment once "
                                                      f"(an exact repeat is dropped), at most {MAX_DECISIONS}",
                                          json_schema_extra={"minItems": 1, "maxItems": MAX_DECISIONS})


class DecidedPublic(_Out):
    amendment: str
    status: str
    previous: str
    reason: str
    version: VersionSummary | None = Field(description="The version an acceptance produced")
    hunks: list[HunkReport] = Field(description="How an acceptance's hunks applied to the head")
    fallen: list[str] = Field(description="Amendments that fell when this one was accepted")


class BatchPublic(_Out):
    batch: str = Field(description="The bulk decision's id: GET .../decisions/{batch} reads it back")
    decisions: list[DecidedPublic]


class FallsIfPut(_In):
    amendments: list[str] = Field(description="Slugs of the amendments whose acceptance makes this one fall "
                                              "(empty: it falls with none)", max_length=MAX_DECISIONS)


class StatusResult(_Out):
    amendment: AmendmentPublic
    version: VersionSummary | None = Field(description="The version created when the status became accepted")


class HunkReport(_Out):
    hunk: int = Field(description="Numbered from 1")
    status: str = Field(description="exact, shifted, fuzzy or failed")
    expected_at: int
    found_at: int | None
    shift: int | None
    score: float | None = Field(None, description="A fuzzy hunk's similarity to the text it looked for (0 to 1)")


class ApplyReport(_Out):
    amendment: str
    version: int
    ok: bool
    hunks: list[HunkReport]
    text: str | None = Field(description="The patched text (with partial=true, even when hunks failed)")
    content_hash: str | None


class ApplyRequest(_In):
    version: Number
    amendments: list[str] = Field(json_schema_extra={"minItems": 1, "maxItems": MAX_NAMED, "uniqueItems": True},
                                  description=f"Amendment slugs, applied in this order: at most {MAX_NAMED}, each "
                                              "once")
    partial: bool = Field(False, description="Apply what applies and report the rest, rather than fail")


class ApplyStep(_Out):
    amendment: str
    ok: bool
    hunks: list[HunkReport]


class ApplySetReport(_Out):
    version: int
    amendments: list[str]
    ok: bool
    steps: list[ApplyStep]
    text: str | None
    content_hash: str | None


class TrialReport(_Out):
    version: int = Field(description="The version the patch was applied to")
    ok: bool = Field(description="Every hunk applied")
    hunks: list[HunkReport]


class CitationCheckPublic(_Out):
    """One citation verified against its response, as proposing verifies it."""

    citation: int = Field(description="Numbered from 1, as in problems")
    response: str
    quote: str
    ok: bool = Field(description="Whether proposing would take it")
    stakeholder: str | None = Field(None, description="Who wrote the response (when it exists)")
    start: int | None = Field(None, description="Where the quote stands in the response text (when found)")
    end: int | None = None
    problem: Problem | None = Field(None, description="When refused: the problem proposing would answer "
                                                      "(`not-found`, `quote-not-found`, `invalid-input`)")


class AmendmentPreview(_Out):
    """What proposing the body would store, with nothing stored: the hunks and their
    report on the base and, when the head has moved on, on the head; each citation's
    check; and the diff of the base into the amended text, as
    `GET …/versions/{base}/diff?amendments={slug}` will give it once proposed."""

    slug: str
    base: int
    base_hash: str
    head: int = Field(description="The head's number when previewed")
    proposable: bool = Field(description="Whether proposing the same body now would store it (every citation "
                                         "is taken; the other checks refuse the preview itself)")
    patch_text: str = Field(description="The patch proposing would store")
    hunks: list[HunkPublic] = Field(description="The hunks and the provisions each touches, as the amendment's")
    on_base: TrialReport
    on_head: TrialReport | None = Field(description="Applied to the head (fuzzily, as accepting would); null when "
                                                    "the base is the head")
    citations: list[CitationCheckPublic]
    diff: DiffPublic


class ConflictPublic(_Out):
    first: str
    second: str
    kind: str = Field(description="duplicate (the same change, byte for byte, on the same base), overlap (their "
                                  "text overlaps or meets), same-provision, or context (one changes the words the "
                                  "other's hunk looks for, and one does not apply after the other)")
    provisions: list[ProvisionRef]


class ConflictList(_Out):
    amendments: list[str] = Field(description="The amendments compared")
    conflicts: list[ConflictPublic]


# Cross-references ------------------------------------------------------------------

class ProvisionAmendment(_Out):
    slug: str
    title: str
    status: str
    proposer: str
    hunks: list[HunkPublic]
    citations: list[CitationPublic]


class ProvisionXref(_Out):
    provision: str
    label: str | None
    in_head: bool = Field(description="Whether the head version has this provision")
    amendments: list[ProvisionAmendment]


class StakeholderPut(_In):
    name: str = Field(min_length=1, examples=["Association of Directors of Children's Services"])
    kind: str = ""


class StakeholderPublic(_Out):
    slug: str
    name: str
    kind: str


class StakeholderList(_Page):
    items: list[StakeholderPublic]


class StakeholderDetail(StakeholderPublic):
    proposed: list[AmendmentSummary]
    cited: list[AmendmentSummary] = Field(description="Amendments citing this stakeholder's responses")


class ResponsePut(_In):
    stakeholder: str = Field(description="Stakeholder slug")
    title: str = Field(json_schema_extra={"minLength": 1})
    text: str = Field(json_schema_extra={"pattern": VERSION_TEXT_PATTERN})
    source: str = ""
    url: str = ""
    date: str = ""
    stance: str = ""
    provenance: str = ""


class ResponseSummary(_Out):
    slug: str
    stakeholder: str
    title: str
    source: str
    url: str
    date: str
    stance: str
    content_hash: str


class ResponsePublic(ResponseSummary):
    text: str
    provenance: str
    amendments: list[AmendmentSummary] = Field(description="Amendments citing this response")


class ResponseList(_Page):
    items: list[ResponseSummary]


# Events ----------------------------------------------------------------------------

class EventPublic(_Out):
    id: int
    at: datetime
    actor: str
    action: str = Field(examples=["amendment.accepted"])
    target_type: str
    target: str
    document: str | None
    before_hash: str | None
    after_hash: str | None
    detail: dict[str, Any]


class EventList(_Page):
    items: list[EventPublic]


# Comments -------------------------------------------------------------------------

CommentTarget = Literal["provision", "amendment", "response", "citation"]
AnchorState = Literal["exact", "moved", "fuzzy", "orphaned"]


class CommentCreate(_In):
    """A new thread on a target, or (`reply_to`) a reply in a thread. A provision needs
    `provision` and `quote` (`version`: default the head); an amendment `amendment`; a
    response passage `response` and `quote`; a citation `amendment` and `citation`."""

    body: str = Field(description="Markdown (raw HTML is refused)", max_length=COMMENT_MAX_BODY)
    target: CommentTarget | None = Field(None, description="What it is on (none for a reply)")
    reply_to: Number | None = Field(None, description="The comment it answers: the reply joins its thread")
    version: Number | None = Field(None, description="A provision comment's version (default: the head)")
    provision: str | None = Field(None, max_length=120, examples=["reg-3-2"])
    quote: str | None = Field(None, max_length=COMMENT_MAX_QUOTE,
                              description="The words it is about, in the provision or the response")
    amendment: str | None = Field(None, max_length=80, description="An amendment's slug")
    response: str | None = Field(None, max_length=80, description="A response's slug")
    citation: Number | None = Field(None, description="A citation of `amendment`, numbered from 1")


class CommentEdit(_In):
    body: str = Field(max_length=COMMENT_MAX_BODY)
    revision: Number | None = Field(None, description="The revision you saw (or send If-Match); a stale one is a 409")


class CommentHide(_In):
    reason: str = Field(description="Why it is hidden: shown in its place, and in the event log",
                        max_length=COMMENT_MAX_REASON)
    revision: Number | None = None


class CommentReattach(_In):
    provision: str = Field(max_length=120, description="A provision of the head")
    quote: str = Field(max_length=COMMENT_MAX_QUOTE, description="The words of it the comment is now about")
    revision: Number | None = None


class AnchorPublic(_Out):
    version: int | None = Field(description="The version it is anchored in (null: a response passage)")
    quote: str = Field(description="The words anchored")
    state: AnchorState = Field(description="`exact` (where the edits carried it), `moved` (the same words "
                                           "elsewhere), `fuzzy` (similar words, `score` at least `threshold`) or "
                                           "`orphaned` (not found: a reviewer may re-attach it)")
    start: int | None = Field(description="Where it stands in the text (null when orphaned)")
    end: int | None
    score: float | None = Field(description="1 for exact and moved; the similarity for fuzzy; for orphaned the "
                                            "best one found, below the threshold")
    threshold: float = Field(description="The lowest score a fuzzy match may have")
    provision: str | None = Field(description="The innermost provision holding it")
    label: str
    found: str = Field(description="The words at the place now (differ from the quote only when fuzzy)")
    reattached_by: str | None = Field(description="Who re-attached it to this quote, if anyone did")


class HiddenPublic(_Out):
    by: str
    at: datetime
    reason: str


class CommentPublic(_Out):
    id: int
    target: CommentTarget
    thread: int = Field(description="The id of the comment that started the thread")
    reply_to: int | None
    author: str = Field(description="The token's name")
    author_role: str
    stakeholder: str | None = Field(description="The stakeholder a stakeholder token speaks for")
    body: str | None = Field(description="Null when hidden")
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime = Field(description="Its author may edit it until then; after, it is final")
    revision: int = Field(description="Bumped on every change; also the ETag")
    hidden: HiddenPublic | None
    version: int | None = Field(description="A provision comment: the version it was made on")
    provision: str | None
    amendment: str | None
    citation: int | None
    response: str | None
    anchor: AnchorPublic | None = Field(description="Where its quote stands in the version asked for (default: the "
                                                    "head), or in the response")
    replies: list[CommentPublic] = Field([], description="A thread's replies, oldest first (in lists)")


class CommentList(_Page):
    items: list[CommentPublic] = Field(description="Threads, oldest first, each with its replies")


# Search ---------------------------------------------------------------------------

class SearchHit(_Out):
    kind: str = Field(description="`provision`, `amendment`, `response` or `comment`")
    document: str
    target: str = Field(description="The provision's id (empty for the words before the first provision), or the "
                                    "amendment's or response's slug, or the comment's id")
    label: str = Field(description="The provision's label, or the amendment's or response's title")
    snippet: str = Field(description="HTML: the words around the match, escaped, the matched words in `<mark>`")
    url: str = Field(description="The page that shows it (a provision: its anchor in the version)")
    api_url: str
    version_from: int | None = Field(None, description="A provision's text: the first version that has it")
    version_until: int | None = Field(None, description="...and the first that no longer does (`null`: the head "
                                                        "still has it)")
    status: str | None = Field(None, description="An amendment's status")
    stakeholder: str | None = Field(None, description="An amendment's proposer, or a response's stakeholder")


class SearchPage(_Page):
    q: str
    items: list[SearchHit]
    total_exact: bool = Field(description=(
        "`false` when more than 1000 items match: `total` is then 1000, a lower bound, and the hits are the best "
        "of the 1000 most recently indexed matches (pages stop there); `true`: `total` is exact and every match "
        "was ranked"))


# Rebasing -------------------------------------------------------------------------

class RenumberingPublic(_Out):
    provision: str = Field(description="The colliding provision the amendment inserts, e.g. `regulation 6`")
    to: str = Field(description="What the rebase renumbers it as, e.g. `regulation 7`")
    references: list[str] = Field(description="References renumbered in the text it inserts, `old → new`")


class RebaseOutcome(_Out):
    amendment: str
    state: str = Field(description="`rebased` (a new revision on the head), `needs-confirmation` (fuzzy hunks or a "
                                   "renumbering: confirm it), `needs-rebase` (a hunk failed: the amendment stays on "
                                   "its old base) or `up-to-date`")
    from_version: int
    to_version: int
    reason: str
    hunks: list[HunkReport] = Field(description="How each hunk applied to the head: exact, shifted (by `shift`), "
                                                "fuzzy (with `score`) or failed")
    renumbering: RenumberingPublic | None = None
    revision: int = Field(description="The amendment's revision after this")
    at: datetime | None = Field(None, description="When (a stored rebase)")


class RebaseRequest(_In):
    amendments: list[Annotated[str, Field(max_length=80)]] | None = Field(
        None, max_length=200, description="Slugs (default: every stale amendment the token may rebase)")


class RebaseReport(_Out):
    head: int
    outcomes: list[RebaseOutcome]


class ConfirmRebase(_In):
    revision: Number | None = Field(None, description="The revision you saw (or send If-Match)")


class StaleAmendment(_Out):
    amendment: str
    title: str
    status: str
    base: int
    head: int
    rebase: RebaseOutcome | None = Field(None, description="Its latest rebase, if tried since it last changed")


class StaleList(_Out):
    head: int | None
    items: list[StaleAmendment]
