"""Receipts: the recipient tells the owner a message was delivered, read, answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.audit import AuditAction, record
from jisr.errors import JisrError
from jisr.exchange.access import load_message
from jisr.exchange.models import Direction, Message, Receipt, ReceiptKind
from jisr.exchange.outbound import enqueue_about

RECEIPT_ENVELOPE = "exchange.receipt"
log = structlog.get_logger("jisr.exchange")


def _exists(session: Session, message_id: str, kind: ReceiptKind, agency: str) -> bool:
    stmt = select(Receipt.id).where(
        Receipt.message_id == message_id, Receipt.kind == kind.value, Receipt.agency == agency
    )
    return session.execute(stmt).first() is not None


def issue(session: Session, message: Message, kind: ReceiptKind, at: datetime) -> None:
    """Record a receipt for a partner's message and queue it back to its owner (once per kind).

    The node issues receipts, not the officer: a receipt must never make a read fail, so a
    receipt that cannot be queued (the agreement ended meanwhile) is kept here and logged.
    """
    if message.direction != Direction.INBOUND.value:
        return
    if _exists(session, message.id, kind, message.recipient_agency):
        return
    session.add(
        Receipt(message_id=message.id, kind=kind.value, agency=message.recipient_agency, at=at)
    )
    node = system_actor(message.recipient_agency)
    try:
        with session.begin_nested():
            payload = {"message_id": message.id, "kind": kind.value, "at": at.isoformat()}
            enqueue_about(
                session, node, message, RECEIPT_ENVELOPE, payload, to=message.owner_agency
            )
    except JisrError as exc:
        log.warning("receipt not queued", message_id=message.id, kind=kind.value, code=exc.code)
        return
    record(
        session,
        node,
        AuditAction.TRANSFER,
        "receipt",
        message.id,
        recipients=[message.owner_agency],
        details={"kind": kind.value},
    )


def accept(
    session: Session, partner: Actor, message_id: str, kind: ReceiptKind, at: datetime
) -> bool:
    """A partner's receipt for one of our messages; False when it names no message it received."""
    message = session.get(Message, message_id)
    if (
        message is None
        or message.direction != Direction.OUTBOUND.value
        or message.recipient_agency != partner.agency_code
    ):
        return False
    if not _exists(session, message_id, kind, partner.agency_code):
        session.add(
            Receipt(message_id=message_id, kind=kind.value, agency=partner.agency_code, at=at)
        )
        if kind is ReceiptKind.ANSWERED and message.answered_at is None:
            message.answered_at = at
        session.flush()
    record(
        session,
        partner,
        AuditAction.COLLECTION,
        "receipt",
        message_id,
        details={"kind": kind.value},
    )
    return True


def list_receipts(session: Session, actor: Actor, message_id: str) -> Sequence[Receipt]:
    load_message(session, actor, message_id)
    stmt = select(Receipt).where(Receipt.message_id == message_id).order_by(Receipt.at, Receipt.id)
    rows = session.execute(stmt).scalars().all()
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "receipts",
        message_id,
        details={"returned": len(rows)},
    )
    return rows
