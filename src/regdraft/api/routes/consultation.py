"""The consultation and cross-references: stakeholders, responses, and which
amendments touch a provision or cite a response."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi import Response as HTTPResponse

from regdraft.api import schemas
from regdraft.api.deps import DocumentDep, Limit, Offset, SessionDep, WriterDep, page
from regdraft.api.errors import problem_responses
from regdraft.api.present import Presenter
from regdraft.core.errors import NotFound
from regdraft.services import auth, documents, xref

router = APIRouter(prefix="/documents/{doc}")

ProvisionId = Annotated[str, Path(description="A provision id", examples=["reg-3-2-a"])]
ResponseSlug = Annotated[str, Path(description="The response's slug", examples=["adcs"])]
StakeholderSlug = Annotated[str, Path(description="The stakeholder's slug", examples=["adcs"])]

_PUT_200 = {200: {"description": "Updated (or unchanged)"}, 201: {"description": "Created"}}


# Provisions ------------------------------------------------------------------------

@router.get("/provisions/{provision_id}", response_model=schemas.ProvisionXref, tags=["cross-references"],
            summary="Amendments touching a provision, with their hunks and citations",
            responses=problem_responses(
                404, s404="`not-found`: no such document, or the provision is neither in the head version "
                          "nor touched by any amendment"))
def provision(document: DocumentDep, provision_id: ProvisionId, session: SessionDep) -> schemas.ProvisionXref:
    """Each amendment lists the hunks that touch the provision (with every provision
    those hunks touch) and all its citations."""
    head = documents.head(session, document)
    found = documents.version_structure(session, document, head).get(provision_id) if head is not None else None
    touching = xref.amendments_touching(session, document, provision_id)
    if found is None and not touching:
        raise NotFound(f"document {document.slug!r} has no provision {provision_id!r} in its head version, and "
                       f"no amendment touches one", provision=provision_id)
    view = Presenter(session)
    items = []
    label = found.label if found is not None else None
    for amendment in touching:
        hunks = [h for h in view.hunks(amendment) if any(p.id == provision_id for p in h.provisions)]
        if label is None:
            label = next((p.label for h in hunks for p in h.provisions if p.id == provision_id), None)
        items.append(schemas.ProvisionAmendment(
            slug=amendment.slug, title=amendment.title, status=amendment.status,
            proposer=view.stakeholder(amendment.proposer_id).slug, hunks=hunks,
            citations=view.citations(amendment)))
    return schemas.ProvisionXref(provision=provision_id, label=label, in_head=found is not None, amendments=items)


# Responses -------------------------------------------------------------------------

@router.get("/responses", response_model=schemas.ResponseList, tags=["consultation"],
            summary="Consultation responses", responses=problem_responses(404, 422))
def list_responses(document: DocumentDep, session: SessionDep, offset: Offset = 0,
                   limit: Limit = 50) -> schemas.ResponseList:
    rows = documents.list_responses(session, document)
    view = Presenter(session)
    return schemas.ResponseList(items=[view.response_summary(r) for r in page(rows, offset, limit)],
                                total=len(rows), offset=offset, limit=limit)


@router.get("/responses/{slug}", response_model=schemas.ResponsePublic, tags=["consultation"],
            summary="A response: its text, stakeholder and the amendments citing it",
            responses=problem_responses(404))
def get_response(document: DocumentDep, slug: ResponseSlug, session: SessionDep) -> schemas.ResponsePublic:
    response = documents.get_response(session, document, slug)
    return Presenter(session).response(response, xref.amendments_citing(session, response))


@router.put("/responses/{slug}", response_model=schemas.ResponsePublic, tags=["consultation"],
            summary="Create or update a response",
            responses={**_PUT_200, **problem_responses(
                403, 404, 413, 422, s404="`not-found`: no such document or stakeholder",
                s422="`invalid-input` (slug, empty text or title: `field`), `invalid-text`, `validation-error`")})
def put_response(writer: WriterDep, document: DocumentDep, slug: ResponseSlug, body: schemas.ResponsePut,
                 session: SessionDep, response: HTTPResponse) -> schemas.ResponsePublic:
    auth.check_response(session, writer, document, slug, body.stakeholder)
    created = documents.find_response(session, document, slug) is None
    stakeholder = documents.get_stakeholder(session, body.stakeholder)
    row = documents.put_response(session, document, slug=slug, stakeholder=stakeholder, text=body.text,
                                 actor=writer.name, title=body.title, source=body.source, url=body.url, date=body.date,
                                 stance=body.stance, provenance=body.provenance)
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/documents/{document.slug}/responses/{slug}"
    return Presenter(session).response(row, xref.amendments_citing(session, row))


# Stakeholders ----------------------------------------------------------------------

@router.get("/stakeholders", response_model=schemas.StakeholderList, tags=["consultation"],
            summary="Stakeholders taking part in the document's consultation", responses=problem_responses(404, 422))
def list_stakeholders(document: DocumentDep, session: SessionDep, offset: Offset = 0,
                      limit: Limit = 50) -> schemas.StakeholderList:
    rows = documents.list_stakeholders(session, document)
    return schemas.StakeholderList(items=[Presenter.stakeholder_public(s) for s in page(rows, offset, limit)],
                                   total=len(rows), offset=offset, limit=limit)


@router.get("/stakeholders/{slug}", response_model=schemas.StakeholderDetail, tags=["consultation"],
            summary="What a stakeholder proposed, and the amendments citing its responses",
            responses=problem_responses(404))
def get_stakeholder(document: DocumentDep, slug: StakeholderSlug, session: SessionDep) -> schemas.StakeholderDetail:
    stakeholder = documents.get_stakeholder(session, slug)
    found = xref.stakeholder_amendments(session, document, slug)
    view = Presenter(session)
    return schemas.StakeholderDetail(**Presenter.stakeholder_public(stakeholder).model_dump(),
                                     proposed=[view.amendment_summary(a) for a in found["proposed"]],
                                     cited=[view.amendment_summary(a) for a in found["cited"]])


@router.put("/stakeholders/{slug}", response_model=schemas.StakeholderPublic, tags=["consultation"],
            summary="Create or update a stakeholder and add it to the document's consultation",
            responses={**_PUT_200, **problem_responses(403, 404, 413, 422)})
def put_stakeholder(writer: WriterDep, document: DocumentDep, slug: StakeholderSlug, body: schemas.StakeholderPut,
                    session: SessionDep, response: HTTPResponse) -> schemas.StakeholderPublic:
    """Stakeholders are shared by all documents: the name and kind given here are the
    stakeholder's everywhere."""
    auth.authorize(writer, auth.Action.PUT_STAKEHOLDER)
    stakeholder = documents.upsert_stakeholder(session, slug=slug, name=body.name, kind=body.kind,
                                               actor=writer.name)
    if documents.take_part(session, document, stakeholder, actor=writer.name):
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/documents/{document.slug}/stakeholders/{slug}"
    return Presenter.stakeholder_public(stakeholder)

