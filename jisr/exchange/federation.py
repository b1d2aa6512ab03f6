"""Envelope handlers for exchange: a partner's message, attachment chunk, receipt or withdrawal
arriving here; and the expander that puts a chunk's bytes into its envelope when it is sealed.

Declared in this domain's ``module.py``; federation has already verified the
envelope, checked the agreement and policy (RECEIVE) and deduplicated it before a handler runs,
inside the transaction that records it. A handler refuses by raising ``RejectedError``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.exchange import cases, receipts, transfers
from jisr.exchange.deadlines import REMINDER_ENVELOPE, WireReminder
from jisr.exchange.entities import check_owner
from jisr.exchange.models import Direction, Message, MessageAttachment, MessageKind, ReceiptKind
from jisr.exchange.wire import (
    CHUNK_ENVELOPE,
    MESSAGE_ENVELOPE,
    WITHDRAW_ENVELOPE,
    WireChunk,
    WireMessage,
    WireReceipt,
    WireWithdrawal,
)
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload
from jisr.federation.payloads import Expander
from jisr.ids import owner_of


def handlers() -> dict[str, Handler]:
    return {
        MESSAGE_ENVELOPE: receive_message,
        CHUNK_ENVELOPE: receive_chunk,
        receipts.RECEIPT_ENVELOPE: receive_receipt,
        WITHDRAW_ENVELOPE: receive_withdrawal,
        REMINDER_ENVELOPE: receive_reminder,
    }


def expanders() -> dict[str, Expander]:
    return {CHUNK_ENVELOPE: transfers.expand_chunk}


def receive_chunk(session: Session, envelope: InboundEnvelope) -> None:
    """A chunk of a partner's attachment; the file is kept once its last chunk is in."""
    wire = parse_payload(WireChunk, envelope)
    try:
        transfers.accept_chunk(session, envelope.actor, wire)
    except transfers.TransferError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None


def receive_message(session: Session, envelope: InboundEnvelope) -> None:
    """Store the partner's message as a copy owned by the sender, then acknowledge delivery.

    Its attachments arrived before it (``jisr.exchange.transfers``); one that has not arrived
    whole makes the message refused with ``attachment_incomplete``."""
    wire = parse_payload(WireMessage, envelope)
    header = envelope.header
    if owner_of(wire.id) != envelope.sender or wire.recipient != header.recipient:
        raise RejectedError("message id or recipient does not match the envelope")
    if (wire.crime_area.value, wire.data_category.value, wire.handling_code.value) != (
        header.crime_area,
        header.data_category,
        header.handling_code,
    ):
        raise RejectedError("message labels differ from the envelope's", code="payload_invalid")
    if session.get(Message, wire.id) is not None:
        return  # the same message in a second envelope: already held
    if not cases.may_thread(session, wire.case_ref, envelope.sender, header.recipient):
        # Refused (and audited by federation with this code), never filed in another's case.
        raise RejectedError(
            f"case {wire.case_ref} was not shared with {envelope.sender}", code="case_not_shared"
        )
    try:
        check_owner(wire.entities, envelope.sender)
        case = cases.adopt_case(
            session,
            ref=wire.case_ref,
            title=wire.case_title,
            agreement_id=envelope.agreement_id,
            crime_area=wire.crime_area.value,
            handling_code=wire.handling_code.value,
            legal_basis=wire.legal_basis,
            retention_until=wire.retention_until,
        )
        digests = transfers.claim_transfers(session, envelope.sender, wire.attachments)
    except transfers.TransferError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None
    except JisrError as exc:
        raise RejectedError(exc.detail, code="payload_invalid") from None
    now = utcnow()
    message = Message(
        id=wire.id,
        direction=Direction.INBOUND.value,
        kind=wire.kind.value,
        owner_agency=envelope.sender,
        recipient_agency=header.recipient,
        agreement_id=envelope.agreement_id,
        case_ref=case.ref,
        in_reply_to=wire.in_reply_to,
        subject=wire.subject,
        body=wire.body,
        crime_area=wire.crime_area.value,
        data_category=wire.data_category.value,
        priority=wire.priority.value,
        deadline_at=wire.deadline_at if wire.kind is MessageKind.REQUEST else None,
        deadline_class=(
            wire.deadline_class.value
            if wire.kind is MessageKind.REQUEST and wire.deadline_class
            else None
        ),
        handling_code=wire.handling_code.value,
        handling_text=wire.handling_text,
        grading_scheme=wire.grading.scheme.value if wire.grading else None,
        source_reliability=wire.grading.source_reliability if wire.grading else None,
        information_credibility=wire.grading.information_credibility if wire.grading else None,
        legal_basis=wire.legal_basis,
        purpose=wire.purpose,
        retention_until=wire.retention_until,
        entities=wire.entities,
        created_by=f"{wire.created_by} ({envelope.sender})"[:120],
        created_at=wire.created_at,
        received_at=now,
    )
    for position, (item, sha) in enumerate(zip(wire.attachments, digests, strict=True)):
        message.attachments.append(
            MessageAttachment(sha256=sha, filename=item.filename, position=position)
        )
    session.add(message)
    session.flush()
    _mark_answered(session, message)
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "message",
        message.id,
        recipients=[header.recipient],
        details={"kind": message.kind, "case": case.ref, "envelope": envelope.id},
    )
    receipts.issue(session, message, ReceiptKind.DELIVERED, now)


def _mark_answered(session: Session, answer: Message) -> None:
    """A partner's answer to one of our requests closes it."""
    if answer.in_reply_to is None:
        return
    request = session.get(Message, answer.in_reply_to)
    if (
        request is not None
        and request.direction == Direction.OUTBOUND.value
        and request.recipient_agency == answer.owner_agency
        and request.kind == MessageKind.REQUEST.value
        and request.answered_at is None
    ):
        request.answered_at = answer.received_at


def receive_receipt(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireReceipt, envelope)
    if not receipts.accept(session, envelope.actor, wire.message_id, wire.kind, wire.at):
        raise RejectedError(f"no message {wire.message_id} was sent to {envelope.sender}")


def _owners_copy(
    session: Session, envelope: InboundEnvelope, message_id: str, refusal: str
) -> Message | None:
    """Our copy of a message the sender owns (None: never received, or gone since); an
    envelope about a message the sender does not own is refused with ``refusal``."""
    if owner_of(message_id) != envelope.sender:
        raise RejectedError(refusal)
    message = session.get(Message, message_id)
    if message is None or message.direction != Direction.INBOUND.value:
        return None
    return message


def receive_withdrawal(session: Session, envelope: InboundEnvelope) -> None:
    """The owner withdrew a message: delete our copy (and say so in the audit trail)."""
    wire = parse_payload(WireWithdrawal, envelope)
    message = _owners_copy(
        session, envelope, wire.message_id, "only a message's owner can withdraw it"
    )
    if message is None:
        return  # nothing to erase
    session.delete(message)
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.ERASURE,
        "message",
        wire.message_id,
        justification=wire.reason,
        details={"event": "withdrawn_by_owner", "case": message.case_ref},
    )


def receive_reminder(session: Session, envelope: InboundEnvelope) -> None:
    """The owner of a request reminds us that its answer is due soon or overdue: our copy is
    marked (officers see it in their requests list) and the reminder is in the audit trail."""
    wire = parse_payload(WireReminder, envelope)
    message = _owners_copy(
        session, envelope, wire.message_id, "only a request's owner can remind about it"
    )
    if message is None:
        return  # nothing to mark
    if message.answered_at is None:
        message.reminder_state = wire.state.value
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "message",
        message.id,
        details={"event": "reminder_received", "state": wire.state.value},
    )
