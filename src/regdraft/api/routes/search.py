"""Search across documents' text, amendments and responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from regdraft.api import schemas
from regdraft.api.deps import Limit, Offset, SessionDep, slug_list
from regdraft.api.errors import problem_responses
from regdraft.services import amendments as amendment_service
from regdraft.services import search as search_service

router = APIRouter(tags=["search"])

QUERY_HELP = ("Words (all must occur; stemmed, so `profits` finds `profit`), `\"a phrase\"`, `or` between two "
              "terms, `-word` to exclude")
SearchQuery = Annotated[str, Query(min_length=1, max_length=search_service.MAX_QUERY_CHARS, description=QUERY_HELP,
                                   examples=["for-profit -housing"])]


@router.get("/search", response_model=schemas.SearchPage, summary="Search text, amendments and responses",
            responses=problem_responses(
                404, 422, s404="`not-found`: no such document or stakeholder",
                s422="`invalid-input` (`field`: `q` with nothing to look for or too many terms, `kind`, `version`, "
                     "`category`, `status`), `validation-error`"))
def search(session: SessionDep, q: SearchQuery,
           document: Annotated[str | None, Query(max_length=80, description="Only this document (its slug)")] = None,
           version: Annotated[str | None, Query(max_length=12, description=(
               "Document text of this version only (a number), or `head`; amendments and responses are not "
               "narrowed by it"))] = None,
           kind: Annotated[str | None, Query(max_length=80, description=(
               "Comma-separated kinds of item: " + ", ".join(search_service.ITEM_KINDS)))] = None,
           stakeholder: Annotated[str | None, Query(max_length=80, description=(
               "Amendments proposed by, and responses from, this stakeholder (slug)"))] = None,
           category: Annotated[str | None, Query(description="Amendments of this category, one of the document's "
                                                             "(implies kind=amendment)")] = None,
           status: Annotated[str | None, Query(description="Amendments with this status (implies kind=amendment): " +
                                                           ", ".join(amendment_service.STATUSES),
                                               json_schema_extra={"enum": list(amendment_service.STATUSES)})] = None,
           offset: Offset = 0, limit: Limit = 20) -> schemas.SearchPage:
    filters = search_service.filters_from(session, document=document, version=version, kinds=slug_list(kind),
                                          stakeholder=stakeholder, category=category, status=status)
    found = search_service.search(session, q, filters, offset=offset, limit=limit)
    return schemas.SearchPage(q=q, items=[schemas.SearchHit(**hit.__dict__) for hit in found.hits],
                              total=found.total, total_exact=found.total_exact, offset=offset, limit=limit)
