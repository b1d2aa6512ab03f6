"""Attachments travelling to a partner in chunks, whatever their size.

Sending: each attachment of a message becomes a *transfer* (``OWNER:transfer:ULID``) of
``CHUNK_BYTES`` chunks, each its own ``exchange.attachment_chunk`` envelope queued through the
federation outbox (``enqueue``: policy, agreement scope, retries, store-and-forward, either
transport, audit, all as for any envelope). The outbox row holds only a reference
(digest, index, offset, length); ``expand_chunk`` reads those bytes from the blob store when
the envelope is sealed, so the file is never copied into the database nor read whole.

Ordering (why a message never shows a partial attachment): the chunks are queued in the
message's transaction, *before* the message and under its case. The outbox numbers a case's
envelopes per partner and claims none before the previous one is settled
(``jisr.federation.outbox.claim_due``), so the partner receives every chunk, in order, before
the message that names them, across outages and restarts. The receiver thus needs no
"incomplete" state: a message naming a transfer that has not completed (possible only when a
chunk was refused) is refused with ``attachment_incomplete``. The price: one case's chunks
travel one round trip at a time; other cases flow beside them.

Receiving: chunks are written at their offset into a staging file under the data directory
(``attachments/incoming/``), fsynced; the last one triggers a streamed SHA-256 check of the
whole file, which is then moved into the blob store and recorded as an ``Attachment``. A
positional write makes a chunk received again after a rollback harmless; the federation inbox
already makes a chunk envelope delivered twice count once. Memory stays at a chunk or two.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db import data_dir_of
from jisr.errors import JisrError, ValidationError
from jisr.exchange.models import Attachment, Message, Transfer
from jisr.exchange.outbound import enqueue_about
from jisr.exchange.storage import SNIFF_BYTES, BlobStore, digest_file, sniff
from jisr.exchange.wire import CHUNK_ENVELOPE, WireAttachment, WireChunk
from jisr.federation.payloads import PayloadUnavailableError
from jisr.ids import new_id, owner_of

# Bytes per chunk. A sealed envelope is about 16/9 of it (base64 twice) plus a header: 512 KiB
# keeps each envelope under NATS's default 1 MiB message limit.
CHUNK_BYTES = 512 * 1024


class TransferError(ValidationError):
    """A chunk or a message's attachment that cannot be accepted; ``code`` says why."""

    code = "chunk_invalid"


def chunk_count(size: int, chunk_bytes: int) -> int:
    """How many chunks carry ``size`` bytes (an empty file travels as one empty chunk)."""
    return max(1, -(-size // chunk_bytes))


def _chunk_length(size: int, chunk_bytes: int, index: int) -> int:
    return max(0, min(chunk_bytes, size - index * chunk_bytes))


# --- sending ---------------------------------------------------------------------------


def queue_attachments(
    session: Session, actor: Actor, message: Message, store: BlobStore
) -> dict[str, str]:
    """Queue the chunks of every attachment of ``message`` (call before queueing the message
    itself); returns the transfer id of each attachment, by digest."""
    transfers: dict[str, str] = {}
    for link in message.attachments:
        if not store.exists(link.sha256):
            raise ValidationError(
                f"attachment {link.sha256} is not on disk", code="attachment_missing"
            )
        transfer = new_id(actor.agency_code, "transfer")
        for reference in chunk_references(transfer, link.sha256, link.attachment.size):
            enqueue_about(session, actor, message, CHUNK_ENVELOPE, reference)
        transfers[link.sha256] = transfer
    return transfers


def chunk_references(
    transfer: str, sha256: str, size: int, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[dict[str, Any]]:
    """The outbox payloads of a transfer: where each chunk's bytes are, not the bytes."""
    count = chunk_count(size, chunk_bytes)
    for index in range(count):
        yield {
            "transfer": transfer,
            "sha256": sha256,
            "size": size,
            "chunk_bytes": chunk_bytes,
            "index": index,
            "count": count,
            "offset": index * chunk_bytes,
            "length": _chunk_length(size, chunk_bytes, index),
        }


def expand_chunk(payload: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The expander of chunk envelopes: a reference in, the chunk's bytes (base64) out."""
    sha, size = str(payload["sha256"]), int(payload["size"])
    where = f"chunk {payload['index']} of transfer {payload['transfer']}"
    try:
        with BlobStore.for_data_dir(data_dir).path_for(sha).open("rb") as handle:
            if os.fstat(handle.fileno()).st_size != size:
                raise PayloadUnavailableError(
                    f"attachment {sha} on disk is no longer {size} bytes long: {where} cannot"
                    " be sent",
                    code="attachment_changed",
                )
            handle.seek(int(payload["offset"]))
            data = handle.read(int(payload["length"]))
    except FileNotFoundError:
        raise PayloadUnavailableError(
            f"attachment {sha} is no longer on this node (purged?): {where} cannot be sent",
            code="attachment_missing",
        ) from None
    except OSError as exc:
        raise JisrError(
            f"attachment {sha} cannot be read: {exc.strerror}", code="attachment_unreadable"
        ) from None
    wire = {key: payload[key] for key in ("transfer", "sha256", "size", "chunk_bytes", "index")}
    return {**wire, "count": payload["count"], "content": base64.b64encode(data).decode("ascii")}


# --- receiving -------------------------------------------------------------------------


def accept_chunk(session: Session, actor: Actor, chunk: WireChunk) -> None:
    """Write a partner's chunk into its transfer; after the last one, verify and keep the file.

    ``actor`` is the sending partner. Raises ``TransferError`` (nothing recorded) when the
    chunk does not belong, is out of order, has the wrong size, or completes a file whose
    digest is not the announced one.
    """
    sender = actor.agency_code
    data = _check_chunk(sender, chunk)
    transfer = session.get(Transfer, chunk.transfer)
    if transfer is None:
        if chunk.index != 0:
            raise TransferError(
                f"chunk {chunk.index} of an unknown transfer", code="chunk_out_of_order"
            )
        transfer = Transfer(
            id=chunk.transfer,
            sender=sender,
            sha256=chunk.sha256,
            size=chunk.size,
            chunk_bytes=chunk.chunk_bytes,
            chunks=chunk.count,
            received=0,
        )
        session.add(transfer)
    elif (transfer.sha256, transfer.size, transfer.chunk_bytes, transfer.chunks) != (
        chunk.sha256,
        chunk.size,
        chunk.chunk_bytes,
        chunk.count,
    ):
        raise TransferError("chunk does not describe the same file as its transfer")
    if transfer.completed_at is not None:
        return
    if chunk.index != transfer.received:
        raise TransferError(
            f"expected chunk {transfer.received} of {transfer.id}, got {chunk.index}",
            code="chunk_out_of_order",
        )
    store = BlobStore.for_data_dir(data_dir_of(session))
    staging = store.staging_path(transfer.id)
    # These bytes may be here already (an earlier transfer, our own upload): nothing to write.
    present = store.exists(transfer.sha256)
    if not present:
        _write_at(staging, chunk.index * transfer.chunk_bytes, data, first=chunk.index == 0)
    transfer.received = chunk.index + 1
    if transfer.received == transfer.chunks:
        if present:
            staging.unlink(missing_ok=True)
        else:
            _adopt(store, staging, transfer)
        _register(session, actor, store, transfer)
        transfer.completed_at = utcnow()
    session.flush()


def _check_chunk(sender: str, chunk: WireChunk) -> bytes:
    if owner_of(chunk.transfer) != sender:
        raise TransferError("a transfer id is namespaced by its sender")
    if chunk.count != chunk_count(chunk.size, chunk.chunk_bytes) or chunk.index >= chunk.count:
        raise TransferError(
            f"chunk {chunk.index} of {chunk.count} does not fit a file of {chunk.size} bytes"
            f" in chunks of {chunk.chunk_bytes}"
        )
    try:
        data = base64.b64decode(chunk.content, validate=True)
    except binascii.Error:
        raise TransferError("chunk content is not base64") from None
    expected = _chunk_length(chunk.size, chunk.chunk_bytes, chunk.index)
    if len(data) != expected:
        raise TransferError(
            f"chunk {chunk.index} has {len(data)} bytes, not {expected}",
            code="chunk_size_mismatch",
        )
    return data


def _write_at(path: Path, offset: int, data: bytes, *, first: bool) -> None:
    """Write ``data`` at ``offset`` and cut what follows: receiving a chunk again after a
    rollback leaves the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = path.open("wb" if first else "r+b")
    except FileNotFoundError:
        raise TransferError(
            "the partial file of this transfer is gone", code="transfer_lost"
        ) from None
    with handle:
        if os.fstat(handle.fileno()).st_size < offset:
            raise TransferError("the partial file of this transfer is short", code="transfer_lost")
        handle.seek(offset)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _adopt(store: BlobStore, staging: Path, transfer: Transfer) -> None:
    # The staging file is kept on a mismatch: receiving the chunk again gives the same refusal.
    sha, size, _head = digest_file(staging)
    if sha != transfer.sha256 or size != transfer.size:
        raise TransferError(
            f"the {size} bytes received have SHA-256 {sha}, not the announced {transfer.sha256}",
            code="attachment_digest_mismatch",
        )
    store.adopt(staging, sha)


def _register(session: Session, actor: Actor, store: BlobStore, transfer: Transfer) -> None:
    if session.get(Attachment, transfer.sha256) is None:
        with store.path_for(transfer.sha256).open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
        session.add(
            Attachment(
                sha256=transfer.sha256,
                size=transfer.size,
                mime_type=sniff(head),
                owner_agency=transfer.sender,
                created_by=transfer.sender,
            )
        )
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "attachment",
        transfer.sha256,
        details={"event": "received", "transfer": transfer.id, "size": transfer.size},
    )


def claim_transfers(session: Session, sender: str, items: list[WireAttachment]) -> list[str]:
    """The digests of a partner's message's attachments, each of which must have arrived whole
    from that partner; their transfers are then spent. Raises ``attachment_incomplete``."""
    transfers: list[Transfer] = []
    if len({item.sha256 for item in items}) != len(items):
        raise TransferError("an attachment is listed twice", code="payload_invalid")
    for item in items:
        transfer = session.get(Transfer, item.transfer)
        if (
            transfer is None
            or transfer.completed_at is None
            or (transfer.sender, transfer.sha256, transfer.size) != (sender, item.sha256, item.size)
        ):
            raise TransferError(
                f"attachment {item.filename} ({item.sha256}) has not arrived whole",
                code="attachment_incomplete",
            )
        transfers.append(transfer)
    for transfer in transfers:
        session.delete(transfer)
    session.flush()
    return [item.sha256 for item in items]
