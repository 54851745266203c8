"""The event log, read-only: who did what, to what, when."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from regdraft.api import schemas
from regdraft.api.deps import Limit, Offset, SessionDep
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.services import documents, events

router = APIRouter(tags=["events"])


@router.get("/events", response_model=schemas.EventList, summary="The event log, oldest first (or newest)",
            responses=problem_responses(404, 422, s404="`not-found`: no such document"))
def list_events(session: SessionDep,
                document: Annotated[str | None, Query(description="Only this document's events")] = None,
                actor: Annotated[str | None, Query(max_length=200, description="Only this actor's")] = None,
                action: Annotated[str | None, Query(
                    max_length=200, description="One action (`amendment.accepted`) or a family (`amendment`)")] = None,
                target: Annotated[str | None, Query(
                    max_length=200, description="A target, or its last part (`profit-ban`)")] = None,
                order: Annotated[Literal["oldest", "newest"], Query(description="Which come first")] = "oldest",
                offset: Offset = 0, limit: Limit = 50) -> schemas.EventList:
    document_id = documents.get_document(session, document).id if document is not None else None
    rows, total = events.list_events(session, document_id=document_id, actor=actor, action=action, target=target,
                                     newest_first=order == "newest", offset=offset, limit=limit)
    view = Presenter(session)
    return schemas.EventList(items=[view.event(e) for e in rows], total=total, offset=offset, limit=limit)
