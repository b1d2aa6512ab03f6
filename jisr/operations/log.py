"""The shared operational log: notes, incidents (with severity), threat assessments (graded),
hand-overs. Each entry keeps its owner agency and handling code, and both the time of the event
and the time it was written down. An entry goes to every other participant the writer has an
agreement with; partners' entries arrive through ``jisr.operations.federation``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import check, require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, PermissionDeniedError
from jisr.ids import new_id
from jisr.operations import sharing
from jisr.operations.models import EntryKind, LogEntry, Operation, OperationStatus
from jisr.operations.schemas import EntryCreate


def agencies_of(session: Session, operation: Operation) -> set[str]:
    return {
        operation.owner_agency,
        *(p.agency_code for p in sharing.participants_of(session, operation.id)),
    }


def write_entry(
    session: Session,
    actor: Actor,
    operation: Operation,
    kind: EntryKind,
    title: str,
    body: str = "",
    *,
    severity: str | None = None,
    venue: str | None = None,
    handling_code: str | None = None,
    occurred_at: datetime | None = None,
) -> tuple[LogEntry, list[str], dict[str, str]]:
    """Record an entry and queue it for the other participants; (entry, sent to, not sent)."""
    if actor.agency_code not in agencies_of(session, operation):
        raise PermissionDeniedError(
            "your agency does not take part in this operation", code="not_a_participant"
        )
    if operation.status != OperationStatus.ACTIVE.value and kind is not EntryKind.HANDOVER:
        raise ConflictError(f"operation is {operation.status}", code="operation_not_active")
    now = utcnow()
    entry = LogEntry(
        id=new_id(actor.agency_code, "entry"),
        operation_id=operation.id,
        kind=kind.value,
        severity=severity,
        title=title,
        body=body,
        venue=venue,
        owner_agency=actor.agency_code,
        handling_code=handling_code or operation.handling_code,
        author=actor.display,
        occurred_at=occurred_at or now,
        recorded_at=now,
    )
    require(session, actor, Action.CREATE, sharing.entry_resource(operation, entry))
    session.add(entry)
    session.flush()
    sent, refused = sharing.send(
        session,
        actor,
        operation,
        agencies_of(session, operation),
        sharing.ENTRY_ENVELOPE,
        sharing.entry_payload(entry),
        entry.handling_code,
    )
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "operation_entry",
        entry.id,
        recipients=sent,
        details={
            "operation": operation.id,
            "kind": entry.kind,
            "severity": severity,
            "not_sent": sorted(refused),
        },
    )
    return entry, sent, refused


def add_entry(
    session: Session, actor: Actor, operation_id: str, data: EntryCreate
) -> tuple[LogEntry, list[str], dict[str, str]]:
    operation = sharing.load_operation(session, actor, operation_id)
    return write_entry(
        session,
        actor,
        operation,
        data.kind,
        data.title,
        data.body,
        severity=data.severity,
        venue=data.venue,
        handling_code=data.handling_code.value if data.handling_code else None,
        occurred_at=data.occurred_at,
    )


def list_entries(
    session: Session,
    actor: Actor,
    operation_id: str,
    *,
    kind: EntryKind | None = None,
    after: datetime | None = None,
    audited: bool = True,
) -> list[LogEntry]:
    """The log in order of occurrence, the entries policy lets ``actor`` read; audited (unless
    ``audited`` is false: a live stream's polls, the stream's opening having been audited)."""
    operation = sharing.load_operation(session, actor, operation_id)
    stmt = select(LogEntry).where(LogEntry.operation_id == operation.id)
    if kind is not None:
        stmt = stmt.where(LogEntry.kind == kind.value)
    if after is not None:
        stmt = stmt.where(LogEntry.recorded_at > after)
    rows = [
        e
        for e in session.execute(stmt.order_by(LogEntry.occurred_at, LogEntry.id)).scalars()
        if check(session, actor, Action.READ, sharing.entry_resource(operation, e)).allowed
    ]
    if audited:
        record(
            session,
            actor,
            AuditAction.CONSULTATION,
            operation.kind,
            operation.id,
            details={"event": "log_read", "entries": len(rows)},
        )
    return rows
