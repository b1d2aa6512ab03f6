"""Envelopes received in batches (``POST /federation/v1/inbox/batch``): each is judged on its own.

One bad envelope in a batch is refused and audited without touching the others; a handler's
refusal undoes that handler's writes only; the audit trail holds one entry per act however the
batch was processed.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from jisr.audit import AuditEntry, verify_chain
from jisr.clock import utcnow
from jisr.federation.models import InboxMessage
from jisr.federation.node import FederationNode
from jisr.federation.outbox import claim_due
from jisr.federation.service import receive_many
from jisr.federation.transports import Transports
from jisr.federation.worker import DeliveryWorker, receive_batch
from tests.federation.nodes import FedNode, Server, serving
from tests.federation.notes import effects


def _sealed(a: FedNode, to: str, payloads: list[dict[str, Any]]) -> list[bytes]:
    """Queue one note per payload at ``a`` and seal them as the worker would, in order."""
    for n, payload in enumerate(payloads):
        a.send_notes(to, 1, start=n, payload=payload)
    with a.session() as session:
        claimed = claim_due(
            session, a.code, now=utcnow(), limit=len(payloads), lease=timedelta(seconds=30)
        )
    worker = DeliveryWorker(a.federation(), Transports({}))
    by_n = {c.payload["n"]: worker._seal(c) for c in claimed}
    return [by_n[n] for n in range(len(payloads))]


def _tamper(raw: bytes) -> bytes:
    document = json.loads(raw)
    text = document["ciphertext"]
    document["ciphertext"] = ("B" if text[0] == "A" else "A") + text[1:]
    return json.dumps(document).encode()


def _answers(signed: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(answer)["ack"] for answer in signed]


def _audit_events(b: FedNode, envelope_id: str) -> list[str]:
    with b.session() as session:
        rows = session.execute(
            select(AuditEntry.details)
            .where(AuditEntry.object_type == "envelope", AuditEntry.object_id == envelope_id)
            .order_by(AuditEntry.seq)
        ).scalars()
        return [details["event"] for details in rows]


def _ids(raws: list[bytes]) -> list[str]:
    return [json.loads(raw)["header"]["id"] for raw in raws]


def _receiver(b: FedNode) -> FederationNode:
    return b.federation()


def test_one_tampered_envelope_is_refused_the_others_accepted(
    pair: tuple[FedNode, FedNode],
) -> None:
    a, b = pair
    raws = _sealed(a, b.code, [{}, {}, {}])
    ids = _ids(raws)
    raws[1] = _tamper(raws[1])
    answers = _answers(receive_batch(_receiver(b), raws))
    assert [x["status"] for x in answers] == ["accepted", "rejected", "accepted"]
    assert answers[1]["code"] == "envelope_tampered" and answers[1]["envelope_id"] == ids[1]
    with b.session() as session:
        assert effects(session) == (2, 2)
        stored = set(session.execute(select(InboxMessage.envelope_id)).scalars())
        assert stored == {ids[0], ids[2]}
        assert verify_chain(session).intact
    # Tampered: its signature no longer proves who sent it, so it is counted, never audited.
    assert _audit_events(b, ids[1]) == []
    assert _audit_events(b, ids[0]) == ["accepted"]


def test_a_refusing_handler_undoes_only_its_own_writes(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    raws = _sealed(a, b.code, [{}, {"refuse": True}, {}, {}])
    ids = _ids(raws)
    answers = _answers(receive_batch(_receiver(b), raws))
    assert [x["status"] for x in answers] == ["accepted", "rejected", "accepted", "accepted"]
    assert answers[1]["code"] == "note_refused" and not answers[1]["retryable"]
    with b.session() as session:
        assert effects(session) == (3, 3)
        rows = session.execute(select(InboxMessage.envelope_id, InboxMessage.status)).all()
        statuses = {envelope_id: status for envelope_id, status in rows}
        assert statuses == {
            ids[0]: "accepted",
            ids[1]: "rejected",
            ids[2]: "accepted",
            ids[3]: "accepted",
        }
        assert verify_chain(session).intact
    # One entry per act, although the batch was first tried with the handlers back to back.
    for envelope_id, event in zip(
        ids, ["accepted", "rejected", "accepted", "accepted"], strict=True
    ):
        assert _audit_events(b, envelope_id) == [event]


def test_an_envelope_twice_in_a_batch_takes_effect_once(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    raws = _sealed(a, b.code, [{}])
    answers = _answers(receive_batch(_receiver(b), [raws[0], raws[0]]))
    assert [x["status"] for x in answers] == ["accepted", "accepted"]
    assert [x["duplicate"] for x in answers] == [False, True]
    with b.session() as session:
        assert effects(session) == (1, 1)
        assert session.execute(select(func.count()).select_from(InboxMessage)).scalar() == 1
    assert _audit_events(b, _ids(raws)[0]) == ["accepted", "replay_refused"]


def test_a_batch_replayed_is_refused_and_has_no_effect(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    raws = _sealed(a, b.code, [{}, {}])
    receive_batch(_receiver(b), raws)
    again = _answers(receive_batch(_receiver(b), raws))
    assert all(x["duplicate"] and x["status"] == "accepted" for x in again)
    with b.session() as session:
        assert effects(session) == (2, 2)
        assert verify_chain(session).intact


@pytest.mark.slow
def test_batch_endpoint_over_http(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    raws = _sealed(a, b.code, [{}, {}, {"refuse": True}])
    raws[0] = _tamper(raws[0])
    body = b"[" + b",".join(raws) + b"]"
    with serving(Server(b)):
        url = f"{b.url}/federation/v1/inbox/batch"
        response = httpx.post(url, content=body, timeout=30)
        assert response.status_code == 200
        answers = [answer["ack"] for answer in response.json()]
        assert [x["status"] for x in answers] == ["rejected", "accepted", "rejected"]
        assert [x["code"] for x in answers] == ["envelope_tampered", None, "note_refused"]
        # The single-envelope inbox still answers on its own.
        single = httpx.post(f"{b.url}/federation/v1/inbox", content=raws[1], timeout=30)
        assert single.status_code == 200 and single.json()["ack"]["duplicate"] is True
        for bad in (b"{}", b"[]", b"not json"):
            refused = httpx.post(url, content=bad, timeout=30)
            assert refused.status_code == 422
            assert refused.json()["code"] == "batch_invalid"
    with b.session() as session:
        assert effects(session) == (1, 1)
        assert verify_chain(session).intact


def test_an_envelope_delivered_again_while_its_first_delivery_is_received(
    pair: tuple[FedNode, FedNode],
) -> None:
    """A sender that timed out delivers again while the first delivery's transaction is still
    open: the second answers as a duplicate once the first commits (it failed on the inbox's
    key before, a 500 the sender retried for minutes)."""
    a, b = pair
    raws = _sealed(a, b.code, [{}])
    node = _receiver(b)
    second: list[list[bytes]] = []
    failures: list[BaseException] = []

    def deliver_again() -> None:
        try:
            second.append(receive_batch(node, raws))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    with node.transaction() as session:
        first = receive_many(session, raws, node=node)
        session.flush()
        again = threading.Thread(target=deliver_again)
        again.start()
        # Give the second delivery time to reach the inbox while this one is uncommitted.
        again.join(timeout=1.5)
    again.join(timeout=60)
    assert not failures, failures
    assert first[0].ack.accepted and not first[0].ack.duplicate
    [answer] = _answers(second[0])
    assert answer["status"] == "accepted" and answer["duplicate"] is True
    with b.session() as session:
        assert effects(session) == (1, 1)
