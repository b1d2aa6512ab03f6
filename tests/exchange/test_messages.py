"""Sending, replying, reading: policy, handling, grading, entities, deadlines, audit, outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select

from jisr.actors import system_actor
from jisr.agreements.models import HandlingCode
from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError, ValidationError
from jisr.exchange import messages
from jisr.exchange.deadlines import RulesChange, set_agreement_rules
from jisr.exchange.models import Case, MessageKind, Priority
from jisr.exchange.schemas import Grading, MessageCreate, ReplyCreate
from jisr.exchange.wire import MESSAGE_ENVELOPE, WITHDRAW_ENVELOPE
from tests.exchange.conftest import (
    LOCAL,
    PARTNER,
    REFERENCE,
    World,
    add_agreement,
    message_fields,
)


def _send(world: World, **overrides: object) -> messages.Message:
    data = MessageCreate(**message_fields(**overrides))
    return messages.send_message(world.session, world.liaison, data, store=world.store)


def _audit(world: World, object_id: str) -> list[str]:
    stmt = select(AuditEntry.action).where(AuditEntry.object_id == object_id)
    return list(world.session.execute(stmt.order_by(AuditEntry.seq)).scalars())


def test_send_opens_a_case_queues_an_envelope_and_audits_the_disclosure(world: World) -> None:
    message = _send(world)
    assert message.id.startswith(f"{LOCAL}:msg:")
    assert message.owner_agency == LOCAL and message.recipient_agency == PARTNER
    assert message.agreement_id == world.agreement.id
    assert message.handling_code == "H0" and message.legal_basis.startswith("Bilateral")
    assert message.deadline_at is None  # a message, not a request
    retention = message.retention_until - message.created_at
    assert timedelta(days=5 * 365 - 1) < retention <= timedelta(days=5 * 365)
    case = world.session.get(Case, message.case_ref)
    assert case is not None and case.ref.startswith(f"{LOCAL}:case:")
    [envelope] = world.outbox(MESSAGE_ENVELOPE)
    assert envelope.recipient == PARTNER and envelope.case_ref == case.ref
    assert envelope.payload["id"] == message.id and envelope.payload["case_ref"] == case.ref
    assert _audit(world, message.id) == ["disclosure"]


@pytest.mark.parametrize(
    ("priority", "hours"),
    [(Priority.ROUTINE, 7 * 24), (Priority.URGENT, 3 * 24), (Priority.IMMEDIATE, 8)],
)
def test_request_deadlines_by_priority(world: World, priority: Priority, hours: int) -> None:
    request = _send(world, kind="request", priority=priority)
    assert request.deadline_at == request.created_at + timedelta(hours=hours)


def test_agreement_overrides_deadlines_and_retention(world: World) -> None:
    change = RulesChange(urgent_hours=24, retention_days=365)
    set_agreement_rules(world.session, system_actor(LOCAL), REFERENCE, change)
    urgent = _send(world, kind="request", priority="urgent")
    routine = _send(world, kind="request", priority="routine")
    assert urgent.deadline_at == urgent.created_at + timedelta(hours=24)
    assert routine.deadline_at == routine.created_at + timedelta(days=7)
    assert urgent.retention_until == urgent.created_at + timedelta(days=365)


def test_only_administrators_change_exchange_rules(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        set_agreement_rules(world.session, world.liaison, REFERENCE, RulesChange(urgent_hours=1))


def test_policy_refusals_carry_the_reason(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="crime area cybercrime is outside"):
        _send(world, crime_area="cybercrime")
    with pytest.raises(PermissionDeniedError, match="auditors are read-only"):
        messages.send_message(
            world.session, world.auditor, MessageCreate(**message_fields()), store=world.store
        )
    with pytest.raises(PermissionDeniedError, match="no agreement between"):
        add_agreement(world.session, LOCAL, PARTNER, reference="OTHER/1")
        _send(world, to="ES-CGI")


def test_data_category_outside_the_agreement_is_refused(world: World) -> None:
    add_agreement(world.session, LOCAL, PARTNER, reference="OPS-ONLY/1", categories=["operational"])
    with pytest.raises(PermissionDeniedError, match="data category personal is not allowed"):
        _send(world, agreement="OPS-ONLY/1", data_category="personal")


def test_retention_is_required_to_be_future_and_bounded(world: World) -> None:
    for when in (utcnow() - timedelta(days=1), utcnow() + timedelta(days=51 * 365)):
        with pytest.raises(ValidationError, match="retention_until"):
            _send(world, retention_until=when)
    chosen = utcnow() + timedelta(days=90)
    assert _send(world, retention_until=chosen).retention_until == chosen


def test_h3_needs_restriction_text(world: World) -> None:
    with pytest.raises(PydanticValidationError, match="H3 needs the restrictions"):
        MessageCreate(**message_fields(handling_code="H3"))
    message = _send(world, handling_code="H3", handling_text="Not for court use; no onward use.")
    assert message.handling_text == "Not for court use; no onward use."
    add_agreement(world.session, LOCAL, PARTNER, reference="H3-DEFAULT/1", handling="H3")
    with pytest.raises(ValidationError) as info:
        _send(world, agreement="H3-DEFAULT/1")
    assert info.value.code == "handling_text_required"
    assert _send(world, handling_code=HandlingCode.H2).handling_code == "H2"


@pytest.mark.parametrize(
    ("scheme", "reliability", "credibility", "valid"),
    [
        ("admiralty", "A", "1", True),
        ("admiralty", "F", "6", True),
        ("admiralty", "G", "1", False),
        ("admiralty", "B", "7", False),
        ("admiralty", "X", "1", False),
        ("europol_4x4", "X", "4", True),
        ("europol_4x4", "C", "3", True),
        ("europol_4x4", "D", "1", False),
        ("europol_4x4", "A", "5", False),
    ],
)
def test_grades_are_validated_per_scheme(
    scheme: str, reliability: str, credibility: str, valid: bool
) -> None:
    fields = {
        "scheme": scheme,
        "source_reliability": reliability,
        "information_credibility": credibility,
    }
    if valid:
        assert Grading.model_validate(fields).scheme.value == scheme
    else:
        with pytest.raises(PydanticValidationError, match=f"not a {scheme} code"):
            Grading.model_validate(fields)


def test_graded_message_keeps_scheme_and_grades(world: World) -> None:
    grading = {"scheme": "europol_4x4", "source_reliability": "B", "information_credibility": "2"}
    message = _send(world, grading=grading)
    assert (
        message.grading_scheme,
        message.source_reliability,
        message.information_credibility,
    ) == (
        "europol_4x4",
        "B",
        "2",
    )
    [envelope] = world.outbox(MESSAGE_ENVELOPE)
    assert envelope.payload["grading"] == grading


PERSON = {
    "id": "p1",
    "schema": "Person",
    "properties": {"name": ["Karim B."], "phone": ["+212600112233"]},
}
PASSPORT = {
    "id": "pp1",
    "schema": "Passport",
    "properties": {"number": ["MA1234567"], "holder": ["p1"]},
}


def test_entities_are_validated_and_namespaced_by_the_owner(world: World) -> None:
    message = _send(world, data_category="personal", entities=[PERSON, PASSPORT])
    person, passport = message.entities
    assert person["id"] == f"{LOCAL}.p1" and passport["properties"]["holder"] == [f"{LOCAL}.p1"]
    with pytest.raises(ValidationError, match="need data_category personal"):
        _send(world, entities=[PERSON])
    bad = {"id": "x", "schema": "Person", "properties": {"birthDate": ["last spring"]}}
    with pytest.raises(ValidationError, match="not a valid date"):
        _send(world, data_category="personal", entities=[bad])
    with pytest.raises(ValidationError, match="unknown schema"):
        _send(world, entities=[{"id": "x", "schema": "Spaceship"}])
    ownership = {
        "id": "o1",
        "schema": "Ownership",
        "properties": {"owner": ["elsewhere"], "asset": [f"{PARTNER}.v9"]},
    }
    [linked] = _send(world, entities=[ownership]).entities
    assert linked["properties"] == {"owner": [f"{LOCAL}.elsewhere"], "asset": [f"{PARTNER}.v9"]}
    spoof = {"id": f"{PARTNER}.x", "schema": "Vehicle", "properties": {}}
    with pytest.raises(ValidationError, match="namespaced by another agency"):
        _send(world, entities=[spoof])


def test_reply_to_own_message_follows_up_in_the_same_case(world: World) -> None:
    first = _send(world, kind="request")
    follow = messages.reply(
        world.session, world.analyst, first.id, ReplyCreate(body="Any news?"), store=world.store
    )
    assert follow.case_ref == first.case_ref and follow.in_reply_to == first.id
    assert follow.recipient_agency == PARTNER and follow.subject.startswith("Re: ")
    assert follow.kind == MessageKind.MESSAGE.value
    assert first.answered_at is None  # only the partner's answer closes our request
    assert len(world.outbox(MESSAGE_ENVELOPE)) == 2


def test_reading_is_audited_as_consultation(world: World) -> None:
    message = _send(world)
    read = messages.read_message(world.session, world.analyst, message.id)
    assert read.read_at is None  # our own message: no receipt to anyone
    assert _audit(world, message.id) == ["disclosure", "consultation"]
    listed = messages.list_messages(world.session, world.auditor, messages.MessageFilter())
    assert [m.id for m in listed] == [message.id]


def test_the_owner_withdraws_and_the_partner_is_told(world: World) -> None:
    message = _send(world)
    with pytest.raises(PermissionDeniedError):
        messages.withdraw(world.session, world.auditor, message.id, "wrong recipient")
    messages.withdraw(world.session, world.liaison, message.id, "wrong recipient")
    assert message.withdrawn_at is not None
    [envelope] = world.outbox(WITHDRAW_ENVELOPE)
    assert envelope.recipient == PARTNER
    assert envelope.payload == {"message_id": message.id, "reason": "wrong recipient"}
    assert messages.list_messages(world.session, world.liaison, messages.MessageFilter()) == []
