"""Attachments in chunks between two real nodes (own data directories, databases and keys).

In one process, joined by a loopback transport (the worker's real sealing and the partner's real
``receive``), for what must be controlled pass by pass: the partner going offline mid-transfer,
a purged file, and memory. Then as served nodes over HTTP (killed and restarted mid-transfer,
the file downloaded through the partner's API) and over NATS.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jisr.actors import Actor, ActorKind
from jisr.audit import verify_chain
from jisr.audit.models import AuditEntry
from jisr.db import make_session_factory
from jisr.exchange import attachments, messages
from jisr.exchange.models import Attachment, Message, Transfer
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.exchange.transfers import CHUNK_BYTES
from jisr.exchange.wire import CHUNK_ENVELOPE, MESSAGE_ENVELOPE
from jisr.federation.models import InboxMessage, OutboxMessage
from jisr.federation.node import FederationNode, FederationSettings, build_node
from jisr.federation.transports import Transports
from jisr.federation.worker import DeliveryWorker, receive_batch
from jisr.node import handler_registry
from tests.conftest import DatabaseFactory
from tests.exchange.test_delivery import SCOPE, ExchangeServer, Officer
from tests.federation.nodes import REFERENCE, FedNode, Loopback, link, make_node, wait_for
from tests.federation.test_multinode import NATS_URL, _delete_streams

MiB = 1024 * 1024


def _content(size: int) -> Iterator[bytes]:
    """``size`` reproducible, incompressible bytes, a MiB at a time."""
    for start in range(0, size, MiB):
        block = hashlib.sha256(start.to_bytes(8, "big")).digest() * (MiB // 32)
        yield block[: min(MiB, size - start)]


def _digest(size: int) -> str:
    digest = hashlib.sha256()
    for block in _content(size):
        digest.update(block)
    return digest.hexdigest()


def _officer(agency: str) -> Actor:
    return Actor(ActorKind.USER, f"{agency}:user:liaison", agency, frozenset({"liaison"}))


def _federation(node: FedNode) -> FederationNode:
    """The node as ``jisr serve`` builds it: sessions know its data directory, and every
    domain's handlers and expanders are registered."""
    factory = make_session_factory(node.engine, node.data_dir)
    settings = FederationSettings(backoff_base_seconds=0.001, backoff_max_seconds=0.001)
    return build_node(node.settings, factory, node.code, handler_registry(), settings)


def _passes(worker: DeliveryWorker, count: int | None = None) -> int:
    """Run delivery passes (``count``, or until none is due); returns how many claimed."""

    async def run() -> int:
        done = 0
        while count is None or done < count:
            if await worker.run_pass() == 0:
                break
            done += 1
        return done

    return asyncio.run(run())


def _send(sender: FedNode, to: str, size: int) -> tuple[str, str]:
    """Upload a file of ``size`` bytes at ``sender`` and send it in a message; (id, sha256)."""
    store = BlobStore.for_data_dir(sender.data_dir)
    actor = _officer(sender.code)
    with sender.session() as session:
        writer = store.writer(size or 1)
        for block in _content(size):
            writer.write(block)
        blob = writer.finish()
        attachments.register_upload(session, actor, blob)
        data = MessageCreate(
            to=to,
            agreement=REFERENCE,
            subject="Surveillance footage, Tangier port",
            body="The footage of the meeting is attached.",
            crime_area="terrorism",
            purpose="Identify the people at the meeting",
            attachments=[{"sha256": blob.sha256, "filename": "footage.mp4"}],
        )
        message = messages.send_message(session, actor, data, store=store)
        return message.id, blob.sha256


def _count(node: FedNode, envelope_type: str, status: str | None = None) -> int:
    stmt = select(func.count()).where(OutboxMessage.envelope_type == envelope_type)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    with node.session() as session:
        return int(session.execute(stmt).scalar_one())


def _inbox(node: FedNode, envelope_type: str) -> int:
    stmt = select(func.count()).where(InboxMessage.envelope_type == envelope_type)
    with node.session() as session:
        return int(session.execute(stmt).scalar_one())


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MiB):
            digest.update(block)
    return digest.hexdigest()


def _received_once(receiver: FedNode, message_id: str, sha: str, chunks: int) -> None:
    """The partner holds the message once, with its whole attachment, each envelope once."""
    store = BlobStore.for_data_dir(receiver.data_dir)
    with receiver.session() as session:
        message = session.get(Message, message_id)
        assert message is not None and [a.sha256 for a in message.attachments] == [sha]
        assert session.get(Attachment, sha) is not None
        assert session.execute(select(func.count()).select_from(Transfer)).scalar_one() == 0
        kept = select(func.count()).where(
            AuditEntry.object_type == "attachment",
            AuditEntry.object_id == sha,
            AuditEntry.action == "collection",
        )
        assert session.execute(kept).scalar_one() == 1
        assert verify_chain(session).intact
    assert _file_digest(store.path_for(sha)) == sha
    assert not list((store.root / "incoming").glob("*"))
    assert (_inbox(receiver, CHUNK_ENVELOPE), _inbox(receiver, MESSAGE_ENVELOPE)) == (chunks, 1)


def test_partner_offline_mid_transfer_then_back_gets_it_once(
    pair: tuple[FedNode, FedNode],
) -> None:
    a, b = pair
    size = 3 * MiB + 123
    message_id, sha = _send(a, b.code, size)
    chunks = _count(a, CHUNK_ENVELOPE)
    assert chunks == 7
    loop = Loopback({n.code: _federation(n) for n in pair}, keep=True)
    worker = DeliveryWorker(loop.nodes[a.code], Transports({"http": loop}))
    # A case's envelopes go one at a time, chunks first: two chunks, then the partner is gone.
    assert _passes(worker, 2) == 2
    assert _count(a, CHUNK_ENVELOPE, "delivered") == 2
    loop.down = True
    assert _passes(worker, 3) == 3
    with a.session() as session:
        failed = session.execute(
            select(OutboxMessage).where(OutboxMessage.last_error.is_not(None))
        ).scalar_one()
        assert failed.status == "pending" and "loopback is down" in failed.last_error
    with b.session() as session:
        assert session.get(Message, message_id) is None
        transfer = session.execute(select(Transfer)).scalar_one()
        assert (transfer.received, transfer.chunks, transfer.completed_at) == (2, 7, None)
    loop.down = False
    _passes(worker)
    assert _count(a, CHUNK_ENVELOPE, "delivered") == chunks
    assert _count(a, MESSAGE_ENVELOPE, "delivered") == 1
    _received_once(b, message_id, sha, chunks)
    # Every chunk envelope delivered again (a lost acknowledgement) has no second effect.
    answers = receive_batch(loop.nodes[b.code], loop.sent)
    assert all(b'"duplicate":true' in answer for answer in answers)
    _received_once(b, message_id, sha, chunks)
    with a.session() as session:
        assert verify_chain(session).intact


def test_a_purged_file_kills_its_chunk_loudly_and_holds_the_message(
    pair: tuple[FedNode, FedNode],
) -> None:
    a, b = pair
    message_id, sha = _send(a, b.code, CHUNK_BYTES + 1)
    BlobStore.for_data_dir(a.data_dir).delete(sha)
    loop = Loopback({n.code: _federation(n) for n in pair}, keep=False)
    worker = DeliveryWorker(loop.nodes[a.code], Transports({"http": loop}))
    _passes(worker)
    with a.session() as session:
        rows = session.execute(select(OutboxMessage).order_by(OutboxMessage.seq)).scalars().all()
        assert [(r.envelope_type, r.status) for r in rows] == [
            (CHUNK_ENVELOPE, "dead"),
            (CHUNK_ENVELOPE, "pending"),
            (MESSAGE_ENVELOPE, "pending"),
        ]
        assert rows[0].attempts == 1
        assert rows[0].last_error is not None
        assert rows[0].last_error.startswith(f"attachment_missing: attachment {sha} is no longer")
        dead = session.execute(
            select(AuditEntry).where(
                AuditEntry.object_id == rows[0].id, AuditEntry.action == "transfer"
            )
        ).scalars()
        assert [e.details["event"] for e in dead] == ["queued", "dead"]
    assert _inbox(b, CHUNK_ENVELOPE) == 0
    with b.session() as session:
        assert session.get(Message, message_id) is None


def test_fifty_megabytes_travel_in_bounded_memory(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    size = 50 * MiB
    message_id, sha = _send(a, b.code, size)
    loop = Loopback({n.code: _federation(n) for n in pair}, keep=False)
    worker = DeliveryWorker(loop.nodes[a.code], Transports({"http": loop}))
    tracemalloc.start()
    try:
        _passes(worker)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    chunks = size // CHUNK_BYTES
    assert _count(a, CHUNK_ENVELOPE, "delivered") == chunks
    _received_once(b, message_id, sha, chunks)
    # A chunk in flight is held a dozen times over (base64 twice, JSON, sealed, opened, on
    # both sides) whatever the file's size: about 6.5 MB here, for 50 MiB through.
    print(f"peak traced memory for {size} bytes: {peak} bytes")
    assert peak < 16 * CHUNK_BYTES, f"peaked at {peak} bytes"


def _kill_mid_transfer(a: FedNode, server: ExchangeServer, chunks: int) -> None:
    """Kill the partner once a few chunks are in and most are still to come."""
    deadline = time.monotonic() + 60
    while _count(a, CHUNK_ENVELOPE, "delivered") < 3:
        assert time.monotonic() < deadline, "no chunk delivered within 60 s"
        time.sleep(0.01)
    server.kill()
    assert _count(a, CHUNK_ENVELOPE, "delivered") < chunks, "the transfer ended before the kill"


@pytest.mark.slow
def test_sixteen_megabytes_over_http_with_the_partner_killed_midway(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    size = 16 * MiB + 5
    chunks = size // CHUNK_BYTES + 1
    sender, receiver = ExchangeServer(rabat), ExchangeServer(paris, isolated=True)
    try:
        sender.start()
        receiver.start()
        amina, julien = Officer(rabat, "amina"), Officer(paris, "julien")
        uploaded = amina.post(
            "/attachments",
            content=_content(size),
            headers={"content-type": "application/octet-stream"},
        )
        assert uploaded["sha256"] == _digest(size)
        sent = amina.post(
            "/messages",
            json={
                "to": paris.code,
                "agreement": REFERENCE,
                "subject": "Footage of the Algeciras handover",
                "body": "The port camera's footage is attached.",
                "crime_area": "migrant_smuggling",
                "purpose": "Identify the drivers",
                "attachments": [{"sha256": uploaded["sha256"], "filename": "handover.mp4"}],
            },
        )
        _kill_mid_transfer(rabat, receiver, chunks)
        receiver.start()
        wait_for(lambda: bool(julien.get("/messages")), timeout=120, what="Paris to get it")
        [attachment] = julien.get(f"/messages/{sent['id']}")["attachments"]
        assert (attachment["sha256"], attachment["size"]) == (uploaded["sha256"], size)
        digest, received = hashlib.sha256(), 0
        with julien.client.stream("GET", f"/attachments/{uploaded['sha256']}") as download:
            assert download.status_code == 200
            assert 'filename="handover.mp4"' in download.headers["content-disposition"]
            for block in download.iter_bytes():
                digest.update(block)
                received += len(block)
        assert (digest.hexdigest(), received) == (uploaded["sha256"], size)
    finally:
        sender.stop()
        receiver.stop()
    _received_once(paris, sent["id"], uploaded["sha256"], chunks)
    rabat.engine.dispose()
    paris.engine.dispose()


@pytest.mark.slow
def test_chunks_fit_nats_messages(tmp_path: Path, databases: DatabaseFactory) -> None:
    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(a, b, transport="nats")
    prefix = f"jisrtest{uuid.uuid4().hex[:8]}"
    env = {"JISR_FEDERATION_NATS_URL": NATS_URL, "JISR_FEDERATION_NATS_PREFIX": prefix}
    size = 2 * CHUNK_BYTES + 7
    message_id, sha = _send(a, b.code, size)
    servers = [ExchangeServer(a, env), ExchangeServer(b, env)]
    try:
        for server in servers:
            server.start()
        wait_for(
            lambda: _count(a, MESSAGE_ENVELOPE, "delivered") == 1,
            timeout=60,
            what="the message over NATS",
        )
    finally:
        for server in servers:
            server.stop()
        asyncio.run(_delete_streams(prefix))
    _received_once(b, message_id, sha, 3)
    a.engine.dispose()
    b.engine.dispose()
