"""Data-subject requests: statutory clocks, overdue list, blocks, superseded decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jisr.actors import system_actor
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.rights import service
from jisr.rights.models import Outcome, RecordType, RequestKind
from jisr.rights.schemas import BlockCreate, DecisionCreate, RequestCreate
from jisr.rights.settings import RightsSettings
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.service import find_entry, upsert_notice_entry
from tests.exchange.conftest import LOCAL, PARTNER, officer
from tests.watchlists.conftest import AMRANI, World
from tests.watchlists.conftest import world as world  # noqa: F401 - fixture

NOTICE = "FR-DGSI:notice:01JD0000000000000000000009"


def _request(kind: RequestKind, received: date) -> RequestCreate:
    return RequestCreate(
        kind=kind,
        subject_name="Youssef El Amrani",
        identifiers={"passport": "XK4471029"},
        requester="the data subject",
        received_on=received,
    )


def test_clock_overdue_and_roles(world: World) -> None:
    dpo = officer("dpo")
    settings = RightsSettings(access_days=30, deletion_days=10)
    old = service.create_request(
        world.session,
        dpo,
        _request(RequestKind.DELETION, date.today() - timedelta(days=20)),
        settings,
    )
    fresh = service.create_request(
        world.session, dpo, _request(RequestKind.ACCESS, date.today()), settings
    )
    assert (old.due_at.date() - old.received_on).days == 10
    assert (fresh.due_at.date() - fresh.received_on).days == 30
    overdue = service.list_requests(world.session, dpo, overdue=True)
    assert [r.id for r in overdue] == [old.id]
    with pytest.raises(PermissionDeniedError):
        service.list_requests(world.session, world.border)
    # Auditors read requests (read-only on content); administrators do not handle them.
    assert len(service.list_requests(world.session, world.auditor)) == 2
    auditor_request = _request(RequestKind.ACCESS, date.today())
    for refused in (world.auditor, officer("admin"), world.liaison):
        with pytest.raises(PermissionDeniedError) as caught:
            service.create_request(world.session, refused, auditor_request, settings)
        assert caught.value.code == "rights_officer_only"
    with pytest.raises(PermissionDeniedError):
        service.decide(
            world.session,
            world.auditor,
            old.id,
            DecisionCreate(outcome=Outcome.REFUSED, grounds="auditors only read"),
        )


def test_block_then_granted_deletion_retires_entry(world: World) -> None:
    session = world.session
    upsert_notice_entry(
        session,
        notice_id=NOTICE,
        reference="FR/2026/W/9",
        alert_type="wanted",
        owner_agency=PARTNER,
        subject=AMRANI,
    )
    cache = ScreenerCache()
    assert len(cache.get(session)) == 1
    actor = system_actor(LOCAL)
    request = service.create_request(
        session, actor, _request(RequestKind.DELETION, date.today()), RightsSettings()
    )
    service.place_block(
        session, actor, request.id, BlockCreate(record_type=RecordType.NOTICE, record_id=NOTICE)
    )
    assert service.is_blocked(session, RecordType.NOTICE, NOTICE)
    assert len(cache.get(session)) == 0
    first = service.decide(
        session,
        actor,
        request.id,
        DecisionCreate(outcome=Outcome.GRANTED, grounds="no legal basis left"),
    )
    second = service.decide(
        session,
        actor,
        request.id,
        DecisionCreate(outcome=Outcome.GRANTED, grounds="confirmed on appeal"),
    )
    decisions = service.decisions_of(session, request.id)
    assert [d.id for d in decisions] == [first.id, second.id]
    assert decisions[0].superseded_by == second.id and decisions[1].superseded_by is None
    assert not service.is_blocked(session, RecordType.NOTICE, NOTICE)
    assert find_entry(session, NOTICE).active is False
    assert len(cache.get(session)) == 0
    assert utcnow() < request.due_at
