"""Agreements API."""

from __future__ import annotations

from fastapi import APIRouter

from jisr.agreements import service
from jisr.agreements.models import AgreementStatus
from jisr.agreements.schemas import AgreementCreate, AgreementRead, AgreementStatusChange
from jisr.api.deps import AdminActor, CurrentActor, SessionDep

router = APIRouter(prefix="/agreements", tags=["agreements"])
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    404: {"description": "No such agreement"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}


@router.get("", response_model=list[AgreementRead], responses=_ERRORS)
def list_agreements(session: SessionDep, actor: CurrentActor) -> list[AgreementRead]:
    """Every agreement this node is party to, with its effective status."""
    return [service.to_read(a) for a in service.list_agreements(session)]


@router.post("", response_model=AgreementRead, status_code=201, responses=_ERRORS)
def create_agreement(
    body: AgreementCreate, session: SessionDep, actor: AdminActor
) -> AgreementRead:
    """Record an agreement (administrators). Parties must be known agencies."""
    return service.to_read(service.create_agreement(session, actor, body))


@router.get("/{key}", response_model=AgreementRead, responses=_ERRORS)
def get_agreement(key: str, session: SessionDep, actor: CurrentActor) -> AgreementRead:
    return service.to_read(service.get_agreement(session, key))


@router.post("/{key}/suspend", response_model=AgreementRead, responses=_ERRORS)
def suspend(
    key: str, body: AgreementStatusChange, session: SessionDep, actor: AdminActor
) -> AgreementRead:
    """Suspend: traffic under it is held, not dropped, until it is resumed."""
    agreement = service.change_status(session, actor, key, AgreementStatus.SUSPENDED, body.reason)
    return service.to_read(agreement)


@router.post("/{key}/activate", response_model=AgreementRead, responses=_ERRORS)
def activate(
    key: str, body: AgreementStatusChange, session: SessionDep, actor: AdminActor
) -> AgreementRead:
    """Activate a draft or resume a suspended agreement."""
    agreement = service.change_status(session, actor, key, AgreementStatus.ACTIVE, body.reason)
    return service.to_read(agreement)
