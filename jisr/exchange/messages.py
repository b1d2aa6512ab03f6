"""Writing, replying to, reading, listing and withdrawing messages and requests.

Sending is one transaction: the message, its case, its audit entries and the federation outbox
rows (its attachments' chunks first, then the message) commit together, so a message is never
recorded as sent without being queued, or queued without being recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.agreements.models import Agreement, DataCategory, HandlingCode
from jisr.agreements.policy import Action
from jisr.agreements.service import get_agreement, require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, ValidationError
from jisr.exchange import attachments, cases, deadlines, members, receipts, transfers
from jisr.exchange.access import load_case, load_message, message_resource, readable_messages
from jisr.exchange.entities import describes_people, normalise_entities
from jisr.exchange.models import (
    Case,
    DeadlineClass,
    Direction,
    Message,
    MessageKind,
    ReceiptKind,
)
from jisr.exchange.outbound import enqueue_about
from jisr.exchange.schemas import MessageContent, MessageCreate, ReplyCreate
from jisr.exchange.storage import BlobStore
from jisr.exchange.wire import MESSAGE_ENVELOPE, WITHDRAW_ENVELOPE, message_payload
from jisr.federation.service import share_verdict
from jisr.ids import new_id


@dataclass(frozen=True, slots=True)
class _Route:
    """Where a message goes and under what: decided by a new message or by the one answered."""

    to: str
    agreement: Agreement
    subject: str
    crime_area: str
    data_category: str
    legal_basis: str
    purpose: str
    case: Case | None
    case_title: str
    in_reply_to: str | None
    # A reply's handling when the writer names none: that of the message answered.
    handling: HandlingCode | None = None
    handling_text: str | None = None


def send_message(
    session: Session, actor: Actor, data: MessageCreate, *, store: BlobStore
) -> Message:
    """Write a message or request to a partner under an agreement, and queue it."""
    agreement = get_agreement(session, data.agreement)
    case = load_case(session, actor, data.case_ref) if data.case_ref else None
    route = _Route(
        to=data.to,
        agreement=agreement,
        subject=data.subject,
        crime_area=data.crime_area.value,
        data_category=data.data_category.value,
        legal_basis=data.legal_basis or agreement.legal_basis,
        purpose=data.purpose,
        case=case,
        case_title=data.subject,
        in_reply_to=None,
    )
    return _compose(session, actor, route, data, store)


def reply(
    session: Session, actor: Actor, message_id: str, data: ReplyCreate, *, store: BlobStore
) -> Message:
    """Answer a message in its case, to the other party, under the same agreement.

    Answering a partner's request marks it answered and tells its owner so.
    """
    original = load_message(session, actor, message_id)
    if original.withdrawn_at is not None:
        raise ConflictError("that message was withdrawn", code="message_withdrawn")
    inbound = original.direction == Direction.INBOUND.value
    agreement = get_agreement(session, original.agreement_id)
    kept = reply_handling(original, agreement)
    lowered = data.handling_code is not None and _rank(data.handling_code) < _rank(kept)
    if lowered and not (data.handling_lowered_reason or "").strip():
        raise ValidationError(
            f"the message answered is {kept.value}: a reply under a lower handling code needs "
            "handling_lowered_reason",
            code="handling_lowering_unjustified",
            field="handling_lowered_reason",
        )
    route = _Route(
        to=original.owner_agency if inbound else original.recipient_agency,
        agreement=agreement,
        subject=data.subject or _re(original.subject),
        crime_area=original.crime_area,
        data_category=(data.data_category or DataCategory(original.data_category)).value,
        legal_basis=original.legal_basis,
        purpose=data.purpose or original.purpose,
        case=session.get(Case, original.case_ref),
        case_title=original.subject,
        in_reply_to=original.id,
        handling=kept,
        handling_text=original.handling_text if kept is HandlingCode.H3 else None,
    )
    answer = _compose(session, actor, route, data, store)
    if lowered:
        record(
            session,
            actor,
            AuditAction.ALTERATION,
            "message",
            answer.id,
            justification=data.handling_lowered_reason or "",
            details={
                "event": "handling_lowered",
                "answered": original.id,
                "from": kept.value,
                "to": answer.handling_code,
            },
        )
    if inbound and original.kind == MessageKind.REQUEST.value and original.answered_at is None:
        original.answered_at = answer.created_at
        receipts.issue(session, original, ReceiptKind.ANSWERED, answer.created_at)
    return answer


def _rank(code: HandlingCode) -> int:
    return int(code.value[1:])


def reply_handling(original: Message, agreement: Agreement) -> HandlingCode:
    """The handling code an answer keeps: the stricter of the message answered and the
    agreement's default (H3 > H2 > H1 > H0)."""
    answered = HandlingCode(original.handling_code)
    default = HandlingCode(agreement.default_handling)
    return max(answered, default, key=_rank)


def _re(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"[:300]


def _compose(
    session: Session, actor: Actor, route: _Route, data: MessageContent, store: BlobStore
) -> Message:
    if route.to == actor.agency_code:
        raise ValidationError("a message goes to a partner agency", code="recipient_invalid")
    handling = (
        data.handling_code or route.handling or HandlingCode(route.agreement.default_handling)
    )
    handling_text = data.handling_text
    if handling is HandlingCode.H3 and not (handling_text or "").strip():
        handling_text = route.handling_text if handling is route.handling else None
    if handling is HandlingCode.H3 and not (handling_text or "").strip():
        raise ValidationError(
            "handling code H3 needs the restrictions stated in handling_text",
            code="handling_text_required",
        )
    entities = normalise_entities(data.entities, actor.agency_code)
    if describes_people(entities) and route.data_category != DataCategory.PERSONAL.value:
        raise ValidationError(
            "entities describing people need data_category personal", code="data_category_invalid"
        )
    now = utcnow()
    deadline_at, deadline_class = _deadline(session, route.agreement.id, data, now)
    retention = data.retention_until or deadlines.default_retention(
        session, route.agreement.id, now
    )
    if not now < retention <= now + timedelta(days=deadlines.MAX_RETENTION_DAYS):
        raise ValidationError(
            "retention_until must be in the future and within 50 years", code="retention_invalid"
        )
    message = Message(
        id=new_id(actor.agency_code, "msg"),
        direction=Direction.OUTBOUND.value,
        kind=data.kind.value,
        owner_agency=actor.agency_code,
        recipient_agency=route.to,
        agreement_id=route.agreement.id,
        in_reply_to=route.in_reply_to,
        subject=route.subject,
        body=data.body,
        crime_area=route.crime_area,
        data_category=route.data_category,
        priority=data.priority.value,
        deadline_at=deadline_at,
        deadline_class=deadline_class.value if deadline_class else None,
        handling_code=handling.value,
        handling_text=handling_text if handling is HandlingCode.H3 else None,
        grading_scheme=data.grading.scheme.value if data.grading else None,
        source_reliability=data.grading.source_reliability if data.grading else None,
        information_credibility=data.grading.information_credibility if data.grading else None,
        legal_basis=route.legal_basis,
        purpose=route.purpose,
        retention_until=retention,
        entities=entities,
        created_by=actor.display,
        created_at=now,
    )
    require(session, actor, Action.CREATE, message_resource(session, message))
    share_verdict(session, actor, message_resource(session, message, route.to), route.agreement)
    if route.case is not None:
        cases.require_shareable(route.case, actor.agency_code, route.to)
    case = route.case or cases.open_case(
        session,
        actor,
        title=route.case_title,
        agreement=route.agreement,
        crime_area=route.crime_area,
        handling_code=handling.value,
        legal_basis=route.legal_basis,
        retention_until=retention,
    )
    cases.extend_retention(case, retention)
    members.join(session, case, actor)
    message.case_ref = case.ref
    attachments.link(session, actor, message, data.attachments)
    session.add(message)
    session.flush()
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "message",
        message.id,
        justification=route.purpose,
        recipients=[route.to],
        details={
            "kind": message.kind,
            "case": case.ref,
            "agreement": route.agreement.reference,
            "in_reply_to": route.in_reply_to,
            "entities": len(entities),
            "attachments": len(message.attachments),
        },
    )
    carried_by = transfers.queue_attachments(session, actor, message, store)
    enqueue_about(
        session, actor, message, MESSAGE_ENVELOPE, message_payload(message, case, carried_by)
    )
    return message


def _deadline(
    session: Session, agreement_id: str, data: MessageContent, now: datetime
) -> tuple[datetime | None, DeadlineClass | None]:
    if data.kind is not MessageKind.REQUEST:
        if data.deadline is not None or data.deadline_at is not None:
            raise ValidationError(
                "a deadline is for requests (kind request)",
                code="deadline_invalid",
                field="deadline",
            )
        return None, None
    return deadlines.resolve_deadline(
        session, agreement_id, data.priority, now, chosen=data.deadline, at=data.deadline_at
    )


def read_message(session: Session, actor: Actor, message_id: str) -> Message:
    """A message for ``actor`` to read: audited as consultation; a partner's message read by
    an officer for the first time is marked read and its owner receives a ``read`` receipt."""
    message = load_message(session, actor, message_id)
    record(session, actor, AuditAction.CONSULTATION, "message", message.id)
    if (
        message.direction == Direction.INBOUND.value
        and message.read_at is None
        and actor.kind is ActorKind.USER
        and actor.agency_code == message.recipient_agency
    ):
        message.read_at = utcnow()
        receipts.issue(session, message, ReceiptKind.READ, message.read_at)
    return message


@dataclass(frozen=True, slots=True)
class MessageFilter:
    case_ref: str | None = None
    direction: Direction | None = None
    kind: MessageKind | None = None
    limit: int = 100
    offset: int = 0
    crime_area: str | None = None


def list_messages(session: Session, actor: Actor, query: MessageFilter) -> list[Message]:
    """Newest first, only those ``actor`` may read (filtered in the query, then paged); the
    listing is audited as consultation."""
    stmt = select(Message).where(Message.withdrawn_at.is_(None), readable_messages(session, actor))
    if query.case_ref:
        stmt = stmt.where(Message.case_ref == query.case_ref)
    if query.direction:
        stmt = stmt.where(Message.direction == query.direction.value)
    if query.kind:
        stmt = stmt.where(Message.kind == query.kind.value)
    if query.crime_area:
        stmt = stmt.where(Message.crime_area == query.crime_area)
    stmt = stmt.order_by(Message.created_at.desc(), Message.id.desc())
    stmt = stmt.limit(query.limit).offset(query.offset)
    rows = list(session.execute(stmt).scalars())
    record(
        session, actor, AuditAction.CONSULTATION, "message_list", details={"returned": len(rows)}
    )
    return rows


def withdraw(session: Session, actor: Actor, message_id: str, reason: str) -> Message:
    """The owner withdraws a message: kept here as withdrawn, deleted from the partner's node."""
    message = load_message(session, actor, message_id)
    require(session, actor, Action.WITHDRAW, message_resource(session, message))
    if message.direction != Direction.OUTBOUND.value:
        raise ConflictError("only messages sent from this node can be withdrawn here")
    if message.withdrawn_at is not None:
        return message
    message.withdrawn_at = utcnow()
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "message",
        message.id,
        justification=reason,
        recipients=[message.recipient_agency],
        details={"event": "withdrawn"},
    )
    enqueue_about(
        session, actor, message, WITHDRAW_ENVELOPE, {"message_id": message.id, "reason": reason}
    )
    return message
