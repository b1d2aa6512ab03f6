"""Birth dates as written on real manifests: what parses is kept, the rest is said."""

from __future__ import annotations

from datetime import date

import pytest

from jisr.screening.sources.dates import read_birth_date, read_birth_dates

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("written", "dates", "warning"),
    [
        ("1969-07-16", ("1969-07-16",), None),
        ("1969-7-16", ("1969-07-16",), None),
        ("16/07/1969", ("1969-07-16",), None),
        ("16.07.1969", ("1969-07-16",), None),
        ("16-7-1969", ("1969-07-16",), None),
        ("1969/07/16", ("1969-07-16",), None),
        ("19690716", ("1969-07-16",), None),
        ("1969-07-16T00:00:00Z", ("1969-07-16",), None),
        ("07/16/1969", ("1969-07-16",), "month/day/year"),
        ("1969-16-07", ("1969-07-16",), "day and month swapped"),
        ("1974-01-32", ("1974-01",), "day 32 does not exist"),
        ("1968-13-30", ("1968",), "month 13 and day 30 ignored"),
        ("1968-13", ("1968",), "month 13 ignored"),
        ("07/1969", ("1969-07",), None),
        ("1969", ("1969",), None),
        ("circa 1969", ("1969",), None),
        ("ca. 1969", ("1969",), None),
        ("1968-1970", ("1968", "1969", "1970"), None),
        ("1968 to 1970", ("1968", "1969", "1970"), None),
        ("between 1970 and 1968", ("1968", "1969", "1970"), None),
        ("1900-1990", (), "a range over 20 years"),
        ("0000", (), "not plausible"),
        ("1200-05-05", (), "not plausible"),
        ("2031-05-05", (), "in the future"),
        ("2026-12-31", (), "in the future"),
        ("unknown", (), "not a date"),
        ("", (), None),
    ],
)
def test_written_dates(written: str, dates: tuple[str, ...], warning: str | None) -> None:
    found = read_birth_date(written, today=TODAY)
    assert found.dates == dates
    if warning is None:
        assert found.warning is None
    else:
        assert found.warning is not None and warning in found.warning
        assert repr(written) in found.warning  # the reader sees what was written


def test_several_values_keep_what_parses() -> None:
    warnings: list[str] = []
    dates = read_birth_dates(["1974-01-32", "1974", "nonsense"], warnings)
    assert dates == ("1974-01", "1974")
    assert len(warnings) == 2
