"""The consultation's outcome (``services.outcome``): JSON, a printable HTML page or
Markdown, by path suffix (``outcome.md``), else by the ``Accept`` header."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi import Response as HTTPResponse

from regdraft import json_text
from regdraft.api.csp import RENDERING_POLICY
from regdraft.api.deps import DocumentDep, SessionDep
from regdraft.api.errors import problem_responses
from regdraft.api.negotiation import acceptable, choose
from regdraft.core.errors import NotAcceptable
from regdraft.services import outcome as outcome_service

router = APIRouter(prefix="/documents/{doc}", tags=["renderings"])

_TEXT = {"schema": {"type": "string"}}
_RESPONSES = {200: {"description": "The outcome, in the format asked for",
                    "content": {"application/json": {"schema": {"type": "object"}}, "text/html": _TEXT,
                                "text/markdown": _TEXT},
                    "headers": {"ETag": {"description": "Strong; derived from the body", "schema": {"type": "string"}},
                                "Vary": {"description": "Accept", "schema": {"type": "string"}}}},
              **problem_responses(404, 406)}
_DESCRIPTION = ("For each provision an amendment touches, in drafting order: who responded and with what stance, "
                "the passages they wrote that the amendments cite (each linked to the quoted place), the amendments "
                "proposed, and what was decided, by whom, when and why. Responses no amendment cites follow.")


def _answer(request: Request, session, document, format: str | None) -> HTTPResponse:
    accept = request.headers.get("accept")
    if format is None:
        media_type = choose(accept, list(outcome_service.FORMATS.values()))
        if media_type is None:
            raise NotAcceptable(f"none of the offered media types is acceptable (Accept: {accept})",
                                acceptable=list(outcome_service.FORMATS.values()))
        format = next(name for name, media in outcome_service.FORMATS.items() if media == media_type)
    elif not acceptable(accept, outcome_service.FORMATS[format]):
        raise NotAcceptable(f"format {format!r} is {outcome_service.FORMATS[format]}, which the Accept header "
                            f"excludes (Accept: {accept})", acceptable=[outcome_service.FORMATS[format]])
    result = outcome_service.outcome(session, document)
    if format == "json":
        body = json_text.pretty(outcome_service.as_json(result))
    elif format == "html":
        body = outcome_service.render_html(result)
    else:
        body = outcome_service.render_markdown(result)
    headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff",
               "ETag": f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'}
    if format == "html":
        headers["Content-Security-Policy"] = RENDERING_POLICY
    return HTTPResponse(body, media_type=outcome_service.FORMATS[format], headers=headers)


@router.get("/outcome", summary="The consultation's outcome: what was asked, what was decided and why",
            description=_DESCRIPTION, responses=_RESPONSES, response_class=HTTPResponse)
def outcome(document: DocumentDep, session: SessionDep, request: Request) -> HTTPResponse:
    return _answer(request, session, document, None)


@router.get("/outcome.{suffix}", summary="The consultation's outcome, in the format of the suffix",
            description=_DESCRIPTION, responses=_RESPONSES, response_class=HTTPResponse)
def outcome_by_suffix(document: DocumentDep, session: SessionDep, request: Request,
                      suffix: Annotated[Literal["json", "html", "md"], Path()]) -> HTTPResponse:
    return _answer(request, session, document, suffix)
