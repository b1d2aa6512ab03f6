"""CSV with a header: ``id``, ``name`` (or ``first_name``/``last_name``) and optional facts.

Optional columns: ``birth_date``, ``nationality``, ``gender``, ``document_number``, ``aliases``,
``mononym`` (``true`` when the list says the name is the person's whole name). A fact that does
not parse (``1974-01-32``, ``Atlantis``) is ignored with a warning kept on the subject: the row
is still read, since a traveller must never go unscreened.
Several values in one cell are separated by ``;`` (or ``|`` when ``;`` is the delimiter, as in
French spreadsheet exports). Unknown columns are ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from jisr.screening.model import Subject
from jisr.screening.sources.base import (
    Rejection,
    Row,
    RowError,
    SourceError,
    clean_country,
    clean_document,
    clean_names,
    lenient,
    lenient_gender,
    settle,
    split_values,
)
from jisr.screening.sources.dates import read_birth_dates
from jisr.screening.sources.stream import iter_lines

_ALIASES = {
    "identifier": "id",
    "full_name": "name",
    "given_name": "first_name",
    "firstname": "first_name",
    "family_name": "last_name",
    "surname": "last_name",
    "lastname": "last_name",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "birthdate": "birth_date",
    "sex": "gender",
    "passport": "document_number",
    "passport_number": "document_number",
    "alias": "aliases",
}


def normalise_header(cell: str) -> str:
    key = cell.strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


def looks_like_subject_csv(first_line: str) -> bool:
    delimiter = sniff_delimiter(first_line)
    header = {normalise_header(c) for c in next(csv.reader([first_line], delimiter=delimiter))}
    return "id" in header and ("name" in header or "last_name" in header)


def sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_csv(stream: BinaryIO, label: str, lenient_facts: bool = False) -> Iterator[Row]:
    lines = iter_lines(stream, label)
    first = next(lines, "")
    delimiter = sniff_delimiter(first)
    header = [normalise_header(c) for c in next(csv.reader([first], delimiter=delimiter), [])]
    if "id" not in header or not ({"name", "last_name", "first_name"} & set(header)):
        raise SourceError(
            f"{label}:1: CSV header needs 'id' and 'name' (or 'first_name'/'last_name'), "
            f"found {', '.join(header) or 'nothing'}"
        )
    multi = "|" if delimiter == ";" else ";|"
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    seen: dict[str, int] = {}
    previous_end = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num + 1
            previous_end = line
            yield Rejection(label, line, f"broken CSV row ({exc})")
            continue
        start, previous_end = previous_end + 1, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue  # a blank line is not a row
        try:
            yield _subject(cells, header, label, (start, previous_end), multi, seen, lenient_facts)
        except RowError as exc:
            yield Rejection(label, start, str(exc))


def _is_mononym(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "y", "oui", "x"}


def _split(value: str, separators: str) -> list[str]:
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return split_values(value, separators[0])


def _subject(
    cells: list[str],
    header: list[str],
    label: str,
    lines: tuple[int, int],
    multi: str,
    seen: dict[str, int],
    lenient_facts: bool,
) -> Subject:
    start, end = lines
    if end > start:
        raise RowError(f"row spans lines {start}-{end}: an unbalanced quote swallowed lines")
    if len(cells) != len(header):
        raise RowError(f"expected {len(header)} fields, found {len(cells)}")
    row = dict(zip(header, cells, strict=True))
    subject_id = row.get("id", "").strip()
    if not subject_id:
        raise RowError("empty id")
    if subject_id in seen:
        raise RowError(f"duplicate id {subject_id!r} (first on line {seen[subject_id]})")
    candidates: list[str] = []
    if row.get("name", "").strip():
        candidates.append(row["name"])
    split_name = f"{row.get('first_name', '')} {row.get('last_name', '')}".strip()
    if split_name:
        candidates.append(split_name)
    if not candidates:
        raise RowError("empty name")
    candidates.extend(_split(row.get("aliases", ""), multi))
    # Facts that do not parse are ignored with a warning; only the name decides whether a row
    # can be screened at all.
    warnings: list[str] = []
    names = clean_names(candidates)
    births = read_birth_dates(_split(row.get("birth_date", ""), multi), warnings)
    nationalities = lenient(clean_country, _split(row.get("nationality", ""), multi), warnings)
    gender = lenient_gender(row.get("gender"), warnings)
    documents = lenient(clean_document, _split(row.get("document_number", ""), multi), warnings)
    subject = Subject(
        id=subject_id,
        names=names,
        birth_dates=births,
        nationalities=nationalities,
        gender=gender,
        documents=documents,
        source=label,
        warnings=settle(warnings, lenient_facts),
        mononym=_is_mononym(row.get("mononym", "")),
    )
    seen[subject_id] = start
    return subject
