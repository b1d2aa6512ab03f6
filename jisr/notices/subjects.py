"""The subject of an alert as FollowTheMoney entities, and its screening view.

The subject is one entity (a person, an organisation, a vehicle or a document); related
entities (the passports a person holds, a company's vehicles) travel with it. Ids are
namespaced by the owner agency with a dot (``MA-DGST.p1``), as FollowTheMoney ids allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from followthemoney import model
from rigour.territories import get_territory

from jisr.agreements.models import DataCategory
from jisr.clock import utcnow
from jisr.entities import clean_entity, namespace_ids
from jisr.errors import ValidationError
from jisr.screening.model import Subject, SubjectKind

MAX_RELATED = 50
# The schemata a subject may have (descendants included).
SUBJECT_SCHEMATA = ("Person", "LegalEntity", "Vehicle", "Identification")
# Related entities of these schemata describe natural persons too.
_PERSONAL = ("Person", "Identification", "Family", "Associate", "BankAccount")


# Properties of a person that name a state: each must be a country (historical ones included),
# never a region or FollowTheMoney's "zz" (global), "eu" or "un".
_STATE_PROPERTIES = ("nationality", "citizenship")


def check_facts(entity: dict[str, Any], where: str) -> None:
    """Refuse what cannot be true of a person: a birth date after today, a nationality that is
    not a country. FollowTheMoney accepts both (a date is a date, ``zz`` is its "global")."""
    if not is_a(entity, "Person"):
        return
    today = utcnow().date().isoformat()
    for value in values(entity, "birthDate"):
        # A partial date (1984, 1984-05) is in the future when its known part is.
        if value > today[: len(value)]:
            raise ValidationError(
                f"{where}.birthDate: {value} is in the future",
                code="birth_date_in_future",
                field=f"{where}.birthDate",
            )
    for name in _STATE_PROPERTIES:
        for value in values(entity, name):
            territory = get_territory(value)
            if territory is None or not territory.is_country:
                raise ValidationError(
                    f"{where}.{name}: {value.upper()} is not a country",
                    code="nationality_invalid",
                    field=f"{where}.{name}",
                )


def normalise(
    subject: Any, related: Sequence[Any], owner: str, *, facts: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate the subject and related entities; ids namespaced by ``owner``. Values that
    FollowTheMoney cannot parse are refused with their field path (`jisr.entities`), never
    dropped silently; with ``facts``, so is what cannot be true of a person (`check_facts`).
    A partner's copy is stored as its owner wrote it (``facts=False``): its owner answers
    for it."""
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
    clean_related = [
        clean_entity(item, ids, owner, where)
        for where, item in zip(wheres[1:], related, strict=True)
    ]
    if facts:
        for where, entity in zip(wheres, [clean_subject, *clean_related], strict=True):
            check_facts(entity, where)
    return clean_subject, clean_related


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
