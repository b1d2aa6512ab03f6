"""Attachment records: registering uploads, linking them to messages, serving downloads.

Files live in the content-addressed blob store (``jisr.exchange.storage``); a partner's
attachments arrive there in chunks before the message naming them (``jisr.exchange.transfers``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.audit import AuditAction, record
from jisr.errors import NotFoundError, ValidationError
from jisr.exchange.access import can_read
from jisr.exchange.models import Attachment, Message, MessageAttachment
from jisr.exchange.schemas import AttachmentRef
from jisr.exchange.storage import BlobStore, StoredBlob


def _upload_resource(actor: Actor) -> Resource:
    return Resource(ResourceKind.ATTACHMENT, owner_agency=actor.agency_code)


def check_upload(session: Session, actor: Actor) -> None:
    """Ask before reading a byte of the upload."""
    require(session, actor, Action.CREATE, _upload_resource(actor))


def register_upload(session: Session, actor: Actor, blob: StoredBlob) -> Attachment:
    """Record an uploaded file; the same bytes uploaded twice are one record and one file."""
    check_upload(session, actor)
    attachment = session.get(Attachment, blob.sha256)
    if attachment is None:
        attachment = Attachment(
            sha256=blob.sha256,
            size=blob.size,
            mime_type=blob.mime_type,
            owner_agency=actor.agency_code,
            created_by=actor.display,
        )
        session.add(attachment)
        session.flush()
    elif attachment.pending_content is not None:
        attachment.pending_content = None  # legacy inline copy: now on disk
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "attachment",
        blob.sha256,
        details={"size": blob.size, "mime_type": blob.mime_type},
    )
    return attachment


def link(session: Session, actor: Actor, message: Message, refs: Sequence[AttachmentRef]) -> None:
    """Attach uploaded files to a message being written by ``actor``."""
    seen: set[str] = set()
    for position, ref in enumerate(refs):
        if ref.sha256 in seen:
            raise ValidationError(f"attachment {ref.sha256} listed twice", code="attachment_twice")
        seen.add(ref.sha256)
        attachment = session.get(Attachment, ref.sha256)
        if attachment is None or not _may_use(session, actor, attachment):
            raise ValidationError(
                f"no attachment {ref.sha256}; upload it first", code="attachment_not_found"
            )
        message.attachments.append(
            MessageAttachment(
                sha256=ref.sha256, attachment=attachment, filename=ref.filename, position=position
            )
        )


def _may_use(session: Session, actor: Actor, attachment: Attachment) -> bool:
    if attachment.owner_agency == actor.agency_code:
        return check(session, actor, Action.READ, _upload_resource(actor)).allowed
    return any(can_read(session, actor, m) for m in _messages_with(session, attachment.sha256))


def _messages_with(session: Session, sha256: str) -> list[Message]:
    stmt = (
        select(Message)
        .join(MessageAttachment, MessageAttachment.message_id == Message.id)
        .where(MessageAttachment.sha256 == sha256)
        .order_by(Message.created_at)
    )
    return list(session.execute(stmt).scalars())


def _not_found(sha256: str) -> NotFoundError:
    return NotFoundError(f"no attachment {sha256}", code="attachment_not_found")


@dataclass(frozen=True, slots=True)
class Download:
    sha256: str
    filename: str
    size: int
    mime_type: str


def open_download(session: Session, actor: Actor, store: BlobStore, sha256: str) -> Download:
    """Check ``actor`` may have the file, make sure it is on disk, audit the consultation.

    A file the actor may not have answers exactly as one the node does not hold: which hashes
    a node holds is itself information."""
    attachment = session.get(Attachment, sha256)
    if attachment is None:
        raise _not_found(sha256)
    filename = None
    for message in _messages_with(session, sha256):
        if can_read(session, actor, message):
            filename = next(a.filename for a in message.attachments if a.sha256 == sha256)
            break
    if filename is None:
        if attachment.owner_agency != actor.agency_code or not _may_use(session, actor, attachment):
            raise _not_found(sha256)
        filename = sha256
    if attachment.pending_content is not None:  # received inline before chunked transfers
        store.write_bytes(attachment.pending_content)
        attachment.pending_content = None
    if not store.exists(sha256):
        raise NotFoundError(f"attachment {sha256} is not on disk", code="attachment_missing")
    record(session, actor, AuditAction.CONSULTATION, "attachment", sha256)
    return Download(sha256, filename, attachment.size, attachment.mime_type)
