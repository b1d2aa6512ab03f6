"""A partner's message, receipts and withdrawal arriving through the federation handlers."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.exchange import attachments, deadlines, messages, receipts
from jisr.exchange.federation import (
    handlers,
    receive_chunk,
    receive_message,
    receive_receipt,
    receive_withdrawal,
)
from jisr.exchange.models import Case, Message, Receipt, ReminderState, Transfer
from jisr.exchange.schemas import MessageCreate, ReplyCreate
from jisr.exchange.wire import CHUNK_ENVELOPE, MESSAGE_ENVELOPE
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import InboundEnvelope
from jisr.ids import new_id
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE, World, message_fields

CONTENT = b"%PDF-1.7\n fictional passport scan\n"


def _envelope(
    world: World, envelope_type: str, payload: dict[str, Any], **labels: Any
) -> InboundEnvelope:
    now = utcnow()
    header = EnvelopeHeader(
        id=new_id(PARTNER, "envelope"),
        sender=PARTNER,
        recipient=LOCAL,
        agreement=REFERENCE,
        type=envelope_type,
        created=now.isoformat(),
        expires=(now + timedelta(days=1)).isoformat(),
        sender_key="0" * 16,
        recipient_key="0" * 16,
        digest="0" * 64,
        case=payload.get("case_ref"),
        data_category=labels.get("data_category", payload.get("data_category")),
        crime_area=labels.get("crime_area", payload.get("crime_area")),
        handling_code=labels.get("handling_code", payload.get("handling_code")),
    )
    return InboundEnvelope(header, payload, world.agreement.id)


def partner_request(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    payload: dict[str, Any] = {
        "id": new_id(PARTNER, "msg"),
        "kind": "request",
        "case_ref": new_id(PARTNER, "case"),
        "case_title": "Network using forged Moroccan passports",
        "in_reply_to": None,
        "recipient": LOCAL,
        "subject": "Please check passport MA1234567",
        "body": "Seen at Orly on 2 November. Is it genuine?",
        "crime_area": "migrant_smuggling",
        "data_category": "personal",
        "priority": "urgent",
        "deadline_at": (now + timedelta(days=3)).isoformat(),
        "handling_code": "H2",
        "handling_text": None,
        "grading": {
            "scheme": "admiralty",
            "source_reliability": "B",
            "information_credibility": "2",
        },
        "legal_basis": "Bilateral memorandum, art. 4",
        "purpose": "Verify a travel document",
        "retention_until": (now + timedelta(days=365)).isoformat(),
        "entities": [
            {"id": f"{PARTNER}.pp", "schema": "Passport", "properties": {"number": ["MA1234567"]}}
        ],
        "attachments": [],
        "created_by": "inspecteur.martin",
        "created_at": now.isoformat(),
    }
    payload.update(overrides)
    return payload


def partner_attachment() -> dict[str, Any]:
    """``CONTENT`` as a message names it; ``_receive`` sends its chunks first."""
    return {
        "sha256": hashlib.sha256(CONTENT).hexdigest(),
        "filename": "scan.pdf",
        "size": len(CONTENT),
        "mime_type": "application/pdf",
        "transfer": new_id(PARTNER, "transfer"),
    }


def partner_chunks(content: bytes, transfer: str, chunk_bytes: int = 16) -> list[dict[str, Any]]:
    """A partner's chunk payloads for ``content``, as its expander would seal them."""
    count = max(1, -(-len(content) // chunk_bytes))
    return [
        {
            "transfer": transfer,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "chunk_bytes": chunk_bytes,
            "index": index,
            "count": count,
            "content": base64.b64encode(
                content[index * chunk_bytes : (index + 1) * chunk_bytes]
            ).decode(),
        }
        for index in range(count)
    ]


def receive_chunks(world: World, chunks: list[dict[str, Any]]) -> None:
    for chunk in chunks:
        receive_chunk(world.session, _envelope(world, CHUNK_ENVELOPE, chunk))


def _receive(world: World, payload: dict[str, Any]) -> Message:
    # The attachments' chunks come first, as the partner's outbox orders them.
    for item in payload["attachments"]:
        if world.session.get(Transfer, item["transfer"]) is None:
            receive_chunks(world, partner_chunks(CONTENT, item["transfer"]))
    receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    message = world.session.get(Message, payload["id"])
    assert message is not None
    return message


def test_handlers_cover_the_exchange_envelope_types() -> None:
    assert set(handlers()) == {
        "exchange.message",
        "exchange.attachment_chunk",
        "exchange.receipt",
        "exchange.withdraw",
        "exchange.reminder",
    }


def test_a_partner_request_is_kept_as_the_senders_copy_and_acknowledged(world: World) -> None:
    payload = partner_request(attachments=[partner_attachment()])
    message = _receive(world, payload)
    assert message.owner_agency == PARTNER and message.direction == "inbound"
    assert message.deadline_at is not None and message.priority == "urgent"
    assert message.grading_scheme == "admiralty" and message.handling_code == "H2"
    case = world.session.get(Case, payload["case_ref"])
    assert case is not None and case.owner_agency == PARTNER
    [receipt] = world.outbox(receipts.RECEIPT_ENVELOPE)
    assert receipt.recipient == PARTNER
    assert receipt.payload["kind"] == "delivered" and receipt.payload["message_id"] == message.id
    # The attachment arrived in chunks before the message, straight into the blob store.
    sha = payload["attachments"][0]["sha256"]
    assert world.store.read_bytes(sha) == CONTENT
    download = attachments.open_download(world.session, world.analyst, world.store, sha)
    assert download.filename == "scan.pdf" and download.mime_type == "application/pdf"
    assert world.session.get(Transfer, payload["attachments"][0]["transfer"]) is None  # spent
    # The same message again (in another envelope) changes nothing.
    receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    assert len(world.outbox(receipts.RECEIPT_ENVELOPE)) == 1


def test_reading_then_answering_sends_read_and_answered_receipts(world: World) -> None:
    request = _receive(world, partner_request())
    messages.read_message(world.session, world.analyst, request.id)
    messages.read_message(world.session, world.analyst, request.id)  # a second read: no receipt
    assert request.read_at is not None
    answer = messages.reply(
        world.session,
        world.liaison,
        request.id,
        ReplyCreate(body="The passport MA1234567 was reported stolen in 2024."),
        store=world.store,
    )
    assert answer.recipient_agency == PARTNER and answer.case_ref == request.case_ref
    assert answer.in_reply_to == request.id and request.answered_at == answer.created_at
    kinds = [r.payload["kind"] for r in world.outbox(receipts.RECEIPT_ENVELOPE)]
    assert kinds == ["delivered", "read", "answered"]
    [sent] = world.outbox(MESSAGE_ENVELOPE)
    assert sent.payload["case_ref"] == request.case_ref  # the partner's case reference travels


def test_h2_record_is_not_passed_on_but_can_be_answered(world: World) -> None:
    request = _receive(world, partner_request())
    assert request.handling_code == "H2"
    # Answering is our own record; the H2 copy itself never leaves (only its owner shares it).
    reply = ReplyCreate(body="Noted.")
    messages.reply(world.session, world.liaison, request.id, reply, store=world.store)


def test_payload_that_does_not_match_the_envelope_is_rejected(world: World) -> None:
    payload = partner_request()
    with pytest.raises(RejectedError, match="labels differ"):
        receive_message(
            world.session, _envelope(world, MESSAGE_ENVELOPE, payload, handling_code="H0")
        )
    spoof = partner_request(id=new_id("ES-CGI", "msg"))
    with pytest.raises(RejectedError, match="does not match"):
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, spoof))
    bad_entity = partner_request(
        entities=[{"id": f"{LOCAL}.x", "schema": "Person", "properties": {}}]
    )
    with pytest.raises(RejectedError, match="namespaced by its sender"):
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, bad_entity))
    never_sent = partner_request(attachments=[partner_attachment()])  # chunks never came
    with pytest.raises(RejectedError, match="has not arrived whole") as refused:
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, never_sent))
    assert refused.value.code == "attachment_incomplete"
    with pytest.raises(RejectedError, match="invalid exchange.message payload"):
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, {"id": 3}))


def test_receipts_for_our_messages_are_recorded_and_answered_closes_the_request(
    world: World,
) -> None:
    data = MessageCreate(**message_fields(kind="request"))
    request = messages.send_message(world.session, world.liaison, data, store=world.store)
    for kind in ("delivered", "read", "answered", "read"):
        payload = {"message_id": request.id, "kind": kind, "at": utcnow().isoformat()}
        receive_receipt(world.session, _envelope(world, "exchange.receipt", payload))
    rows = receipts.list_receipts(world.session, world.analyst, request.id)
    assert [r.kind for r in rows] == ["delivered", "read", "answered"]
    assert {r.agency for r in rows} == {PARTNER}
    assert request.answered_at is not None
    unknown = {"message_id": new_id(LOCAL, "msg"), "kind": "read", "at": utcnow().isoformat()}
    with pytest.raises(RejectedError, match="no message"):
        receive_receipt(world.session, _envelope(world, "exchange.receipt", unknown))


def test_the_partners_answer_closes_our_request(world: World) -> None:
    data = MessageCreate(**message_fields(kind="request"))
    request = messages.send_message(world.session, world.liaison, data, store=world.store)
    answer = partner_request(
        kind="message", in_reply_to=request.id, case_ref=request.case_ref, attachments=[]
    )
    _receive(world, answer)
    assert request.answered_at is not None


def test_withdrawal_by_the_owner_erases_our_copy(world: World) -> None:
    request = _receive(world, partner_request())
    payload = {"message_id": request.id, "reason": "Source withdrew the information"}
    receive_withdrawal(world.session, _envelope(world, "exchange.withdraw", payload))
    assert world.session.get(Message, request.id) is None
    assert (
        world.session.execute(select(Receipt).where(Receipt.message_id == request.id)).first()
        is None
    )
    entry = world.session.execute(
        select(AuditEntry).where(AuditEntry.object_id == request.id, AuditEntry.action == "erasure")
    ).scalar_one()
    assert entry.actor_agency == PARTNER and entry.justification == payload["reason"]
    # Withdrawing someone else's message is refused.
    other = {"message_id": new_id(LOCAL, "msg"), "reason": "x"}
    with pytest.raises(RejectedError, match="owner"):
        receive_withdrawal(world.session, _envelope(world, "exchange.withdraw", other))


def test_overdue_list_and_reminders(world: World) -> None:
    now = utcnow()
    owed_by_us = _receive(
        world, partner_request(deadline_at=(now - timedelta(hours=1)).isoformat())
    )
    soon = _receive(world, partner_request(deadline_at=(now + timedelta(hours=2)).isoformat()))
    later = _receive(world, partner_request(deadline_at=(now + timedelta(days=2)).isoformat()))
    data = MessageCreate(**message_fields(kind="request", priority="immediate"))
    owed_to_us = messages.send_message(world.session, world.liaison, data, store=world.store)
    overdue = deadlines.list_overdue(world.session, world.analyst, now=now + timedelta(hours=9))
    assert {m.id for m in overdue} == {owed_by_us.id, soon.id, owed_to_us.id}
    assert [m.id for m in deadlines.list_overdue(world.session, world.analyst, now=now)] == [
        owed_by_us.id
    ]
    first = deadlines.collect_reminders(world.session, world.analyst, now=now)
    assert {(m.id, s) for m, s in first} == {
        (owed_by_us.id, ReminderState.OVERDUE),
        (soon.id, ReminderState.APPROACHING),
        (owed_to_us.id, ReminderState.APPROACHING),
    }
    assert deadlines.collect_reminders(world.session, world.analyst, now=now) == []
    after = deadlines.collect_reminders(world.session, world.analyst, now=now + timedelta(hours=3))
    assert {(m.id, s) for m, s in after} == {(soon.id, ReminderState.OVERDUE)}
    assert later.reminder_state is None
