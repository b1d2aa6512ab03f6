"""Cooperation metrics per partner: counts each way, medians, overdue, hits, alerts, access."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.errors import NotFoundError, PermissionDeniedError, ValidationError
from jisr.exchange.models import MessageKind
from jisr.reports import service
from jisr.reports.service import TwoWay
from tests.exchange.conftest import officer
from tests.reports.seed import LOCAL, PARTNER, Traffic, pin_partner

REQUEST = MessageKind.REQUEST


def _answered(traffic: Traffic, now: datetime, *, outbound: bool, hours: float) -> None:
    asked = now - timedelta(days=5)
    traffic.message(
        outbound=outbound,
        kind=REQUEST,
        created_at=asked - (timedelta(0) if outbound else timedelta(minutes=30)),
        received_at=None if outbound else asked,
        answered_at=asked + timedelta(hours=hours),
        deadline_at=asked + timedelta(days=3),
    )


@pytest.mark.parametrize(
    ("hours", "median"),
    [([2, 10, 4], 4.0), ([1, 2, 3, 10], 2.5), ([7], 7.0), ([], None)],
)
def test_median_response_time_each_way(
    traffic: Traffic, hours: list[float], median: float | None
) -> None:
    now = utcnow()
    for h in hours:
        _answered(traffic, now, outbound=True, hours=h)  # the partner's answers to us
        _answered(traffic, now, outbound=False, hours=h * 2)  # ours, from arrival
    report = service.partner_report(traffic.session, officer("liaison"), PARTNER, now=now)
    assert report.response.theirs_hours == median
    assert report.response.ours_hours == (None if median is None else median * 2)
    assert report.response.theirs_answered == report.response.ours_answered == len(hours)


def test_median_hours_rounds_to_a_tenth() -> None:
    assert service.median_hours([timedelta(minutes=20), timedelta(minutes=40)]) == 0.5
    assert service.median_hours([]) is None


def test_counts_each_way_within_the_period(traffic: Traffic) -> None:
    now = utcnow()
    recent, old = now - timedelta(days=10), now - timedelta(days=200)
    for _ in range(3):
        traffic.message(outbound=True, created_at=recent)
    traffic.message(outbound=True, created_at=old)
    traffic.message(outbound=False, created_at=recent, received_at=recent)
    traffic.message(outbound=True, kind=REQUEST, created_at=recent)
    traffic.message(outbound=False, kind=REQUEST, created_at=old, received_at=old)
    # Overdue now: 2 we owe (inbound, past deadline, unanswered), 1 owed to us.
    for _ in range(2):
        traffic.message(
            outbound=False, kind=REQUEST, created_at=recent, deadline_at=now - timedelta(days=1)
        )
    traffic.message(
        outbound=True, kind=REQUEST, created_at=old, deadline_at=now - timedelta(days=100)
    )
    traffic.message(
        outbound=True, kind=REQUEST, created_at=recent, deadline_at=now + timedelta(days=1)
    )  # not yet due
    traffic.our_hit_on_their_alert(recent)
    traffic.our_hit_on_their_alert(recent)
    traffic.our_hit_on_their_alert(old)
    traffic.their_hit_on_our_alert(recent)
    traffic.notice(ours=True, at=recent)
    traffic.notice(ours=False, at=recent)
    traffic.notice(ours=False, at=recent)
    traffic.notice(ours=False, at=old)

    quarter = service.partner_report(traffic.session, officer("analyst"), PARTNER, now=now)
    assert quarter.messages == TwoWay(ours=3, theirs=1)
    assert quarter.requests == TwoWay(ours=2, theirs=2)
    assert quarter.overdue == TwoWay(ours=2, theirs=1)
    assert quarter.hits == TwoWay(ours=2, theirs=1)
    assert quarter.alerts == TwoWay(ours=1, theirs=2)

    year = service.partner_report(traffic.session, officer("analyst"), PARTNER, days=365, now=now)
    assert year.messages == TwoWay(ours=4, theirs=1)
    assert year.requests == TwoWay(ours=3, theirs=3)
    assert year.hits == TwoWay(ours=3, theirs=1)
    assert year.alerts == TwoWay(ours=1, theirs=3)


def test_reading_a_report_is_audited(traffic: Traffic) -> None:
    service.partner_report(traffic.session, officer("coordinator"), PARTNER, days=30)
    entry = traffic.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "partner_report")
    ).scalar_one()
    assert entry.action == "consultation" and entry.object_id == PARTNER
    assert entry.details == {"days": 30}


@pytest.mark.parametrize("role", ["trainer", "border_officer", "cert_analyst"])
def test_roles_without_reporting_are_refused(traffic: Traffic, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        service.partner_report(traffic.session, officer(role), PARTNER)


def test_unknown_partner_or_period_is_refused(traffic: Traffic, session: Session) -> None:
    pin_partner(session, LOCAL, "DE-BKA")  # pinned, but no agreement with us
    with pytest.raises(NotFoundError):
        service.partner_report(session, officer("liaison"), "DE-BKA")
    with pytest.raises(NotFoundError):
        service.partner_report(session, officer("liaison"), LOCAL)
    with pytest.raises(ValidationError):
        service.partner_report(session, officer("liaison"), PARTNER, days=7)
    assert [a.code for a in service.report_partners(session, officer("auditor"))] == [PARTNER]
