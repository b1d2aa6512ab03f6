"""Reporting periods: calendar years (``2026``), quarters (``2026-Q4``) and months
(``2026-11``), and the rolling windows of the dashboard (``30d``, ``90d``, ``365d``).

A period is a half-open UTC interval ``[start, end)``; a period not over yet ends now for its
figures (``partial``). Each period knows the one before it, for trends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from jisr.clock import utcnow
from jisr.errors import ValidationError

ROLLING_DAYS = (30, 90, 365)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAYS = re.compile(r"^(\d{1,4})d$")
# Calendar periods a report may be asked about: the partnership software did not exist before.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    DAYS = "days"


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    # ``2026-Q4``, ``2026-11``, ``2026`` or ``90d``.
    label: str
    start: datetime
    end: datetime

    @classmethod
    def last(cls, days: int, now: datetime | None = None) -> Period:
        """The rolling window of ``days`` ending ``now``."""
        if days not in ROLLING_DAYS:
            raise ValidationError(
                f"period must be one of {', '.join(map(str, ROLLING_DAYS))} days",
                code="period_invalid",
                field="period",
            )
        end = now or utcnow()
        return cls(PeriodKind.DAYS, f"{days}d", end - timedelta(days=days), end)

    @property
    def days(self) -> int:
        return round((self.end - self.start) / timedelta(days=1))

    def partial(self, now: datetime | None = None) -> bool:
        """Whether the period is not over yet (its figures run to ``now``)."""
        return self.end > (now or utcnow())

    def previous(self) -> Period:
        if self.kind is PeriodKind.YEAR:
            return calendar_year(self.start.year - 1)
        if self.kind is PeriodKind.QUARTER:
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            return (
                calendar_quarter(year - 1, 4)
                if quarter == 1
                else calendar_quarter(year, quarter - 1)
            )
        if self.kind is PeriodKind.MONTH:
            year, month = self.start.year, self.start.month
            return calendar_month(year - 1, 12) if month == 1 else calendar_month(year, month - 1)
        span = self.end - self.start
        return Period(self.kind, self.label, self.start - span, self.start)

    def history(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]


def _utc(year: int, month: int = 1) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def _year_in_range(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            f"period {text!r} is outside {FIRST_YEAR}-{LAST_YEAR}",
            code="period_invalid",
            field="period",
        )


def calendar_year(year: int) -> Period:
    return Period(PeriodKind.YEAR, f"{year:04d}", _utc(year), _utc(year + 1))


def calendar_quarter(year: int, quarter: int) -> Period:
    start = _utc(year, 3 * quarter - 2)
    end = _utc(year + 1) if quarter == 4 else _utc(year, 3 * quarter + 1)
    return Period(PeriodKind.QUARTER, f"{year:04d}-Q{quarter}", start, end)


def calendar_month(year: int, month: int) -> Period:
    end = _utc(year + 1) if month == 12 else _utc(year, month + 1)
    return Period(PeriodKind.MONTH, f"{year:04d}-{month:02d}", _utc(year, month), end)


def parse_period(text: str, now: datetime | None = None) -> Period:
    """``2026-Q4``, ``2026-11``, ``2026`` or ``30d``/``90d``/``365d``; ``period_invalid``
    otherwise, or for a period that has not begun."""
    value = text.strip().upper().replace("D", "d") if text else ""
    period: Period | None = None
    if match := _QUARTER.match(value):
        _year_in_range(int(match[1]), text)
        period = calendar_quarter(int(match[1]), int(match[2]))
    elif match := _MONTH.match(value):
        _year_in_range(int(match[1]), text)
        period = calendar_month(int(match[1]), int(match[2]))
    elif match := _YEAR.match(value):
        _year_in_range(int(match[1]), text)
        period = calendar_year(int(match[1]))
    elif match := _DAYS.match(value):
        return Period.last(int(match[1]), now)
    if period is None:
        raise ValidationError(
            "period must be a year (2026), a quarter (2026-Q4), a month (2026-11) "
            "or 30d, 90d, 365d",
            code="period_invalid",
            field="period",
        )
    if period.start > (now or utcnow()):
        raise ValidationError(
            f"period {period.label} has not begun", code="period_invalid", field="period"
        )
    return period


def current_quarter(now: datetime | None = None) -> Period:
    moment = now or utcnow()
    return calendar_quarter(moment.year, (moment.month - 1) // 3 + 1)
