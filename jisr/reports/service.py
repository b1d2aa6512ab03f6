"""Cooperation metrics per partner: the periodic assessment of a partnership.

One partner over one period (a calendar year, quarter or month, or the dashboard's rolling
windows): messages and requests each way, requests answered within their deadline, median
answer times, alerts published, received and refused by ground, hits and confirmations,
deletion receipts, joint operations and training seats, with the same figures for the periods
before (the trend), and every partner side by side (the overview). Counts only, no record
contents; reading a report is a consultation in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require, terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import NotFoundError, PermissionDeniedError, ValidationError
from jisr.exchange.models import MessageKind
from jisr.identity.models import Agency
from jisr.reports import metrics
from jisr.reports.metrics import (
    Alerts,
    Deadlines,
    Deletions,
    Hits,
    Operations,
    ResponseTimes,
    Training,
    TwoWay,
    median_hours,
)
from jisr.reports.periods import ROLLING_DAYS, Period, PeriodKind, parse_period

__all__ = [
    "PERIODS",
    "REPORT_ROLES",
    "Overview",
    "OverviewRow",
    "PartnerReport",
    "Period",
    "Summary",
    "TwoWay",
    "median_hours",
    "overview",
    "partner_report",
    "report_partners",
    "require_report_reader",
]

REPORT_ROLES = frozenset({Role.LIAISON, Role.ANALYST, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR})
PERIODS = ROLLING_DAYS
# Periods shown in a trend: this one and the ones before it.
TREND_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of one partnership over one period (a trend point, an overview
    cell)."""

    period: Period
    sent: int  # messages and requests we sent the partner
    received: int  # messages and requests the partner sent us
    on_time_ours: float | None  # share of the partner's requests we answered in time
    on_time_theirs: float | None  # share of our requests the partner answered in time
    median_ours_hours: float | None
    median_theirs_hours: float | None
    alerts_published: int
    alerts_received: int
    hits: int
    confirmed: int
    operations: int
    trained: int


@dataclass(frozen=True, slots=True)
class PartnerReport:
    partner: str
    local: str
    period: Period
    # The period is not over: its figures run to ``generated_at``.
    partial: bool
    generated_at: datetime
    messages: TwoWay  # messages (no answer expected) sent / received
    requests: TwoWay  # requests sent / received
    response: ResponseTimes
    deadlines: Deadlines
    overdue: TwoWay  # requests we owe the partner / the partner owes us, now
    hits: TwoWay  # our screening hits on the partner's alerts / theirs on ours
    confirmed: TwoWay
    alerts: TwoWay  # our alerts sent to the partner / the partner's received
    refusals: Alerts
    deletions: Deletions
    operations: Operations
    training: Training
    # This period and the ones before it, oldest first (empty unless asked for).
    trend: tuple[Summary, ...] = ()


@dataclass(frozen=True, slots=True)
class OverviewRow:
    partner: str
    current: Summary
    previous: Summary


@dataclass(frozen=True, slots=True)
class Overview:
    period: Period
    generated_at: datetime
    rows: tuple[OverviewRow, ...]


def require_report_reader(session: Session, actor: Actor, partner: str | None = None) -> None:
    """Roles that assess partnerships, on a partner this node has an agreement with."""
    if actor.kind is ActorKind.USER and not (actor.roles & REPORT_ROLES):
        raise PermissionDeniedError(
            "cooperation reports need a liaison, analyst, coordinator, admin or auditor role"
        )
    require(session, actor, Action.READ, Resource(ResourceKind.AGREEMENT, actor.agency_code))
    if partner is None:
        return
    agency = session.get(Agency, partner)
    if agency is None or agency.is_local or not terms_between(session, actor.agency_code, partner):
        raise NotFoundError(f"no partnership with {partner}", code="partner_not_found")


def resolve_period(period: str | Period | None, days: int | None, now: datetime) -> Period:
    """A calendar period by its label, or a rolling window of ``days`` (90 by default)."""
    if isinstance(period, Period):
        return period
    if period:
        return parse_period(period, now)
    return Period.last(days if days is not None else 90, now)


def summarise(session: Session, local: str, partner: str, period: Period, now: datetime) -> Summary:
    messages = metrics.message_counts(session, local, partner, period, MessageKind.MESSAGE)
    requests = metrics.message_counts(session, local, partner, period, MessageKind.REQUEST)
    deadlines = metrics.deadline_counts(session, local, partner, period, now)
    response = metrics.response_times(session, local, partner, period)
    alerts = metrics.alert_counts(session, local, partner, period)
    hits = metrics.hit_counts(session, partner, period)
    operations = metrics.operation_counts(session, partner, period)
    training = metrics.training_counts(session, local, partner, period)
    return Summary(
        period=period,
        sent=messages.ours + requests.ours,
        received=messages.theirs + requests.theirs,
        on_time_ours=deadlines.ours.on_time_share,
        on_time_theirs=deadlines.theirs.on_time_share,
        median_ours_hours=response.ours_hours,
        median_theirs_hours=response.theirs_hours,
        alerts_published=alerts.published,
        alerts_received=alerts.received,
        hits=hits.hits.total,
        confirmed=hits.confirmed.total,
        operations=operations.operations + operations.events,
        trained=training.trained.total,
    )


def compute_report(
    session: Session, local: str, partner: str, period: Period, now: datetime, *, trend: int = 0
) -> PartnerReport:
    """Every figure of one partnership over ``period`` (no access check, no audit)."""
    hits: Hits = metrics.hit_counts(session, partner, period)
    alerts = metrics.alert_counts(session, local, partner, period)
    history = period.history(trend) if trend else []
    return PartnerReport(
        partner=partner,
        local=local,
        period=period,
        partial=period.kind is not PeriodKind.DAYS and period.partial(now),
        generated_at=now,
        messages=metrics.message_counts(session, local, partner, period, MessageKind.MESSAGE),
        requests=metrics.message_counts(session, local, partner, period, MessageKind.REQUEST),
        response=metrics.response_times(session, local, partner, period),
        deadlines=metrics.deadline_counts(session, local, partner, period, now),
        overdue=metrics.overdue_counts(session, local, partner, now),
        hits=hits.hits,
        confirmed=hits.confirmed,
        alerts=TwoWay(alerts.published, alerts.received),
        refusals=alerts,
        deletions=metrics.deletion_counts(session, partner, period),
        operations=metrics.operation_counts(session, partner, period),
        training=metrics.training_counts(session, local, partner, period),
        trend=tuple(summarise(session, local, partner, p, now) for p in history),
    )


def _details(period: Period, extra: dict[str, str] | None) -> dict[str, object]:
    base: dict[str, object] = (
        {"days": period.days} if period.kind is PeriodKind.DAYS else {"period": period.label}
    )
    return {**base, **(extra or {})}


def partner_report(
    session: Session,
    actor: Actor,
    partner: str,
    *,
    period: str | Period | None = None,
    days: int | None = None,
    now: datetime | None = None,
    trend: int = 0,
    audit_details: dict[str, str] | None = None,
) -> PartnerReport:
    """Every metric of one partnership over ``period`` (or the last ``days``), with ``trend``
    periods of history; audited as a consultation."""
    moment = now or utcnow()
    chosen = resolve_period(period, days, moment)
    if trend < 0 or trend > 24:
        raise ValidationError(
            "a trend covers 0 to 24 periods", code="period_invalid", field="trend"
        )
    require_report_reader(session, actor, partner)
    report = compute_report(session, actor.agency_code, partner, chosen, moment, trend=trend)
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "partner_report",
        partner,
        details=_details(chosen, audit_details),
    )
    return report


def _partner_codes(session: Session, local: str) -> list[str]:
    partners = session.execute(
        select(Agency.code).where(Agency.is_local.is_(False)).order_by(Agency.code)
    ).scalars()
    return [code for code in partners if terms_between(session, local, code)]


def report_partners(session: Session, actor: Actor) -> list[Agency]:
    """Partner agencies this node has an agreement with (what a report can be asked about)."""
    require_report_reader(session, actor)
    codes = _partner_codes(session, actor.agency_code)
    rows = session.execute(select(Agency).where(Agency.code.in_(codes)).order_by(Agency.code))
    return list(rows.scalars())


def overview(
    session: Session,
    actor: Actor,
    *,
    period: str | Period | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> Overview:
    """Every partnership's headline figures over ``period`` beside the period before it;
    audited as one consultation."""
    moment = now or utcnow()
    chosen = resolve_period(period, days, moment)
    require_report_reader(session, actor)
    local = actor.agency_code
    before = chosen.previous()
    rows = tuple(
        OverviewRow(
            code,
            summarise(session, local, code, chosen, moment),
            summarise(session, local, code, before, moment),
        )
        for code in _partner_codes(session, local)
    )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "partners_overview",
        None,
        details={**_details(chosen, None), "partners": len(rows)},
    )
    return Overview(chosen, moment, rows)
