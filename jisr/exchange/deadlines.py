"""Response deadlines, retention defaults, overdue requests and reminders.

A request's deadline is chosen by its writer as one of the classes of Directive (EU) 2023/977
(art. 5: urgent, 8 hours; 3 days; 7 days) or as an explicit date (``resolve_deadline``); it
travels with the request, so both nodes run the same clock. Without a choice it follows the
priority (7 days, 3 days, 8 hours), which can be overridden per agreement in
``exchange_agreement_rules``: partners often agree shorter deadlines for urgent matters.
Retention defaults to 5 years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import get_agreement, require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError, ValidationError
from jisr.exchange.access import can_read, readable_messages
from jisr.exchange.models import (
    AgreementRules,
    DeadlineClass,
    Direction,
    Message,
    MessageKind,
    Priority,
    ReminderState,
)
from jisr.exchange.outbound import enqueue_about

DEFAULT_DEADLINE_HOURS: dict[Priority, int] = {
    Priority.ROUTINE: 7 * 24,
    Priority.URGENT: 3 * 24,
    Priority.IMMEDIATE: 8,
}
DEFAULT_RETENTION = timedelta(days=5 * 365)
MAX_RETENTION_DAYS = 50 * 365
REMINDER_WINDOW = timedelta(hours=24)
CLASS_HOURS: dict[DeadlineClass, int] = {
    DeadlineClass.URGENT: 8,
    DeadlineClass.THREE_DAYS: 3 * 24,
    DeadlineClass.SEVEN_DAYS: 7 * 24,
}
# An explicit deadline is at least an hour ahead and at most a year.
MIN_DEADLINE = timedelta(hours=1)
MAX_DEADLINE = timedelta(days=366)
# The owner of a request reminds the partner that owes the answer (handled in
# ``jisr.exchange.federation``).
REMINDER_ENVELOPE = "exchange.reminder"
log = structlog.get_logger("jisr.exchange")


class WireReminder(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: str = Field(max_length=80)
    state: ReminderState
    deadline_at: datetime


def _hours(rules: AgreementRules | None, priority: Priority) -> int:
    if rules is not None:
        override = {
            Priority.ROUTINE: rules.routine_hours,
            Priority.URGENT: rules.urgent_hours,
            Priority.IMMEDIATE: rules.immediate_hours,
        }[priority]
        if override is not None:
            return override
    return DEFAULT_DEADLINE_HOURS[priority]


def deadline_for(
    session: Session, agreement_id: str, priority: Priority, start: datetime
) -> datetime:
    return start + timedelta(hours=_hours(session.get(AgreementRules, agreement_id), priority))


def resolve_deadline(
    session: Session,
    agreement_id: str,
    priority: Priority,
    now: datetime,
    *,
    chosen: DeadlineClass | None = None,
    at: datetime | None = None,
) -> tuple[datetime, DeadlineClass | None]:
    """A request's deadline and the class it was set by: a class of the Directive, an explicit
    date (``at``, with or without ``chosen=DATE``), or else the priority's rule (no class)."""
    if at is not None:
        if chosen not in (None, DeadlineClass.DATE):
            raise ValidationError(
                "give a deadline class or a deadline date, not both",
                code="deadline_invalid",
                field="deadline_at",
            )
        if not now + MIN_DEADLINE <= at <= now + MAX_DEADLINE:
            raise ValidationError(
                "deadline_at must be at least an hour ahead and within a year",
                code="deadline_invalid",
                field="deadline_at",
            )
        return at, DeadlineClass.DATE
    if chosen is DeadlineClass.DATE:
        raise ValidationError(
            "deadline class date needs deadline_at", code="deadline_invalid", field="deadline_at"
        )
    if chosen is not None:
        return now + timedelta(hours=CLASS_HOURS[chosen]), chosen
    return deadline_for(session, agreement_id, priority, now), None


def default_retention(session: Session, agreement_id: str, start: datetime) -> datetime:
    rules = session.get(AgreementRules, agreement_id)
    if rules is not None and rules.retention_days is not None:
        return start + timedelta(days=rules.retention_days)
    return start + DEFAULT_RETENTION


@dataclass(frozen=True, slots=True)
class RulesChange:
    routine_hours: int | None = None
    urgent_hours: int | None = None
    immediate_hours: int | None = None
    retention_days: int | None = None


def set_agreement_rules(
    session: Session, actor: Actor, agreement_key: str, change: RulesChange
) -> AgreementRules:
    """Override deadlines and retention for one agreement (administrators); None keeps default."""
    require(session, actor, Action.ADMINISTER, Resource(ResourceKind.AGREEMENT, actor.agency_code))
    agreement = get_agreement(session, agreement_key)
    for name in ("routine_hours", "urgent_hours", "immediate_hours"):
        value = getattr(change, name)
        if value is not None and not 1 <= value <= 24 * 365:
            raise ValidationError(f"{name} must be between 1 and 8760", code="deadline_invalid")
    days = change.retention_days
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(
            f"retention_days must be between 1 and {MAX_RETENTION_DAYS}", code="retention_invalid"
        )
    rules = session.get(AgreementRules, agreement.id)
    if rules is None:
        rules = AgreementRules(agreement_id=agreement.id, updated_by=actor.display)
        session.add(rules)
    rules.routine_hours = change.routine_hours
    rules.urgent_hours = change.urgent_hours
    rules.immediate_hours = change.immediate_hours
    rules.retention_days = change.retention_days
    rules.updated_by = actor.display
    session.flush()
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "exchange_rules",
        agreement.id,
        details={"event": "rules", "reference": agreement.reference, **_as_dict(change)},
    )
    return rules


def _as_dict(change: RulesChange) -> dict[str, int | None]:
    return {
        "routine_hours": change.routine_hours,
        "urgent_hours": change.urgent_hours,
        "immediate_hours": change.immediate_hours,
        "retention_days": change.retention_days,
    }


def _open_requests(before: datetime) -> Select[Message]:
    return (
        select(Message)
        .where(
            Message.kind == MessageKind.REQUEST.value,
            Message.answered_at.is_(None),
            Message.withdrawn_at.is_(None),
            Message.deadline_at.is_not(None),
            Message.deadline_at < before,
        )
        .order_by(Message.deadline_at, Message.id)
    )


def is_overdue(message: Message, now: datetime) -> bool:
    return (
        message.kind == MessageKind.REQUEST.value
        and message.answered_at is None
        and message.deadline_at is not None
        and message.deadline_at < now
    )


def list_overdue(
    session: Session, actor: Actor, *, now: datetime | None = None, limit: int = 200
) -> list[Message]:
    """Unanswered requests past their deadline, both those we owe and those owed to us."""
    now = now or utcnow()
    stmt = _open_requests(now).where(readable_messages(session, actor)).limit(limit)
    rows = list(session.execute(stmt).scalars())
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "overdue_requests",
        details={"returned": len(rows)},
    )
    return rows


def collect_reminders(
    session: Session,
    actor: Actor,
    *,
    within: timedelta = REMINDER_WINDOW,
    now: datetime | None = None,
) -> list[tuple[Message, ReminderState]]:
    """Requests newly approaching (deadline within ``within``) or newly past their deadline.

    Each request is reported once per state: the state is marked, so running this every few
    minutes from a scheduler reminds officers without repeating itself. A request this node
    sent is also reminded to the partner that owes the answer (``exchange.reminder``, queued
    by the node itself under the request's agreement and case); there it marks the partner's
    copy, which its officers see in their requests list.
    """
    now = now or utcnow()
    due: list[tuple[Message, ReminderState]] = []
    for message in session.execute(_open_requests(now + within)).scalars():
        assert message.deadline_at is not None  # noqa: S101 - filtered in the query
        state = ReminderState.OVERDUE if message.deadline_at < now else ReminderState.APPROACHING
        if message.reminder_state == state.value or not can_read(session, actor, message):
            continue
        message.reminder_state = state.value
        due.append((message, state))
        if message.direction == Direction.OUTBOUND.value:
            _remind_partner(session, message, state)
    if due:
        record(
            session, actor, AuditAction.CONSULTATION, "reminders", details={"returned": len(due)}
        )
    return due


def _remind_partner(session: Session, message: Message, state: ReminderState) -> None:
    assert message.deadline_at is not None  # noqa: S101 - only open requests with a deadline
    wire = WireReminder(message_id=message.id, state=state, deadline_at=message.deadline_at)
    try:
        enqueue_about(
            session,
            system_actor(message.owner_agency),
            message,
            REMINDER_ENVELOPE,
            wire.model_dump(mode="json"),
        )
    except PermissionDeniedError as exc:
        # The agreement no longer allows traffic (ended, out of scope): the request stays
        # marked here; there is nothing lawful to send.
        log.info("reminder not sent", message_id=message.id, reason=exc.detail)
