"""Defects 4 and 6 of issue 10 in the exchange: no case injection across agencies, and need to
know inside the agency (a case's members under H2/H3)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jisr.audit.models import AuditEntry
from jisr.errors import JisrError, PermissionDeniedError
from jisr.exchange import cases, members, messages
from jisr.exchange.federation import receive_message
from jisr.exchange.messages import MessageFilter
from jisr.exchange.models import Message
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.wire import MESSAGE_ENVELOPE
from jisr.federation.errors import RejectedError
from jisr.ids import new_id
from tests.api.test_hostile_input import Node, node
from tests.exchange.conftest import (
    LOCAL,
    World,
    add_agreement,
    message_fields,
    officer,
    pin_partner,
)
from tests.exchange.test_inbound import _envelope, _receive, partner_request

THIRD = "ES-CNP"
__all__ = ["node"]


def _messages(world: World) -> int:
    return int(world.session.execute(select(func.count()).select_from(Message)).scalar_one())


def _third_party_case(world: World) -> str:
    """A case of a third agency held here (as if it had sent us a message in it)."""
    case = cases.adopt_case(
        world.session,
        ref=new_id(THIRD, "case"),
        title="Rabat-Madrid case",
        agreement_id=world.agreement.id,
        crime_area="migrant_smuggling",
        handling_code="H2",
        legal_basis="Memorandum",
        retention_until=world.agreement.created_at.replace(year=2040),
    )
    return case.ref


def _inject(world: World, case_ref: str) -> dict[str, object]:
    payload = partner_request(case_ref=case_ref)
    with pytest.raises(RejectedError) as refused:
        receive_message(world.session, _envelope(world, MESSAGE_ENVELOPE, payload))
    assert refused.value.code == "case_not_shared"
    assert world.session.get(Message, payload["id"]) is None
    return payload


def test_a_partner_cannot_thread_into_a_third_agencys_case(world: World) -> None:
    ref = _third_party_case(world)
    before = _messages(world)
    _inject(world, ref)
    assert _messages(world) == before


def test_a_partner_threads_into_our_case_only_once_we_shared_it(world: World) -> None:
    ours = cases.open_case(
        world.session,
        world.liaison,
        title="Our own case",
        agreement=world.agreement,
        crime_area="migrant_smuggling",
        handling_code="H0",
        legal_basis="Memorandum",
        retention_until=world.agreement.created_at.replace(year=2040),
    )
    _inject(world, ours.ref)
    data = MessageCreate(**message_fields(case_ref=ours.ref))
    messages.send_message(world.session, world.liaison, data, store=world.store)
    answer = _receive(world, partner_request(case_ref=ours.ref))
    assert answer.case_ref == ours.ref


def test_we_do_not_thread_a_partners_case_to_a_third_agency(world: World) -> None:
    """Paris's case, held here, is not ours to share with Madrid (the issue's scenario)."""
    pin_partner(world.session, LOCAL, THIRD)
    add_agreement(world.session, LOCAL, THIRD, reference="MA-ES/EXCHANGE/01")
    partners_case = _receive(world, partner_request(handling_code="H0")).case_ref
    data = MessageCreate(
        **message_fields(to=THIRD, agreement="MA-ES/EXCHANGE/01", case_ref=partners_case)
    )
    with pytest.raises(JisrError) as refused:
        messages.send_message(world.session, world.liaison, data, store=world.store)
    assert refused.value.code == "case_not_shared"
    # Without the case reference it goes, in a new case of ours.
    fresh = messages.send_message(
        world.session,
        world.liaison,
        MessageCreate(**message_fields(to=THIRD, agreement="MA-ES/EXCHANGE/01")),
        store=world.store,
    )
    assert fresh.case_ref.startswith(f"{LOCAL}:case:")


def test_a_partners_h2_request_is_for_the_desk_and_the_members(world: World) -> None:
    request = _receive(world, partner_request(handling_code="H2"))
    border, coordinator = officer("border_officer"), officer("coordinator")
    assert messages.read_message(world.session, world.liaison, request.id).id == request.id
    assert messages.read_message(world.session, world.analyst, request.id).id == request.id
    for outsider in (border, coordinator):
        with pytest.raises(PermissionDeniedError, match="need to know"):
            messages.read_message(world.session, outsider, request.id)
        with pytest.raises(PermissionDeniedError, match="need to know"):
            cases.case_thread(world.session, outsider, request.case_ref)
        assert request.case_ref not in [c.ref for c in cases.list_cases(world.session, outsider)]
        listed = messages.list_messages(world.session, outsider, MessageFilter())
        assert request.id not in [m.id for m in listed]
    # Nobody outside the case can add themselves.
    with pytest.raises(PermissionDeniedError):
        members.add_member(world.session, border, request.case_ref, "role:border_officer")
    with pytest.raises(JisrError) as invalid:
        members.add_member(world.session, world.liaison, request.case_ref, f"user:{border.id}")
    assert invalid.value.code == "case_member_invalid"  # no such officer on this node
    members.add_member(world.session, world.liaison, request.case_ref, "role:border_officer")
    assert messages.read_message(world.session, border, request.id).id == request.id
    with pytest.raises(PermissionDeniedError):
        messages.read_message(world.session, coordinator, request.id)
    [added] = world.session.execute(
        select(AuditEntry).where(
            AuditEntry.object_id == request.case_ref, AuditEntry.action == "disclosure"
        )
    ).scalars()
    assert added.details["member"] == "role:border_officer"
    assert added.actor == world.liaison.display


def test_an_h0_request_is_read_by_every_casework_role(world: World) -> None:
    request = _receive(world, partner_request(handling_code="H0"))
    for role in ("border_officer", "coordinator", "cert_analyst"):
        assert messages.read_message(world.session, officer(role), request.id).id == request.id


def test_the_author_of_a_case_is_its_member(world: World) -> None:
    border = officer("border_officer")
    sent = messages.send_message(
        world.session,
        border,
        MessageCreate(**message_fields(handling_code="H2")),
        store=world.store,
    )
    case = cases.load_case(world.session, border, sent.case_ref)
    assert case.member_keys == {f"user:{border.id}"}
    with pytest.raises(PermissionDeniedError):
        messages.read_message(world.session, world.liaison, sent.id)
    assert messages.read_message(world.session, world.auditor, sent.id).id == sent.id


def test_members_through_the_api(node: Node) -> None:
    sent = node.client.post(
        "/api/v1/messages",
        json=message_fields(handling_code="H2", data_category="personal"),
        headers=node.auth("liaison"),
    )
    assert sent.status_code == 201, sent.text
    ref, message_id = sent.json()["case_ref"], sent.json()["id"]
    for who in ("border", "admin2"):
        refused = node.client.get(f"/api/v1/cases/{ref}", headers=node.auth(who))
        assert refused.status_code == 403, refused.text
        refused = node.client.get(f"/api/v1/messages/{message_id}", headers=node.auth(who))
        assert refused.status_code == 403, refused.text
    stranger = node.client.post(
        f"/api/v1/cases/{ref}/members",
        json={"member": "role:border_officer"},
        headers=node.auth("border"),
    )
    assert stranger.status_code == 403, stranger.text
    added = node.client.post(
        f"/api/v1/cases/{ref}/members",
        json={"member": "role:border_officer"},
        headers=node.auth("liaison"),
    )
    assert added.status_code == 200, added.text
    assert "role:border_officer" in added.json()["members"]
    assert len(added.json()["members"]) == 2  # the author and the unit added
    thread = node.client.get(f"/api/v1/cases/{ref}", headers=node.auth("border"))
    assert thread.status_code == 200 and thread.json()["case"]["ref"] == ref
    assert (
        node.client.get(f"/api/v1/messages/{message_id}", headers=node.auth("border")).json()["id"]
        == message_id
    )
    # The administrator still cannot (not a casework role, member or not).
    assert node.client.get(f"/api/v1/cases/{ref}", headers=node.auth("admin2")).status_code == 403
