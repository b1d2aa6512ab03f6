"""Cooperation metrics per partner: the periodic assessment of a partnership.

Counts only (no record contents), over a period ending now: messages and requests each way,
how fast requests are answered each way, what is overdue now, screening hits on the partner's
alerts and on ours, alerts exchanged. Reading them is a consultation in the audit trail.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require, terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import NotFoundError, PermissionDeniedError, ValidationError
from jisr.exchange.models import Direction, Message, MessageKind
from jisr.identity.models import Agency
from jisr.notices.models import Notice, NoticeDistribution, Origin
from jisr.watchlists.models import HitNotification, ScreeningHit, WatchlistEntry

REPORT_ROLES = frozenset({Role.LIAISON, Role.ANALYST, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR})
PERIODS = (30, 90, 365)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def last(cls, days: int, now: datetime | None = None) -> Period:
        if days not in PERIODS:
            raise ValidationError(
                f"period must be one of {', '.join(map(str, PERIODS))} days",
                code="period_invalid",
            )
        end = now or utcnow()
        return cls(end - timedelta(days=days), end)


@dataclass(frozen=True, slots=True)
class TwoWay:
    """A figure for each direction: ``ours`` is what we did, ``theirs`` what the partner did."""

    ours: int
    theirs: int


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Median hours to answer a request: ``ours`` to the partner's, ``theirs`` to ours."""

    ours_hours: float | None
    ours_answered: int
    theirs_hours: float | None
    theirs_answered: int


@dataclass(frozen=True, slots=True)
class PartnerReport:
    partner: str
    period: Period
    messages: TwoWay  # messages (no answer expected) sent / received
    requests: TwoWay  # requests sent / received
    response: ResponseTimes
    overdue: TwoWay  # requests we owe the partner / the partner owes us, now
    hits: TwoWay  # our screening hits on the partner's alerts / theirs on ours
    alerts: TwoWay  # our alerts sent to the partner / the partner's received


def require_report_reader(session: Session, actor: Actor, partner: str) -> None:
    """Roles that assess partnerships, on a partner this node has an agreement with."""
    if actor.kind is ActorKind.USER and not (actor.roles & REPORT_ROLES):
        raise PermissionDeniedError(
            "cooperation reports need a liaison, analyst, coordinator, admin or auditor role"
        )
    require(session, actor, Action.READ, Resource(ResourceKind.AGREEMENT, actor.agency_code))
    agency = session.get(Agency, partner)
    if agency is None or agency.is_local or not terms_between(session, actor.agency_code, partner):
        raise NotFoundError(f"no partnership with {partner}", code="partner_not_found")


def median_hours(durations: Iterable[timedelta]) -> float | None:
    """The median of ``durations`` in hours (rounded to 0.1), None when there is none."""
    values = [d.total_seconds() / 3600 for d in durations]
    return round(statistics.median(values), 1) if values else None


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    stmt = select(func.count()).select_from(Message).where(*where)
    return int(session.execute(stmt).scalar_one())


def message_counts(session: Session, partner: str, period: Period, kind: MessageKind) -> TwoWay:
    def count(direction: Direction, party: ColumnElement[bool]) -> int:
        return _count(
            session,
            Message.kind == kind.value,
            Message.direction == direction.value,
            party,
            Message.created_at >= period.start,
            Message.created_at < period.end,
        )

    return TwoWay(
        ours=count(Direction.OUTBOUND, Message.recipient_agency == partner),
        theirs=count(Direction.INBOUND, Message.owner_agency == partner),
    )


def response_times(session: Session, partner: str, period: Period) -> ResponseTimes:
    """Over requests asked within the period and answered since."""
    asked = (
        Message.kind == MessageKind.REQUEST.value,
        Message.answered_at.is_not(None),
        Message.created_at >= period.start,
        Message.created_at < period.end,
    )
    theirs = [
        answered - created
        for created, answered in session.execute(
            select(Message.created_at, Message.answered_at).where(
                *asked,
                Message.direction == Direction.OUTBOUND.value,
                Message.recipient_agency == partner,
            )
        ).all()
        if answered is not None
    ]
    # Our clock starts when the partner's request reached us.
    ours = [
        answered - (received or created)
        for created, received, answered in session.execute(
            select(Message.created_at, Message.received_at, Message.answered_at).where(
                *asked,
                Message.direction == Direction.INBOUND.value,
                Message.owner_agency == partner,
            )
        ).all()
        if answered is not None
    ]
    return ResponseTimes(median_hours(ours), len(ours), median_hours(theirs), len(theirs))


def overdue_counts(session: Session, partner: str, now: datetime) -> TwoWay:
    """Unanswered requests past their deadline now, whenever they were asked."""
    open_late = (
        Message.kind == MessageKind.REQUEST.value,
        Message.answered_at.is_(None),
        Message.withdrawn_at.is_(None),
        Message.deadline_at.is_not(None),
        Message.deadline_at < now,
    )
    return TwoWay(
        ours=_count(
            session,
            *open_late,
            Message.direction == Direction.INBOUND.value,
            Message.owner_agency == partner,
        ),
        theirs=_count(
            session,
            *open_late,
            Message.direction == Direction.OUTBOUND.value,
            Message.recipient_agency == partner,
        ),
    )


def hit_counts(session: Session, partner: str, period: Period) -> TwoWay:
    ours = session.execute(
        select(func.count())
        .select_from(ScreeningHit)
        .join(WatchlistEntry, WatchlistEntry.id == ScreeningHit.entry_id)
        .where(
            WatchlistEntry.owner_agency == partner,
            ScreeningHit.screened_at >= period.start,
            ScreeningHit.screened_at < period.end,
        )
    ).scalar_one()
    theirs = session.execute(
        select(func.count())
        .select_from(HitNotification)
        .where(
            HitNotification.sender_agency == partner,
            HitNotification.hit_at >= period.start,
            HitNotification.hit_at < period.end,
        )
    ).scalar_one()
    return TwoWay(ours, theirs)


def alert_counts(session: Session, partner: str, period: Period) -> TwoWay:
    sent = session.execute(
        select(func.count())
        .select_from(NoticeDistribution)
        .where(
            NoticeDistribution.agency == partner,
            NoticeDistribution.sent_at >= period.start,
            NoticeDistribution.sent_at < period.end,
        )
    ).scalar_one()
    arrived = func.coalesce(Notice.received_at, Notice.created_at)
    received = session.execute(
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.origin == Origin.PARTNER.value,
            Notice.owner_agency == partner,
            arrived >= period.start,
            arrived < period.end,
        )
    ).scalar_one()
    return TwoWay(sent, received)


def partner_report(
    session: Session, actor: Actor, partner: str, *, days: int = 90, now: datetime | None = None
) -> PartnerReport:
    """Every metric of one partnership over the last ``days``; audited as a consultation."""
    period = Period.last(days, now)
    require_report_reader(session, actor, partner)
    report = PartnerReport(
        partner=partner,
        period=period,
        messages=message_counts(session, partner, period, MessageKind.MESSAGE),
        requests=message_counts(session, partner, period, MessageKind.REQUEST),
        response=response_times(session, partner, period),
        overdue=overdue_counts(session, partner, period.end),
        hits=hit_counts(session, partner, period),
        alerts=alert_counts(session, partner, period),
    )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "partner_report",
        partner,
        details={"days": days},
    )
    return report


def report_partners(session: Session, actor: Actor) -> list[Agency]:
    """Partner agencies this node has an agreement with (what a report can be asked about)."""
    if actor.kind is ActorKind.USER and not (actor.roles & REPORT_ROLES):
        raise PermissionDeniedError("cooperation reports need a reporting role")
    require(session, actor, Action.READ, Resource(ResourceKind.AGREEMENT, actor.agency_code))
    partners = session.execute(
        select(Agency).where(Agency.is_local.is_(False)).order_by(Agency.code)
    ).scalars()
    return [a for a in partners if terms_between(session, actor.agency_code, a.code)]
