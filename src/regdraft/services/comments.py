"""Discussion: comments on provisions, amendments, response passages and citations.

A comment starts a thread on one target, or replies in a thread (a reply's target is
its thread's). Its author may edit it for :attr:`CommentSettings.edit_minutes` after
posting it; then it is immutable. Nothing deletes a comment: a reviewer hides one, with
a reason, and the row and the event log (``comment.created`` holds the words) keep it.

A comment on a provision quotes the words it is about and is anchored to them as a
citation is (``core.anchors``); each new version re-anchors it (``core.reanchoring``)
and keeps the outcome beside it, one :class:`CommentAnchor` per version: ``exact``,
``moved``, ``fuzzy`` (with its score, at or above the threshold) or ``orphaned``.
Orphaned comments are listed (``state=orphaned``) until a reviewer re-attaches them to
a new quote. A comment on a response passage is anchored in the response's text and
re-anchored the same way when that text changes.

Who may comment on what is ``services.auth`` (``comment``: a stakeholder on its own
and public things; ``moderate``: hiding and re-attaching); the routes ask it, with the
owner and publicity :func:`resolve` finds. Editing is the author's alone, which the
service checks itself, so the pages, the API and the CLI cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from regdraft.core.errors import InvalidInput, InvalidTransition, NotFound, QuoteNotFound
from regdraft.core.reanchoring import DEFAULT_THRESHOLD, STATES, Placed, Reanchored, anchor_in, reanchor
from regdraft.core.structure import Structure
from regdraft.core.text import content_hash
from regdraft.services import search
from regdraft.services.decisions import MAX_REASON
from regdraft.services.events import record
from regdraft.store.models import (Amendment, Citation, Comment, CommentAnchor, Document, Response, Stakeholder,
                                   Version, utcnow)

TARGETS = ("provision", "amendment", "response", "citation")
MAX_BODY = 10_000
"""The longest comment, in characters."""
MAX_QUOTE = 2000
"""The longest quote a comment may anchor: a citation's (``services.amendments.MAX_QUOTE_CHARS``,
which imports this module through ``documents``)."""


@dataclass
class CommentSettings:
    """Set from :class:`regdraft.settings.Settings` by the app factory and the CLI."""

    edit_minutes: int = 15
    fuzzy_threshold: float = DEFAULT_THRESHOLD


SETTINGS = CommentSettings()


def configure(settings) -> None:
    SETTINGS.edit_minutes = settings.comment_edit_minutes
    SETTINGS.fuzzy_threshold = settings.comment_fuzzy_threshold


@dataclass(frozen=True)
class CommentInput:
    """What a commenter sends: ``body`` and either ``reply_to`` or a target (``target``
    with what it needs: ``provision`` and ``quote`` (``version``: default the head);
    ``amendment``; ``response`` and ``quote``; ``amendment`` and ``citation``)."""

    body: str
    target: str | None = None
    reply_to: int | None = None
    version: int | None = None
    provision: str | None = None
    quote: str | None = None
    amendment: str | None = None
    response: str | None = None
    citation: int | None = None


@dataclass(frozen=True)
class Target:
    """What a comment is on, found, with whose it is (``owner``, a stakeholder slug) and
    whether it is public (everything but another's draft amendment)."""

    kind: str
    owner: str | None
    public: bool
    version: Version | None = None
    provision: str | None = None
    quote: str | None = None
    amendment: Amendment | None = None
    citation: int | None = None
    response: Response | None = None
    thread: Comment | None = None


@dataclass(frozen=True)
class Author:
    name: str
    role: str
    stakeholder: str | None = None


def _documents():
    from regdraft.services import documents  # documents calls back into this module when a version lands

    return documents


def _check_body(body: str, what: str = "body", limit: int = MAX_BODY) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput(f"a comment needs a {what}" if what == "body" else f"give a {what}", field=what)
    if len(body) > limit:
        raise InvalidInput(f"the {what} is {len(body)} characters; the most is {limit}", field=what, limit=limit)
    return body


def _amendment(session: Session, document: Document, slug: str | None) -> Amendment:
    if not slug:
        raise InvalidInput("name the amendment", field="amendment")
    from regdraft.services.amendments import get_amendment

    return get_amendment(session, document, slug)


def _owner_of(session: Session, amendment: Amendment) -> str:
    return session.get(Stakeholder, amendment.proposer_id).slug


def resolve(session: Session, document: Document, data: CommentInput) -> Target:
    """The target ``data`` names (a reply: its thread's), checked to exist."""
    if data.reply_to is not None:
        parent = get_comment(session, document, data.reply_to)
        if parent.hidden_at is not None:
            raise InvalidTransition(f"comment {parent.id} is hidden: it takes no replies", comment=parent.id)
        root = session.get(Comment, parent.thread_id) if parent.thread_id else parent
        return replace(target_of(session, root), thread=root)
    kind = data.target
    if kind not in TARGETS:
        raise InvalidInput(f"target {kind!r} is not one of: {', '.join(TARGETS)} (or reply with reply_to)",
                           field="target")
    documents = _documents()
    if kind == "provision":
        if not data.provision:
            raise InvalidInput("name the provision (its id, e.g. reg-3-2)", field="provision")
        if not (data.quote or "").strip():
            raise InvalidInput("quote the words of the provision the comment is about", field="quote")
        version = (documents.get_version(session, document, data.version) if data.version is not None
                   else documents.head(session, document))
        if version is None:
            raise NotFound(f"document {document.slug!r} has no version", document=document.slug)
        return Target(kind, None, True, version=version, provision=data.provision, quote=data.quote)
    if kind == "response":
        if not data.response:
            raise InvalidInput("name the response", field="response")
        if not (data.quote or "").strip():
            raise InvalidInput("quote the passage of the response the comment is about", field="quote")
        response = documents.get_response(session, document, data.response)
        return Target(kind, session.get(Stakeholder, response.stakeholder_id).slug, True, response=response,
                      quote=data.quote)
    amendment = _amendment(session, document, data.amendment)
    public = amendment.status != "draft"
    if kind == "amendment":
        return Target(kind, _owner_of(session, amendment), public, amendment=amendment)
    number = data.citation
    cited = _citations(session, amendment)
    if number is None or not 1 <= number <= len(cited):
        raise NotFound(f"amendment {amendment.slug!r} has no citation {number} (it has {len(cited)})",
                       amendment=amendment.slug, citation=number)
    return Target(kind, _owner_of(session, amendment), public, amendment=amendment, citation=number)


def target_of(session: Session, comment: Comment) -> Target:
    """The target of a stored comment, with its owner and publicity now."""
    if comment.target == "provision":
        return Target("provision", None, True, version=session.get(Version, comment.version_id),
                      provision=comment.provision_id)
    if comment.target == "response":
        response = session.get(Response, comment.response_id)
        return Target("response", session.get(Stakeholder, response.stakeholder_id).slug, True, response=response)
    amendment = session.get(Amendment, comment.amendment_id)
    return Target(comment.target, _owner_of(session, amendment), amendment.status != "draft", amendment=amendment,
                  citation=comment.citation)


def _citations(session: Session, amendment: Amendment) -> list[Citation]:
    return list(session.exec(select(Citation).where(Citation.amendment_id == amendment.id)
                             .order_by(Citation.position)).all())


def post(session: Session, document: Document, target: Target, data: CommentInput, *, author: Author) -> Comment:
    """Store a new comment on ``target`` (from :func:`resolve`), anchored if it quotes."""
    body = _check_body(data.body)
    placed, structure = None, None
    if target.thread is None and target.quote is not None:
        quote = target.quote.strip()
        if len(quote) > MAX_QUOTE:
            raise InvalidInput(f"the quote is {len(quote)} characters; the most is {MAX_QUOTE}", field="quote",
                               limit=MAX_QUOTE)
        if target.kind == "provision":
            structure = _documents().version_structure(session, document, target.version)
            provision = structure.get(target.provision)
            if provision is None:
                raise NotFound(f"version {target.version.number} has no provision {target.provision!r}",
                               provision=target.provision, version=target.version.number)
            placed = _anchored(target.version.text, quote, provision.start, provision.end,
                               f"{provision.label} of version {target.version.number}")
        else:
            placed = _anchored(target.response.text, quote, 0, None, f"response {target.response.slug!r}")
    stakeholder = _documents().get_stakeholder(session, author.stakeholder).id if author.stakeholder else None
    thread = target.thread
    comment = Comment(document_id=document.id, target=target.kind,
                      version_id=target.version.id if target.version else None, provision_id=target.provision,
                      amendment_id=target.amendment.id if target.amendment else None, citation=target.citation,
                      response_id=target.response.id if target.response else None,
                      thread_id=thread.id if thread else None, reply_to_id=data.reply_to, author=author.name,
                      author_role=author.role, stakeholder_id=stakeholder, body=body)
    session.add(comment)
    session.flush()
    if placed is not None:
        version_id = target.version.id if target.kind == "provision" else None
        session.add(_row(comment.id, version_id, placed.quote,
                         Reanchored("exact", placed.start, placed.end, placed.prefix, placed.suffix, 1.0,
                                    placed.quote), structure))
        session.flush()
        if target.kind == "provision":
            _carry_to_head(session, document, comment, target.version)
    _index(session, comment)
    record(session, author.name, "comment.created", "comment", address(document, comment), document.id,
           after=content_hash(body), detail={**_target_detail(session, comment), "body": body,
                                             **({"quote": placed.quote} if placed else {})})
    return comment


def _index(session: Session, comment: Comment) -> None:
    """The comment's row in the search index: its words, the quote it was made on."""
    first = session.exec(select(CommentAnchor.quote).where(CommentAnchor.comment_id == comment.id)
                         .order_by(CommentAnchor.id).limit(1)).first()
    version = session.get(Version, comment.version_id).number if comment.version_id else None
    search.index_comment(session.connection(), comment, quote=first, version=version)


def _anchored(text: str, quote: str, start: int, end: int | None, where: str) -> Placed:
    try:
        return anchor_in(text, quote, start=start, end=end)
    except QuoteNotFound:
        raise QuoteNotFound(f"the quote is not in {where}: {quote[:80]!r}", field="quote", quote=quote) from None


def _holding(structure: Structure | None, start: int, end: int):
    """The innermost provision holding all of ``[start, end)``."""
    if structure is None:
        return None
    provision = structure.at(start)
    while provision is not None and provision.end < end and provision.parent is not None:
        provision = structure.get(provision.parent)
    return provision


def _row(comment_id: int, version_id: int | None, quote: str, found: Reanchored,
         structure: Structure | None) -> CommentAnchor:
    provision = _holding(structure, found.start, found.end) if found.start is not None else None
    return CommentAnchor(comment_id=comment_id, version_id=version_id, quote=quote, state=found.state,
                         start=found.start, end=found.end, prefix=found.prefix, suffix=found.suffix,
                         score=found.score, provision_id=provision.id if provision else None,
                         label=provision.label if provision else "")


def _placed(anchor: CommentAnchor) -> Placed:
    return Placed(anchor.quote, anchor.start, anchor.end, anchor.prefix, anchor.suffix)


def _carry_to_head(session: Session, document: Document, comment: Comment, since: Version) -> None:
    """A comment made on an older version, re-anchored through each later one."""
    documents = _documents()
    head = documents.head(session, document)
    if head.number == since.number:
        return
    previous = since
    for version in documents.versions_between(session, document, since.number + 1, head.number):
        anchor = latest_anchor(session, comment)
        found = reanchor(previous.text, version.text, [_placed(anchor)], threshold=SETTINGS.fuzzy_threshold)[0]
        session.add(_row(comment.id, version.id, anchor.quote, found,
                         documents.version_structure(session, document, version)))
        session.flush()
        previous = version


def reanchor_version(session: Session, document: Document, parent: Version | None, version: Version,
                     structure: Structure, *, actor: str) -> dict[str, int]:
    """Re-anchor every provision comment anchored in ``parent`` in the new ``version``
    (one diff for all of them); an event counts the outcomes and names the orphaned."""
    if parent is None:
        return {}
    anchors = list(session.exec(select(CommentAnchor).where(CommentAnchor.version_id == parent.id)
                                .order_by(CommentAnchor.comment_id)).all())
    if not anchors:
        return {}
    found = reanchor(parent.text, version.text, [_placed(a) for a in anchors], threshold=SETTINGS.fuzzy_threshold)
    counts = dict.fromkeys(STATES, 0)
    orphaned = []
    for anchor, result in zip(anchors, found):
        session.add(_row(anchor.comment_id, version.id, anchor.quote, result, structure))
        counts[result.state] += 1
        if result.state == "orphaned":
            orphaned.append(anchor.comment_id)
    session.flush()
    record(session, actor, "comments.reanchored", "version", f"{document.slug}@{version.number}", document.id,
           detail={**counts, "orphaned_comments": orphaned, "threshold": SETTINGS.fuzzy_threshold})
    return counts


def reanchor_response(session: Session, response: Response, old_text: str) -> None:
    """Move the anchors of the comments on passages of ``response`` into its new text."""
    anchors = list(session.exec(select(CommentAnchor).join(Comment, Comment.id == CommentAnchor.comment_id)
                                .where(Comment.response_id == response.id, Comment.target == "response")
                                .order_by(CommentAnchor.comment_id)).all())
    if not anchors:
        return
    found = reanchor(old_text, response.text, [_placed(a) for a in anchors], threshold=SETTINGS.fuzzy_threshold)
    for anchor, result in zip(anchors, found):
        anchor.state, anchor.start, anchor.end, anchor.score = result.state, result.start, result.end, result.score
        anchor.prefix, anchor.suffix, anchor.at = result.prefix, result.suffix, utcnow()
    session.flush()


# Reading --------------------------------------------------------------------------

def address(document: Document, comment: Comment) -> str:
    return f"{document.slug}/comments/{comment.id}"


def get_comment(session: Session, document: Document, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.document_id != document.id:
        raise NotFound(f"document {document.slug!r} has no comment {comment_id}", comment=comment_id)
    return comment


def latest_anchor(session: Session, comment: Comment) -> CommentAnchor | None:
    return session.exec(select(CommentAnchor).where(CommentAnchor.comment_id == comment.id)
                        .order_by(CommentAnchor.id.desc()).limit(1)).first()


@dataclass(frozen=True)
class AnchorView:
    version: int | None
    quote: str
    state: str
    start: int | None
    end: int | None
    score: float | None
    threshold: float
    provision: str | None
    label: str
    found: str
    """The text at the place now (it differs from the quote only when fuzzy)."""
    reattached_by: str | None


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    target: str
    thread: int
    stakeholder: str | None
    version: int | None
    amendment: str | None
    response: str | None
    anchor: AnchorView | None
    editable_until: datetime
    replies: list[CommentView] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.comment.hidden_at is not None

    def editable_by(self, name: str) -> bool:
        """Whether ``name`` may edit it now (what :func:`edit` allows, for showing the form)."""
        return (name == self.comment.author and not self.hidden
                and datetime.now(timezone.utc) <= self.editable_until)


def editable_until(comment: Comment) -> datetime:
    return _aware(comment.created_at) + timedelta(minutes=SETTINGS.edit_minutes)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def list_comments(session: Session, document: Document, *, target: str | None = None, amendment: str | None = None,
                  response: str | None = None, provision: str | None = None, version: int | None = None,
                  state: str | None = None, thread: int | None = None) -> list[CommentView]:
    """The document's comments, threads in the order they started and each thread's
    replies after its first comment. A provision comment's anchor is the one in
    ``version`` (default: the head); ``provision`` and ``state`` filter on it."""
    if target is not None and target not in TARGETS:
        raise InvalidInput(f"target {target!r} is not one of: {', '.join(TARGETS)}", field="target")
    if state is not None and state not in STATES:
        raise InvalidInput(f"state {state!r} is not one of: {', '.join(STATES)}", field="state")
    documents = _documents()
    shown = documents.get_version(session, document, version) if version is not None else documents.head(
        session, document)
    query = select(Comment).where(Comment.document_id == document.id)
    if amendment is not None:
        query = query.where(Comment.amendment_id == _amendment(session, document, amendment).id)
    if response is not None:
        query = query.where(Comment.response_id == documents.get_response(session, document, response).id)
    if thread is not None:
        query = query.where((Comment.id == thread) | (Comment.thread_id == thread))
    rows = list(session.exec(query.order_by(Comment.id)).all())
    views = _views(session, rows, shown)
    roots: dict[int, CommentView] = {}
    for view in views:
        if view.thread == view.comment.id:
            roots[view.comment.id] = view
    for view in views:
        if view.thread != view.comment.id and view.thread in roots:
            roots[view.thread].replies.append(view)

    def wanted(root: CommentView) -> bool:
        anchored_at = root.anchor.provision if root.anchor else None
        return ((target is None or root.target == target)
                and (provision is None or (root.target == "provision"
                                           and provision in (root.comment.provision_id, anchored_at)))
                and (state is None or (root.anchor is not None and root.anchor.state == state))
                # A provision comment made after the version shown is not in it.
                and not (version is not None and root.target == "provision" and root.anchor is None))

    return [root for root in roots.values() if wanted(root)]


def view_of(session: Session, document: Document, comment: Comment) -> CommentView:
    return _views(session, [comment], _documents().head(session, document))[0]


def _views(session: Session, rows: list[Comment], shown: Version | None) -> list[CommentView]:
    if not rows:
        return []
    ids = [c.id for c in rows]
    anchors: dict[int, CommentAnchor] = {}
    for anchor in session.exec(select(CommentAnchor).where(CommentAnchor.comment_id.in_(ids))
                               .order_by(CommentAnchor.id)).all():
        if anchor.version_id is None or (shown is not None and anchor.version_id == shown.id):
            anchors[anchor.comment_id] = anchor
    texts: dict[int, str] = {}
    numbers = dict(session.exec(select(Version.id, Version.number).where(
        Version.id.in_({c.version_id for c in rows if c.version_id} | ({shown.id} if shown else set())))).all())
    slugs = dict(session.exec(select(Amendment.id, Amendment.slug).where(
        Amendment.id.in_({c.amendment_id for c in rows if c.amendment_id}))).all())
    responses = {r.id: r for r in session.exec(select(Response).where(
        Response.id.in_({c.response_id for c in rows if c.response_id}))).all()}
    stakeholders = dict(session.exec(select(Stakeholder.id, Stakeholder.slug).where(
        Stakeholder.id.in_({c.stakeholder_id for c in rows if c.stakeholder_id}))).all())
    views = []
    for comment in rows:
        anchor = anchors.get(comment.id)
        anchor_view = None
        if anchor is not None:
            if anchor.version_id is None:
                text = responses[comment.response_id].text
            else:
                if anchor.version_id not in texts:
                    texts[anchor.version_id] = session.get(Version, anchor.version_id).text
                text = texts[anchor.version_id]
            anchor_view = AnchorView(
                version=numbers.get(anchor.version_id), quote=anchor.quote, state=anchor.state, start=anchor.start,
                end=anchor.end, score=anchor.score, threshold=SETTINGS.fuzzy_threshold,
                provision=anchor.provision_id, label=anchor.label,
                found=text[anchor.start:anchor.end] if anchor.start is not None else "",
                reattached_by=anchor.reattached_by)
        views.append(CommentView(
            comment=comment, target=comment.target, thread=comment.thread_id or comment.id,
            stakeholder=stakeholders.get(comment.stakeholder_id), version=numbers.get(comment.version_id),
            amendment=slugs.get(comment.amendment_id),
            response=responses[comment.response_id].slug if comment.response_id else None, anchor=anchor_view,
            editable_until=editable_until(comment)))
    return views


def orphaned(session: Session, document: Document) -> list[CommentView]:
    """The provision comments that the head holds nowhere: waiting to be re-attached."""
    return list_comments(session, document, target="provision", state="orphaned")


def anchor_problems(session: Session, counted=lambda: None):
    """What ``regdraft verify`` reports of the anchors: one that says ``exact`` or
    ``moved`` where its version (or response) does not hold its quote there, one with a
    place that says ``orphaned``, or one without a place that does not. ``counted`` is
    called once per anchor checked."""
    rows = session.exec(select(CommentAnchor, Comment.response_id).join(Comment, Comment.id == CommentAnchor.comment_id)
                        .order_by(CommentAnchor.version_id, CommentAnchor.id)).all()
    texts: dict[tuple[str, int], str] = {}
    for anchor, response_id in rows:
        counted()
        where = f"comment {anchor.comment_id}'s anchor"
        if (anchor.start is None) != (anchor.state == "orphaned"):
            yield f"{where} is {anchor.state} {'without' if anchor.start is None else 'with'} a place"
            continue
        if anchor.state not in ("exact", "moved"):
            continue
        key = ("version", anchor.version_id) if anchor.version_id is not None else ("response", response_id)
        if key not in texts:
            row = session.get(Version if key[0] == "version" else Response, key[1])
            texts.clear()  # ordered by version: one text held at a time
            texts[key] = row.text
        if texts[key][anchor.start:anchor.end] != anchor.quote:
            yield f"{where} says {anchor.state} but the text at {anchor.start}-{anchor.end} is not its quote"


# Changing -------------------------------------------------------------------------

def check_revision(comment: Comment, revision: int | None) -> None:
    if revision is not None and revision != comment.revision:
        raise InvalidTransition(f"comment {comment.id} is at revision {comment.revision}, not {revision}: reload it",
                                comment=comment.id, revision=comment.revision)


def _write(session: Session, comment: Comment, change) -> None:
    """Make ``change`` as the next revision, guarded by the revision read (the mapper's
    version counter): a writer that lost a race is told the current revision."""
    seen = comment.revision
    try:
        with session.begin_nested():
            change()
            comment.revision = seen + 1
            session.flush()
    except StaleDataError:
        session.refresh(comment)
        raise InvalidTransition(f"comment {comment.id} was changed by someone else meanwhile (you read revision "
                                f"{seen}): it is now at revision {comment.revision}", comment=comment.id,
                                revision=comment.revision) from None


def edit(session: Session, document: Document, comment: Comment, body: str, *, actor: str,
         revision: int | None = None, now: datetime | None = None) -> Comment:
    """The author's new words, within the edit window; after it the comment is immutable."""
    from regdraft.core.errors import Forbidden

    if actor != comment.author:
        raise Forbidden(f"comment {comment.id} is {comment.author!r}'s: only its author may edit it",
                        comment=comment.id)
    if comment.hidden_at is not None:
        raise InvalidTransition(f"comment {comment.id} is hidden: it cannot be edited", comment=comment.id)
    until = editable_until(comment)
    if (now or datetime.now(timezone.utc)) > until:
        raise InvalidTransition(f"comment {comment.id} could be edited until {until:%Y-%m-%d %H:%M} UTC "
                                f"({SETTINGS.edit_minutes} minutes after it was posted); it is now final",
                                comment=comment.id, editable_until=until.isoformat())
    check_revision(comment, revision)
    body = _check_body(body)
    before = content_hash(comment.body)

    def change() -> None:
        comment.body, comment.edited_at = body, utcnow()

    _write(session, comment, change)
    _index(session, comment)
    record(session, actor, "comment.edited", "comment", address(document, comment), document.id, before=before,
           after=content_hash(body), detail={"body": body, "revision": comment.revision})
    return comment


def hide(session: Session, document: Document, comment: Comment, reason: str, *, actor: str,
         revision: int | None = None) -> Comment:
    """Hide a comment, with the reason (kept, with its words, and in the event log)."""
    if comment.hidden_at is not None:
        raise InvalidTransition(f"comment {comment.id} is already hidden", comment=comment.id)
    check_revision(comment, revision)
    reason = _check_body(reason, "reason", MAX_REASON)

    def change() -> None:
        comment.hidden_at, comment.hidden_by, comment.hidden_reason = utcnow(), actor, reason

    _write(session, comment, change)
    _index(session, comment)
    record(session, actor, "comment.hidden", "comment", address(document, comment), document.id,
           detail={"reason": reason, "revision": comment.revision})
    return comment


def reattach(session: Session, document: Document, comment: Comment, *, provision: str, quote: str, actor: str,
             revision: int | None = None) -> Comment:
    """Anchor a provision comment to a new quote in the head (an orphaned one, usually)."""
    if comment.target != "provision" or comment.thread_id is not None:
        raise InvalidInput(f"comment {comment.id} is not the first comment on a provision: only those are "
                           f"anchored", field="comment")
    check_revision(comment, revision)
    documents = _documents()
    head = documents.head(session, document)
    structure = documents.version_structure(session, document, head)
    unit = structure.get(provision)
    if unit is None:
        raise NotFound(f"version {head.number} has no provision {provision!r}", provision=provision,
                       version=head.number)
    placed = _anchored(head.text, _check_body(quote, "quote", MAX_QUOTE), unit.start, unit.end,
                       f"{unit.label} of version {head.number}")
    row = session.exec(select(CommentAnchor).where(CommentAnchor.comment_id == comment.id,
                                                   CommentAnchor.version_id == head.id)).first()
    previous = row.state if row else None
    fresh = _row(comment.id, head.id, placed.quote, Reanchored("exact", placed.start, placed.end, placed.prefix,
                                                               placed.suffix, 1.0, placed.quote), structure)
    fresh.reattached_by = actor
    if row is not None:
        for name in ("quote", "state", "start", "end", "prefix", "suffix", "score", "provision_id", "label",
                     "reattached_by"):
            setattr(row, name, getattr(fresh, name))
        row.at = utcnow()
    else:
        session.add(fresh)
    _write(session, comment, lambda: None)
    record(session, actor, "comment.reattached", "comment", address(document, comment), document.id,
           detail={"version": head.number, "provision": provision, "quote": placed.quote, "previous": previous,
                   "revision": comment.revision})
    return comment


def _target_detail(session: Session, comment: Comment) -> dict:
    detail: dict = {"target": comment.target}
    if comment.version_id:
        detail["version"] = session.get(Version, comment.version_id).number
    if comment.provision_id:
        detail["provision"] = comment.provision_id
    if comment.amendment_id:
        detail["amendment"] = session.get(Amendment, comment.amendment_id).slug
    if comment.citation:
        detail["citation"] = comment.citation
    if comment.response_id:
        detail["response"] = session.get(Response, comment.response_id).slug
    if comment.reply_to_id:
        detail["reply_to"] = comment.reply_to_id
    return detail
