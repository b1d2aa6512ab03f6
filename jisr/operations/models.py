"""Joint operations and major events: participants, links, tasks, the shared log, accreditation.

A major event is an operation of kind ``event`` (venues, contingents, accreditation, threat
assessments and incidents are what it adds), so both share one log, one federation path and one
set of rules. Every row of a partner's operation is a copy: only its owner node changes it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class OperationKind(StrEnum):
    OPERATION = "operation"
    EVENT = "event"


class OperationStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"
    HANDED_OVER = "handed_over"


class EntryKind(StrEnum):
    NOTE = "note"
    INCIDENT = "incident"
    THREAT_ASSESSMENT = "threat_assessment"
    HANDOVER = "handover"
    TASK = "task"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ThreatLevel(StrEnum):
    """The UK-style five-grade scale most partners' assessments map onto."""

    LOW = "low"
    MODERATE = "moderate"
    SUBSTANTIAL = "substantial"
    SEVERE = "severe"
    CRITICAL = "critical"


class LinkKind(StrEnum):
    CASE = "case"
    ALERT = "alert"
    HIT = "hit"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Operation(Base):
    __tablename__ = "operations"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=OperationKind.OPERATION.value)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    crime_area: Mapped[str] = mapped_column(String(32))
    data_category: Mapped[str] = mapped_column(String(32))
    handling_code: Mapped[str] = mapped_column(String(4))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.ACTIVE.value)
    parent_id: Mapped[str | None] = mapped_column(String(80), index=True)
    # The operation this one continues after a hand-over (another agency's).
    predecessor_id: Mapped[str | None] = mapped_column(String(80))
    handed_over_to: Mapped[str | None] = mapped_column(String(24))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    objectives: Mapped[list[str]]
    # Events: [{"name", "city", "lat", "lon"}].
    venues: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The end-of-operation report, frozen when the operation is closed.
    report: Mapped[dict[str, Any] | None]
    # Bumped by every change the owner makes; copies ignore older snapshots.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Set on a partner's copy: when the last snapshot arrived.
    received_at: Mapped[datetime | None]


class Participant(Base):
    __tablename__ = "operation_participants"
    __table_args__ = (UniqueConstraint("operation_id", "agency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(24))
    # Shared reference of the agreement between the owner and this agency.
    agreement_ref: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32), default="participant")
    contingent_size: Mapped[int] = mapped_column(Integer, default=0)
    # [{"name", "phone", "email"}]: the contingent's liaison officers.
    liaison_officers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperationLink(Base):
    """A case, alert or hit this node holds, linked to the operation (by id, never copied)."""

    __tablename__ = "operation_links"
    __table_args__ = (UniqueConstraint("operation_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(120))
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperationTask(Base):
    __tablename__ = "operation_tasks"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # The agency that owes the task, and the officer in charge there.
    owner_agency: Mapped[str] = mapped_column(String(24))
    assignee: Mapped[str] = mapped_column(String(120), default="")
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN.value)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class LogEntry(Base):
    """One entry of the shared operational log. ``occurred_at`` is when it happened,
    ``recorded_at`` when its author wrote it down; they are never the same field."""

    __tablename__ = "operation_log"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # Incidents: Severity. Threat assessments: ThreatLevel.
    severity: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str | None] = mapped_column(String(200))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    handling_code: Mapped[str] = mapped_column(String(4))
    author: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    # Set on copies: when this node received it.
    received_at: Mapped[datetime | None]


class Accreditation(Base):
    """An accreditation list of an event, screened through the watchlists' manifest path."""

    __tablename__ = "operation_accreditations"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("operations.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    # The watchlists manifest job that screens it (hits, rejected rows, progress live there).
    manifest_job_id: Mapped[str] = mapped_column(String(80), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarToken(Base):
    """A user's secret calendar address (only its SHA-256 is kept)."""

    __tablename__ = "calendar_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(80), index=True)
    username: Mapped[str] = mapped_column(String(120))
    agency_code: Mapped[str] = mapped_column(String(24))
    roles: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
