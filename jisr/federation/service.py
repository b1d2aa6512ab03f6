"""Sending and receiving envelopes: policy on both sides, audit on both sides, exactly once.

``enqueue`` writes an outbox row in the caller's transaction, beside the domain record it
carries: both commit or neither does. ``receive`` verifies an envelope, asks policy, runs the
domain's handler and records the inbox row in one transaction, and returns the signed answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.agreements.models import Agreement, AgreementStatus
from jisr.agreements.policy import Action, AgreementTerms, Resource, ResourceKind, authorize
from jisr.agreements.service import get_agreement, to_terms
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db.upsert import insert_or_ignore
from jisr.errors import PermissionDeniedError, ValidationError
from jisr.federation import errors, refusals
from jisr.federation.acks import Ack, AckStatus, sign_ack
from jisr.federation.envelope import (
    MAX_ENVELOPE_BYTES,
    EnvelopeHeader,
    SenderKeyLookup,
    canonical,
    open_envelope,
    peek_header,
)
from jisr.federation.handlers import Handler, InboundEnvelope
from jisr.federation.keyring import NodeKeyring
from jisr.federation.models import CaseSequence, InboxMessage, InboxStatus, OutboxMessage
from jisr.federation.models import OutboxStatus as Status
from jisr.federation.node import FederationNode
from jisr.federation.partners import key_lookup, partner_address
from jisr.federation.wakeup import mark_queued
from jisr.ids import new_id

log = structlog.get_logger("jisr.federation")
# Room left in an envelope for its header, signature, sealing and base64.
_ENVELOPE_OVERHEAD = 4096


def share_verdict(
    session: Session, actor: Actor, resource: Resource, agreement: Agreement
) -> tuple[Status, str]:
    """PENDING when policy allows sending under ``agreement`` now, HELD when only its
    suspension stands in the way; raises PermissionDeniedError otherwise."""
    terms = to_terms(agreement)
    now = utcnow()
    decision = authorize(actor, Action.SHARE, resource, agreements=[terms], now=now)
    if decision.allowed:
        return Status.PENDING, decision.reason
    if terms.status == AgreementStatus.SUSPENDED.value:
        active = replace(terms, status=AgreementStatus.ACTIVE.value)
        if authorize(actor, Action.SHARE, resource, agreements=[active], now=now).allowed:
            return Status.HELD, decision.reason
    raise PermissionDeniedError(decision.reason, code="share_refused")


def enqueue(
    session: Session,
    actor: Actor,
    *,
    recipient: str,
    agreement_id: str,
    envelope_type: str,
    payload: Mapping[str, Any],
    data_category: str | None,
    crime_area: str | None,
    handling_code: str | None,
    case_ref: str | None = None,
    resource_kind: ResourceKind = ResourceKind.MESSAGE,
    signing_fingerprint: str | None = None,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> OutboxMessage:
    """Queue ``payload`` for ``recipient`` in the caller's transaction, if policy allows.

    ``agreement_id`` is the local id or the shared reference. A suspended agreement queues
    the message as held; anything else policy refuses raises PermissionDeniedError.
    """
    partner_address(session, recipient)
    agreement = get_agreement(session, agreement_id)
    try:
        size = len(canonical(payload))
    except (TypeError, ValueError):
        raise ValidationError("payload is not JSON-serialisable", code="payload_invalid") from None
    if size * 4 // 3 + _ENVELOPE_OVERHEAD > max_bytes:
        raise errors.OversizedEnvelopeError(f"payload of {size} bytes is too large to send")
    resource = Resource(
        resource_kind,
        owner_agency=actor.agency_code,
        crime_area=crime_area,
        data_category=data_category,
        handling_code=handling_code,
        recipient_agency=recipient,
    )
    status, reason = share_verdict(session, actor, resource, agreement)
    message = OutboxMessage(
        id=new_id(actor.agency_code, "envelope"),
        recipient=recipient,
        agreement_id=agreement.id,
        agreement_reference=agreement.reference,
        envelope_type=envelope_type,
        payload=dict(payload),
        case_ref=case_ref,
        seq=_next_seq(session, recipient, case_ref) if case_ref else None,
        data_category=data_category,
        crime_area=crime_area,
        handling_code=handling_code,
        resource_kind=resource_kind.value,
        signing_fingerprint=signing_fingerprint,
        status=status.value,
        last_error=reason if status is Status.HELD else None,
        enqueued_by=actor.display,
    )
    session.add(message)
    mark_queued(session)
    record(
        session,
        actor,
        AuditAction.TRANSFER,
        "envelope",
        message.id,
        recipients=[recipient],
        details={
            "event": "queued" if status is Status.PENDING else "held",
            "type": envelope_type,
            "agreement": agreement.reference,
            "case": case_ref,
            "seq": message.seq,
        },
    )
    return message


def _next_seq(session: Session, recipient: str, case_ref: str) -> int:
    insert_or_ignore(session, CaseSequence, recipient=recipient, case_ref=case_ref, last_seq=0)
    counter = session.execute(
        select(CaseSequence)
        .where(CaseSequence.recipient == recipient, CaseSequence.case_ref == case_ref)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_seq += 1
    return counter.last_seq


@dataclass(frozen=True, slots=True)
class Receipt:
    ack: Ack
    signed: bytes


def receive(session: Session, raw: bytes, *, node: FederationNode) -> Receipt:
    """Verify, check policy, dispatch and record one envelope; returns the signed answer.

    Refusals are answered (and audited), not raised, so the caller commits them; only
    infrastructure failures (database down) raise, and the sender then simply retries.
    """
    return receive_many(session, [raw], node=node)[0]


def receive_many(session: Session, raws: list[bytes], *, node: FederationNode) -> list[Receipt]:
    """``receive`` for each envelope, in the caller's one transaction (one commit).

    What the envelopes share is looked up once (pinned keys, this node's keys, earlier
    receipts). Handlers first run back to back inside one savepoint; if one refuses or fails,
    that savepoint is rolled back and the batch is received again with each handler in a
    savepoint of its own, so that only the refusing handler's writes are undone.
    """
    if len(raws) > 1:
        try:
            with session.begin_nested():
                receipts = _receive_all(session, raws, node, guarded=False)
        except _HandlerRefused:
            log.info("batch received again, one handler at a time", envelopes=len(raws))
            receipts = _receive_all(session, raws, node, guarded=True)
    else:
        receipts = _receive_all(session, raws, node, guarded=True)
    accepted = 0
    for receipt in receipts:
        if receipt.ack.accepted:
            accepted += 1
        # One line per batch for the traffic; refusals and deferrals one by one.
        (log.debug if receipt.ack.accepted else log.info)(
            "envelope received",
            envelope_id=receipt.ack.envelope_id,
            sender=receipt.ack.to,
            status=receipt.ack.status,
            code=receipt.ack.code,
        )
    log.info("envelopes received", accepted=accepted, refused=len(receipts) - accepted)
    return receipts


class _HandlerRefused(Exception):
    """A handler refused or failed during an unguarded pass."""


def _receive_all(
    session: Session, raws: list[bytes], node: FederationNode, *, guarded: bool
) -> list[Receipt]:
    intake = _Intake(
        keyring=node.keys.get(),
        sender_keys=key_lookup(session, utcnow()),
        inbox=_earlier_receipts(session, raws),
        guarded=guarded,
    )
    return [_receive(session, raw, node, intake) for raw in raws]


@dataclass(slots=True)
class _Intake:
    keyring: NodeKeyring
    sender_keys: SenderKeyLookup
    # Envelope id -> its inbox row (None: not received before), this batch's included.
    inbox: dict[str, InboxMessage | None]
    # Each handler in its own savepoint (else a refusal aborts the pass: ``_HandlerRefused``).
    guarded: bool


_LOCK_ENVELOPES = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM"
    " (SELECT hashtextextended(x, 0) AS k FROM unnest(CAST(:ids AS text[])) AS x ORDER BY 1) AS s"
)


def _earlier_receipts(session: Session, raws: list[bytes]) -> dict[str, InboxMessage | None]:
    """The inbox rows of the envelopes claimed ids, in one query."""
    ids = {header.id for header in map(peek_header, raws) if header is not None}
    known: dict[str, InboxMessage | None] = dict.fromkeys(ids)
    if ids and session.get_bind().dialect.name == "postgresql":
        # A sender that gave up waiting delivers again while the first delivery is still being
        # received: the second waits here for the first to commit, then finds its receipt
        # (else both pass the lookup and one fails on the inbox's key). Keys in order: two
        # batches sharing envelopes never wait on each other in a cycle.
        session.execute(_LOCK_ENVELOPES, {"ids": sorted(ids)})
    if ids:
        stmt = select(InboxMessage).where(InboxMessage.envelope_id.in_(ids))
        for row in session.execute(stmt).scalars():
            known[row.envelope_id] = row
    return known


def _receive(session: Session, raw: bytes, node: FederationNode, intake: _Intake) -> Receipt:
    now = utcnow()
    try:
        opened = open_envelope(
            raw,
            local_agency=node.agency_code,
            sender_keys=intake.sender_keys,
            decryption_keys=intake.keyring.decryption_keys(now),
            now=now,
            max_bytes=node.settings.max_envelope_bytes,
            clock_skew=node.settings.clock_skew,
        )
    except errors.EnvelopeError as exc:
        claimed = peek_header(raw)
        envelope_id = claimed.id if claimed else ""
        sender = claimed.sender if claimed else ""
        proven = refusals.proven_sender(raw, intake.sender_keys)
        refusals.count_refusal(exc.code, authenticated=proven is not None)
        log.warning(
            "envelope refused",
            envelope_id=envelope_id,
            sender=sender,
            code=exc.code,
            authenticated=proven is not None,
        )
        if proven is not None:  # only what a proven partner did is audited (refusals.py)
            record(
                session,
                Actor(ActorKind.PARTNER, proven, proven, label=proven),
                AuditAction.COLLECTION,
                "envelope",
                envelope_id or None,
                details={"event": "refused", "code": exc.code},
            )
        return _answer(intake.keyring, node, envelope_id, sender, exc)
    header = opened.header
    partner = Actor(ActorKind.PARTNER, header.sender, header.sender, label=header.sender)
    if header.id in intake.inbox:
        existing = intake.inbox[header.id]
    else:
        existing = intake.inbox[header.id] = session.get(InboxMessage, header.id)
    if existing is not None:
        log.info("envelope replayed", envelope_id=header.id, sender=header.sender)
        record(
            session,
            partner,
            AuditAction.COLLECTION,
            "envelope",
            header.id,
            details={"event": "replay_refused", "type": header.type, "first": existing.status},
        )
        first = Ack(**_ack_body(existing.ack))
        return _sign(intake.keyring, replace(first, at=_iso(now), duplicate=True))
    status, refusal = InboxStatus.ACCEPTED, None
    terms = _agreement(session, header.agreement)
    try:
        if terms is None:
            raise errors.RejectedError(
                f"no agreement {header.agreement} on this node", code="agreement_unknown"
            )
        _require_receive(partner, header, terms, node.agency_code)
        handler = node.registry.get(header.type)
        if handler is None:
            raise errors.NoHandlerError(f"this node does not handle {header.type} envelopes")
        envelope = InboundEnvelope(header, opened.payload, terms.id)
        if intake.guarded:
            _dispatch(session, handler, envelope)
        else:
            _run_unguarded(session, handler, envelope)
    except errors.RejectedError as exc:
        status, refusal = InboxStatus.REJECTED, exc
        if exc.retryable:
            log.info("envelope deferred", envelope_id=header.id, code=exc.code)
            record(
                session,
                partner,
                AuditAction.COLLECTION,
                "envelope",
                header.id,
                details={"event": "deferred", "type": header.type, "code": exc.code},
            )
            return _answer(intake.keyring, node, header.id, header.sender, exc)
    receipt = _answer(intake.keyring, node, header.id, header.sender, refusal)
    row = InboxMessage(
        envelope_id=header.id,
        sender=header.sender,
        envelope_type=header.type,
        agreement_reference=header.agreement,
        case_ref=header.case,
        seq=header.seq,
        status=status.value,
        code=refusal.code if refusal else None,
        reason=refusal.detail if refusal else None,
        ack=receipt.signed.decode(),
        expires_at=header.expires_at,
        received_at=now,
    )
    session.add(row)
    intake.inbox[header.id] = row
    record(
        session,
        partner,
        AuditAction.COLLECTION,
        "envelope",
        header.id,
        recipients=[node.agency_code],
        details={
            "event": status.value,
            "type": header.type,
            "agreement": header.agreement,
            "case": header.case,
            "seq": header.seq,
            "code": refusal.code if refusal else None,
        },
    )
    return receipt


def _agreement(session: Session, reference: str) -> AgreementTerms | None:
    """Terms by shared reference, remembered for the rest of the transaction (batches)."""
    cache: dict[str, AgreementTerms] = session.info.setdefault("federation.agreements", {})
    if reference not in cache:
        agreement = session.execute(
            select(Agreement).where(Agreement.reference == reference)
        ).scalar_one_or_none()
        if agreement is None:
            return None
        cache[reference] = to_terms(agreement)
    return cache[reference]


def _run_unguarded(session: Session, handler: Handler, envelope: InboundEnvelope) -> None:
    try:
        handler(session, envelope)
    except OperationalError:
        raise
    except Exception as exc:  # noqa: BLE001 - the guarded pass answers it properly
        raise _HandlerRefused(envelope.id) from exc


def _dispatch(session: Session, handler: Handler, envelope: InboundEnvelope) -> None:
    """Run a handler in a savepoint: a refusal or a failure undoes its writes only. A failure
    (a bug, not a refusal) is answered "retry later" so the message is not lost."""
    try:
        with session.begin_nested():
            handler(session, envelope)
    except (errors.RejectedError, OperationalError):
        raise
    except Exception as exc:  # noqa: BLE001 - a faulty handler must not lose the message
        log.error(
            "envelope handler failed",
            envelope_id=envelope.id,
            error=type(exc).__name__,
            exc_info=exc,
        )
        raise errors.HandlerFailedError("the receiving node failed; retry later") from None


def _require_receive(
    partner: Actor, header: EnvelopeHeader, terms: AgreementTerms, local: str
) -> None:
    resource = Resource(
        ResourceKind.MESSAGE,
        owner_agency=header.sender,
        crime_area=header.crime_area,
        data_category=header.data_category,
        handling_code=header.handling_code,
        recipient_agency=local,
    )
    decision = authorize(partner, Action.RECEIVE, resource, agreements=[terms], now=utcnow())
    if decision.allowed:
        return
    if terms.status == AgreementStatus.SUSPENDED.value:
        # This side suspended the agreement: the sender keeps the message until it resumes.
        raise errors.AgreementSuspendedError(decision.reason)
    raise errors.RejectedError(decision.reason, code="policy_refused")


def _answer(
    keyring: NodeKeyring,
    node: FederationNode,
    envelope_id: str,
    to: str,
    refusal: errors.EnvelopeError | None,
) -> Receipt:
    ack = Ack(
        envelope_id=envelope_id,
        status=AckStatus.REJECTED.value if refusal else AckStatus.ACCEPTED.value,
        node=node.agency_code,
        to=to,
        at=_iso(utcnow()),
        key=keyring.signing_fingerprint,
        code=refusal.code if refusal else None,
        reason=refusal.detail if refusal else None,
        retryable=refusal.retryable if refusal else False,
    )
    return _sign(keyring, ack)


def _sign(keyring: NodeKeyring, ack: Ack) -> Receipt:
    ack = replace(ack, key=keyring.signing_fingerprint)
    return Receipt(ack, sign_ack(ack, keyring.current.signing))


def _ack_body(signed: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(signed)["ack"]
    return body


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
