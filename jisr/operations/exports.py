"""CSV exports of an operation's log and tasks, and of an event's participants (contingents and
liaison officers). The rows are those the actor may read; the export is audited as a
disclosure to the actor."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.operations import sharing
from jisr.operations.log import list_entries

LOG_COLUMNS = (
    "id", "kind", "severity", "title", "body", "venue", "owner_agency", "handling_code",
    "author", "occurred_at", "recorded_at", "received_at",
)  # fmt: skip


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def log_csv(session: Session, actor: Actor, operation_id: str, kind: str | None = None) -> str:
    entries = [
        e for e in list_entries(session, actor, operation_id) if kind is None or e.kind == kind
    ]
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "operation",
        operation_id,
        details={"event": "csv_export", "rows": len(entries), "kind": kind},
    )
    return _csv(
        LOG_COLUMNS,
        (
            [
                e.id,
                e.kind,
                e.severity,
                e.title,
                e.body,
                e.venue,
                e.owner_agency,
                e.handling_code,
                e.author,
                e.occurred_at.isoformat(),
                e.recorded_at.isoformat(),
                e.received_at.isoformat() if e.received_at else None,
            ]  # fmt: skip
            for e in entries
        ),
    )


def tasks_csv(session: Session, actor: Actor, operation_id: str) -> str:
    operation = sharing.load_operation(session, actor, operation_id)
    tasks = sharing.tasks_of(session, operation.id)
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "operation",
        operation.id,
        details={"event": "csv_export_tasks", "rows": len(tasks)},
    )
    return _csv(
        ("id", "title", "owner_agency", "assignee", "due_at", "status", "done_at"),
        (
            [
                t.id,
                t.title,
                t.owner_agency,
                t.assignee,
                t.due_at.isoformat(),
                t.status,
                t.done_at.isoformat() if t.done_at else None,
            ]  # fmt: skip
            for t in tasks
        ),
    )


def participants_csv(session: Session, actor: Actor, operation_id: str) -> str:
    operation = sharing.load_operation(session, actor, operation_id)
    rows = []
    for p in sharing.participants_of(session, operation.id):
        officers = p.liaison_officers or [{}]
        for officer in officers:
            rows.append(
                [
                    p.agency_code,
                    p.role,
                    p.contingent_size,
                    p.agreement_ref,
                    officer.get("name", ""),
                    officer.get("phone", ""),
                    officer.get("email", ""),
                ]  # fmt: skip
            )
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "operation",
        operation.id,
        details={"event": "csv_export_participants", "rows": len(rows)},
    )
    return _csv(
        ("agency", "role", "contingent_size", "agreement", "liaison_officer", "phone", "email"),
        rows,
    )
