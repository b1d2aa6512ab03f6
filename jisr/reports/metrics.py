"""The figures of one partnership over one period, each from the rows its domain keeps.

Counts only, never record contents. ``ours`` is what this node's agency did (sent, answered,
offered), ``theirs`` what the partner did. Each function is one or two aggregate queries over
``[period.start, period.end)``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from jisr.agreements.service import terms_between
from jisr.audit import AuditAction, AuditEntry
from jisr.exchange.models import Direction, Message, MessageKind
from jisr.notices.models import (
    AlertType,
    DeletionReceipt,
    DistributionStatus,
    Notice,
    NoticeDistribution,
    NoticeReview,
    Origin,
    ReviewDecision,
)
from jisr.operations.models import Operation, OperationKind, Participant
from jisr.reports.periods import Period
from jisr.training.models import Course, Enrolment, EnrolmentStatus
from jisr.watchlists.models import (
    HitDecision,
    HitNotification,
    ScreeningHit,
    Verdict,
    WatchlistEntry,
)


@dataclass(frozen=True, slots=True)
class TwoWay:
    """A figure for each direction: ``ours`` is what we did, ``theirs`` what the partner did."""

    ours: int
    theirs: int

    @property
    def total(self) -> int:
        return self.ours + self.theirs


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Median hours to answer a request: ``ours`` to the partner's, ``theirs`` to ours."""

    ours_hours: float | None
    ours_answered: int
    theirs_hours: float | None
    theirs_answered: int


@dataclass(frozen=True, slots=True)
class DeadlineRecord:
    """Requests asked in the period with a deadline, by how their answer kept it."""

    on_time: int
    late: int
    # Unanswered and past the deadline (at the period's end, or now for a partial period).
    overdue: int
    # Unanswered, deadline not reached yet.
    pending: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_share(self) -> float | None:
        """On-time answers over the requests whose deadline has come (0-1), None if none."""
        return round(self.on_time / self.due, 3) if self.due else None


@dataclass(frozen=True, slots=True)
class Deadlines:
    ours: DeadlineRecord  # requests the partner asked us
    theirs: DeadlineRecord  # requests we asked the partner


@dataclass(frozen=True, slots=True)
class Alerts:
    published: int  # our alerts sent to the partner
    received: int  # the partner's alerts we received
    # Our review's refusals, decided in the period, of alerts in the partnership's scope.
    refused: int
    refused_by_ground: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hits:
    hits: TwoWay  # our screening hits on their alerts / theirs on ours
    confirmed: TwoWay  # of which confirmed (our standing decision / their reported verdict)


@dataclass(frozen=True, slots=True)
class Deletions:
    receipts: int  # signed deletion receipts the partner sent for our withdrawn alerts
    awaiting: int  # our withdrawals in the period still without their receipt
    erased: int  # copies of the partner's alerts we erased when the partner withdrew them


@dataclass(frozen=True, slots=True)
class Operations:
    operations: int  # joint operations under way in the period with the partner in them
    events: int  # major-event coordinations, likewise


@dataclass(frozen=True, slots=True)
class Training:
    seats: TwoWay  # seats we offered the partner / seats it offered us, in courses starting
    trained: TwoWay  # the partner's officers who attended our courses / ours at theirs


def median_hours(durations: Iterable[timedelta]) -> float | None:
    """The median of ``durations`` in hours (rounded to 0.1), None when there is none."""
    values = [d.total_seconds() / 3600 for d in durations]
    return round(statistics.median(values), 1) if values else None


def _within(column: ColumnElement[datetime] | object, period: Period) -> list[ColumnElement[bool]]:
    col: ColumnElement[datetime] = column  # type: ignore[assignment]
    return [col >= period.start, col < period.end]


def _ways(partner: str, local: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(messages we sent the partner, messages the partner sent us)."""
    ours = and_(Message.direction == Direction.OUTBOUND.value, Message.recipient_agency == partner)
    theirs = and_(
        Message.direction == Direction.INBOUND.value,
        Message.owner_agency == partner,
        Message.recipient_agency == local,
    )
    return ours, theirs


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    stmt = select(func.count()).select_from(Message).where(*where)
    return int(session.execute(stmt).scalar_one())


def message_counts(
    session: Session, local: str, partner: str, period: Period, kind: MessageKind
) -> TwoWay:
    ours, theirs = _ways(partner, local)
    where = [Message.kind == kind.value, *_within(Message.created_at, period)]
    return TwoWay(_count(session, ours, *where), _count(session, theirs, *where))


def response_times(session: Session, local: str, partner: str, period: Period) -> ResponseTimes:
    """Over requests asked within the period and answered since."""
    ours_way, theirs_way = _ways(partner, local)
    asked = (
        Message.kind == MessageKind.REQUEST.value,
        Message.answered_at.is_not(None),
        *_within(Message.created_at, period),
    )
    theirs = [
        answered - created
        for created, answered in session.execute(
            select(Message.created_at, Message.answered_at).where(*asked, ours_way)
        ).all()
        if answered is not None
    ]
    # Our clock starts when the partner's request reached us.
    ours = [
        answered - (received or created)
        for created, received, answered in session.execute(
            select(Message.created_at, Message.received_at, Message.answered_at).where(
                *asked, theirs_way
            )
        ).all()
        if answered is not None
    ]
    return ResponseTimes(median_hours(ours), len(ours), median_hours(theirs), len(theirs))


def _deadline_record(
    rows: Iterable[tuple[datetime, datetime | None]], at: datetime
) -> DeadlineRecord:
    on_time = late = overdue = pending = 0
    for deadline, answered in rows:
        if answered is not None and answered <= at:
            if answered <= deadline:
                on_time += 1
            else:
                late += 1
        elif deadline < at:
            overdue += 1
        else:
            pending += 1
    return DeadlineRecord(on_time, late, overdue, pending)


def deadline_counts(
    session: Session, local: str, partner: str, period: Period, now: datetime
) -> Deadlines:
    """Requests asked in the period that carry a deadline, judged at the period's end (or now
    if it is not over); withdrawn requests are left out."""
    at = min(period.end, now)
    ours_way, theirs_way = _ways(partner, local)
    asked = (
        Message.kind == MessageKind.REQUEST.value,
        Message.deadline_at.is_not(None),
        Message.withdrawn_at.is_(None),
        *_within(Message.created_at, period),
    )

    def rows(way: ColumnElement[bool]) -> list[tuple[datetime, datetime | None]]:
        found = session.execute(
            select(Message.deadline_at, Message.answered_at).where(*asked, way)
        ).all()
        return [(deadline, answered) for deadline, answered in found if deadline is not None]

    return Deadlines(
        ours=_deadline_record(rows(theirs_way), at), theirs=_deadline_record(rows(ours_way), at)
    )


def overdue_counts(session: Session, local: str, partner: str, now: datetime) -> TwoWay:
    """Unanswered requests past their deadline now, whenever they were asked."""
    ours_way, theirs_way = _ways(partner, local)
    open_late = (
        Message.kind == MessageKind.REQUEST.value,
        Message.answered_at.is_(None),
        Message.withdrawn_at.is_(None),
        Message.deadline_at.is_not(None),
        Message.deadline_at < now,
    )
    return TwoWay(
        ours=_count(session, *open_late, theirs_way), theirs=_count(session, *open_late, ours_way)
    )


def _scalar(session: Session, stmt: object) -> int:
    return int(session.execute(stmt).scalar_one())  # type: ignore[call-overload]


def hit_counts(session: Session, partner: str, period: Period) -> Hits:
    ours = (
        select(func.count())
        .select_from(ScreeningHit)
        .join(WatchlistEntry, WatchlistEntry.id == ScreeningHit.entry_id)
        .where(WatchlistEntry.owner_agency == partner, *_within(ScreeningHit.screened_at, period))
    )
    confirmed = ours.where(
        ScreeningHit.id.in_(
            select(HitDecision.hit_id).where(
                HitDecision.superseded_by.is_(None), HitDecision.verdict == Verdict.CONFIRMED.value
            )
        )
    )
    theirs = (
        select(func.count())
        .select_from(HitNotification)
        .where(HitNotification.sender_agency == partner, *_within(HitNotification.hit_at, period))
    )
    theirs_confirmed = theirs.where(HitNotification.verdict == Verdict.CONFIRMED.value)
    return Hits(
        hits=TwoWay(_scalar(session, ours), _scalar(session, theirs)),
        confirmed=TwoWay(_scalar(session, confirmed), _scalar(session, theirs_confirmed)),
    )


def _in_scope(session: Session, local: str, partner: str) -> ColumnElement[bool]:
    """Our alerts the partnership could carry: a crime area of an agreement with the partner
    (diffusions: only those naming the partner)."""
    areas = sorted(
        {area for terms in terms_between(session, local, partner) for area in terms.crime_areas}
    )
    diffusion = Notice.alert_type == AlertType.DIFFUSION.value
    named = cast(Notice.recipients, String).like(f'%"{partner}"%')
    return or_(and_(diffusion, named), and_(~diffusion, Notice.crime_area.in_(areas)))


def alert_counts(session: Session, local: str, partner: str, period: Period) -> Alerts:
    published = (
        select(func.count())
        .select_from(NoticeDistribution)
        .where(NoticeDistribution.agency == partner, *_within(NoticeDistribution.sent_at, period))
    )
    arrived = func.coalesce(Notice.received_at, Notice.created_at)
    received = (
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.origin == Origin.PARTNER.value,
            Notice.owner_agency == partner,
            *_within(arrived, period),
        )
    )
    refusals = (
        session.execute(
            select(NoticeReview.grounds)
            .join(Notice, Notice.id == NoticeReview.notice_id)
            .where(
                NoticeReview.decision == ReviewDecision.REFUSE.value,
                Notice.origin == Origin.LOCAL.value,
                Notice.owner_agency == local,
                _in_scope(session, local, partner),
                *_within(NoticeReview.decided_at, period),
            )
        )
        .scalars()
        .all()
    )
    grounds = Counter(ground for row in refusals for ground in row)
    return Alerts(
        published=_scalar(session, published),
        received=_scalar(session, received),
        refused=len(refusals),
        refused_by_ground=dict(sorted(grounds.items())),
    )


def deletion_counts(session: Session, partner: str, period: Period) -> Deletions:
    receipts = (
        select(func.count())
        .select_from(DeletionReceipt)
        .where(DeletionReceipt.agency == partner, *_within(DeletionReceipt.received_at, period))
    )
    awaiting = (
        select(func.count())
        .select_from(NoticeDistribution)
        .where(
            NoticeDistribution.agency == partner,
            NoticeDistribution.status == DistributionStatus.WITHDRAWN.value,
            *_within(NoticeDistribution.withdrawn_at, period),
        )
    )
    # The copy is gone from our tables: the erasure is known from the audit trail only.
    erased = (
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == AuditAction.ERASURE.value,
            AuditEntry.object_type == "notice",
            AuditEntry.object_id.like(f"{partner}:%"),
            *_within(AuditEntry.at, period),
        )
    )
    return Deletions(
        _scalar(session, receipts), _scalar(session, awaiting), _scalar(session, erased)
    )


def operation_counts(session: Session, partner: str, period: Period) -> Operations:
    joined = select(Participant.operation_id).where(Participant.agency_code == partner)
    ended = func.coalesce(Operation.ends_at, Operation.closed_at)
    under_way = (
        Operation.starts_at < period.end,
        or_(ended.is_(None), ended >= period.start),
        or_(Operation.owner_agency == partner, Operation.id.in_(joined)),
    )

    def count(kind: OperationKind) -> int:
        stmt = (
            select(func.count())
            .select_from(Operation)
            .where(*under_way, Operation.kind == kind.value)
        )
        return _scalar(session, stmt)

    return Operations(count(OperationKind.OPERATION), count(OperationKind.EVENT))


def training_counts(session: Session, local: str, partner: str, period: Period) -> Training:
    starting = _within(Course.starts_at, period)
    offered: dict[str, int] = {local: 0, partner: 0}
    courses = session.execute(
        select(Course.provider_agency, Course.seats).where(
            Course.provider_agency.in_([local, partner]), *starting
        )
    ).all()
    for provider, seats in courses:
        guest = partner if provider == local else local
        value = (seats or {}).get(guest, 0)
        offered[provider] += value if isinstance(value, int) else 0

    def attended(provider: str, agency: str) -> int:
        stmt = (
            select(func.count())
            .select_from(Enrolment)
            .join(Course, Course.id == Enrolment.course_id)
            .where(
                Course.provider_agency == provider,
                Enrolment.agency_code == agency,
                Enrolment.status == EnrolmentStatus.ATTENDED.value,
                *starting,
            )
        )
        return _scalar(session, stmt)

    return Training(
        seats=TwoWay(offered[local], offered[partner]),
        trained=TwoWay(attended(local, partner), attended(partner, local)),
    )
