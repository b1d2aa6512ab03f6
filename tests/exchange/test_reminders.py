"""Reminders reach the partner that owes the answer: Rabat's request to Paris is overdue, Rabat
collects its reminders, Paris's copy is marked and the reminder is in Paris's audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.exchange import deadlines, messages
from jisr.exchange.deadlines import REMINDER_ENVELOPE
from jisr.exchange.models import Message
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.federation.models import InboxMessage, OutboxMessage
from jisr.federation.transports import Transports
from jisr.federation.worker import DeliveryWorker
from jisr.node import create_app
from jisr.settings import load_settings
from tests.exchange.test_transfer_delivery import _federation, _officer, _passes
from tests.federation.nodes import REFERENCE, FedNode, Loopback, wait_for


def _request(rabat: FedNode, to: str) -> str:
    with rabat.session() as session:
        data = MessageCreate(
            to=to,
            agreement=REFERENCE,
            kind="request",
            priority="urgent",
            subject="Two phone numbers to check",
            body="Who holds +212600000001 and +212600000002?",
            crime_area="terrorism",
            purpose="Identify the cell's members",
        )
        store = BlobStore.for_data_dir(rabat.data_dir)
        return messages.send_message(session, _officer(rabat.code), data, store=store).id


def _past_deadline(node: FedNode, message_id: str) -> None:
    with node.session() as session:
        session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(deadline_at=utcnow() - timedelta(hours=1))
        )


def _reminders_sent(node: FedNode) -> int:
    with node.session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.envelope_type == REMINDER_ENVELOPE)
        return len(session.execute(stmt).scalars().all())


def test_an_overdue_request_is_reminded_to_the_partner_once(pair: tuple[FedNode, FedNode]) -> None:
    rabat, paris = pair
    loop = Loopback({n.code: _federation(n) for n in pair})
    worker = DeliveryWorker(loop.nodes[rabat.code], Transports({"http": loop}))
    request_id = _request(rabat, paris.code)
    _passes(worker)
    _past_deadline(rabat, request_id)

    with rabat.session() as session:
        due = deadlines.collect_reminders(session, _officer(rabat.code))
    assert [(m.id, state.value) for m, state in due] == [(request_id, "overdue")]
    _passes(worker)

    with paris.session() as session:
        copy = session.get(Message, request_id)
        assert copy is not None and copy.reminder_state == "overdue"
        trail = session.execute(
            select(AuditEntry).where(AuditEntry.object_id == request_id)
        ).scalars()
        assert [
            e.details.get("event") for e in trail if e.details.get("event", "").startswith("rem")
        ] == ["reminder_received"]
        received = session.execute(
            select(InboxMessage).where(InboxMessage.envelope_type == REMINDER_ENVELOPE)
        ).scalars()
        assert [row.status for row in received] == ["accepted"]

    # Collected again: already reminded in this state, nothing new is sent.
    with rabat.session() as session:
        assert deadlines.collect_reminders(session, _officer(rabat.code)) == []
    assert _reminders_sent(rabat) == 1


def test_a_request_paris_owes_is_reminded_locally_not_sent(pair: tuple[FedNode, FedNode]) -> None:
    rabat, paris = pair
    loop = Loopback({n.code: _federation(n) for n in pair})
    worker = DeliveryWorker(loop.nodes[rabat.code], Transports({"http": loop}))
    request_id = _request(rabat, paris.code)
    _passes(worker)
    _past_deadline(paris, request_id)
    with paris.session() as session:
        due = deadlines.collect_reminders(session, _officer(paris.code))
    assert [m.id for m, _state in due] == [request_id]
    assert _reminders_sent(paris) == 0


def test_serve_reminds_on_schedule(
    pair: tuple[FedNode, FedNode], monkeypatch: pytest.MonkeyPatch
) -> None:
    rabat, paris = pair
    loop = Loopback({n.code: _federation(n) for n in pair})
    worker = DeliveryWorker(loop.nodes[rabat.code], Transports({"http": loop}))
    request_id = _request(rabat, paris.code)
    _passes(worker)
    _past_deadline(rabat, request_id)
    monkeypatch.setenv("JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS", "0.2")
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    with TestClient(create_app(load_settings(rabat.data_dir))):
        wait_for(lambda: _reminders_sent(rabat) == 1, timeout=10, what="the scheduled pass")
    _passes(worker)
    with paris.session() as session:
        copy = session.get(Message, request_id)
        assert copy is not None and copy.reminder_state == "overdue"
