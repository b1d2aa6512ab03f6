"""What an operation's envelopes carry and how they reach each participant.

Snapshots travel with the operation's id as their case, so they arrive in order. Entries travel
unordered (in parallel, so a busy incident log does not wait for each acknowledgement in turn);
one that overtakes the snapshot making its recipient a participant is deferred by the recipient
and retried by the sender (``operation_unknown``). A writer
reaches each other participant under its own agreement with that agency; a participant no
agreement covers is reported, never silently skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.errors import NotFoundError
from jisr.federation.service import enqueue
from jisr.operations.models import LogEntry, Operation, OperationLink, OperationTask, Participant

OPERATION_ENVELOPE = "operations.operation"
ENTRY_ENVELOPE = "operations.entry"


def operation_resource(
    operation: Operation, recipient: str | None = None, handling_code: str | None = None
) -> Resource:
    return Resource(
        ResourceKind.OPERATION,
        owner_agency=operation.owner_agency,
        crime_area=operation.crime_area,
        data_category=operation.data_category,
        handling_code=handling_code or operation.handling_code,
        recipient_agency=recipient,
        id=operation.id,
    )


def entry_resource(operation: Operation, entry: LogEntry) -> Resource:
    return Resource(
        ResourceKind.OPERATION,
        owner_agency=entry.owner_agency,
        crime_area=operation.crime_area,
        data_category=operation.data_category,
        handling_code=entry.handling_code,
        id=entry.id,
    )


def load_operation(session: Session, actor: Actor, operation_id: str) -> Operation:
    """The operation, if policy lets ``actor`` read it (callers audit)."""
    operation = session.get(Operation, operation_id)
    if operation is None:
        raise NotFoundError(f"no operation {operation_id}", code="operation_not_found")
    require(session, actor, Action.READ, operation_resource(operation))
    return operation


def participants_of(session: Session, operation_id: str) -> list[Participant]:
    stmt = select(Participant).where(Participant.operation_id == operation_id)
    return list(session.execute(stmt.order_by(Participant.agency_code)).scalars())


def tasks_of(session: Session, operation_id: str) -> list[OperationTask]:
    stmt = select(OperationTask).where(OperationTask.operation_id == operation_id)
    return list(session.execute(stmt.order_by(OperationTask.due_at)).scalars())


def links_of(session: Session, operation_id: str) -> list[OperationLink]:
    stmt = select(OperationLink).where(OperationLink.operation_id == operation_id)
    return list(session.execute(stmt.order_by(OperationLink.id)).scalars())


def send(
    session: Session,
    actor: Actor,
    operation: Operation,
    recipients: Iterable[str],
    envelope_type: str,
    payload: Mapping[str, Any],
    handling_code: str,
    *,
    ordered: bool = False,
) -> tuple[list[str], dict[str, str]]:
    """Queue ``payload`` for each recipient an agreement lets it reach; (sent, refused).
    ``ordered`` envelopes go one after the other within the operation (its id as their case)."""
    sent: list[str] = []
    refused: dict[str, str] = {}
    for to in sorted(set(recipients) - {actor.agency_code}):
        resource = Resource(
            ResourceKind.OPERATION,
            owner_agency=actor.agency_code,
            crime_area=operation.crime_area,
            data_category=operation.data_category,
            handling_code=handling_code,
            recipient_agency=to,
        )
        decision = check(session, actor, Action.SHARE, resource)
        if not decision.allowed or decision.agreement_id is None:
            refused[to] = decision.reason
            continue
        enqueue(
            session,
            actor,
            recipient=to,
            agreement_id=decision.agreement_id,
            envelope_type=envelope_type,
            payload=payload,
            case_ref=operation.id if ordered else None,
            data_category=operation.data_category,
            crime_area=operation.crime_area,
            handling_code=handling_code,
            resource_kind=ResourceKind.OPERATION,
        )
        sent.append(to)
    return sent, refused


def snapshot(session: Session, operation: Operation) -> dict[str, Any]:
    """The operation as its participants hold it (links by id only, never their content)."""
    return {
        "id": operation.id,
        "version": operation.version,
        "kind": operation.kind,
        "title": operation.title,
        "description": operation.description,
        "crime_area": operation.crime_area,
        "data_category": operation.data_category,
        "handling_code": operation.handling_code,
        "legal_basis": operation.legal_basis,
        "status": operation.status,
        "parent_id": operation.parent_id,
        "predecessor_id": operation.predecessor_id,
        "handed_over_to": operation.handed_over_to,
        "starts_at": operation.starts_at.isoformat(),
        "ends_at": operation.ends_at.isoformat() if operation.ends_at else None,
        "objectives": list(operation.objectives),
        "venues": list(operation.venues),
        "report": operation.report,
        "created_by": operation.created_by,
        "participants": [
            {
                "agency_code": p.agency_code,
                "agreement_ref": p.agreement_ref,
                "role": p.role,
                "contingent_size": p.contingent_size,
                "liaison_officers": list(p.liaison_officers),
            }
            for p in participants_of(session, operation.id)
        ],
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "owner_agency": t.owner_agency,
                "assignee": t.assignee,
                "due_at": t.due_at.isoformat(),
                "status": t.status,
                "created_by": t.created_by,
                "done_at": t.done_at.isoformat() if t.done_at else None,
            }
            for t in tasks_of(session, operation.id)
        ],
        "links": [
            {"kind": link.kind, "target_id": link.target_id}
            for link in links_of(session, operation.id)
        ],
    }


def entry_payload(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "operation_id": entry.operation_id,
        "kind": entry.kind,
        "severity": entry.severity,
        "title": entry.title,
        "body": entry.body,
        "venue": entry.venue,
        "owner_agency": entry.owner_agency,
        "handling_code": entry.handling_code,
        "author": entry.author,
        "occurred_at": entry.occurred_at.isoformat(),
        "recorded_at": entry.recorded_at.isoformat(),
    }


def publish(session: Session, actor: Actor, operation: Operation) -> dict[str, str]:
    """The owner sends the current snapshot to every participant; returns those refused."""
    recipients = [p.agency_code for p in participants_of(session, operation.id)]
    _sent, refused = send(
        session,
        actor,
        operation,
        recipients,
        OPERATION_ENVELOPE,
        snapshot(session, operation),
        operation.handling_code,
        ordered=True,
    )
    return refused
