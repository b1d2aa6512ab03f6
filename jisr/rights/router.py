"""Data-subject requests API: register, list (overdue), block records, decide."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from jisr.api.deps import CurrentActor, SessionDep, SettingsDep
from jisr.rights import service
from jisr.rights.models import SubjectRequest
from jisr.rights.schemas import (
    BlockCreate,
    BlockRead,
    DecisionCreate,
    DecisionRead,
    RequestCreate,
    RequestRead,
)
from jisr.rights.settings import RightsSettings

router = APIRouter(tags=["rights"])
RequestId = Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}:dsr:[0-9A-Z]{1,40}$")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not the data-protection officer"},
    404: {"description": "No such request or record"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}


def to_read(session: Session, request: SubjectRequest) -> RequestRead:
    return RequestRead(
        id=request.id,
        kind=request.kind,
        subject_name=request.subject_name,
        identifiers={str(k): str(v) for k, v in request.identifiers.items()},
        requester=request.requester,
        received_on=request.received_on,
        due_at=request.due_at,
        overdue=service.is_overdue(request),
        status=request.status,
        created_by=request.created_by,
        created_at=request.created_at,
        blocks=[
            BlockRead.model_validate(b, from_attributes=True)
            for b in service.blocks_of(session, request.id)
        ],
        decisions=[
            DecisionRead.model_validate(d, from_attributes=True)
            for d in service.decisions_of(session, request.id)
        ],
    )


@router.post("/rights/requests", response_model=RequestRead, status_code=201, responses=_ERRORS)
def create_request(
    body: RequestCreate, session: SessionDep, actor: CurrentActor, settings: SettingsDep
) -> RequestRead:
    """Register an access, correction or deletion request; its statutory clock starts."""
    clocks = settings.section(RightsSettings)
    return to_read(session, service.create_request(session, actor, body, clocks))


@router.get("/rights/requests", response_model=list[RequestRead], responses=_ERRORS)
def list_requests(
    session: SessionDep,
    actor: CurrentActor,
    overdue: Annotated[bool, Query(description="Only open requests past their due date")] = False,
) -> list[RequestRead]:
    """Requests by due date (soonest first)."""
    return [to_read(session, r) for r in service.list_requests(session, actor, overdue=overdue)]


@router.get("/rights/requests/{request_id}", response_model=RequestRead, responses=_ERRORS)
def read_request(request_id: RequestId, session: SessionDep, actor: CurrentActor) -> RequestRead:
    return to_read(session, service.get_request(session, actor, request_id))


@router.post(
    "/rights/requests/{request_id}/blocks",
    response_model=BlockRead,
    status_code=201,
    responses=_ERRORS,
)
def block_record(
    request_id: RequestId, body: BlockCreate, session: SessionDep, actor: CurrentActor
) -> BlockRead:
    """Hold a record back from screening and reads while the request is reviewed."""
    block = service.place_block(session, actor, request_id, body)
    return BlockRead.model_validate(block, from_attributes=True)


@router.post(
    "/rights/requests/{request_id}/decision",
    response_model=DecisionRead,
    status_code=201,
    responses=_ERRORS,
)
def decide(
    request_id: RequestId, body: DecisionCreate, session: SessionDep, actor: CurrentActor
) -> DecisionRead:
    """Grant or refuse, with grounds; lifts the request's blocks (a granted deletion retires
    the blocked watchlist entries)."""
    decision = service.decide(session, actor, request_id, body)
    return DecisionRead.model_validate(decision, from_attributes=True)
