"""Envelope handlers for operations: the owner's snapshot of an operation, and a participant's
log entry. An entry from an agency that does not take part is refused (``not_a_participant``);
federation records the refusal in the inbox and the audit trail and signs it back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete
from sqlalchemy.orm import Session

from jisr.actors import system_actor
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload
from jisr.ids import new_id, owner_of
from jisr.operations import sharing
from jisr.operations.models import (
    EntryKind,
    LogEntry,
    Operation,
    OperationStatus,
    OperationTask,
    Participant,
)


class OperationUnknownError(RejectedError):
    """An entry about an operation whose snapshot has not arrived yet (entries travel apart
    from snapshots, in parallel): the sender retries it later."""

    code = "operation_unknown"
    retryable = True


class WireParticipant(BaseModel):
    agency_code: str
    agreement_ref: str
    role: str
    contingent_size: int
    liaison_officers: list[dict[str, Any]]


class WireTask(BaseModel):
    id: str
    title: str = Field(max_length=300)
    owner_agency: str
    assignee: str
    due_at: datetime
    status: str
    created_by: str
    done_at: datetime | None


class WireOperation(BaseModel):
    id: str
    version: int
    kind: str
    title: str = Field(max_length=300)
    description: str
    crime_area: str
    data_category: str
    handling_code: str
    legal_basis: str
    status: str
    parent_id: str | None
    predecessor_id: str | None
    handed_over_to: str | None
    starts_at: datetime
    ends_at: datetime | None
    objectives: list[str]
    venues: list[dict[str, Any]]
    report: dict[str, Any] | None
    created_by: str
    participants: list[WireParticipant]
    tasks: list[WireTask]
    links: list[dict[str, str]]


class WireEntry(BaseModel):
    id: str
    operation_id: str
    kind: EntryKind
    severity: str | None
    title: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
    venue: str | None
    owner_agency: str
    handling_code: str
    author: str = Field(max_length=120)
    occurred_at: datetime
    recorded_at: datetime


def handlers() -> dict[str, Handler]:
    return {sharing.OPERATION_ENVELOPE: receive_operation, sharing.ENTRY_ENVELOPE: receive_entry}


def receive_operation(session: Session, envelope: InboundEnvelope) -> None:
    """Hold the owner's latest snapshot (older or equal versions are ignored)."""
    wire = parse_payload(WireOperation, envelope)
    if owner_of(wire.id) != envelope.sender:
        raise RejectedError("only an operation's owner sends it", code="not_owner")
    local = envelope.header.recipient
    if local not in {p.agency_code for p in wire.participants}:
        raise RejectedError(f"{local} does not take part in {wire.id}", code="not_a_participant")
    operation = session.get(Operation, wire.id)
    if operation is not None and operation.version >= wire.version:
        return
    operation = operation or Operation(id=wire.id, owner_agency=envelope.sender)
    for field in (
        "version", "kind", "title", "description", "crime_area", "data_category",
        "handling_code", "legal_basis", "status", "parent_id", "predecessor_id",
        "handed_over_to", "starts_at", "ends_at", "objectives", "venues", "report",
    ):  # fmt: skip
        setattr(operation, field, getattr(wire, field))
    operation.created_by = f"{wire.created_by} ({envelope.sender})"[:120]
    operation.received_at = utcnow()
    session.add(operation)
    session.flush()
    session.execute(delete(Participant).where(Participant.operation_id == wire.id))
    session.execute(delete(OperationTask).where(OperationTask.operation_id == wire.id))
    for p in wire.participants:
        session.add(Participant(operation_id=wire.id, **p.model_dump()))
    for t in wire.tasks:
        session.add(OperationTask(operation_id=wire.id, **t.model_dump()))
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        operation.kind,
        operation.id,
        details={"event": "snapshot", "version": wire.version, "status": wire.status},
    )
    if wire.status == OperationStatus.HANDED_OVER.value and wire.handed_over_to == local:
        _continue(session, local, operation)


def _continue(session: Session, local: str, predecessor: Operation) -> None:
    """A hand-over to this agency: open our own operation continuing the predecessor."""
    from jisr.operations.models import OperationKind

    kind = "event" if predecessor.kind == OperationKind.EVENT.value else "operation"
    successor = Operation(
        id=new_id(local, kind),
        kind=predecessor.kind,
        title=predecessor.title,
        description=predecessor.description,
        owner_agency=local,
        crime_area=predecessor.crime_area,
        data_category=predecessor.data_category,
        handling_code=predecessor.handling_code,
        legal_basis=predecessor.legal_basis,
        starts_at=predecessor.starts_at,
        ends_at=predecessor.ends_at,
        objectives=list(predecessor.objectives),
        venues=list(predecessor.venues),
        predecessor_id=predecessor.id,
        created_by="hand-over",
    )
    session.add(successor)
    session.flush()
    record(
        session,
        system_actor(local),
        AuditAction.COLLECTION,
        successor.kind,
        successor.id,
        details={"event": "taken_over", "from": predecessor.id},
    )


def receive_entry(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireEntry, envelope)
    if owner_of(wire.id) != envelope.sender or wire.owner_agency != envelope.sender:
        raise RejectedError("an entry comes from the agency that wrote it", code="not_owner")
    if wire.handling_code != envelope.header.handling_code:
        raise RejectedError("entry labels differ from the envelope's", code="payload_invalid")
    operation = session.get(Operation, wire.operation_id)
    if operation is None:
        raise OperationUnknownError(f"no operation {wire.operation_id} here (yet)")
    agencies = {
        operation.owner_agency,
        *(p.agency_code for p in sharing.participants_of(session, operation.id)),
    }
    if envelope.sender not in agencies:
        raise RejectedError(
            f"{envelope.sender} does not take part in {operation.id}", code="not_a_participant"
        )
    if session.get(LogEntry, wire.id) is not None:
        return
    entry = LogEntry(
        **wire.model_dump(exclude={"kind"}), kind=wire.kind.value, received_at=utcnow()
    )
    session.add(entry)
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "operation_entry",
        entry.id,
        details={"operation": operation.id, "kind": entry.kind, "severity": entry.severity},
    )
