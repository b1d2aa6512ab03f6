"""The subject of an alert as FollowTheMoney entities, and its screening view.

The subject is one entity (a person, an organisation, a vehicle or a document); related
entities (the passports a person holds, a company's vehicles) travel with it. Ids are
namespaced by the owner agency with a dot (``MA-DGST.p1``), as FollowTheMoney ids allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from followthemoney import model

from jisr.agreements.models import DataCategory
from jisr.entities import clean_entity, namespace_ids
from jisr.errors import ValidationError
from jisr.screening.model import Subject, SubjectKind

MAX_RELATED = 50
# The schemata a subject may have (descendants included).
SUBJECT_SCHEMATA = ("Person", "LegalEntity", "Vehicle", "Identification")
# Related entities of these schemata describe natural persons too.
_PERSONAL = ("Person", "Identification", "Family", "Associate", "BankAccount")


def normalise(
    subject: Any, related: Sequence[Any], owner: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate the subject and related entities; ids namespaced by ``owner``. Values that
    FollowTheMoney cannot parse are refused with their field path (`jisr.entities`), never
    dropped silently."""
    if len(related) > MAX_RELATED:
        raise ValidationError(
            f"at most {MAX_RELATED} related entities", code="entity_invalid", field="related"
        )
    wheres = ["subject", *(f"related[{index}]" for index in range(len(related)))]
    ids = namespace_ids(list(zip(wheres, [subject, *related], strict=True)), owner)
    clean_subject = clean_entity(subject, ids, owner, "subject")
    schema = model.get(clean_subject["schema"])
    if schema is None or not any(schema.is_a(name) for name in SUBJECT_SCHEMATA):
        raise ValidationError(
            "subject must be a Person, an organisation, a vehicle or a document",
            code="entity_invalid",
            field="subject.schema",
        )
    return clean_subject, [
        clean_entity(item, ids, owner, where)
        for where, item in zip(wheres[1:], related, strict=True)
    ]


def is_a(entity: dict[str, Any], name: str) -> bool:
    schema = model.get(str(entity.get("schema")))
    return schema is not None and schema.is_a(name)


def data_category(subject: dict[str, Any], related: Iterable[dict[str, Any]]) -> DataCategory:
    """``personal`` when any entity describes a natural person, else ``operational``."""
    for entity in [subject, *related]:
        if any(is_a(entity, name) for name in _PERSONAL):
            return DataCategory.PERSONAL
    return DataCategory.OPERATIONAL


def values(entity: dict[str, Any], *names: str) -> list[str]:
    props: dict[str, list[str]] = entity.get("properties", {})
    found: list[str] = []
    for name in names:
        for value in props.get(name, []):
            if value not in found:
                found.append(value)
    return found


def names_of(entity: dict[str, Any]) -> list[str]:
    """Every name of the entity, in every script, the primary name first."""
    found = values(entity, "name", "alias", "weakAlias", "previousName")
    first, last = values(entity, "firstName"), values(entity, "lastName")
    if first and last:
        full = f"{first[0]} {last[0]}"
        if full not in found:
            found.append(full)
    return found


def documents_of(subject: dict[str, Any], related: Iterable[dict[str, Any]]) -> list[str]:
    """Document numbers on the subject and on documents it holds."""
    found = values(subject, "passportNumber", "idNumber", "registrationNumber", "number")
    for entity in related:
        if is_a(entity, "Identification") and subject["id"] in values(entity, "holder"):
            found.extend(n for n in values(entity, "number") if n not in found)
    return found


_KINDS = (
    ("Person", SubjectKind.PERSON),
    ("Airplane", SubjectKind.AIRCRAFT),
    ("Vessel", SubjectKind.VESSEL),
    ("Organization", SubjectKind.ORGANIZATION),
    ("LegalEntity", SubjectKind.OTHER),
)


def to_subject(
    notice_id: str, subject: dict[str, Any], related: Iterable[dict[str, Any]], source: str
) -> Subject | None:
    """The screening view of a subject; None for subjects screening cannot match (documents,
    cars) or without any name."""
    kind = next((k for name, k in _KINDS if is_a(subject, name)), None)
    names = names_of(subject)
    if kind is None or not names:
        return None
    gender = next(iter(values(subject, "gender")), None)
    return Subject(
        id=notice_id,
        names=tuple(names),
        kind=kind,
        birth_dates=tuple(values(subject, "birthDate")),
        nationalities=tuple(v.lower() for v in values(subject, "nationality", "citizenship")),
        gender=gender if gender in {"male", "female"} else None,
        documents=tuple(documents_of(subject, related)),
        source=source,
    )
