"""Rows to wire types."""

from __future__ import annotations

from datetime import datetime

from jisr.clock import utcnow
from jisr.exchange.deadlines import is_overdue
from jisr.exchange.models import (
    Case,
    DeadlineClass,
    Direction,
    GradingScheme,
    Message,
    MessageKind,
    Priority,
)
from jisr.exchange.schemas import (
    AttachmentInfo,
    CaseRead,
    Grading,
    MessageRead,
    MessageSummary,
)


def to_summary(message: Message, now: datetime | None = None) -> MessageSummary:
    return MessageSummary(
        id=message.id,
        case_ref=message.case_ref,
        kind=MessageKind(message.kind),
        direction=Direction(message.direction),
        owner_agency=message.owner_agency,
        recipient_agency=message.recipient_agency,
        subject=message.subject,
        crime_area=message.crime_area,
        priority=Priority(message.priority),
        handling_code=message.handling_code,
        in_reply_to=message.in_reply_to,
        deadline_at=message.deadline_at,
        deadline_class=DeadlineClass(message.deadline_class) if message.deadline_class else None,
        answered_at=message.answered_at,
        overdue=is_overdue(message, now or utcnow()),
        created_at=message.created_at,
    )


def grading_of(message: Message) -> Grading | None:
    if message.grading_scheme is None:
        return None
    return Grading(
        scheme=GradingScheme(message.grading_scheme),
        source_reliability=message.source_reliability or "",
        information_credibility=message.information_credibility or "",
    )


def to_read(message: Message, now: datetime | None = None) -> MessageRead:
    return MessageRead(
        **to_summary(message, now).model_dump(),
        agreement_id=message.agreement_id,
        body=message.body,
        data_category=message.data_category,
        handling_text=message.handling_text,
        grading=grading_of(message),
        legal_basis=message.legal_basis,
        purpose=message.purpose,
        retention_until=message.retention_until,
        entities=message.entities,
        attachments=[
            AttachmentInfo(
                sha256=link.sha256,
                filename=link.filename,
                size=link.attachment.size,
                mime_type=link.attachment.mime_type,
            )
            for link in message.attachments
        ],
        created_by=message.created_by,
        received_at=message.received_at,
        read_at=message.read_at,
    )


def to_case(case: Case, messages: int, open_requests: int) -> CaseRead:
    return CaseRead(
        ref=case.ref,
        title=case.title,
        owner_agency=case.owner_agency,
        agreement_id=case.agreement_id,
        crime_area=case.crime_area,
        handling_code=case.handling_code,
        created_at=case.created_at,
        messages=messages,
        open_requests=open_requests,
        members=sorted(case.member_keys),
        status=case.status,
        outcome=case.outcome,
        outcome_note=case.outcome_note,
        closed_at=case.closed_at,
        assignee=case.assignee,
        due_at=case.due_at,
        labels=case.labels,
    )
