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
    clean_document,
    clean_names,
    lenient,
    lenient_gender,
    lookup_country,
    settle,
)
from jisr.screening.sources.dates import read_birth_dates

ROOT = "CONSOLIDATED_LIST"
_RECORDS = {"INDIVIDUAL": SubjectKind.PERSON, "ENTITY": SubjectKind.ORGANIZATION}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _birth_dates(record: Element, warnings: list[str]) -> list[str]:
    dates: list[str] = []
    for dob in record.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob.find("TYPE_OF_DATE")).upper()
        exact = _text(dob.find("DATE"))[:10]
        year = _text(dob.find("YEAR"))
        start, end = _text(dob.find("FROM_YEAR")), _text(dob.find("TO_YEAR"))
        if kind == "BETWEEN" and start and end:
            dates.extend(read_birth_dates([f"{start} to {end}"], warnings))
        elif exact:
            dates.extend(read_birth_dates([exact], warnings))
        elif year:
            dates.extend(read_birth_dates([year], warnings))
    return list(dict.fromkeys(dates))


def _subject(record: Element, kind: SubjectKind, label: str, lenient_facts: bool) -> Subject:
    reference = _text(record.find("REFERENCE_NUMBER"))
    if not reference:
        raise RowError(f"{record.tag} without REFERENCE_NUMBER")
    try:
        return _facts(record, reference, kind, label, lenient_facts)
    except RowError as exc:
        raise RowError(f"{reference}: {exc}") from None


def _facts(
    record: Element, reference: str, kind: SubjectKind, label: str, lenient_facts: bool
) -> Subject:
    full = " ".join(p for p in (_text(record.find(t)) for t in _NAME_PARTS) if p)
    names = [full, _text(record.find("NAME_ORIGINAL_SCRIPT"))]
    names.extend(_text(alias) for alias in record.iter("ALIAS_NAME"))
    cleaned = clean_names([n for n in names if n] or [""])
    nationalities = (lookup_country(_text(v)) for v in record.iterfind("NATIONALITY/VALUE"))
    warnings: list[str] = []
    numbers = [_text(doc.find("NUMBER")) for doc in record.iter("INDIVIDUAL_DOCUMENT")]
    documents = lenient(clean_document, [n for n in numbers if n], warnings)
    return Subject(
        id=reference,
        names=cleaned,
        kind=kind,
        birth_dates=tuple(_birth_dates(record, warnings)),
        nationalities=tuple(dict.fromkeys(n for n in nationalities if n)),
        gender=lenient_gender(_text(record.find("GENDER")), warnings),
        documents=documents,
        source=label,
        warnings=settle(warnings, lenient_facts),
    )


def read_unsc(stream: BinaryIO, label: str, lenient_facts: bool = False) -> Iterator[Row]:
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
                subject = _subject(element, kind, label, lenient_facts)
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
