"""Wire types of the reports API (read from the service's dataclasses, ``from_attributes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PeriodRead(_Read):
    kind: str
    label: str
    start: datetime
    end: datetime


class TwoWayRead(_Read):
    ours: int
    theirs: int


class ResponseTimesRead(_Read):
    ours_hours: float | None
    ours_answered: int
    theirs_hours: float | None
    theirs_answered: int


class DeadlineRecordRead(_Read):
    on_time: int
    late: int
    overdue: int
    pending: int
    due: int
    on_time_share: float | None


class DeadlinesRead(_Read):
    ours: DeadlineRecordRead
    theirs: DeadlineRecordRead


class AlertsRead(_Read):
    published: int
    received: int
    refused: int
    refused_by_ground: dict[str, int]


class DeletionsRead(_Read):
    receipts: int
    awaiting: int
    erased: int


class OperationsRead(_Read):
    operations: int
    events: int


class TrainingRead(_Read):
    seats: TwoWayRead
    trained: TwoWayRead


class SummaryRead(_Read):
    period: PeriodRead
    sent: int
    received: int
    on_time_ours: float | None
    on_time_theirs: float | None
    median_ours_hours: float | None
    median_theirs_hours: float | None
    alerts_published: int
    alerts_received: int
    hits: int
    confirmed: int
    operations: int
    trained: int


class PartnerReportRead(_Read):
    """One partnership over one period: ``ours`` is this node's agency, ``theirs`` the
    partner."""

    partner: str
    local: str
    period: PeriodRead
    partial: bool
    generated_at: datetime
    messages: TwoWayRead
    requests: TwoWayRead
    response: ResponseTimesRead
    deadlines: DeadlinesRead
    overdue: TwoWayRead
    hits: TwoWayRead
    confirmed: TwoWayRead
    alerts: AlertsRead
    deletions: DeletionsRead
    operations: OperationsRead
    training: TrainingRead
    trend: list[SummaryRead]


class OverviewRowRead(_Read):
    partner: str
    current: SummaryRead
    previous: SummaryRead


class OverviewRead(_Read):
    period: PeriodRead
    generated_at: datetime
    rows: list[OverviewRowRead]


class FigureRead(_Read):
    key: str
    value: int
    query: dict[str, Any]
    seqs: list[int]


class AuditRangeRead(_Read):
    first_seq: int
    last_seq: int


class TransparencyRead(_Read):
    agency: str
    period: PeriodRead
    generated_at: datetime
    range: AuditRangeRead
    chain_head_seq: int
    chain_head_hash: str
    figures: list[FigureRead]


def partner_read(report: Any) -> PartnerReportRead:
    data = PartnerReportRead.model_validate(
        {
            **{name: getattr(report, name) for name in PartnerReportRead.model_fields},
            "alerts": report.refusals,
        }
    )
    return data


def transparency_read(report: Any) -> TransparencyRead:
    return TransparencyRead(
        agency=report.agency,
        period=PeriodRead.model_validate(report.period),
        generated_at=report.generated_at,
        range=AuditRangeRead.model_validate(report.range),
        chain_head_seq=report.chain_head[0],
        chain_head_hash=report.chain_head[1],
        figures=[FigureRead.model_validate(f) for f in report.figures()],
    )
