"""Envelope handlers for notices: a partner's alert, its update and withdrawal arriving here,
and deletion receipts coming back for our own alerts.

Declared in this domain's ``module.py``; federation has verified the envelope,
checked the agreement and policy (RECEIVE) and deduplicated it before a handler runs, in the
transaction that records it. A handler refuses by raising ``RejectedError``: its writes are
then undone, so nothing is half-applied.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import system_actor
from jisr.agreements.policy import ResourceKind
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload
from jisr.federation.service import enqueue
from jisr.ids import owner_of
from jisr.notices import subjects
from jisr.notices.models import (
    DeletionReceipt,
    DistributionStatus,
    Notice,
    NoticeDistribution,
    NoticeStatus,
    Origin,
)
from jisr.notices.watch import unwatch, watch
from jisr.notices.wire import (
    DELETION_RECEIPT_ENVELOPE,
    PUBLISH_ENVELOPE,
    UPDATE_ENVELOPE,
    WITHDRAW_ENVELOPE,
    WireDeletionReceipt,
    WireNotice,
    WireWithdrawal,
)

log = structlog.get_logger("jisr.notices")


def handlers() -> dict[str, Handler]:
    return {
        PUBLISH_ENVELOPE: receive_notice,
        UPDATE_ENVELOPE: receive_notice,
        WITHDRAW_ENVELOPE: receive_withdrawal,
        DELETION_RECEIPT_ENVELOPE: receive_deletion_receipt,
    }


def _partner_copy(session: Session, notice_id: str, sender: str) -> Notice | None:
    notice = session.get(Notice, notice_id)
    if notice is None or notice.origin != Origin.PARTNER.value or notice.owner_agency != sender:
        return None
    return notice


def receive_notice(session: Session, envelope: InboundEnvelope) -> None:
    """Store (or refresh) the partner's alert as a copy owned by the sender, and watch it."""
    wire = parse_payload(WireNotice, envelope)
    header, sender = envelope.header, envelope.sender
    if owner_of(wire.id) != sender or not wire.reference.startswith(f"{sender}/"):
        raise RejectedError("notice id or reference is not the sender's", code="payload_invalid")
    labels = (wire.crime_area.value, wire.data_category.value, wire.handling_code.value)
    if labels != (header.crime_area, header.data_category, header.handling_code):
        raise RejectedError("notice labels differ from the envelope's", code="payload_invalid")
    try:
        subject, related = subjects.normalise(wire.subject, wire.related, sender, facts=False)
    except JisrError as exc:
        raise RejectedError(exc.detail, code="payload_invalid") from None
    existing = session.get(Notice, wire.id)
    if existing is not None and existing.origin != Origin.PARTNER.value:
        raise RejectedError("that notice id belongs to this node", code="payload_invalid")
    if existing is None and envelope.type == UPDATE_ENVELOPE:
        raise RejectedError(f"no notice {wire.id} was received here", code="notice_unknown")
    if existing is not None and existing.version >= wire.version:
        return  # an older or repeated version: ours is current
    now = utcnow()
    notice = existing or Notice(id=wire.id, origin=Origin.PARTNER.value, created_at=now)
    notice.reference = wire.reference
    notice.alert_type = wire.alert_type.value
    notice.status = NoticeStatus.PUBLISHED.value  # the owner's status (jisr.notices.status)
    notice.owner_agency = sender
    notice.title = wire.title
    notice.summary = wire.summary
    notice.subject, notice.related = subject, related
    notice.offence = wire.offence
    notice.crime_area, notice.data_category, notice.handling_code = labels
    notice.max_penalty_years = wire.max_penalty_years
    notice.warrant_reference = wire.warrant_reference
    notice.legal_basis = wire.legal_basis
    notice.valid_until = wire.valid_until
    notice.version = wire.version
    notice.agreement_id = envelope.agreement_id
    notice.created_by = f"{wire.created_by} ({sender})"[:120]
    notice.created_by_id = sender
    notice.published_at = wire.published_at
    notice.updated_at = notice.received_at = now
    # The owner's automated checks and review decision, as it sent them (older nodes do not).
    notice.checks = [check.model_dump() for check in wire.checks] if wire.checks else []
    notice.checked_at = wire.checked_at if wire.checks is not None else None
    notice.owner_review = wire.review.model_dump(mode="json") if wire.review else None
    notice.published_by = wire.published_by
    notice.recipients = []
    session.add(notice)
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "notice",
        notice.id,
        recipients=[header.recipient],
        details={"event": envelope.type, "version": notice.version, "envelope": envelope.id},
    )
    watch(session, notice)


def receive_withdrawal(session: Session, envelope: InboundEnvelope) -> None:
    """The owner withdrew, cancelled, recalled or expired its alert: erase our copy, take it
    off our watchlists, and send the owner a deletion receipt."""
    wire = parse_payload(WireWithdrawal, envelope)
    notice = _partner_copy(session, wire.notice_id, envelope.sender)
    if notice is None:
        raise RejectedError(
            f"no notice {wire.notice_id} from {envelope.sender} is held here",
            code="notice_unknown",
        )
    agreement_id = notice.agreement_id or envelope.agreement_id
    labels = (notice.crime_area, notice.data_category, notice.handling_code)
    removed = unwatch(session, notice.id)
    session.delete(notice)
    session.flush()
    now = utcnow()
    record(
        session,
        envelope.actor,
        AuditAction.ERASURE,
        "notice",
        wire.notice_id,
        justification=wire.reason,
        details={"event": f"{wire.kind.value}_by_owner", "watchlist_entry_removed": removed},
    )
    receipt = WireDeletionReceipt(
        notice_id=wire.notice_id,
        reference=wire.reference,
        deleted_at=now,
        watchlist_entry_removed=removed,
        withdrawal_envelope=envelope.id,
    )
    node = system_actor(envelope.header.recipient)
    try:
        with session.begin_nested():
            enqueue(
                session,
                node,
                recipient=envelope.sender,
                agreement_id=agreement_id,
                envelope_type=DELETION_RECEIPT_ENVELOPE,
                payload=receipt.model_dump(mode="json"),
                crime_area=labels[0],
                data_category=labels[1],
                handling_code=labels[2],
                resource_kind=ResourceKind.NOTICE,
            )
    except JisrError as exc:
        # The erasure stands even if the receipt cannot be queued (agreement ended meanwhile).
        log.warning("deletion receipt not queued", notice_id=wire.notice_id, code=exc.code)


def receive_deletion_receipt(session: Session, envelope: InboundEnvelope) -> None:
    """A partner erased its copy of one of our alerts: keep its signed word for it."""
    wire = parse_payload(WireDeletionReceipt, envelope)
    notice = session.get(Notice, wire.notice_id)
    distribution = (
        session.get(NoticeDistribution, (wire.notice_id, envelope.sender))
        if notice is not None and notice.origin == Origin.LOCAL.value
        else None
    )
    if distribution is None:
        raise RejectedError(
            f"notice {wire.notice_id} was never sent to {envelope.sender}", code="notice_unknown"
        )
    exists = session.execute(
        select(DeletionReceipt.id).where(
            DeletionReceipt.notice_id == wire.notice_id, DeletionReceipt.agency == envelope.sender
        )
    ).first()
    if not exists:
        session.add(
            DeletionReceipt(
                notice_id=wire.notice_id,
                agency=envelope.sender,
                deleted_at=wire.deleted_at,
                watchlist_entry_removed=wire.watchlist_entry_removed,
                envelope_id=envelope.id,
                signing_key=envelope.header.sender_key,
                payload_digest=envelope.header.digest,
                received_at=utcnow(),
            )
        )
    distribution.status = DistributionStatus.DELETED.value
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "notice_deletion_receipt",
        wire.notice_id,
        details={"envelope": envelope.id, "withdrawal": wire.withdrawal_envelope},
    )
