"""Birth dates as people really write them, read leniently: what parses is kept, the rest is
reported.

A border cannot drop a traveller because a clerk typed ``16/07/1969``, ``1969-7-16`` or
``1974-01-32``. ``read_birth_date`` returns the ISO 8601 (possibly partial) dates it can stand
behind and, when it had to give up part of the value, a warning saying what was ignored and why:

* ISO with one-digit parts (``1969-7-16``), slashes or dots, day first (``16/07/1969``,
  ``16.07.1969``) or year first (``1969/07/16``); month first when the day is above 12
  (``07/16/1969``);
* a year, a year and month, ``circa``/``ca.``/``~`` years, ranges (``1968-1970``, ``1968 to
  1970``, ``between 1968 and 1970``), which become every year of the range;
* a day that does not exist in its month (``1974-01-32``) keeps year and month; a month above
  12 with a day that could be a month (``1969-16-07``) is read as day and month swapped; an
  impossible month and day keeps the year (``1968-13-30`` -> ``1968``);
* a year before 1850, or in the future, is ignored (the field, not the person).

``dateparser``-style libraries guess silently; here every guess is said in the warning, since a
reader must see why a date was read as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

MIN_BIRTH_YEAR = 1850
# A range of years wider than this is not a birth date worth matching on.
MAX_YEAR_RANGE = 20

_SEP = r"[-/.\s]"
_YMD = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}}))?$")
_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}})$")
_MY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{4}})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR = re.compile(r"^(?:circa|ca\.?|c\.|about|approx\.?|vers|~)?\s*(\d{4})$", re.IGNORECASE)
_RANGE = re.compile(
    r"^(?:between\s+|from\s+|entre\s+)?(\d{4})\s*(?:-|–|/|to|and|à|a|et|\.\.)\s*(\d{4})$",
    re.IGNORECASE,
)
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True, slots=True)
class BirthDate:
    """What a written birth date gave: ISO dates (maybe none) and, if any, why not all of it."""

    dates: tuple[str, ...]
    warning: str | None = None


def _today() -> date:
    return datetime.now(UTC).date()


def _valid_year(year: int, today: date) -> bool:
    return MIN_BIRTH_YEAR <= year <= today.year


def _bad_year(value: str, year: int, today: date) -> BirthDate:
    why = "it is in the future" if year > today.year else f"year {year} is not plausible"
    return BirthDate((), f"birth date {value!r} ignored: {why}")


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _ymd(value: str, year: int, month: int, day: int | None, today: date) -> BirthDate:
    """Year, month and maybe day as written, possibly wrong; keep the most that holds."""
    if not _valid_year(year, today):
        return _bad_year(value, year, today)
    if day is None:
        if 1 <= month <= 12:
            return _not_future(value, f"{year}-{month:02d}", date(year, month, 1), today)
        return BirthDate((str(year),), f"birth date {value!r}: month {month} ignored")
    if 1 <= month <= 12 and _exists(year, month, day):
        return _not_future(value, f"{year}-{month:02d}-{day:02d}", date(year, month, day), today)
    if 1 <= day <= 12 and _exists(year, day, month):
        iso = f"{year}-{day:02d}-{month:02d}"
        found = _not_future(value, iso, date(year, day, month), today)
        if found.warning is None:
            note = f"birth date {value!r} read as {iso} (day and month swapped)"
            return BirthDate(found.dates, note)
        return found
    if 1 <= month <= 12:
        return BirthDate(
            (f"{year}-{month:02d}",),
            f"birth date {value!r}: day {day} does not exist in that month, ignored",
        )
    return BirthDate((str(year),), f"birth date {value!r}: month {month} and day {day} ignored")


def _not_future(value: str, iso: str, first: date, today: date) -> BirthDate:
    if first > today:
        return BirthDate((), f"birth date {value!r} ignored: it is in the future")
    return BirthDate((iso,))


def read_birth_date(value: str, today: date | None = None) -> BirthDate:
    """The dates ``value`` stands for, and a warning when part (or all) of it was ignored."""
    text = value.strip()
    today = today or _today()
    if not text:
        return BirthDate(())
    if timed := _ISO_TIME.match(text):
        text = timed.group(1)
    if match := _YEAR.match(text):
        year = int(match.group(1))
        if not _valid_year(year, today):
            return _bad_year(value, year, today)
        return BirthDate((str(year),))
    if match := _RANGE.match(text):
        first, last = sorted((int(match.group(1)), int(match.group(2))))
        if not (_valid_year(first, today) and _valid_year(last, today)):
            return BirthDate((), f"birth date {value!r} ignored: years are not plausible")
        if last - first > MAX_YEAR_RANGE:
            note = f"birth date {value!r} ignored: a range over {MAX_YEAR_RANGE} years"
            return BirthDate((), note)
        return BirthDate(tuple(str(y) for y in range(first, last + 1)))
    if match := _YMD.match(text) or _COMPACT.match(text):
        y, m, d = match.groups()
        return _ymd(value, int(y), int(m), int(d) if d else None, today)
    if match := _DMY.match(text):
        first_, second, year = (int(g) for g in match.groups())
        if first_ <= 12 < second:
            # 07/16/1969: month first (US style), said in the warning.
            found = _ymd(value, year, first_, second, today)
            note = f"birth date {value!r} read as month/day/year"
            return BirthDate(found.dates, found.warning or note)
        return _ymd(value, year, second, first_, today)
    if match := _MY.match(text):
        month, year = int(match.group(1)), int(match.group(2))
        return _ymd(value, year, month, None, today)
    return BirthDate((), f"birth date {value!r} ignored: not a date")


def read_birth_dates(values: list[str], warnings: list[str]) -> tuple[str, ...]:
    """Every date the values give, in order, without repeats; warnings appended."""
    dates: list[str] = []
    for value in values:
        found = read_birth_date(value)
        dates.extend(found.dates)
        if found.warning:
            warnings.append(found.warning)
    return tuple(dict.fromkeys(dates))
