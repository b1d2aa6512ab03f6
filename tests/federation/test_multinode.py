"""Real nodes: separate data directories and databases, served by uvicorn processes on loopback."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import nats
import pytest
from sqlalchemy import func, select

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.audit import verify_chain
from jisr.federation.models import Acknowledgement, InboxMessage, OutboxMessage
from tests.conftest import DatabaseFactory
from tests.federation.nodes import FedNode, Server, link, make_node, serving, wait_for
from tests.federation.notes import effects

pytestmark = pytest.mark.slow
NATS_URL = "nats://127.0.0.1:4222"


def _inbox(node: FedNode) -> int:
    with node.session() as session:
        return int(session.execute(select(func.count()).select_from(InboxMessage)).scalar_one())


def _delivered(node: FedNode, count: int) -> bool:
    return node.outbox().get("delivered", 0) == count


def _exactly_once(receiver: FedNode, count: int) -> None:
    with receiver.session() as session:
        assert effects(session) == (count, count)
        assert verify_chain(session).intact
    assert _inbox(receiver) == count


def test_a_to_b_over_http(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    with serving(Server(a), Server(b)):
        card = httpx.get(f"{b.url}/federation/v1/node").json()
        assert card["agency_code"] == b.code and len(card["signing_fingerprint"]) == 16
        a.send_notes(b.code, 10)
        wait_for(lambda: _delivered(a, 10), timeout=60, what="10 deliveries")
    _exactly_once(b, 10)


def test_partner_down_queues_then_delivers_once(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    sender = Server(a)
    with serving(sender):
        a.send_notes(b.code, 20)
        wait_for(lambda: _attempted(a), timeout=30, what="a failed attempt while B is down")
        assert a.outbox() == {"pending": 20}
        with serving(Server(b)):
            wait_for(lambda: _delivered(a, 20), timeout=90, what="20 deliveries after restart")
    _exactly_once(b, 20)


def _attempted(node: FedNode) -> bool:
    with node.session() as session:
        stmt = select(func.count()).where(OutboxMessage.last_error.is_not(None))
        return int(session.execute(stmt).scalar_one()) > 0


def test_sender_killed_mid_burst_loses_and_duplicates_nothing(
    pair: tuple[FedNode, FedNode],
) -> None:
    a, b = pair
    total = 300
    slow = {"JISR_FEDERATION_BATCH_SIZE": "8", "JISR_FEDERATION_CONCURRENCY": "4"}
    sender, receiver = Server(a, slow, isolated=True), Server(b)
    with serving(receiver, sender):
        for start in range(0, total, 50):
            a.send_notes(b.code, 50, start=start)
        wait_for(lambda: _inbox(b) >= 20, timeout=60, what="the burst to start arriving")
        sender.kill()
        assert a.outbox().get("delivered", 0) < total, "burst finished before the kill"
        sender.start()
        wait_for(lambda: _delivered(a, total), timeout=180, what="every message after restart")
    _exactly_once(b, total)


def test_suspended_agreement_holds_then_releases(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    with serving(Server(a), Server(b)):
        a.set_agreement(AgreementStatus.SUSPENDED)
        a.send_notes(b.code, 3)
        assert a.outbox() == {"held": 3}
        a.set_agreement(AgreementStatus.ACTIVE)
        wait_for(lambda: _delivered(a, 3), timeout=60, what="held messages to be released")
    _exactly_once(b, 3)


def test_out_of_scope_refused_with_reason(databases: DatabaseFactory, tmp_path: Path) -> None:
    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    # B's copy of the agreement does not allow personal data; A's does.
    wide = ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])
    narrow = ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL])
    link(a, b, scopes={a.code: wide, b.code: narrow})
    with serving(Server(a), Server(b)):
        a.send_notes(b.code, 1, data_category=DataCategory.PERSONAL.value)
        wait_for(lambda: a.outbox().get("rejected") == 1, timeout=60, what="the refusal")
        # Straight to B's inbox: garbage gets a signed, reasoned refusal too.
        answer = httpx.post(f"{b.url}/federation/v1/inbox", content=b"{}")
        assert answer.status_code == 403
        assert answer.json()["ack"]["code"] == "envelope_malformed"
    with a.session() as session:
        ack = session.execute(select(Acknowledgement)).scalar_one()
        assert ack.status == "rejected" and ack.code == "policy_refused"
        assert ack.reason and "data category personal is not allowed" in ack.reason
    with b.session() as session:
        assert effects(session) == (0, 0)
        status = session.execute(select(InboxMessage.status)).scalar_one()
        assert status == "rejected"
        assert verify_chain(session).intact
    a.engine.dispose()
    b.engine.dispose()


def test_a_to_b_over_nats(databases: DatabaseFactory, tmp_path: Path) -> None:
    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(a, b, transport="nats")
    prefix = f"jisrtest{uuid.uuid4().hex[:8]}"
    env = {"JISR_FEDERATION_NATS_URL": NATS_URL, "JISR_FEDERATION_NATS_PREFIX": prefix}
    try:
        with serving(Server(a, env), Server(b, env)):
            a.send_notes(b.code, 10)
            wait_for(lambda: _delivered(a, 10), timeout=60, what="10 deliveries over NATS")
        _exactly_once(b, 10)
    finally:
        asyncio.run(_delete_streams(prefix))
        a.engine.dispose()
        b.engine.dispose()


async def _delete_streams(prefix: str) -> None:
    connection = await nats.connect(NATS_URL)
    try:
        manager = connection.jsm()
        for info in await manager.streams_info():
            if info.config.name.startswith(prefix.upper()):
                await manager.delete_stream(info.config.name)
    finally:
        await connection.close()
