"""The UN Security Council consolidated sanctions list, in its published XML format.

``<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>...</INDIVIDUALS><ENTITIES><ENTITY>...``; the
subject id is ``REFERENCE_NUMBER`` (``QDi.001``). The file is parsed as a stream (``XMLPullParser``,
the incremental form of ``iterparse``) fed one line at a time so that rejections name a line.
A document type or entity declaration is refused outright: the published list has none, and
they are how XML bombs and external-entity attacks work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from jisr.screening.model import Subject, SubjectKind
from jisr.screening.sources.base import (
    Rejection,
    Row,
    RowError,
    SourceError,
    SourceFormatError,
    check_birth_date,
    clean_document,
    clean_gender,
    clean_names,
    lookup_country,
)

ROOT = "CONSOLIDATED_LIST"
_RECORDS = {"INDIVIDUAL": SubjectKind.PERSON, "ENTITY": SubjectKind.ORGANIZATION}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# A range of years wider than this is not a birth date worth matching on.
MAX_YEAR_RANGE = 20


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _birth_dates(record: Element) -> list[str]:
    dates: list[str] = []
    for dob in record.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob.find("TYPE_OF_DATE")).upper()
        exact = _text(dob.find("DATE"))[:10]
        year = _text(dob.find("YEAR"))
        start, end = _text(dob.find("FROM_YEAR")), _text(dob.find("TO_YEAR"))
        if kind == "BETWEEN" and start and end:
            if not (start.isdigit() and end.isdigit()):
                raise RowError(f"birth years {start!r} to {end!r} are not years")
            first, last = int(start), int(end)
            if not 0 <= last - first <= MAX_YEAR_RANGE:
                raise RowError(f"birth years {start} to {end} are not a plausible range")
            dates.extend(check_birth_date(str(y)) for y in range(first, last + 1))
        elif exact:
            dates.append(check_birth_date(exact))
        elif year:
            dates.append(check_birth_date(year))
    return list(dict.fromkeys(dates))


def _subject(record: Element, kind: SubjectKind, label: str) -> Subject:
    reference = _text(record.find("REFERENCE_NUMBER"))
    if not reference:
        raise RowError(f"{record.tag} without REFERENCE_NUMBER")
    try:
        return _facts(record, reference, kind, label)
    except RowError as exc:
        raise RowError(f"{reference}: {exc}") from None


def _facts(record: Element, reference: str, kind: SubjectKind, label: str) -> Subject:
    full = " ".join(p for p in (_text(record.find(t)) for t in _NAME_PARTS) if p)
    names = [full, _text(record.find("NAME_ORIGINAL_SCRIPT"))]
    names.extend(_text(alias) for alias in record.iter("ALIAS_NAME"))
    cleaned = clean_names([n for n in names if n] or [""])
    nationalities = (lookup_country(_text(v)) for v in record.iterfind("NATIONALITY/VALUE"))
    documents = [
        clean_document(_text(doc.find("NUMBER")))
        for doc in record.iter("INDIVIDUAL_DOCUMENT")
        if _text(doc.find("NUMBER"))
    ]
    return Subject(
        id=reference,
        names=cleaned,
        kind=kind,
        birth_dates=tuple(_birth_dates(record)),
        nationalities=tuple(dict.fromkeys(n for n in nationalities if n)),
        gender=clean_gender(_text(record.find("GENDER"))),
        documents=tuple(dict.fromkeys(documents)),
        source=label,
    )


def read_unsc(stream: BinaryIO, label: str) -> Iterator[Row]:
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    starts: dict[int, int] = {}
    seen: dict[str, int] = {}
    root_checked = False
    for number, raw in enumerate(stream, start=1):
        if _DECLARATIONS.search(raw):
            raise SourceError(f"{label}:{number}: XML DOCTYPE/ENTITY declarations are refused")
        try:
            parser.feed(raw)
            events = list(parser.read_events())
        except ParseError as exc:
            raise SourceError(f"{label}:{number}: malformed XML ({exc})") from None
        for item in events:
            if len(item) != 2 or not isinstance(item[1], Element):
                continue
            event, element = item[0], item[1]
            if not root_checked:
                if element.tag != ROOT:
                    raise SourceFormatError(
                        f"{label}: XML root is <{element.tag}>, not a UN consolidated list"
                    )
                root_checked = True
            kind = _RECORDS.get(element.tag)
            if kind is None:
                continue
            if event == "start":
                starts[id(element)] = number
                continue
            line = starts.pop(id(element), number)
            try:
                subject = _subject(element, kind, label)
                if subject.id in seen:
                    raise RowError(f"duplicate {subject.id} (first on line {seen[subject.id]})")
                seen[subject.id] = line
                yield subject
            except RowError as exc:
                yield Rejection(label, line, str(exc))
            element.clear()
    try:
        parser.close()
    except ParseError as exc:
        raise SourceError(f"{label}: truncated XML ({exc})") from None
