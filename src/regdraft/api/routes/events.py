"""The event log, read-only: who did what, to what, when."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from regdraft.api import schemas
from regdraft.api.deps import Limit, Offset, SessionDep
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.services import documents, events

router = APIRouter(tags=["events"])


@router.get("/events", response_model=schemas.EventList, summary="The event log, oldest first",
            responses=problem_responses(404, 422, s404="`not-found`: no such document"))
def list_events(session: SessionDep,
                document: Annotated[str | None, Query(description="Only this document's events")] = None,
                offset: Offset = 0, limit: Limit = 50) -> schemas.EventList:
    document_id = documents.get_document(session, document).id if document is not None else None
    rows, total = events.list_events(session, document_id=document_id, offset=offset, limit=limit)
    view = Presenter(session)
    return schemas.EventList(items=[view.event(e) for e in rows], total=total, offset=offset, limit=limit)
