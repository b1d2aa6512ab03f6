"""What the desk relies on: an answer keeps the stricter handling code of what it answers, a
request's deadline is chosen (Directive (EU) 2023/977 classes or a date) and travels to the
partner, and an ``Idempotency-Key`` makes a create happen once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.errors import ValidationError
from jisr.exchange import messages
from jisr.exchange.federation import receive_message
from jisr.exchange.models import DeadlineClass, Message
from jisr.exchange.schemas import MessageCreate, ReplyCreate
from jisr.exchange.wire import MESSAGE_ENVELOPE
from tests.exchange.conftest import World, message_fields
from tests.exchange.test_api import Api, _problem
from tests.exchange.test_api import api as api  # noqa: F401 - fixture
from tests.exchange.test_inbound import _envelope, partner_request

RESTRICTIONS = "Not to be shared with any third country; use for identification only."


def _h3_from_partner(world: World) -> Message:
    payload = partner_request(handling_code="H3", handling_text=RESTRICTIONS)
    receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    message = world.session.get(Message, payload["id"])
    assert message is not None and message.handling_code == "H3"
    return message


def test_an_answer_to_an_h3_message_stays_h3_with_its_restrictions(world: World) -> None:
    original = _h3_from_partner(world)
    answer = messages.reply(
        world.session, world.liaison, original.id, ReplyCreate(body="Genuine."), store=world.store
    )
    # The agreement's default is H0: the answer keeps the message's stricter code.
    assert world.agreement.default_handling == "H0"
    assert (answer.handling_code, answer.handling_text) == ("H3", RESTRICTIONS)
    [envelope] = [e for e in world.outbox(MESSAGE_ENVELOPE) if e.payload["id"] == answer.id]
    assert envelope.payload["handling_code"] == "H3"


def test_lowering_the_code_of_an_answer_needs_a_reason_which_is_audited(world: World) -> None:
    original = _h3_from_partner(world)
    lower = ReplyCreate(body="Genuine.", handling_code="H1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        messages.reply(world.session, world.liaison, original.id, lower, store=world.store)
    assert refused.value.code == "handling_lowering_unjustified"
    assert refused.value.field == "handling_lowered_reason"
    reason = "The owner agreed by phone to H1 for this answer."
    justified = lower.model_copy(update={"handling_lowered_reason": reason})
    answer = messages.reply(world.session, world.liaison, original.id, justified, store=world.store)
    assert answer.handling_code == "H1" and answer.handling_text is None
    [entry] = world.session.execute(
        select(AuditEntry).where(
            AuditEntry.object_id == answer.id, AuditEntry.action == "alteration"
        )
    ).scalars()
    assert entry.justification == reason
    assert entry.details == {
        "event": "handling_lowered",
        "answered": original.id,
        "from": "H3",
        "to": "H1",
    }


@pytest.mark.parametrize(
    ("chosen", "hours"),
    [(DeadlineClass.URGENT, 8), (DeadlineClass.THREE_DAYS, 72), (DeadlineClass.SEVEN_DAYS, 168)],
)
def test_a_request_takes_the_deadline_class_chosen_and_sends_it(
    world: World, chosen: DeadlineClass, hours: int
) -> None:
    before = utcnow()
    data = MessageCreate(**message_fields(kind="request", priority="routine", deadline=chosen))
    sent = messages.send_message(world.session, world.liaison, data, store=world.store)
    assert sent.deadline_at is not None and sent.deadline_class == chosen.value
    assert before + timedelta(hours=hours) <= sent.deadline_at <= utcnow() + timedelta(hours=hours)
    [envelope] = world.outbox(MESSAGE_ENVELOPE)
    assert envelope.payload["deadline_class"] == chosen.value
    assert envelope.payload["deadline_at"] == sent.deadline_at.isoformat()


def test_an_explicit_deadline_date_is_kept_and_bounded(world: World) -> None:
    at = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    data = MessageCreate(**message_fields(kind="request", deadline_at=at.isoformat()))
    sent = messages.send_message(world.session, world.liaison, data, store=world.store)
    assert (sent.deadline_at, sent.deadline_class) == (at, "date")
    for bad in (
        {"kind": "request", "deadline_at": (utcnow() - timedelta(hours=1)).isoformat()},
        {"kind": "request", "deadline_at": (utcnow() + timedelta(days=400)).isoformat()},
        {"kind": "request", "deadline": "date"},
        {"kind": "message", "deadline": "8h"},
    ):
        with pytest.raises(ValidationError) as refused:
            messages.send_message(
                world.session,
                world.liaison,
                MessageCreate(**message_fields(**bad)),
                store=world.store,
            )
        assert refused.value.code == "deadline_invalid", bad


def test_a_partners_deadline_class_arrives_with_its_request(world: World) -> None:
    at = utcnow() + timedelta(hours=8)
    payload = partner_request(deadline_at=at.isoformat(), deadline_class="8h")
    receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    copy = world.session.get(Message, payload["id"])
    assert copy is not None and (copy.deadline_at, copy.deadline_class) == (at, "8h")


def test_the_api_takes_a_deadline_class_and_shows_it(api: Api) -> None:
    sent = api.post("/messages", json=message_fields(kind="request", deadline="8h"))
    assert sent.status_code == 201, sent.text
    assert sent.json()["deadline_class"] == "8h"
    refused = api.post("/messages", json=message_fields(kind="message", deadline="3d"))
    assert _problem(refused, 422, "deadline_invalid")["field"] == "deadline"


def test_the_api_sends_once_per_idempotency_key(api: Api) -> None:
    key = {"Idempotency-Key": "compose-7f3a9c"}
    first = api.post("/messages", json=message_fields(kind="request"), headers=key)
    again = api.post("/messages", json=message_fields(kind="request"), headers=key)
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert [m["id"] for m in api.get("/messages").json()] == [first.json()["id"]]
    other = api.post("/messages", json=message_fields(subject="Another subject"), headers=key)
    _problem(other, 409, "idempotency_key_reused")
    bad = api.post("/messages", json=message_fields(), headers={"Idempotency-Key": "a b"})
    _problem(bad, 422, "idempotency_key_invalid")
    # A reply is keyed too; without a key each post is a new message.
    answer = {"body": "Any news?"}
    one = api.post(f"/messages/{first.json()['id']}/reply", json=answer, headers=key)
    two = api.post(f"/messages/{first.json()['id']}/reply", json=answer, headers=key)
    assert one.status_code == 201 and two.json()["id"] == one.json()["id"]
    three = api.post(f"/messages/{first.json()['id']}/reply", json=answer)
    assert three.json()["id"] != one.json()["id"]
