"""The US Treasury OFAC SDN list in its legacy ``sdn.csv`` form (no header, ``-0-`` = empty).

Columns: ``ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,
Vess_owner,Remarks``. Individuals are written ``LAST, First``; aliases (``a.k.a. '...'``), dates
of birth, nationalities, passports and gender are sentences inside ``Remarks``. The file ends
with a DOS end-of-file byte (``\\x1a``), which is not a row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO

from jisr.screening.model import Subject, SubjectKind
from jisr.screening.sources.base import (
    Rejection,
    Row,
    RowError,
    clean_document,
    clean_names,
    lenient,
    lenient_gender,
    lookup_country,
    settle,
)
from jisr.screening.sources.dates import read_birth_date
from jisr.screening.sources.stream import iter_lines

COLUMNS = 12
EMPTY = "-0-"
EOF_MARKER = "\x1a"
TYPES = {
    "individual": SubjectKind.PERSON,
    "vessel": SubjectKind.VESSEL,
    "aircraft": SubjectKind.AIRCRAFT,
    "": SubjectKind.ORGANIZATION,
}
MAX_YEAR_RANGE = 20
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_DAY_MONTH_YEAR = r"(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})"
_DOB = re.compile(rf"\bDOB (?:circa )?{_DAY_MONTH_YEAR}(?: to {_DAY_MONTH_YEAR})?")
_ALIAS = re.compile(r"\b[afn]\.k\.a\.\s+'(.+?)'(?=\s*(?:;|\.?\s*$))")
_NATIONALITY = re.compile(r"(?:^|;\s*)(?:alt\. )?(?:nationality|citizen) ([^;]+?)\.?\s*(?=;|$)")
_DOCUMENT = re.compile(r"(?:^|;\s*)(?:alt\. )?(?:Passport|National ID No\.) ([^;]+?)\.?\s*(?=;|$)")
_DOCUMENT_END = re.compile(r"\s*(?:[(,]|\bissued\b|\bexpires\b)")
_DOCUMENT_NUMBER = re.compile(r"^[\w./-]+(?: [\w./-]+){0,2}$")
_GENDER = re.compile(r"\bGender (Male|Female)\b")


def looks_like_ofac(cells: list[str]) -> bool:
    return (
        len(cells) == COLUMNS and cells[0].strip().isdigit() and _value(cells[2]).lower() in TYPES
    )


def _value(cell: str) -> str:
    text = cell.strip()
    return "" if text == EMPTY else text


def natural_order(name: str) -> str:
    """``AL ZAWAHIRI, Ayman`` -> ``Ayman AL ZAWAHIRI`` (only when there is exactly one comma)."""
    last, sep, first = name.partition(", ")
    if not sep or "," in first or not first.strip():
        return name
    return f"{first.strip()} {last.strip()}"


def _date(day: str | None, month: str | None, year: str) -> str:
    if month is None:
        return year
    number = _MONTHS.get(month)
    if number is None:
        raise RowError(f"DOB month {month!r} is not a month")
    return f"{year}-{number:02d}" + (f"-{int(day):02d}" if day else "")


def _lenient_date(text: str, warnings: list[str]) -> list[str]:
    found = read_birth_date(text)
    if found.warning:
        warnings.append(found.warning)
    return list(found.dates)


def birth_dates(remarks: str, warnings: list[str] | None = None) -> list[str]:
    """Dates of birth in the remarks; one that does not hold is ignored with a warning."""
    warnings = [] if warnings is None else warnings
    dates: list[str] = []
    for match in _DOB.finditer(remarks):
        day, month, year, day2, month2, year2 = match.groups()
        try:
            start = _date(day, month, year)
            end = _date(day2, month2, year2) if year2 is not None else None
        except RowError as exc:
            warnings.append(f"{exc}: ignored")
            continue
        if end is None:
            dates.extend(_lenient_date(start, warnings))
            continue
        first, last = int(year), int(year2)
        if not 0 <= last - first <= MAX_YEAR_RANGE:
            warnings.append(f"DOB range {match.group(0)[4:]!r} is not plausible: ignored")
            continue
        if _lenient_date(start, warnings) and _lenient_date(end, warnings):
            dates.extend(str(y) for y in range(first, last + 1))
    return list(dict.fromkeys(dates))


def documents(remarks: str, warnings: list[str] | None = None) -> list[str]:
    """Passport and national ID numbers; prose that merely mentions a passport is ignored."""
    warnings = [] if warnings is None else warnings
    numbers: list[str] = []
    for match in _DOCUMENT.finditer(remarks):
        number = _DOCUMENT_END.split(match.group(1), maxsplit=1)[0]
        number = number.removeprefix("No.").removeprefix(":").strip()
        if _DOCUMENT_NUMBER.match(number):
            numbers.extend(lenient(clean_document, [number], warnings))
    return list(dict.fromkeys(numbers))


def _subject(cells: list[str], label: str, lenient_facts: bool) -> Subject:
    if len(cells) != COLUMNS:
        raise RowError(f"expected {COLUMNS} fields, found {len(cells)}")
    ent_num, name, sdn_type = (_value(c) for c in cells[:3])
    if not ent_num.isdigit():
        raise RowError(f"ent_num {ent_num!r} is not a number")
    kind = TYPES.get(sdn_type.lower())
    if kind is None:
        raise RowError(f"unknown SDN_Type {sdn_type!r}")
    remarks = _value(cells[11])
    names = [name] + [m.group(1) for m in _ALIAS.finditer(remarks)]
    if kind is SubjectKind.PERSON:
        names = [natural_order(n) for n in names]
    nationalities = (lookup_country(m.group(1)) for m in _NATIONALITY.finditer(remarks))
    gender = _GENDER.search(remarks)
    warnings: list[str] = []
    return Subject(
        id=ent_num,
        names=clean_names(names),
        kind=kind,
        birth_dates=tuple(birth_dates(remarks, warnings)),
        nationalities=tuple(dict.fromkeys(n for n in nationalities if n)),
        gender=lenient_gender(gender.group(1), warnings) if gender else None,
        documents=tuple(documents(remarks, warnings)),
        source=label,
        warnings=settle(warnings, lenient_facts),
    )


def read_ofac(
    stream: BinaryIO, label: str, skipped: dict[str, int], lenient_facts: bool = False
) -> Iterator[Row]:
    reader = csv.reader(iter_lines(stream, label))
    end = 0
    seen: dict[str, int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            yield Rejection(label, end, f"broken CSV row ({exc})")
            continue
        start, end = end + 1, reader.line_num
        if not cells or cells == [EOF_MARKER]:
            skipped["end-of-file marker" if cells else "blank lines"] = 1 + skipped.get(
                "end-of-file marker" if cells else "blank lines", 0
            )
            continue
        try:
            subject = _subject(cells, label, lenient_facts)
            if subject.id in seen:
                raise RowError(f"duplicate ent_num {subject.id} (first on line {seen[subject.id]})")
            seen[subject.id] = start
            yield subject
        except RowError as exc:
            yield Rejection(label, start, str(exc))
