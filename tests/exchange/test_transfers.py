"""Attachments in chunks, one node at a time: what the sender queues, what the receiver keeps
and what it refuses (each refusal with its code, and without effect)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jisr.actors import system_actor
from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.errors import NotFoundError
from jisr.exchange import attachments, messages, purge
from jisr.exchange.federation import receive_chunk, receive_message
from jisr.exchange.models import Attachment, Transfer
from jisr.exchange.schemas import AttachmentRef, MessageCreate
from jisr.exchange.transfers import CHUNK_BYTES, expand_chunk
from jisr.exchange.wire import CHUNK_ENVELOPE, MESSAGE_ENVELOPE
from jisr.federation.errors import RejectedError
from jisr.federation.payloads import PayloadUnavailableError
from jisr.ids import new_id
from tests.exchange.conftest import LOCAL, PARTNER, World, message_fields
from tests.exchange.test_inbound import (
    _envelope,
    _receive,
    partner_chunks,
    partner_request,
    receive_chunks,
)

# 100 bytes in chunks of 16: seven chunks, the last of 4 bytes.
FILE = b"%PDF-1.7\n" + bytes(range(91))


def _refused(world: World, chunk: dict[str, Any]) -> str:
    with pytest.raises(RejectedError) as refused:
        with world.session.begin_nested():  # federation runs each handler in a savepoint
            receive_chunk(world.session, _envelope(world, CHUNK_ENVELOPE, chunk))
    return refused.value.code


def _transfer() -> str:
    return new_id(PARTNER, "transfer")


def test_chunks_in_order_make_the_file_which_the_message_then_names(world: World) -> None:
    transfer = _transfer()
    chunks = partner_chunks(FILE, transfer)
    assert len(chunks) == 7
    receive_chunks(world, chunks[:3])
    sha = hashlib.sha256(FILE).hexdigest()
    assert not world.store.exists(sha) and world.session.get(Attachment, sha) is None
    assert world.store.staging_path(transfer).stat().st_size == 48
    receive_chunks(world, chunks[3:])
    assert world.store.read_bytes(sha) == FILE
    assert not world.store.staging_path(transfer).exists()
    attachment = world.session.get(Attachment, sha)
    assert attachment is not None and attachment.owner_agency == PARTNER
    assert attachment.mime_type == "application/pdf" and attachment.size == len(FILE)
    received = world.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "attachment")
    ).scalar_one()
    assert received.actor_agency == PARTNER and received.details["transfer"] == transfer
    # Nobody may download it before a message names it.
    with pytest.raises(NotFoundError, match="no attachment"):
        attachments.open_download(world.session, world.analyst, world.store, sha)

    item = {"sha256": sha, "filename": "scan.pdf", "size": len(FILE), "transfer": transfer}
    message = _receive(world, partner_request(attachments=[item]))
    found = attachments.open_download(world.session, world.analyst, world.store, sha)
    assert found.filename == "scan.pdf" and [a.sha256 for a in message.attachments] == [sha]
    assert world.session.get(Transfer, transfer) is None


def test_refusals_have_stable_codes_and_no_effect(world: World) -> None:
    transfer = _transfer()
    chunks = partner_chunks(FILE, transfer)
    # The first chunk of a transfer must come first, and each in its turn.
    assert _refused(world, chunks[1]) == "chunk_out_of_order"
    receive_chunks(world, chunks[:2])
    assert _refused(world, chunks[3]) == "chunk_out_of_order"
    assert _refused(world, chunks[1]) == "chunk_out_of_order"  # again, in another envelope
    # A chunk whose bytes are not as long as its place says.
    short = {**chunks[2], "content": base64.b64encode(b"too short").decode()}
    assert _refused(world, short) == "chunk_size_mismatch"
    # Descriptions that do not hold together.
    assert _refused(world, {**chunks[2], "count": 9}) == "chunk_invalid"
    assert _refused(world, {**chunks[2], "index": 7}) == "chunk_invalid"
    assert _refused(world, {**chunks[2], "content": "not base64!"}) == "chunk_invalid"
    other = hashlib.sha256(b"another file").hexdigest()
    assert _refused(world, {**chunks[2], "sha256": other}) == "chunk_invalid"
    foreign = partner_chunks(FILE, new_id("ES-CGI", "transfer"))[0]
    assert _refused(world, foreign) == "chunk_invalid"
    row = world.session.get(Transfer, transfer)
    assert row is not None and row.received == 2  # none of the refused chunks counted
    # Chunks of the right sizes whose whole is not the announced file: refused at the last.
    altered = partner_chunks(FILE[:60] + b"X" + FILE[61:], transfer)
    tampered = [{**chunk, "sha256": chunks[0]["sha256"]} for chunk in altered]
    receive_chunks(world, [chunks[2], *tampered[3:6]])
    assert _refused(world, tampered[6]) == "attachment_digest_mismatch"
    assert _refused(world, tampered[6]) == "attachment_digest_mismatch"  # the same again
    assert not world.store.exists(hashlib.sha256(FILE).hexdigest())
    assert world.session.get(Attachment, hashlib.sha256(FILE).hexdigest()) is None
    # The message that names it is refused in turn.
    item = {"sha256": chunks[0]["sha256"], "filename": "a.pdf", "size": len(FILE)}
    payload = partner_request(attachments=[{**item, "transfer": transfer}])
    with pytest.raises(RejectedError) as refused:
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    assert refused.value.code == "attachment_incomplete"


def test_a_chunk_received_again_after_a_rollback_leaves_the_same_file(world: World) -> None:
    transfer = _transfer()
    chunks = partner_chunks(FILE, transfer)
    receive_chunks(world, chunks[:4])
    # A batch that was rolled back after this chunk was written (the file keeps its bytes).
    savepoint = world.session.begin_nested()
    receive_chunk(world.session, _envelope(world, CHUNK_ENVELOPE, chunks[4]))
    savepoint.rollback()
    receive_chunks(world, chunks[4:])
    assert world.store.read_bytes(hashlib.sha256(FILE).hexdigest()) == FILE


def test_bytes_already_here_are_not_written_again(world: World) -> None:
    blob = world.store.write_bytes(FILE)
    attachments.register_upload(world.session, world.liaison, blob)
    transfer = _transfer()
    receive_chunks(world, partner_chunks(FILE, transfer))
    assert not world.store.staging_path(transfer).exists()
    row = world.session.get(Transfer, transfer)
    assert row is not None and row.completed_at is not None
    attachment = world.session.get(Attachment, blob.sha256)
    assert attachment is not None and attachment.owner_agency == LOCAL  # still ours


def test_sending_queues_references_first_then_the_message(world: World) -> None:
    size = 2 * CHUNK_BYTES + 10
    blob = world.store.write_bytes(bytes(n % 251 for n in range(size)))
    attachments.register_upload(world.session, world.liaison, blob)
    ref = AttachmentRef(sha256=blob.sha256, filename="map.bin")
    data = MessageCreate(**message_fields(attachments=[ref.model_dump()]))
    message = messages.send_message(world.session, world.liaison, data, store=world.store)

    chunks = world.outbox(CHUNK_ENVELOPE)
    [sent] = world.outbox(MESSAGE_ENVELOPE)
    assert [c.seq for c in chunks] == [1, 2, 3] and sent.seq == 4
    assert {c.case_ref for c in chunks} == {message.case_ref}
    assert all("content" not in c.payload for c in chunks)  # the outbox holds no file bytes
    assert [(c.payload["offset"], c.payload["length"]) for c in chunks] == [
        (0, CHUNK_BYTES),
        (CHUNK_BYTES, CHUNK_BYTES),
        (2 * CHUNK_BYTES, 10),
    ]
    [named] = sent.payload["attachments"]
    assert named["transfer"] == chunks[0].payload["transfer"] and "content" not in named
    assert (named["sha256"], named["size"]) == (blob.sha256, size)

    data_dir = world.store.root.parent
    expanded = [expand_chunk(c.payload, data_dir) for c in chunks]
    whole = b"".join(base64.b64decode(e["content"]) for e in expanded)
    assert hashlib.sha256(whole).hexdigest() == blob.sha256
    assert {k for k in expanded[0] if k != "content"} == {
        "transfer",
        "sha256",
        "size",
        "chunk_bytes",
        "index",
        "count",
    }
    world.store.delete(blob.sha256)  # purged while the chunks wait
    with pytest.raises(PayloadUnavailableError, match="no longer on this node") as gone:
        expand_chunk(chunks[1].payload, data_dir)
    assert gone.value.code == "attachment_missing"


def test_purge_drops_stale_transfers_and_keeps_files_awaiting_their_message(
    world: World,
) -> None:
    complete, partial = _transfer(), _transfer()
    receive_chunks(world, partner_chunks(FILE, complete))
    receive_chunks(world, partner_chunks(b"another, longer file" * 3, partial)[:2])
    sha = hashlib.sha256(FILE).hexdigest()
    attachment = world.session.get(Attachment, sha)
    assert attachment is not None
    now = utcnow()
    attachment.created_at = now - timedelta(days=2)
    world.session.flush()
    system = system_actor(LOCAL)
    # An orphan by age, but its message may still come: kept.
    result = purge.purge_expired(world.session, system, now=now)
    assert result.blobs == [] and result.transfers == []
    # A month without a chunk: both transfers go, and with them the file nothing names.
    later = now + purge.TRANSFER_STALE + timedelta(days=1)
    result = purge.purge_expired(world.session, system, now=later)
    assert sorted(result.transfers) == sorted([complete, partial]) and result.blobs == [sha]
    assert world.store.staging_path(partial).exists()
    purge.remove_files(world.session, world.store, result.blobs, result.transfers)
    assert not world.store.staging_path(partial).exists() and not world.store.exists(sha)
