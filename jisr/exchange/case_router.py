"""Case management API: status (hold, close with an outcome, reopen), assignee, due date,
labels, links, members' removal, and the case's history. See ``jisr.exchange.casework``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from jisr.api.deps import CurrentActor, SessionDep
from jisr.exchange import case_history, cases, casework, members, views
from jisr.exchange.access import load_case
from jisr.exchange.case_schemas import (
    MEMBER_PATTERN,
    CaseAssign,
    CaseClose,
    CaseDue,
    CaseEventRead,
    CaseLabels,
    CaseLinkAdd,
    CaseLinkRead,
    CaseReason,
    LinkKind,
)
from jisr.exchange.models import Case
from jisr.exchange.schemas import RECORD_ID_PATTERN, CaseRead

router = APIRouter(tags=["cases"])
CaseRef = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
Target = Annotated[str, Path(pattern=RECORD_ID_PATTERN, max_length=80)]
Member = Annotated[str, Path(pattern=MEMBER_PATTERN, max_length=120)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such case, member or link"},
    409: {"description": "Not in this state (case_transition_invalid, case_closed)"},
    422: {"description": "Invalid input"},
}


def _read(session: Session, case: Case) -> CaseRead:
    return views.to_case(case, *cases.counts(session, [case.ref]).get(case.ref, (0, 0)))


@router.post("/cases/{ref}/assign", response_model=CaseRead, responses=_ERRORS)
def assign(ref: CaseRef, body: CaseAssign, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Assign the case to an officer of this agency (made a member), or unassign it (null).
    The assignee stays on this node."""
    return _read(session, casework.assign(session, actor, ref, body.assignee))


@router.post("/cases/{ref}/hold", response_model=CaseRead, responses=_ERRORS)
def hold(ref: CaseRef, body: CaseReason, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Put an open case on hold (owner only; the status goes to the case's partners)."""
    change = casework.change_status(
        session, actor, ref, casework.CaseAction.HOLD, reason=body.reason
    )
    return _read(session, change)


@router.post("/cases/{ref}/close", response_model=CaseRead, responses=_ERRORS)
def close(ref: CaseRef, body: CaseClose, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Close a case with an outcome and a note (owner only; both go to the case's partners)."""
    change = casework.change_status(
        session, actor, ref, casework.CaseAction.CLOSE, reason=body.note, outcome=body.outcome
    )
    return _read(session, change)


@router.post("/cases/{ref}/reopen", response_model=CaseRead, responses=_ERRORS)
def reopen(ref: CaseRef, body: CaseReason, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Reopen a case on hold or closed (owner only; the status goes to the case's partners)."""
    change = casework.change_status(
        session, actor, ref, casework.CaseAction.REOPEN, reason=body.reason
    )
    return _read(session, change)


@router.post("/cases/{ref}/due", response_model=CaseRead, responses=_ERRORS)
def set_due(ref: CaseRef, body: CaseDue, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Set or clear this agency's due date for the case."""
    return _read(session, casework.set_due(session, actor, ref, body.due_at))


@router.post("/cases/{ref}/labels", response_model=CaseRead, responses=_ERRORS)
def labels(ref: CaseRef, body: CaseLabels, session: SessionDep, actor: CurrentActor) -> CaseRead:
    """Add and remove labels (compared lower-case; at most 20)."""
    return _read(session, casework.change_labels(session, actor, ref, body.add, body.remove))


@router.delete("/cases/{ref}/members/{member}", response_model=CaseRead, responses=_ERRORS)
def remove_member(
    ref: CaseRef, member: Member, session: SessionDep, actor: CurrentActor
) -> CaseRead:
    """Take an officer or unit off the case's members (never the last one, nor the assignee)."""
    return _read(session, members.remove_member(session, actor, ref, member))


@router.get("/cases/{ref}/links", response_model=list[CaseLinkRead], responses=_ERRORS)
def list_links(ref: CaseRef, session: SessionDep, actor: CurrentActor) -> list[CaseLinkRead]:
    return [CaseLinkRead.model_validate(link) for link in casework.links_of(session, actor, ref)]


@router.post("/cases/{ref}/links", response_model=CaseLinkRead, status_code=201, responses=_ERRORS)
def add_link(
    ref: CaseRef, body: CaseLinkAdd, session: SessionDep, actor: CurrentActor
) -> CaseLinkRead:
    """Link an alert, a hit, an operation or another case (by id; kept on this node)."""
    link = casework.add_link(session, actor, ref, body.kind, body.target)
    return CaseLinkRead.model_validate(link)


@router.delete("/cases/{ref}/links/{kind}/{target}", response_model=CaseRead, responses=_ERRORS)
def remove_link(
    ref: CaseRef, kind: LinkKind, target: Target, session: SessionDep, actor: CurrentActor
) -> CaseRead:
    return _read(session, casework.remove_link(session, actor, ref, kind, target))


@router.get("/cases/{ref}/events", response_model=list[CaseEventRead], responses=_ERRORS)
def events(ref: CaseRef, session: SessionDep, actor: CurrentActor) -> list[CaseEventRead]:
    """The case's history: opened, assigned, held, closed, reopened, members, labels, links."""
    case = load_case(session, actor, ref)
    return [CaseEventRead.model_validate(e) for e in case_history.events_of(session, case.ref)]
