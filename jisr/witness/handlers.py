"""Witnessing a partner's log: verify its checkpoint is an extension of the one we hold, then
co-sign it; refuse, audit and raise a console alert when it is not (a rewritten or forked
history, or a truncation).

This module and ``jisr.witness.publish`` are the federation-facing part of the audit trail (they
sit above ``jisr.federation`` like a domain; ``jisr.audit`` sits below it). Both envelope types
are registered by ``jisr.witness.module`` (``jisr.witness.envelopes.handlers``).
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.parties import Agency
from jisr.agreements.policy import ResourceKind
from jisr.audit.checkpoints import origin_of, witness_name
from jisr.audit.merkle import verify_consistency
from jisr.audit.models import AlertKind, AuditAction, WitnessAlert, WitnessedCheckpoint
from jisr.audit.notes import Checkpoint, CheckpointError, cosign, verify_checkpoint
from jisr.audit.service import record
from jisr.clock import utcnow
from jisr.db.session import data_dir_of
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import InboundEnvelope, parse_payload
from jisr.federation.keys import load_node_keys, load_signing_public
from jisr.federation.models import PartnerKey
from jisr.federation.service import enqueue
from jisr.settings import load_settings
from jisr.witness.wire import (
    REPLY_ENVELOPE,
    ReplyStatus,
    WireCheckpoint,
    WireReply,
)

log = structlog.get_logger("jisr.audit")


def partner_signing_keys(
    session: Session, code: str, *, history: bool = True
) -> list[Ed25519PublicKey]:
    """The partner's pinned signing key, and (``history``) every key it used before: an old
    co-signature stays verifiable after a rotation."""
    agency = session.get(Agency, code)
    keys: list[Ed25519PublicKey] = []
    if agency is not None and agency.signing_key:
        keys.append(load_signing_public(agency.signing_key))
    if history:
        stmt = select(PartnerKey.signing_key).where(PartnerKey.agency_code == code)
        keys.extend(load_signing_public(value) for value in session.execute(stmt).scalars())
    return keys


def node_signing_key(session: Session) -> Ed25519PrivateKey:
    """This node's current signing key, read from its data directory."""
    data_dir = data_dir_of(session)
    passphrase = load_settings(data_dir).key_passphrase
    secret = passphrase.get_secret_value().encode() if passphrase else None
    return load_node_keys(data_dir, secret).signing


def send(
    session: Session,
    actor: Actor,
    *,
    recipient: str,
    agreement_id: str,
    envelope_type: str,
    payload: dict[str, Any],
) -> None:
    """Queue a witnessing envelope (no operational data: no crime area, category or code).
    Witnessing envelopes to one partner form one sequence, delivered in order: a checkpoint
    retried after an outage never arrives after a newer one (which would look like a
    rollback)."""
    enqueue(
        session,
        actor,
        recipient=recipient,
        agreement_id=agreement_id,
        envelope_type=envelope_type,
        payload=payload,
        data_category=None,
        crime_area=None,
        handling_code=None,
        case_ref=f"{actor.agency_code}:audit:witness",
        resource_kind=ResourceKind.AUDIT,
    )


def receive_checkpoint(session: Session, envelope: InboundEnvelope) -> None:
    """A partner's checkpoint: co-sign it if it extends what we hold, else refuse it."""
    wire = parse_payload(WireCheckpoint, envelope)
    sender = envelope.sender
    try:
        keys = partner_signing_keys(session, sender, history=False)
        checkpoint = verify_checkpoint(wire.checkpoint, origin_of(sender), keys).checkpoint
    except CheckpointError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None
    held = session.get(WitnessedCheckpoint, sender)
    if held is not None:
        held_root = bytes.fromhex(held.root_hash)
        if checkpoint.size > held.tree_size and wire.proof_from != held.tree_size:
            # Our answer to an earlier checkpoint may still be on its way: ask for a proof
            # from what we really hold.
            _reply(session, envelope, checkpoint, ReplyStatus.NEED_PROOF, held=held)
            return
        problem = _inconsistency(held.tree_size, held_root, checkpoint, wire)
        if problem is not None:
            kind, detail = problem
            _refuse(session, envelope, checkpoint, wire.checkpoint, held, kind, detail)
            return
    _hold(session, sender, checkpoint, wire.checkpoint)
    line = cosign(
        checkpoint,
        witness_name(envelope.header.recipient),
        node_signing_key(session),
        int(time.time()),
    )
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "audit_checkpoint",
        f"{checkpoint.origin}/{checkpoint.size}",
        details={"event": "cosigned", "size": checkpoint.size, "root": checkpoint.root.hex()},
    )
    _reply(session, envelope, checkpoint, ReplyStatus.COSIGNED, cosignature=line)


def _inconsistency(
    held_size: int, held_root: bytes, checkpoint: Checkpoint, wire: WireCheckpoint
) -> tuple[AlertKind, str] | None:
    if checkpoint.size < held_size:
        return AlertKind.ROLLBACK, (
            f"checkpoint of {checkpoint.size} entries after one of {held_size} was witnessed: "
            "the log was truncated or rolled back"
        )
    if checkpoint.size == held_size:
        if checkpoint.root != held_root:
            return AlertKind.INCONSISTENT, (
                f"two different roots for {held_size} entries: the history was rewritten (fork)"
            )
        return None
    try:
        proof = [base64.b64decode(value, validate=True) for value in wire.proof]
        verify_consistency(held_size, checkpoint.size, held_root, checkpoint.root, proof)
    except (binascii.Error, ValueError) as exc:
        return AlertKind.INCONSISTENT, (
            f"the log of {checkpoint.size} entries does not extend the witnessed one of "
            f"{held_size} ({exc}): the history was rewritten (fork)"
        )
    return None


def _hold(session: Session, sender: str, checkpoint: Checkpoint, note: str) -> None:
    held = session.get(WitnessedCheckpoint, sender) or WitnessedCheckpoint(origin_agency=sender)
    held.origin = checkpoint.origin
    held.tree_size = checkpoint.size
    held.root_hash = checkpoint.root.hex()
    held.note = note
    held.updated_at = utcnow()
    session.add(held)


def _refuse(
    session: Session,
    envelope: InboundEnvelope,
    checkpoint: Checkpoint,
    note: str,
    held: WitnessedCheckpoint,
    kind: AlertKind,
    detail: str,
) -> None:
    """Keep the checkpoint we hold, raise (or refresh) the console alert, audit, answer."""
    log.warning(
        "audit checkpoint refused",
        origin=envelope.sender,
        kind=kind.value,
        held_size=held.tree_size,
        offered_size=checkpoint.size,
    )
    raise_alert(
        session,
        kind,
        envelope.sender,
        detail,
        held=(held.tree_size, held.root_hash),
        offered=(checkpoint.size, checkpoint.root.hex()),
        note=note,
    )
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "audit_checkpoint",
        f"{checkpoint.origin}/{checkpoint.size}",
        justification=detail,
        details={
            "event": "checkpoint_refused",
            "reason": kind.value,
            "held_size": held.tree_size,
            "held_root": held.root_hash,
            "offered_size": checkpoint.size,
            "offered_root": checkpoint.root.hex(),
        },
    )
    _reply(
        session,
        envelope,
        checkpoint,
        ReplyStatus.REFUSED,
        held=held,
        code=kind.value,
        detail=detail,
    )


def raise_alert(
    session: Session,
    kind: AlertKind,
    agency: str,
    detail: str,
    *,
    held: tuple[int, str],
    offered: tuple[int, str],
    note: str = "",
) -> WitnessAlert:
    """One open alert per agency and kind; a new inconsistency refreshes it."""
    alert = (
        session.execute(
            select(WitnessAlert).where(
                WitnessAlert.agency == agency,
                WitnessAlert.kind == kind.value,
                WitnessAlert.acknowledged_at.is_(None),
            )
        )
        .scalars()
        .first()
    )
    if alert is None:
        alert = WitnessAlert(kind=kind.value, agency=agency, created_at=utcnow())
        session.add(alert)
    alert.detail = detail[:2000]
    alert.held_size, alert.held_root = held
    alert.offered_size, alert.offered_root = offered
    alert.note = note
    session.flush()
    return alert


def _reply(
    session: Session,
    envelope: InboundEnvelope,
    checkpoint: Checkpoint,
    status: ReplyStatus,
    *,
    cosignature: str | None = None,
    held: WitnessedCheckpoint | None = None,
    code: str | None = None,
    detail: str | None = None,
) -> None:
    reply = WireReply(
        status=status,
        tree_size=checkpoint.size,
        root_hash=checkpoint.root.hex(),
        cosignature=cosignature,
        held_size=held.tree_size if held else None,
        held_root=held.root_hash if held else None,
        code=code,
        detail=detail[:500] if detail else None,
    )
    send(
        session,
        system_actor(envelope.header.recipient),
        recipient=envelope.sender,
        agreement_id=envelope.agreement_id,
        envelope_type=REPLY_ENVELOPE,
        payload=reply.model_dump(mode="json"),
    )
