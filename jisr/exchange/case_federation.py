"""A case's status and outcome travel from its owner to the partners it was shared with.

What federates, and what stays here (see ``docs/cases.md``):
- the status (open, on hold, closed), the outcome and its note: the owner decides them, and a
  partner working on a copy needs to know the owner closed it and why; they go as one
  ``exchange.case_status`` envelope to each partner that exchanged a message in the case, in
  the case's envelope order (after the messages sent before it);
- the assignee, the due date, the labels, the links and the members are each agency's own
  working notes (an officer's name, a link to a record the partner may not hold): they never
  leave the node. The reasons given for holding or reopening stay here too.

A partner's node applies a status change only from the case's owner and only if it is newer
than the last one it applied.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import ResourceKind
from jisr.audit import AuditAction, record
from jisr.exchange.case_history import note_event
from jisr.exchange.case_schemas import CaseOutcome, CaseStatus
from jisr.exchange.models import Case, Direction, Message
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload
from jisr.federation.service import enqueue
from jisr.ids import owner_of

CASE_STATUS_ENVELOPE = "exchange.case_status"


class WireCaseStatus(BaseModel):
    model_config = ConfigDict(extra="ignore")

    case_ref: str = Field(max_length=80)
    status: CaseStatus
    outcome: CaseOutcome | None = None
    outcome_note: str | None = Field(default=None, max_length=2000)
    changed_at: datetime
    changed_by: str = Field(max_length=120)


def handlers() -> dict[str, Handler]:
    return {CASE_STATUS_ENVELOPE: receive_case_status}


def _latest_with_each_partner(session: Session, case: Case) -> dict[str, Message]:
    """The last message exchanged with each partner in the case: its agreement and labels
    carry the status change."""
    stmt = select(Message).where(Message.case_ref == case.ref).order_by(Message.created_at)
    latest: dict[str, Message] = {}
    for message in session.execute(stmt).scalars():
        outbound = message.direction == Direction.OUTBOUND.value
        partner = message.recipient_agency if outbound else message.owner_agency
        if partner != case.owner_agency:
            latest[partner] = message
    return latest


def announce_status(session: Session, actor: Actor, case: Case) -> list[str]:
    """Queue the case's new status for every partner it was shared with; returns them."""
    payload = {
        "case_ref": case.ref,
        "status": case.status,
        "outcome": case.outcome,
        "outcome_note": case.outcome_note,
        "changed_at": (case.status_changed_at or case.created_at).isoformat(),
        "changed_by": actor.display,
    }
    partners = _latest_with_each_partner(session, case)
    for partner, message in sorted(partners.items()):
        enqueue(
            session,
            actor,
            recipient=partner,
            agreement_id=message.agreement_id,
            envelope_type=CASE_STATUS_ENVELOPE,
            payload=payload,
            case_ref=case.ref,
            data_category=message.data_category,
            crime_area=case.crime_area,
            handling_code=case.handling_code,
            resource_kind=ResourceKind.CASE,
        )
    return sorted(partners)


def receive_case_status(session: Session, envelope: InboundEnvelope) -> None:
    """The owner changed the status of a case we hold a copy of: apply it (if newer)."""
    wire = parse_payload(WireCaseStatus, envelope)
    if owner_of(wire.case_ref) != envelope.sender:
        raise RejectedError("only a case's owner changes its status", code="case_not_owner")
    case = session.get(Case, wire.case_ref)
    if case is None:
        return  # never received (or purged since): nothing to update
    if case.status_changed_at is not None and wire.changed_at <= case.status_changed_at:
        return  # an older change than the one applied
    before = case.status
    case.status = wire.status.value
    case.status_changed_at = wire.changed_at
    closed = wire.status is CaseStatus.CLOSED
    case.outcome = wire.outcome.value if closed and wire.outcome else None
    case.outcome_note = wire.outcome_note if closed else None
    case.closed_at = wire.changed_at if closed else None
    details = {"from": before, "to": case.status, "outcome": case.outcome}
    note_event(
        session,
        case,
        "status_received",
        actor=f"{wire.changed_by} ({envelope.sender})",
        agency=envelope.sender,
        details={**details, "note": case.outcome_note},
        at=wire.changed_at,
    )
    record(
        session,
        envelope.actor,
        AuditAction.ALTERATION,
        "case",
        case.ref,
        details={"event": "status_received", **details, "envelope": envelope.id},
    )
