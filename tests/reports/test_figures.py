"""A partnership's figures over a calendar quarter, against a world of known events: deadlines
kept, refusals by ground in the partnership's scope, confirmations, deletion receipts,
operations, training seats; trends and the all-partners overview; counts checked by SQL written
here, independently of the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from jisr.audit import AuditAction, record
from jisr.exchange.models import MessageKind
from jisr.ids import new_id
from jisr.notices.models import DeletionReceipt, NoticeReview
from jisr.operations.models import Operation, Participant
from jisr.reports import service
from jisr.reports.metrics import DeadlineRecord, TwoWay
from jisr.reports.periods import parse_period
from jisr.training.models import Course, Enrolment
from jisr.watchlists.models import HitDecision
from tests.exchange.conftest import officer
from tests.reports.seed import LOCAL, PARTNER, Traffic, add_agreement, pin_partner

Q4 = parse_period("2026-Q4", now=datetime(2026, 12, 2, tzinfo=UTC))
IN = datetime(2026, 11, 3, 9, tzinfo=UTC)  # inside Q4
BEFORE = datetime(2026, 8, 10, 9, tzinfo=UTC)  # Q3
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
REQUEST = MessageKind.REQUEST


def _request(
    traffic: Traffic, *, outbound: bool, answered_after: float | None, deadline_hours: float = 72
) -> None:
    traffic.message(
        outbound=outbound,
        kind=REQUEST,
        created_at=IN,
        received_at=None if outbound else IN,
        answered_at=None if answered_after is None else IN + timedelta(hours=answered_after),
        deadline_at=IN + timedelta(hours=deadline_hours),
    )


def _refusal(traffic: Traffic, grounds: list[str], *, crime_area: str, at: datetime) -> None:
    notice = traffic.notice(ours=True, at=at)
    notice.crime_area = crime_area
    notice.distributions.clear()  # refused: never sent
    traffic.session.add(
        NoticeReview(
            id=new_id(LOCAL, "review"),
            notice_id=notice.id,
            version=1,
            reviewer="seed",
            reviewer_id="seed",
            decision="refuse",
            grounds=grounds,
            decided_at=at,
        )
    )
    traffic.session.flush()


def _world(traffic: Traffic) -> None:
    session = traffic.session
    # Deadlines: the partner answers ours (2 on time, 1 late, 1 overdue); we answer theirs
    # (1 on time, 1 still within its deadline, far ahead).
    for after in (5, 40):
        _request(traffic, outbound=True, answered_after=after)
    _request(traffic, outbound=True, answered_after=100)
    _request(traffic, outbound=True, answered_after=None)
    _request(traffic, outbound=False, answered_after=2)
    _request(traffic, outbound=False, answered_after=None, deadline_hours=24 * 60)
    traffic.message(outbound=True, created_at=BEFORE)
    # Alerts: 2 of ours sent to the partner in Q4, one in Q3, 1 of theirs received in Q4.
    traffic.notice(ours=True, at=IN)
    traffic.notice(ours=True, at=IN)
    traffic.notice(ours=True, at=BEFORE)
    traffic.notice(ours=False, at=IN)
    # Refusals: two in scope (terrorism), one outside it (cybercrime), one in Q3.
    _refusal(traffic, ["political", "insufficient_identifiers"], crime_area="terrorism", at=IN)
    _refusal(traffic, ["political"], crime_area="terrorism", at=IN)
    _refusal(traffic, ["duplicate"], crime_area="cybercrime", at=IN)
    _refusal(traffic, ["racial"], crime_area="terrorism", at=BEFORE)
    # Hits: 3 of ours on their alerts (1 confirmed, 1 confirmed then superseded), 2 of theirs.
    hits = [traffic.our_hit_on_their_alert(IN) for _ in range(3)]
    for hit, verdict, superseded in (
        (hits[0], "confirmed", None),
        (hits[1], "confirmed", "later"),
        (hits[1], "false_positive", None),
    ):
        session.add(
            HitDecision(
                id=new_id(LOCAL, "decision"),
                hit_id=hit.id,
                verdict=verdict,
                reason="seed",
                decided_by="seed",
                superseded_by=superseded,
            )
        )
    traffic.their_hit_on_our_alert(IN)
    unconfirmed = traffic.their_hit_on_our_alert(IN)
    unconfirmed.verdict = "false_positive"
    # Deletion: one receipt in Q4, one withdrawal still awaiting its receipt, one erasure of
    # the partner's copy recorded in the audit trail.
    withdrawn = traffic.notice(ours=True, at=BEFORE)
    session.add(
        DeletionReceipt(
            notice_id=withdrawn.id,
            agency=PARTNER,
            deleted_at=IN,
            envelope_id="env",
            signing_key="k",
            payload_digest="d" * 64,
            received_at=IN,
        )
    )
    pending = traffic.notice(ours=True, at=BEFORE).distributions[0]
    pending.status, pending.withdrawn_at = "withdrawn", IN
    session.flush()
    record(session, officer("liaison"), AuditAction.ERASURE, "notice", f"{PARTNER}:notice:X1")
    # Operations: one joint (partner participates) under way, one event owned by the partner,
    # one that ended before Q4, one without the partner.
    for kind, owner, joined, start, end in (
        ("operation", LOCAL, True, BEFORE, None),
        ("event", PARTNER, False, IN, IN + timedelta(days=3)),
        ("operation", LOCAL, True, BEFORE - timedelta(days=30), BEFORE),
        ("operation", LOCAL, False, IN, None),
    ):
        op = Operation(
            id=new_id(owner, "op"),
            kind=kind,
            title="Seeded",
            owner_agency=owner,
            crime_area="terrorism",
            data_category="operational",
            handling_code="H0",
            starts_at=start,
            ends_at=end,
            objectives=[],
            venues=[],
            created_by="seed",
        )
        session.add(op)
        session.flush()
        if joined:
            session.add(
                Participant(
                    operation_id=op.id, agency_code=PARTNER, agreement_ref="x", liaison_officers=[]
                )
            )
    # Training: our course offers the partner 4 seats (2 of its officers attended); the
    # partner's course offers us 3 seats (1 of ours attended); a course in Q3 is left out.
    for provider, guest, seats, attended, start in (
        (LOCAL, PARTNER, 4, 2, IN),
        (PARTNER, LOCAL, 3, 1, IN),
        (LOCAL, PARTNER, 9, 5, BEFORE),
    ):
        course = Course(
            id=new_id(provider, "course"),
            provider_agency=provider,
            title="Seeded",
            subject="s",
            starts_at=start,
            ends_at=start + timedelta(days=2),
            seats={guest: seats},
            sessions=[],
            created_by="seed",
        )
        session.add(course)
        session.flush()
        for n in range(attended + 1):  # one more nominated who did not attend
            session.add(
                Enrolment(
                    id=new_id(provider, "enrolment"),
                    course_id=course.id,
                    agency_code=guest,
                    person_name=f"Officer {n} (fictional)",
                    status="attended" if n < attended else "absent",
                    nominated_by="seed",
                )
            )
    session.flush()


def test_every_figure_of_a_quarter(traffic: Traffic) -> None:
    _world(traffic)
    report = service.partner_report(
        traffic.session, officer("liaison"), PARTNER, period="2026-Q4", now=NOW
    )
    assert report.period.label == "2026-Q4" and report.partial
    assert report.requests == TwoWay(ours=4, theirs=2)
    assert report.messages == TwoWay(ours=0, theirs=0)
    assert report.deadlines.theirs == DeadlineRecord(on_time=2, late=1, overdue=1, pending=0)
    assert report.deadlines.ours == DeadlineRecord(on_time=1, late=0, overdue=0, pending=1)
    assert report.deadlines.theirs.on_time_share == 0.5
    assert report.response.theirs_hours == 40.0 and report.response.ours_hours == 2.0
    assert report.alerts == TwoWay(ours=2, theirs=1)
    assert report.refusals.refused == 2
    assert report.refusals.refused_by_ground == {"insufficient_identifiers": 1, "political": 2}
    assert report.hits == TwoWay(ours=3, theirs=2)
    assert report.confirmed == TwoWay(ours=1, theirs=1)
    assert (report.deletions.receipts, report.deletions.awaiting, report.deletions.erased) == (
        1,
        1,
        1,
    )
    assert (report.operations.operations, report.operations.events) == (1, 1)
    assert report.training.seats == TwoWay(ours=4, theirs=3)
    assert report.training.trained == TwoWay(ours=2, theirs=1)


def test_counts_agree_with_plain_sql(traffic: Traffic, session: Session) -> None:
    _world(traffic)
    report = service.partner_report(session, officer("liaison"), PARTNER, period=Q4, now=NOW)
    window = {"start": Q4.start, "end": Q4.end, "p": PARTNER, "l": LOCAL}
    sent = session.execute(
        text(
            "SELECT count(*) FROM exchange_messages WHERE direction = 'outbound' "
            "AND recipient_agency = :p AND created_at >= :start AND created_at < :end"
        ),
        window,
    ).scalar_one()
    assert sent == report.requests.ours + report.messages.ours
    on_time = session.execute(
        text(
            "SELECT count(*) FROM exchange_messages WHERE direction = 'outbound' "
            "AND kind = 'request' AND recipient_agency = :p AND answered_at <= deadline_at "
            "AND created_at >= :start AND created_at < :end"
        ),
        window,
    ).scalar_one()
    assert on_time == report.deadlines.theirs.on_time
    published = session.execute(
        text(
            "SELECT count(*) FROM notice_distributions WHERE agency = :p "
            "AND sent_at >= :start AND sent_at < :end"
        ),
        window,
    ).scalar_one()
    assert published == report.alerts.ours
    receipts = session.execute(
        text(
            "SELECT count(*) FROM notice_deletion_receipts WHERE agency = :p "
            "AND received_at >= :start AND received_at < :end"
        ),
        window,
    ).scalar_one()
    assert receipts == report.deletions.receipts


def test_trend_and_previous_periods(traffic: Traffic) -> None:
    _world(traffic)
    report = service.partner_report(
        traffic.session, officer("analyst"), PARTNER, period="2026-Q4", now=NOW, trend=4
    )
    assert [s.period.label for s in report.trend] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    q3, q4 = report.trend[2], report.trend[3]
    # Q3: one message and the alerts sent then (3 of ours: one plain, two later withdrawn).
    assert (q3.sent, q3.alerts_published) == (1, 3)
    assert (q4.sent, q4.received, q4.alerts_published, q4.alerts_received) == (4, 2, 2, 1)
    assert (q4.hits, q4.confirmed, q4.operations, q4.trained) == (5, 2, 2, 3)
    assert report.trend[0].sent == 0
    month = service.partner_report(
        traffic.session, officer("analyst"), PARTNER, period="2026-11", now=NOW, trend=2
    )
    assert [s.period.label for s in month.trend] == ["2026-10", "2026-11"]
    assert month.requests == report.requests


def test_overview_sets_every_partner_beside_the_period_before(traffic: Traffic) -> None:
    _world(traffic)
    pin_partner(traffic.session, LOCAL, "ES-CGI")
    add_agreement(traffic.session, LOCAL, "ES-CGI", reference="MA-ES/01")
    result = service.overview(traffic.session, officer("auditor"), period="2026-Q4", now=NOW)
    assert [r.partner for r in result.rows] == ["ES-CGI", PARTNER]
    fr = result.rows[1]
    assert (fr.current.period.label, fr.previous.period.label) == ("2026-Q4", "2026-Q3")
    assert (fr.current.sent, fr.previous.sent) == (4, 1)
    assert result.rows[0].current.sent == 0


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "26", "2027-Q1", "7d", "Q4-2026"])
def test_periods_that_cannot_be_reported(traffic: Traffic, period: str) -> None:
    from jisr.errors import ValidationError

    with pytest.raises(ValidationError) as raised:
        service.partner_report(traffic.session, officer("liaison"), PARTNER, period=period, now=NOW)
    assert raised.value.code == "period_invalid"
