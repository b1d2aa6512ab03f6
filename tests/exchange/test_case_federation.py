"""A case's status and outcome travel from its owner to its partner; the assignee, labels and
due date stay home; only the owner changes the status, and an older change never overwrites a
newer one. Two real nodes (own databases and keys) in one process, joined by a loopback
transport (the worker's real sealing, the partner's real receipt)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jisr.actors import Actor
from jisr.audit import verify_chain
from jisr.audit.models import AuditEntry
from jisr.errors import PermissionDeniedError
from jisr.exchange import cases, casework, messages
from jisr.exchange.case_federation import CASE_STATUS_ENVELOPE, receive_case_status
from jisr.exchange.case_history import events_of
from jisr.exchange.case_schemas import CaseOutcome
from jisr.exchange.casework import CaseAction
from jisr.exchange.models import Case
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.federation.errors import RejectedError
from jisr.federation.transports import Transports
from jisr.federation.worker import DeliveryWorker
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from tests.exchange.conftest import World
from tests.exchange.test_inbound import _envelope, _receive, partner_request
from tests.exchange.test_transfer_delivery import _federation, _passes
from tests.federation.nodes import REFERENCE, FedNode, Loopback


def _officer(node: FedNode, username: str) -> Actor:
    with node.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username.title(),
            agency_code=None,
            roles=[Role.LIAISON],
            password="a long enough password 2026",
        )
        return actor_for(user)


def _case(node: FedNode, ref: str) -> Case:
    with node.session() as session:
        case = session.get(Case, ref)
        assert case is not None
        session.expunge(case)
        return case


def test_the_owner_closes_and_reopens_and_the_partner_follows(
    pair: tuple[FedNode, FedNode],
) -> None:
    rabat, paris = pair
    amina, julien = _officer(rabat, "amina"), _officer(paris, "julien")
    loop = Loopback({n.code: _federation(n) for n in pair}, keep=True)
    rabat_worker = DeliveryWorker(loop.nodes[rabat.code], Transports({"http": loop}))
    with rabat.session() as session:
        sent = messages.send_message(
            session,
            amina,
            MessageCreate(
                to=paris.code,
                agreement=REFERENCE,
                subject="Attack planned on the fan zone",
                body="Two suspects travelling from Tangier; can you check them?",
                crime_area="terrorism",
                purpose="Prevent an attack",
            ),
            store=BlobStore.for_data_dir(rabat.data_dir),
        )
        ref = sent.case_ref
    _passes(rabat_worker)
    assert _case(paris, ref).status == "open"

    with rabat.session() as session:
        casework.assign(session, amina, ref, f"user:{amina.id}")
        casework.change_labels(session, amina, ref, ["fan zone"], [])
        casework.change_status(
            session, amina, ref, CaseAction.CLOSE, reason="Both suspects arrested at the border",
            outcome=CaseOutcome.ARREST,
        )  # fmt: skip
    _passes(rabat_worker)
    copy = _case(paris, ref)
    assert (copy.status, copy.outcome, copy.outcome_note) == (
        "closed", "arrest", "Both suspects arrested at the border",
    )  # fmt: skip
    # What is Rabat's own stays in Rabat.
    assert copy.assignee is None and copy.labels == []
    with paris.session() as session:
        received = [e for e in events_of(session, ref) if e.event == "status_received"]
        assert received[-1].agency == rabat.code and received[-1].details["to"] == "closed"
        audited = (
            session.execute(
                select(AuditEntry).where(
                    AuditEntry.object_id == ref, AuditEntry.action == "alteration"
                )
            )
            .scalars()
            .all()
        )
        assert [a.details["event"] for a in audited] == ["status_received"]
        # Paris works on its copy, but the status is Rabat's.
        with pytest.raises(PermissionDeniedError):
            casework.change_status(session, julien, ref, CaseAction.REOPEN, reason="not ours")
        assert verify_chain(session).intact

    with rabat.session() as session:
        casework.change_status(session, amina, ref, CaseAction.REOPEN, reason="A third suspect")
    _passes(rabat_worker)
    copy = _case(paris, ref)
    assert (copy.status, copy.outcome, copy.closed_at) == ("open", None, None)
    with rabat.session() as session:
        assert verify_chain(session).intact


def test_a_status_from_anyone_but_the_owner_is_refused_and_an_old_one_ignored(
    world: World,
) -> None:
    payload = partner_request()
    message = _receive(world, payload)
    ref = message.case_ref
    now = message.received_at
    assert now is not None
    status = {
        "case_ref": ref, "status": "closed", "outcome": "unfounded", "outcome_note": "Not him",
        "changed_at": now.isoformat(), "changed_by": "julien",
    }  # fmt: skip
    receive_case_status(world.session, _envelope(world, CASE_STATUS_ENVELOPE, status))
    case = world.session.get(Case, ref)
    assert case is not None and (case.status, case.outcome) == ("closed", "unfounded")
    older = {**status, "status": "open", "changed_at": (now - timedelta(hours=1)).isoformat()}
    receive_case_status(world.session, _envelope(world, CASE_STATUS_ENVELOPE, older))
    assert case.status == "closed"
    ours = cases.open_case(
        world.session,
        world.liaison,
        title="Our own case",
        agreement=world.agreement,
        crime_area="migrant_smuggling",
        handling_code="H0",
        legal_basis="Memorandum",
        retention_until=now + timedelta(days=30),
    )
    forged = {**status, "case_ref": ours.ref}
    with pytest.raises(RejectedError) as refused:
        receive_case_status(world.session, _envelope(world, CASE_STATUS_ENVELOPE, forged))
    assert refused.value.code == "case_not_owner" and ours.status == "open"
