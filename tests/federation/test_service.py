"""Two nodes in one process, each with its own database, joined by a loopback transport."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.audit import verify_chain
from jisr.errors import PermissionDeniedError
from jisr.federation.models import Acknowledgement, InboxMessage, OutboxMessage
from jisr.federation.rotation import rotate_node_keys
from jisr.federation.service import receive
from jisr.federation.transports import Transports
from jisr.federation.worker import DeliveryWorker
from tests.conftest import DatabaseFactory
from tests.federation.nodes import FedNode, Loopback, link, make_node, note
from tests.federation.notes import effects


def _pass(sender: FedNode, loop: Loopback) -> int:
    node = loop.nodes[sender.code]
    worker = DeliveryWorker(node, Transports({"http": loop}))
    return asyncio.run(worker.run_pass())


def _drain(sender: FedNode, loop: Loopback, passes: int = 10) -> None:
    for _ in range(passes):
        if _pass(sender, loop) == 0:
            return


def _loop(*nodes: FedNode) -> Loopback:
    return Loopback({n.code: n.federation(backoff_base_seconds=0.001) for n in nodes})


def test_delivery_and_audit(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    ids = a.send_notes(b.code, 3)
    loop = _loop(a, b)
    _drain(a, loop)
    assert a.outbox() == {"delivered": 3}
    with b.session() as session:
        assert effects(session) == (3, 3)
        rows = session.execute(select(InboxMessage)).scalars().all()
        assert {r.envelope_id for r in rows} == set(ids)
        assert verify_chain(session).intact
    with a.session() as session:
        acks = session.execute(select(Acknowledgement)).scalars().all()
        assert {ack.status for ack in acks} == {"accepted"}
        assert verify_chain(session).intact


def test_replay_is_refused_and_has_no_effect(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    a.send_notes(b.code, 1)
    loop = _loop(a, b)
    _drain(a, loop)
    with b.session() as session:
        receipt = receive(session, loop.sent[0], node=loop.nodes[b.code])
    assert receipt.ack.duplicate and receipt.ack.accepted
    with b.session() as session:
        assert effects(session) == (1, 1)


def test_tampered_envelope_gets_signed_rejection(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    a.send_notes(b.code, 1)
    loop = _loop(a, b)
    loop.down = True
    _pass(a, loop)
    loop.down = False
    # Seal one ourselves, then change a byte of the ciphertext.
    worker = DeliveryWorker(loop.nodes[a.code], Transports({"http": loop}))
    with a.session() as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        from jisr.federation.outbox import claim_due

        row.next_attempt_at = row.created_at
        session.flush()
        from datetime import timedelta

        from jisr.clock import utcnow

        claimed = claim_due(session, a.code, now=utcnow(), limit=1, lease=timedelta(seconds=30))
    raw = json.loads(worker._seal(claimed[0]))
    ciphertext = raw["ciphertext"]
    raw["ciphertext"] = ("B" if ciphertext[0] == "A" else "A") + ciphertext[1:]  # always a change
    with b.session() as session:
        receipt = receive(session, json.dumps(raw).encode(), node=loop.nodes[b.code])
    assert receipt.ack.status == "rejected"
    assert receipt.ack.code == "envelope_tampered"
    with b.session() as session:
        assert effects(session) == (0, 0)
        assert session.execute(select(InboxMessage)).first() is None


def test_out_of_scope_refused_on_send(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    with a.session() as session, pytest.raises(PermissionDeniedError) as refused:
        note(session, a.system, b.code, crime_area=CrimeArea.CYBERCRIME.value)
    assert "cybercrime" in refused.value.detail


def test_handler_rejection_is_signed_back(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    a.send_notes(b.code, 1, payload={"refuse": True})
    loop = _loop(a, b)
    _drain(a, loop)
    assert a.outbox() == {"rejected": 1}
    with a.session() as session:
        ack = session.execute(select(Acknowledgement)).scalar_one()
        assert ack.code == "note_refused"
    with b.session() as session:
        assert effects(session) == (0, 0)
        assert session.execute(select(InboxMessage.status)).scalar_one() == "rejected"


def test_case_order_waits_for_acknowledgement(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    case = f"{a.code}:case:1"
    a.send_notes(b.code, 5, case_ref=case)
    loop = _loop(a, b)
    _drain(a, loop)
    with b.session() as session:
        order = session.execute(
            select(InboxMessage.seq).order_by(InboxMessage.received_at)
        ).scalars()
        assert list(order) == [1, 2, 3, 4, 5]
    # One pass sends only the first unsettled message of a case.
    assert len(loop.sent) == 5


def test_suspension_holds_then_resume_releases(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    a.set_agreement(AgreementStatus.SUSPENDED)
    a.send_notes(b.code, 2)
    assert a.outbox() == {"held": 2}
    loop = _loop(a, b)
    _drain(a, loop)
    assert a.outbox() == {"held": 2}
    a.set_agreement(AgreementStatus.ACTIVE)
    _drain(a, loop)
    assert a.outbox() == {"delivered": 2}


def test_receiver_suspension_defers(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    b.set_agreement(AgreementStatus.SUSPENDED)
    a.send_notes(b.code, 1)
    loop = _loop(a, b)
    _pass(a, loop)
    assert a.outbox() == {"pending": 1}
    b.set_agreement(AgreementStatus.ACTIVE)
    with a.session() as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert row.last_error and row.last_error.startswith("agreement_suspended")
        row.next_attempt_at = row.created_at
    _drain(a, loop)
    assert a.outbox() == {"delivered": 1}


def test_receiver_scope_narrower_rejects_with_reason(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    wide = ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])
    narrow = ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL])
    link(a, b, scopes={a.code: wide, b.code: narrow})
    a.send_notes(b.code, 1, data_category=DataCategory.PERSONAL.value)
    _drain(a, _loop(a, b))
    assert a.outbox() == {"rejected": 1}
    with a.session() as session:
        row = session.execute(select(OutboxMessage)).scalar_one()
        assert row.last_error and "personal is not allowed" in row.last_error


def test_key_rotation_without_downtime(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    loop = _loop(a, b)
    a.send_notes(b.code, 1)
    _drain(a, loop)
    from datetime import timedelta

    from jisr.clock import utcnow

    with a.session() as session:
        new, told = rotate_node_keys(
            session, a.system, a.data_dir, None, now=utcnow(), grace=timedelta(days=7)
        )
    assert told == [b.code]
    a.send_notes(b.code, 2, start=1)
    _drain(a, loop)
    assert a.outbox() == {"delivered": 4}
    with b.session() as session:
        from jisr.identity.models import Agency

        assert session.get(Agency, a.code).signing_key == new.signing_public  # type: ignore[union-attr]
        assert effects(session) == (3, 3)
