"""JSON Lines of FollowTheMoney entities (the OpenSanctions / Aleph exchange format).

Persons, organisations, companies, legal entities, vessels and aircraft become subjects;
``Passport``/``Identification`` entities add their number to their holder. Entities of other
schemas (sanctions, addresses, ownerships...) are counted as skipped. Lines with the same ``id``
are fragments of one entity and are merged. Because a document may come before or after its
holder, subjects are yielded once the whole file has been read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, BinaryIO

from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from jisr import jsonlimits
from jisr.screening.model import Subject, SubjectKind
from jisr.screening.sources.base import (
    Rejection,
    Row,
    RowError,
    clean_document,
    clean_names,
    lenient,
    settle,
)
from jisr.screening.sources.dates import read_birth_dates
from jisr.screening.sources.stream import iter_lines

_KINDS = (
    ("Person", SubjectKind.PERSON),
    ("Vessel", SubjectKind.VESSEL),
    ("Airplane", SubjectKind.AIRCRAFT),
    ("Organization", SubjectKind.ORGANIZATION),
    ("LegalEntity", SubjectKind.OTHER),
)
_ALIAS_PROPS = ("alias", "weakAlias", "previousName")
_DOCUMENT_PROPS = ("passportNumber", "idNumber")


def _kind(proxy: EntityProxy) -> SubjectKind | None:
    for schema, kind in _KINDS:
        if proxy.schema.is_a(schema):
            return kind
    return None


def _raw_values(data: dict[str, Any], prop: str) -> list[str]:
    properties = data.get("properties")
    if not isinstance(properties, dict):
        return []
    values = properties.get(prop, [])
    if isinstance(values, str):
        return [values]
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _values(proxy: EntityProxy, prop: str) -> list[str]:
    if prop not in proxy.schema.properties:
        return []
    return [str(v) for v in proxy.get(prop, quiet=True)]


def _names(proxy: EntityProxy) -> list[str]:
    names = _values(proxy, "name")
    firsts = _values(proxy, "firstName") or [""]
    lasts = _values(proxy, "lastName") or [""]
    middles = _values(proxy, "middleName") + _values(proxy, "secondName")
    fathers = _values(proxy, "fatherName")
    for first in firsts:
        for last in lasts:
            parts = [first, *middles, *fathers, last]
            full = " ".join(p for p in parts if p)
            short = " ".join(p for p in (first, last) if p)
            names.extend(n for n in (full, short) if n)
    for prop in _ALIAS_PROPS:
        names.extend(_values(proxy, prop))
    return names


def _subject(
    proxy: EntityProxy, data: dict[str, Any], kind: SubjectKind, label: str, lenient_facts: bool
) -> Subject:
    if not proxy.id:
        raise RowError("entity without an id")
    # FtM silently drops values it cannot clean; an impossible date is reported instead (and
    # the entity kept, screened on the rest).
    warnings: list[str] = []
    births = read_birth_dates(_raw_values(data, "birthDate"), warnings)
    nationalities = _values(proxy, "nationality") + _values(proxy, "citizenship")
    gender = next((g for g in _values(proxy, "gender") if g in ("male", "female")), None)
    documents: list[str] = []
    for prop in _DOCUMENT_PROPS:
        documents.extend(lenient(clean_document, _values(proxy, prop), warnings))
    return Subject(
        id=proxy.id,
        names=clean_names(_names(proxy)),
        kind=kind,
        birth_dates=births,
        nationalities=tuple(dict.fromkeys(n.lower() for n in nationalities)),
        gender=gender,
        documents=tuple(dict.fromkeys(documents)),
        source=label,
        warnings=settle(warnings, lenient_facts),
    )


def _merge(old: Subject, new: Subject) -> Subject:
    def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a + b))

    return replace(
        old,
        names=union(old.names, new.names),
        birth_dates=union(old.birth_dates, new.birth_dates),
        nationalities=union(old.nationalities, new.nationalities),
        gender=old.gender or new.gender,
        documents=union(old.documents, new.documents),
        warnings=union(old.warnings, new.warnings),
    )


def _parse(line: str) -> tuple[dict[str, Any], EntityProxy]:
    try:
        data = jsonlimits.loads(line, max_bytes=jsonlimits.LINE_MAX_BYTES)
    except json.JSONDecodeError as exc:
        raise RowError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except jsonlimits.JsonLimitError as exc:  # too deep or too long: a rejected row, no crash
        raise RowError(f"{exc.detail} [{exc.code}]") from None
    if not isinstance(data, dict):
        raise RowError("not a JSON object")
    try:
        return data, model.get_proxy(data, cleaned=False)
    except InvalidData as exc:
        raise RowError(f"not a FollowTheMoney entity ({exc})") from None


def _count(skipped: dict[str, int], reason: str) -> None:
    skipped[reason] = skipped.get(reason, 0) + 1


def read_ftm(
    stream: BinaryIO, label: str, skipped: dict[str, int], lenient_facts: bool = False
) -> Iterator[Row]:
    subjects: dict[str, Subject] = {}
    documents: dict[str, list[str]] = {}
    holders: list[tuple[int, str, str]] = []
    for number, line in enumerate(iter_lines(stream, label), start=1):
        if not line.strip():
            continue
        try:
            data, proxy = _parse(line)
            if proxy.schema.is_a("Identification"):
                numbers = _values(proxy, "number") + _values(proxy, "passportNumber")
                # ``person`` is how older exports linked a document to its holder.
                owners = _values(proxy, "holder") + _raw_values(data, "person")
                if not owners:
                    raise RowError(f"{proxy.schema.name} {proxy.id} has no holder")
                for owner in owners:
                    documents.setdefault(owner, []).extend(clean_document(n) for n in numbers)
                    holders.append((number, owner, proxy.schema.name))
                continue
            kind = _kind(proxy)
            if kind is None:
                _count(skipped, f"{proxy.schema.name} entities (not screened)")
                continue
            subject = _subject(proxy, data, kind, label, lenient_facts)
        except RowError as exc:
            yield Rejection(label, number, str(exc))
            continue
        old = subjects.get(subject.id)
        if old is not None:
            _count(skipped, "entity fragments merged with an earlier line")
        subjects[subject.id] = subject if old is None else _merge(old, subject)
    for number, owner, schema in holders:
        if owner in subjects:
            _count(skipped, f"{schema} entities added to their holder")
        else:
            yield Rejection(label, number, f"{schema} holder {owner!r} is not in the file")
    for subject_id, subject in subjects.items():
        extra = tuple(documents.get(subject_id, ()))
        if extra:
            subject = replace(subject, documents=tuple(dict.fromkeys(subject.documents + extra)))
        yield subject
