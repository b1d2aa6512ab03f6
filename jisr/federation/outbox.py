"""The outbox's state machine, in short transactions that never span a network call.

``claim_due`` leases due messages (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
has one writer at a time) by pushing ``next_attempt_at`` past the lease, so a worker that dies
mid-delivery only delays its messages; ``settle`` records the outcome. A case's message waits
until the previous one of the same case is settled (acknowledged or refused).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, aliased

from jisr.actors import system_actor
from jisr.agreements.models import Agreement
from jisr.agreements.policy import Resource, ResourceKind
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.federation.acks import Ack, decode_ack, verify_ack
from jisr.federation.envelope import SealRequest
from jisr.federation.errors import EnvelopeError
from jisr.federation.models import SETTLED, Acknowledgement, OutboxMessage
from jisr.federation.models import OutboxStatus as Status
from jisr.federation.partners import PartnerAddress, key_lookup, partner_address
from jisr.federation.service import share_verdict

log = structlog.get_logger("jisr.federation")
_jitter = random.Random()  # noqa: S311 - spreads retries; not a secret


@dataclass(frozen=True, slots=True)
class Claimed:
    id: str
    request: SealRequest
    payload: dict[str, Any]
    partner: PartnerAddress
    signing_fingerprint: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one attempt: the partner's signed answer (to verify), an error, or
    ``queued`` when the transport stored it and the answer will come on its own."""

    id: str
    signed: bytes | None = None
    error: str | None = None
    queued: bool = False


def claim_due(
    session: Session,
    local: str,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    release: bool = True,
) -> list[Claimed]:
    """Lease up to ``limit`` due messages, holding those their agreement no longer allows
    (and first, with ``release``, releasing held ones whose agreement allows them again)."""
    if release:
        release_held(session, local, now=now, limit=limit)
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        earlier.recipient == OutboxMessage.recipient,
        earlier.case_ref == OutboxMessage.case_ref,
        earlier.seq < OutboxMessage.seq,
        earlier.status.not_in(SETTLED),
    )
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == Status.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
            ~blocked,
        )
        # Key-rotation notices (signed with a chosen key) go before traffic signed with new keys.
        .order_by(OutboxMessage.signing_fingerprint.is_(None), OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    claimed: list[Claimed] = []
    verdicts: dict[tuple[str | None, ...], tuple[Status, str]] = {}
    addresses: dict[str, PartnerAddress] = {}
    for row in session.execute(stmt).scalars().all():
        scope = (
            row.agreement_id,
            row.resource_kind,
            row.recipient,
            row.crime_area,
            row.data_category,
            row.handling_code,
        )
        if scope not in verdicts:
            verdicts[scope] = _verdict(session, local, row)
        status, reason = verdicts[scope]
        if status is Status.HELD:
            row.status, row.last_error = Status.HELD.value, reason
            _audit(session, local, row, "held", reason=reason)
            continue
        if row.recipient not in addresses:
            addresses[row.recipient] = partner_address(session, row.recipient)
        claimed.append(
            Claimed(
                id=row.id,
                request=SealRequest(
                    id=row.id,
                    sender=local,
                    recipient=row.recipient,
                    agreement=row.agreement_reference,
                    type=row.envelope_type,
                    case=row.case_ref,
                    seq=row.seq,
                    data_category=row.data_category,
                    crime_area=row.crime_area,
                    handling_code=row.handling_code,
                ),
                payload=dict(row.payload),
                partner=addresses[row.recipient],
                signing_fingerprint=row.signing_fingerprint,
                attempts=row.attempts + 1,
            )
        )
    session.flush()
    if claimed:
        # One statement for the whole lease rather than one UPDATE per message.
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([c.id for c in claimed]))
            .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        session.expire_all()
    return claimed


def release_held(session: Session, local: str, *, now: datetime, limit: int) -> int:
    """Put held messages whose agreement allows them again back in the queue."""
    rows = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.status == Status.HELD.value)
        .order_by(OutboxMessage.created_at)
        .limit(limit)
    ).scalars()
    released = 0
    for row in rows:
        status, _ = _verdict(session, local, row)
        if status is Status.PENDING:
            row.status, row.last_error, row.next_attempt_at = Status.PENDING.value, None, now
            _audit(session, local, row, "released")
            released += 1
    return released


def _verdict(session: Session, local: str, row: OutboxMessage) -> tuple[Status, str]:
    """Policy at delivery time; anything it refuses is held, never dropped."""
    agreement = session.get(Agreement, row.agreement_id)
    if agreement is None:
        return Status.HELD, f"agreement {row.agreement_reference} no longer exists"
    resource = Resource(
        ResourceKind(row.resource_kind),
        owner_agency=local,
        crime_area=row.crime_area,
        data_category=row.data_category,
        handling_code=row.handling_code,
        recipient_agency=row.recipient,
    )
    try:
        return share_verdict(session, system_actor(local), resource, agreement)
    except PermissionDeniedError as exc:
        return Status.HELD, exc.detail


def settle(
    session: Session,
    local: str,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    base: float,
    cap: float,
    max_attempts: int,
) -> None:
    """Verify and record the outcome of each attempt, in one transaction."""
    keys = key_lookup(session, now)
    ids = [outcome.id for outcome in outcomes]
    rows = {
        row.id: row
        for row in session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars()
    }
    acked = set(
        session.execute(
            select(Acknowledgement.envelope_id).where(Acknowledgement.envelope_id.in_(ids))
        ).scalars()
    )
    settled: dict[str, int] = {}
    for outcome in outcomes:
        row = rows.get(outcome.id)
        if row is None or row.status != Status.PENDING.value or outcome.queued:
            continue  # already settled (an ack arrived twice) or awaiting an async ack
        ack, error = None, outcome.error
        if outcome.signed is not None:
            try:
                ack = verify_ack(
                    outcome.signed, signer=row.recipient, envelope_id=row.id, keys=keys
                )
            except EnvelopeError as exc:
                error = f"{exc.code}: {exc.detail}"
        if ack is not None and outcome.signed is not None and (ack.accepted or not ack.retryable):
            if row.id not in acked:
                acked.add(row.id)
                _store_ack(session, row, ack, outcome.signed, now)
            row.status = Status.DELIVERED.value if ack.accepted else Status.REJECTED.value
            row.delivered_at = now
            row.last_error = None if ack.accepted else f"{ack.code}: {ack.reason}"
            _audit(session, local, row, row.status, code=ack.code, reason=ack.reason)
            log.debug("envelope settled", envelope_id=row.id, peer=row.recipient, status=row.status)
            settled[row.status] = settled.get(row.status, 0) + 1
            continue
        if ack is not None:
            error = f"{ack.code}: {ack.reason}"
        row.last_error = (error or "unknown failure")[:2000]
        if row.attempts >= max_attempts:
            row.status = Status.DEAD.value
            _audit(session, local, row, "dead", reason=row.last_error)
            log.warning("envelope dead", envelope_id=row.id, peer=row.recipient)
            continue
        delay = min(cap, base * 2 ** max(0, row.attempts - 1))
        row.next_attempt_at = now + timedelta(seconds=delay * _jitter.uniform(0.5, 1.0))
        log.info("delivery failed", envelope_id=row.id, peer=row.recipient, attempt=row.attempts)
    if settled:
        log.info("envelopes settled", **settled)
    session.flush()


def _store_ack(
    session: Session, row: OutboxMessage, ack: Ack, signed: bytes, now: datetime
) -> None:
    session.add(
        Acknowledgement(
            envelope_id=row.id,
            partner=row.recipient,
            status=ack.status,
            code=ack.code,
            reason=ack.reason,
            signer_key=ack.key,
            signed=signed.decode(),
            received_at=now,
        )
    )


def _audit(
    session: Session,
    local: str,
    row: OutboxMessage,
    event: str,
    *,
    code: str | None = None,
    reason: str | None = None,
) -> None:
    details: dict[str, Any] = {"event": event, "type": row.envelope_type, "attempts": row.attempts}
    if code:
        details["code"] = code
    record(
        session,
        system_actor(local),
        AuditAction.TRANSFER,
        "envelope",
        row.id,
        justification=reason or "",
        recipients=[row.recipient],
        details=details,
    )


def outbox_counts(session: Session) -> dict[str, dict[str, int]]:
    """recipient -> status -> count."""
    stmt = select(OutboxMessage.recipient, OutboxMessage.status, func.count()).group_by(
        OutboxMessage.recipient, OutboxMessage.status
    )
    result: dict[str, dict[str, int]] = {}
    for recipient, status, count in session.execute(stmt):
        result.setdefault(recipient, {})[status] = count
    return result


def requeue_dead(session: Session, local: str, recipient: str | None = None) -> int:
    stmt = select(OutboxMessage).where(OutboxMessage.status == Status.DEAD.value)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    count = 0
    for row in session.execute(stmt).scalars():
        row.status, row.attempts, row.next_attempt_at = Status.PENDING.value, 0, utcnow()
        _audit(session, local, row, "requeued")
        count += 1
    return count


def ack_subject_envelope(raw: bytes) -> str | None:
    """The envelope an ack (arriving on its own, over NATS) claims to answer."""
    try:
        return decode_ack(raw)[0].envelope_id
    except EnvelopeError:
        return None
