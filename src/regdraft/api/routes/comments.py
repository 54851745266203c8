"""Discussion: comments and their threads on provisions, amendments, response passages
and citations; editing (the author, for a while), hiding and re-attaching (reviewers)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, status
from fastapi import Response as HTTPResponse

from regdraft.api import schemas
from regdraft.api.deps import DocumentDep, Limit, Offset, SessionDep, WriterDep, page, parse_if_match
from regdraft.api.errors import problem_responses
from regdraft.services import auth
from regdraft.services import comments as comment_service
from regdraft.services.comments import Author, CommentInput, CommentView

router = APIRouter(prefix="/documents/{doc}", tags=["comments"])

CommentId = Annotated[int, Path(ge=1, le=schemas.MAX_NUMBER, description="The comment's id")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='The comment\'s ETag, e.g. "2": used as '
                                                                    "`revision` when the body has none")]
_S404 = "`not-found`: no such document, comment, or thing it names"
_S409 = ("`invalid-transition`: the edit window has passed, the comment is hidden (or already), or `revision` is "
         "stale (the problem says the current `revision`)")


def comment_public(view: CommentView) -> schemas.CommentPublic:
    c = view.comment
    return schemas.CommentPublic(
        id=c.id, target=view.target, thread=view.thread, reply_to=c.reply_to_id, author=c.author,
        author_role=c.author_role, stakeholder=view.stakeholder, body=None if view.hidden else c.body,
        created_at=c.created_at, edited_at=c.edited_at, editable_until=view.editable_until, revision=c.revision,
        hidden=schemas.HiddenPublic(by=c.hidden_by, at=c.hidden_at, reason=c.hidden_reason) if view.hidden else None,
        version=view.version, provision=c.provision_id, amendment=view.amendment, citation=c.citation,
        response=view.response, anchor=schemas.AnchorPublic(**asdict(view.anchor)) if view.anchor else None,
        replies=[comment_public(r) for r in view.replies])


def _answer(session, document, comment, response: HTTPResponse) -> schemas.CommentPublic:
    response.headers["ETag"] = f'"{comment.revision}"'
    return comment_public(comment_service.view_of(session, document, comment))


def _moderating(writer, session, document, comment: int, revision: int | None, if_match: str | None):
    """The comment a reviewer acts on, once the policy allows it, and the revision they saw."""
    auth.authorize(writer, auth.Action.MODERATE)
    row = comment_service.get_comment(session, document, comment)
    return row, revision if revision is not None else parse_if_match(if_match)


@router.get("/comments", response_model=schemas.CommentList, summary="The discussion: threads of comments",
            responses=problem_responses(404, 422, s422="`invalid-input`: an unknown `target` or `state`"))
def list_comments(document: DocumentDep, session: SessionDep,
                  target: Annotated[schemas.CommentTarget | None, Query(description="Only threads on this")] = None,
                  amendment: Annotated[str | None, Query(max_length=80)] = None,
                  response: Annotated[str | None, Query(max_length=80)] = None,
                  provision: Annotated[str | None, Query(max_length=120, description="A provision id")] = None,
                  version: Annotated[int | None, Query(ge=1, le=schemas.MAX_NUMBER, description=(
                      "Anchors in this version (default: the head)"))] = None,
                  state: Annotated[schemas.AnchorState | None, Query(description=(
                      "Only comments anchored so (`orphaned`: waiting to be re-attached)"))] = None,
                  offset: Offset = 0, limit: Limit = 50) -> schemas.CommentList:
    threads = comment_service.list_comments(session, document, target=target, amendment=amendment,
                                            response=response, provision=provision, version=version, state=state)
    return schemas.CommentList(items=[comment_public(t) for t in page(threads, offset, limit)], total=len(threads),
                               offset=offset, limit=limit)


@router.post("/comments", response_model=schemas.CommentPublic, status_code=status.HTTP_201_CREATED,
             summary="Comment on a provision, an amendment, a response passage or a citation, or reply",
             responses=problem_responses(
                 403, 404, 409, 413, 422, s404=_S404,
                 s403="`forbidden`: a stakeholder comments on its own things and public ones (not another's draft)",
                 s409="`invalid-transition`: replying to a hidden comment",
                 s422="`invalid-input` (what the target needs, `field`), `quote-not-found`, `invalid-text`"))
def post_comment(writer: WriterDep, document: DocumentDep, body: schemas.CommentCreate, session: SessionDep,
                 response: HTTPResponse) -> schemas.CommentPublic:
    data = CommentInput(body=body.body, target=body.target, reply_to=body.reply_to, version=body.version,
                        provision=body.provision, quote=body.quote, amendment=body.amendment,
                        response=body.response, citation=body.citation)
    target = comment_service.resolve(session, document, data)
    auth.authorize(writer, auth.Action.COMMENT, target.owner, public=target.public)
    comment = comment_service.post(session, document, target, data,
                                   author=Author(writer.name, writer.role, writer.stakeholder))
    response.headers["Location"] = f"/api/documents/{document.slug}/comments/{comment.id}"
    return _answer(session, document, comment, response)


@router.get("/comments/{comment}", response_model=schemas.CommentPublic, summary="A comment, with its anchor",
            responses={200: {"headers": {"ETag": {"description": 'The revision, quoted: "2"',
                                                  "schema": {"type": "string"}}},
                             "description": "The comment"}, **problem_responses(404, s404=_S404)})
def get_comment(document: DocumentDep, comment: CommentId, session: SessionDep,
                response: HTTPResponse) -> schemas.CommentPublic:
    return _answer(session, document, comment_service.get_comment(session, document, comment), response)


@router.patch("/comments/{comment}", response_model=schemas.CommentPublic, summary="Edit your comment (for a while)",
              responses=problem_responses(403, 404, 409, 413, 422, s404=_S404, s409=_S409,
                                          s403="`forbidden`: only its author edits a comment"))
def edit_comment(writer: WriterDep, document: DocumentDep, comment: CommentId, body: schemas.CommentEdit,
                 session: SessionDep, response: HTTPResponse, if_match: IfMatch = None) -> schemas.CommentPublic:
    auth.authorize(writer, auth.Action.COMMENT, writer.stakeholder)
    row = comment_service.get_comment(session, document, comment)
    revision = body.revision if body.revision is not None else parse_if_match(if_match)
    comment_service.edit(session, document, row, body.body, actor=writer.name, revision=revision)
    return _answer(session, document, row, response)


@router.post("/comments/{comment}/hide", response_model=schemas.CommentPublic, summary="Hide a comment, with a reason",
             responses=problem_responses(403, 404, 409, 413, 422, s404=_S404, s409=_S409,
                                         s403="`forbidden`: reviewers and admins hide comments"))
def hide_comment(writer: WriterDep, document: DocumentDep, comment: CommentId, body: schemas.CommentHide,
                 session: SessionDep, response: HTTPResponse, if_match: IfMatch = None) -> schemas.CommentPublic:
    row, revision = _moderating(writer, session, document, comment, body.revision, if_match)
    comment_service.hide(session, document, row, body.reason, actor=writer.name, revision=revision)
    return _answer(session, document, row, response)


@router.post("/comments/{comment}/reattach", response_model=schemas.CommentPublic,
             summary="Re-attach a provision comment to a quote in the head",
             responses=problem_responses(403, 404, 409, 413, 422, s404=_S404, s409=_S409,
                                         s403="`forbidden`: reviewers and admins re-attach comments",
                                         s422="`quote-not-found`, `invalid-input` (not a provision comment)"))
def reattach_comment(writer: WriterDep, document: DocumentDep, comment: CommentId, body: schemas.CommentReattach,
                     session: SessionDep, response: HTTPResponse, if_match: IfMatch = None) -> schemas.CommentPublic:
    row, revision = _moderating(writer, session, document, comment, body.revision, if_match)
    comment_service.reattach(session, document, row, provision=body.provision, quote=body.quote, actor=writer.name,
                             revision=revision)
    return _answer(session, document, row, response)
