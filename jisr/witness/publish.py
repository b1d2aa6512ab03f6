"""Having our log witnessed: checkpoints on schedule, sent to every partner under an active
agreement with the proof from what it holds, and its answers stored (co-signatures) or acted
upon (a proof from another size; a refusal, which raises an alert here too).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.models import AgreementStatus
from jisr.agreements.service import terms_between
from jisr.audit.checkpoints import (
    checkpoint_due,
    consistency,
    latest_checkpoint,
    make_checkpoint,
    witness_name,
)
from jisr.audit.models import AlertKind, AuditCheckpoint, AuditCosignature, WitnessPeer
from jisr.audit.notes import CheckpointError, parse_note, verify_cosignature
from jisr.audit.tree import StoredTree, tree_size
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import InboundEnvelope, parse_payload
from jisr.federation.partners import list_partners
from jisr.witness.handlers import partner_signing_keys, raise_alert, send
from jisr.witness.wire import CHECKPOINT_ENVELOPE, ReplyStatus, WireCheckpoint, WireReply

log = structlog.get_logger("jisr.audit")


class AuditSettings(BaseSettings):
    """Prefix ``JISR_AUDIT_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_AUDIT_", extra="ignore", frozen=True)

    # A checkpoint is signed once the log grew by this many entries since the last one...
    checkpoint_every_entries: int = Field(default=1000, ge=1)
    # ... or, if it grew at all, once the last one is this old (seconds).
    checkpoint_interval_seconds: float = Field(default=300.0, gt=0)
    # How often ``jisr serve`` checks both conditions and sends the newest checkpoint to
    # partners (0 turns checkpoints and witnessing on schedule off).
    witness_poll_seconds: float = Field(default=10.0, ge=0)
    # Send the newest checkpoint to partners for co-signing.
    witness_enabled: bool = True
    # A checkpoint a partner has not co-signed is sent to it again after this many seconds.
    witness_resend_seconds: float = Field(default=600.0, gt=0)


def witness_pass(
    factory: SessionFactory,
    agency: str,
    key: Ed25519PrivateKey,
    settings: AuditSettings,
    *,
    now: datetime | None = None,
) -> AuditCheckpoint | None:
    """Sign a checkpoint if one is due, then send the newest to partners that lack it."""
    with unit_of_work(factory) as session:
        if checkpoint_due(
            session,
            every_entries=settings.checkpoint_every_entries,
            every=timedelta(seconds=settings.checkpoint_interval_seconds),
            now=now,
        ):
            make_checkpoint(session, agency, key)
        latest = latest_checkpoint(session)
        if latest is not None and settings.witness_enabled:
            resend = timedelta(seconds=settings.witness_resend_seconds)
            send_checkpoint(session, system_actor(agency), latest, resend=resend, now=now)
        return latest


def send_checkpoint(
    session: Session,
    actor: Actor,
    checkpoint: AuditCheckpoint,
    *,
    resend: timedelta,
    now: datetime | None = None,
    only: str | None = None,
) -> list[str]:
    """Queue ``checkpoint`` for each partner (or ``only``) under an active agreement that has
    not been sent it, or has not co-signed it within ``resend``; returns who."""
    now = now or utcnow()
    told: list[str] = []
    for partner in list_partners(session):
        if (only and partner.code != only) or not partner.encryption_key:
            continue
        agreement = _active_agreement(session, actor.agency_code, partner.code)
        if agreement is None:
            continue
        peer = session.get(WitnessPeer, partner.code) or WitnessPeer(
            partner=partner.code, sent_size=0, cosigned_size=0
        )
        session.add(peer)
        stale = peer.sent_at is None or now - peer.sent_at >= resend
        fresh = checkpoint.tree_size > peer.sent_size
        if not (only or fresh or (stale and peer.cosigned_size < checkpoint.tree_size)):
            continue
        start = min(peer.cosigned_size, checkpoint.tree_size)
        wire = WireCheckpoint(
            checkpoint=checkpoint.note,
            proof_from=start,
            proof=consistency(session, start, checkpoint.tree_size),
        )
        send(
            session,
            actor,
            recipient=partner.code,
            agreement_id=agreement,
            envelope_type=CHECKPOINT_ENVELOPE,
            payload=wire.model_dump(mode="json"),
        )
        peer.sent_size, peer.sent_at = checkpoint.tree_size, now
        told.append(partner.code)
    return told


def _active_agreement(session: Session, local: str, partner: str) -> str | None:
    for terms in terms_between(session, local, partner):
        if terms.status == AgreementStatus.ACTIVE.value:
            return terms.id
    return None


def receive_reply(session: Session, envelope: InboundEnvelope) -> None:
    """A witness answered one of our checkpoints."""
    reply = parse_payload(WireReply, envelope)
    sender = envelope.sender
    checkpoint = (
        session.execute(
            select(AuditCheckpoint)
            .where(
                AuditCheckpoint.tree_size == reply.tree_size,
                AuditCheckpoint.root_hash == reply.root_hash,
            )
            .order_by(AuditCheckpoint.id.desc())
        )
        .scalars()
        .first()
    )
    if checkpoint is None:
        raise RejectedError(
            f"no checkpoint of {reply.tree_size} entries with that root here",
            code="checkpoint_unknown",
        )
    peer = session.get(WitnessPeer, sender) or WitnessPeer(
        partner=sender, sent_size=0, cosigned_size=0
    )
    session.add(peer)
    if reply.status is ReplyStatus.COSIGNED:
        _store_cosignature(session, sender, checkpoint, reply.cosignature or "")
        peer.cosigned_size = max(peer.cosigned_size, checkpoint.tree_size)
    elif reply.status is ReplyStatus.NEED_PROOF:
        _send_proof_from(session, envelope, checkpoint, peer, reply)
    else:
        detail = (
            f"refused our checkpoint of {reply.tree_size} entries: {reply.detail or reply.code}"
        )
        raise_alert(
            session,
            AlertKind.REFUSED_BY_WITNESS,
            sender,
            detail,
            held=(reply.held_size or 0, reply.held_root or ""),
            offered=(reply.tree_size, reply.root_hash),
            note=checkpoint.note,
        )
        log.warning("audit checkpoint refused by witness", witness=sender, size=reply.tree_size)


def _store_cosignature(
    session: Session, witness: str, checkpoint: AuditCheckpoint, line: str
) -> None:
    try:
        timestamp = verify_cosignature(
            parse_note(checkpoint.note).checkpoint,
            line,
            witness_name(witness),
            partner_signing_keys(session, witness, history=False),
        )
    except CheckpointError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None
    exists = session.execute(
        select(AuditCosignature.id).where(
            AuditCosignature.checkpoint_id == checkpoint.id, AuditCosignature.witness == witness
        )
    ).first()
    if exists is None:
        session.add(
            AuditCosignature(
                checkpoint_id=checkpoint.id,
                witness=witness,
                line=line.rstrip("\n") + "\n",
                timestamp=timestamp,
                received_at=utcnow(),
            )
        )


def _send_proof_from(
    session: Session,
    envelope: InboundEnvelope,
    checkpoint: AuditCheckpoint,
    peer: WitnessPeer,
    reply: WireReply,
) -> None:
    """The witness holds another size than we thought: prove from there, if our tree agrees
    with what it holds; if it does not, our own log no longer has the history it witnessed."""
    held_size, held_root = reply.held_size or 0, reply.held_root or ""
    ours = StoredTree(session).root(held_size).hex() if held_size <= tree_size(session) else ""
    if ours != held_root:
        raise_alert(
            session,
            AlertKind.REFUSED_BY_WITNESS,
            envelope.sender,
            f"holds our log at {held_size} entries with a root our log no longer has",
            held=(held_size, held_root),
            offered=(checkpoint.tree_size, checkpoint.root_hash),
            note=checkpoint.note,
        )
        return
    peer.cosigned_size = held_size
    peer.sent_at = None
    send_checkpoint(
        session,
        system_actor(envelope.header.recipient),
        checkpoint,
        resend=timedelta(0),
        only=envelope.sender,
    )
