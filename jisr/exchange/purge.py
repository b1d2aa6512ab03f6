"""Deleting what has outlived its retention date, attachment files nothing refers to, and
partners' attachment transfers that never completed or whose message never came."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.exchange.models import Attachment, Case, Message, MessageAttachment, Transfer
from jisr.exchange.storage import BlobStore

# An upload not yet attached to any message is kept this long (the officer is still writing).
ORPHAN_GRACE = timedelta(days=1)
# A partner's transfer with no chunk for this long (a chunk was refused, its message was held or
# refused) is dropped with its partial file; its attachment, if complete, is then an orphan.
TRANSFER_STALE = timedelta(days=30)


@dataclass
class PurgeResult:
    messages: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    # Digests whose files may be deleted once the transaction has committed.
    blobs: list[str] = field(default_factory=list)
    # Incoming transfers dropped, whose staging files go after the commit too.
    transfers: list[str] = field(default_factory=list)


def purge_expired(session: Session, actor: Actor, *, now: datetime | None = None) -> PurgeResult:
    """Erase messages (own and partners' copies) past their retention date, then the cases and
    attachments left without messages. Each erasure is audited. Run by the node's operator."""
    require(session, actor, Action.ADMINISTER, Resource(ResourceKind.MESSAGE, actor.agency_code))
    now = now or utcnow()
    result = PurgeResult()
    expired = select(Message).where(Message.retention_until <= now).order_by(Message.id)
    for message in session.execute(expired).scalars():
        result.messages.append(message.id)
        session.delete(message)
        record(
            session,
            actor,
            AuditAction.ERASURE,
            "message",
            message.id,
            details={"event": "retention_expired", "case": message.case_ref},
        )
    session.flush()
    empty_cases = (
        select(Case)
        .where(Case.retention_until <= now, ~Case.ref.in_(select(Message.case_ref).distinct()))
        .order_by(Case.ref)
    )
    for case in session.execute(empty_cases).scalars():
        result.cases.append(case.ref)
        session.delete(case)
        record(session, actor, AuditAction.ERASURE, "case", case.ref, details={"event": "empty"})
    stale = select(Transfer).where(Transfer.updated_at <= now - TRANSFER_STALE)
    for transfer in session.execute(stale.order_by(Transfer.id)).scalars():
        result.transfers.append(transfer.id)
        session.delete(transfer)
        record(
            session,
            actor,
            AuditAction.ERASURE,
            "attachment_transfer",
            transfer.id,
            details={
                "event": "stale",
                "sha256": transfer.sha256,
                "received": f"{transfer.received}/{transfer.chunks}",
            },
        )
    session.flush()
    orphans = (
        select(Attachment)
        .where(
            Attachment.created_at <= now - ORPHAN_GRACE,
            ~Attachment.sha256.in_(select(MessageAttachment.sha256).distinct()),
            # Received for a message still to come.
            ~Attachment.sha256.in_(select(Transfer.sha256).distinct()),
        )
        .order_by(Attachment.sha256)
    )
    for attachment in session.execute(orphans).scalars():
        result.blobs.append(attachment.sha256)
        session.delete(attachment)
        record(
            session,
            actor,
            AuditAction.ERASURE,
            "attachment",
            attachment.sha256,
            details={"event": "unreferenced"},
        )
    session.flush()
    return result


def remove_files(
    session: Session, store: BlobStore, digests: list[str], transfers: list[str] | None = None
) -> int:
    """After the purge committed: delete the files of digests that still have no record, and
    the partial files of the ``transfers`` dropped."""
    removed = 0
    for sha in digests:
        if session.get(Attachment, sha) is None:
            store.delete(sha)
            removed += 1
    for transfer in transfers or []:
        store.staging_path(transfer).unlink(missing_ok=True)
    return removed
