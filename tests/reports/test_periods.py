"""Reporting periods: years, quarters, months and rolling windows, and the ones before them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jisr.errors import ValidationError
from jisr.reports.periods import PeriodKind, parse_period

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        (
            "2026-Q4",
            PeriodKind.QUARTER,
            datetime(2026, 10, 1, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
        (
            "2026-q1",
            PeriodKind.QUARTER,
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=UTC),
        ),
        (
            "2026-11",
            PeriodKind.MONTH,
            datetime(2026, 11, 1, tzinfo=UTC),
            datetime(2026, 12, 1, tzinfo=UTC),
        ),
        (
            "2026-12",
            PeriodKind.MONTH,
            datetime(2026, 12, 1, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
        (
            "2025",
            PeriodKind.YEAR,
            datetime(2025, 1, 1, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=UTC),
        ),
        ("90d", PeriodKind.DAYS, datetime(2026, 9, 3, 12, tzinfo=UTC), NOW),
    ],
)
def test_parse(text: str, kind: PeriodKind, start: datetime, end: datetime) -> None:
    period = parse_period(text, NOW)
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_previous_periods_cross_year_boundaries() -> None:
    assert [p.label for p in parse_period("2026-Q1", NOW).history(3)] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]
    assert [p.label for p in parse_period("2026-02", NOW).history(3)] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert parse_period("2026", NOW).previous().label == "2025"
    rolling = parse_period("30d", NOW)
    assert rolling.previous().end == rolling.start and rolling.previous().days == 30
    assert parse_period("2026-Q4", NOW).partial(NOW) and not parse_period("2026-Q3", NOW).partial(
        NOW
    )


@pytest.mark.parametrize(
    "text", ["2026-Q0", "2026-00", "1999", "2027", "2027-Q1", "12d", "Q4", "2026-Q4 "]
)
def test_refused(text: str) -> None:
    if text.strip() != text:  # surrounding spaces are forgiven
        assert parse_period(text, NOW).label == "2026-Q4"
        return
    with pytest.raises(ValidationError) as raised:
        parse_period(text, NOW)
    assert raised.value.code == "period_invalid" and raised.value.field == "period"
