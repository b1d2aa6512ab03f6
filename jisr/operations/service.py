"""Joint operations and major events: create, read, participants, tasks, links, hand-over, close.

Only the owner agency changes an operation; each change bumps its version and sends the new
snapshot to every participant (``jisr.operations.sharing``). The shared log is
``jisr.operations.log``; accreditation screening ``jisr.operations.accreditation``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import check, get_agreement, require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, ValidationError
from jisr.ids import new_id
from jisr.operations import sharing
from jisr.operations.links import check_link_target
from jisr.operations.log import write_entry
from jisr.operations.models import (
    EntryKind,
    LogEntry,
    Operation,
    OperationKind,
    OperationLink,
    OperationStatus,
    OperationTask,
    Participant,
    TaskStatus,
)
from jisr.operations.schemas import (
    LiaisonOfficer,
    LinkCreate,
    LinkRead,
    OperationCreate,
    OperationRead,
    ParticipantCreate,
    ParticipantRead,
    TaskCreate,
    TaskRead,
    Venue,
)
from jisr.operations.sharing import load_operation


def create_operation(session: Session, actor: Actor, data: OperationCreate) -> Operation:
    """Record an operation (or event) owned by this agency and send it to its participants."""
    operation = Operation(
        id=new_id(actor.agency_code, "event" if data.kind is OperationKind.EVENT else "operation"),
        kind=data.kind.value,
        title=data.title,
        description=data.description,
        owner_agency=actor.agency_code,
        crime_area=data.crime_area.value,
        data_category=data.data_category.value,
        handling_code=data.handling_code.value,
        legal_basis=data.legal_basis,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        objectives=list(data.objectives),
        venues=[v.model_dump() for v in data.venues],
        created_by=actor.display,
    )
    require(session, actor, Action.CREATE, sharing.operation_resource(operation))
    if data.parent_id is not None:
        parent = load_operation(session, actor, data.parent_id)
        operation.parent_id = parent.id
    session.add(operation)
    session.flush()
    for participant in data.participants:
        _add_participant(session, operation, participant)
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        operation.kind,
        operation.id,
        recipients=[p.agency for p in data.participants],
        details={"event": "created", "parent": operation.parent_id},
    )
    sharing.publish(session, actor, operation)
    return operation


def _add_participant(session: Session, operation: Operation, data: ParticipantCreate) -> None:
    if data.agency == operation.owner_agency:
        raise ValidationError("the owner agency takes part already", code="participant_invalid")
    agreement = get_agreement(session, data.agreement)
    if (
        data.agency not in agreement.party_codes
        or operation.owner_agency not in agreement.party_codes
    ):
        raise ValidationError(
            f"agreement {data.agreement} is not between {operation.owner_agency} and {data.agency}",
            code="participant_invalid",
        )
    exists = session.execute(
        select(Participant).where(
            Participant.operation_id == operation.id, Participant.agency_code == data.agency
        )
    ).scalar_one_or_none()
    if exists is not None:
        raise ConflictError(f"{data.agency} takes part already", code="participant_exists")
    session.add(
        Participant(
            operation_id=operation.id,
            agency_code=data.agency,
            agreement_ref=agreement.reference,
            role=data.role,
            contingent_size=data.contingent_size,
            liaison_officers=[o.model_dump() for o in data.liaison_officers],
        )
    )
    session.flush()


def _owned(session: Session, actor: Actor, operation_id: str) -> Operation:
    operation = load_operation(session, actor, operation_id)
    require(session, actor, Action.UPDATE, sharing.operation_resource(operation))
    if operation.status != OperationStatus.ACTIVE.value:
        raise ConflictError(f"operation is {operation.status}", code="operation_not_active")
    return operation


def _changed(
    session: Session, actor: Actor, operation: Operation, event: str, **details: Any
) -> None:
    operation.version += 1
    operation.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        operation.kind,
        operation.id,
        details={"event": event, **details},
    )
    sharing.publish(session, actor, operation)


def list_operations(
    session: Session, actor: Actor, kind: OperationKind | None = None
) -> list[Operation]:
    stmt = select(Operation).order_by(Operation.starts_at.desc())
    if kind is not None:
        stmt = stmt.where(Operation.kind == kind.value)
    rows = [
        op
        for op in session.execute(stmt).scalars()
        if check(session, actor, Action.READ, sharing.operation_resource(op)).allowed
    ]
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        kind.value if kind else "operation",
        None,
        details={"event": "listed", "count": len(rows)},
    )
    return rows


def read_operation(session: Session, actor: Actor, operation_id: str) -> OperationRead:
    operation = load_operation(session, actor, operation_id)
    record(session, actor, AuditAction.CONSULTATION, operation.kind, operation.id)
    return to_read(session, operation)


def to_read(session: Session, operation: Operation) -> OperationRead:
    children = session.execute(
        select(Operation.id).where(Operation.parent_id == operation.id).order_by(Operation.id)
    ).scalars()
    return OperationRead(
        id=operation.id,
        kind=operation.kind,
        title=operation.title,
        description=operation.description,
        owner_agency=operation.owner_agency,
        crime_area=operation.crime_area,
        data_category=operation.data_category,
        handling_code=operation.handling_code,
        legal_basis=operation.legal_basis,
        status=operation.status,
        parent_id=operation.parent_id,
        children=list(children),
        predecessor_id=operation.predecessor_id,
        handed_over_to=operation.handed_over_to,
        starts_at=operation.starts_at,
        ends_at=operation.ends_at,
        objectives=list(operation.objectives),
        venues=[Venue.model_validate(v) for v in operation.venues],
        participants=[
            ParticipantRead(
                agency_code=p.agency_code,
                agreement_ref=p.agreement_ref,
                role=p.role,
                contingent_size=p.contingent_size,
                liaison_officers=[LiaisonOfficer.model_validate(o) for o in p.liaison_officers],
            )
            for p in sharing.participants_of(session, operation.id)
        ],
        tasks=[TaskRead.model_validate(t) for t in sharing.tasks_of(session, operation.id)],
        links=[
            LinkRead(kind=x.kind, target_id=x.target_id, added_by=x.added_by, added_at=x.added_at)
            for x in sharing.links_of(session, operation.id)
        ],
        version=operation.version,
        created_by=operation.created_by,
        created_at=operation.created_at,
    )


def add_participant(
    session: Session, actor: Actor, operation_id: str, data: ParticipantCreate
) -> Operation:
    operation = _owned(session, actor, operation_id)
    _add_participant(session, operation, data)
    _changed(session, actor, operation, "participant_added", agency=data.agency)
    return operation


def add_task(session: Session, actor: Actor, operation_id: str, data: TaskCreate) -> OperationTask:
    operation = _owned(session, actor, operation_id)
    owner = data.owner_agency or actor.agency_code
    agencies = {
        operation.owner_agency,
        *(p.agency_code for p in sharing.participants_of(session, operation.id)),
    }
    if owner not in agencies:
        raise ValidationError(f"{owner} does not take part in this operation", code="task_invalid")
    task = OperationTask(
        id=new_id(actor.agency_code, "task"),
        operation_id=operation.id,
        title=data.title,
        owner_agency=owner,
        assignee=data.assignee,
        due_at=data.due_at,
        created_by=actor.display,
    )
    session.add(task)
    _changed(session, actor, operation, "task_added", task=task.id)
    return task


def complete_task(session: Session, actor: Actor, operation_id: str, task_id: str) -> OperationTask:
    operation = _owned(session, actor, operation_id)
    task = session.get(OperationTask, task_id)
    if task is None or task.operation_id != operation.id:
        raise NotFoundError(f"no task {task_id} in this operation", code="task_not_found")
    if task.status == TaskStatus.DONE.value:
        raise ConflictError("task already done", code="task_done")
    task.status, task.done_at = TaskStatus.DONE.value, utcnow()
    _changed(session, actor, operation, "task_done", task=task.id)
    return task


def link_record(
    session: Session, actor: Actor, operation_id: str, data: LinkCreate
) -> OperationLink:
    """Link a case, alert or hit this node holds; the actor must be allowed to read it."""
    operation = _owned(session, actor, operation_id)
    check_link_target(session, actor, data.kind, data.target_id)
    exists = session.execute(
        select(OperationLink).where(
            OperationLink.operation_id == operation.id,
            OperationLink.kind == data.kind.value,
            OperationLink.target_id == data.target_id,
        )
    ).scalar_one_or_none()
    if exists is not None:
        raise ConflictError("already linked", code="link_exists")
    link = OperationLink(
        operation_id=operation.id,
        kind=data.kind.value,
        target_id=data.target_id,
        added_by=actor.display,
    )
    session.add(link)
    _changed(session, actor, operation, "linked", kind=data.kind.value, target=data.target_id)
    return link


def hand_over(session: Session, actor: Actor, operation_id: str, to: str, reason: str) -> Operation:
    """Hand the lead to a participant agency: this operation ends here as handed over and the
    receiving node opens its own operation continuing it (``predecessor_id``)."""
    operation = _owned(session, actor, operation_id)
    if to not in {p.agency_code for p in sharing.participants_of(session, operation.id)}:
        raise ValidationError(f"{to} does not take part in this operation", code="handover_invalid")
    write_entry(session, actor, operation, EntryKind.HANDOVER, f"Handed over to {to}", reason)
    operation.status = OperationStatus.HANDED_OVER.value
    operation.handed_over_to = to
    operation.closed_at = utcnow()
    operation.report = build_report(session, operation, reason)
    _changed(session, actor, operation, "handed_over", to=to)
    return operation


def close_operation(session: Session, actor: Actor, operation_id: str, summary: str) -> Operation:
    """End the operation and freeze its end-of-operation report."""
    operation = _owned(session, actor, operation_id)
    operation.status = OperationStatus.CLOSED.value
    operation.closed_at = utcnow()
    operation.report = build_report(session, operation, summary)
    _changed(session, actor, operation, "closed")
    return operation


def build_report(session: Session, operation: Operation, summary: str) -> dict[str, Any]:
    entries: Sequence[LogEntry] = (
        session.execute(
            select(LogEntry)
            .where(LogEntry.operation_id == operation.id)
            .order_by(LogEntry.occurred_at)
        )
        .scalars()
        .all()
    )
    tasks = sharing.tasks_of(session, operation.id)
    incidents = [e for e in entries if e.kind == EntryKind.INCIDENT.value]
    return {
        "operation": operation.id,
        "title": operation.title,
        "summary": summary,
        "starts_at": operation.starts_at.isoformat(),
        "closed_at": utcnow().isoformat(),
        "participants": [p.agency_code for p in sharing.participants_of(session, operation.id)],
        "objectives": list(operation.objectives),
        "entries": {"total": len(entries), "by_kind": dict(Counter(e.kind for e in entries))},
        "entries_by_agency": dict(Counter(e.owner_agency for e in entries)),
        "incidents_by_severity": dict(Counter(e.severity or "" for e in incidents)),
        "tasks": {
            "total": len(tasks),
            "done": sum(1 for t in tasks if t.status == TaskStatus.DONE.value),
            "overdue_open": sum(
                1 for t in tasks if t.status == TaskStatus.OPEN.value and t.due_at < utcnow()
            ),
        },
        "links": dict(Counter(x.kind for x in sharing.links_of(session, operation.id))),
        "timeline": [
            {
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "kind": e.kind,
                "severity": e.severity,
                "agency": e.owner_agency,
                "title": e.title,
            }
            for e in entries
        ],
    }


def report_of(session: Session, actor: Actor, operation_id: str) -> dict[str, Any]:
    """The frozen report of a closed operation, or the report as it would stand now."""
    operation = load_operation(session, actor, operation_id)
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        operation.kind,
        operation.id,
        details={"event": "report"},
    )
    return operation.report or build_report(session, operation, "(operation still active)")
