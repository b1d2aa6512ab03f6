"""The subject of an alert as FollowTheMoney entities, and its screening view.

The subject is one entity (a person, an organisation, a vehicle or a document); related
entities (the passports a person holds, a company's vehicles) travel with it. Ids are
namespaced by the owner agency with a dot (``MA-DGST.p1``), as FollowTheMoney ids allow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema

from jisr.agreements.models import DataCategory
from jisr.errors import ValidationError
from jisr.ids import AGENCY_CODE
from jisr.screening.model import Subject, SubjectKind

MAX_RELATED = 50
# The schemata a subject may have (descendants included).
SUBJECT_SCHEMATA = ("Person", "LegalEntity", "Vehicle", "Identification")
# Related entities of these schemata describe natural persons too.
_PERSONAL = ("Person", "Identification", "Family", "Associate", "BankAccount")
_LOCAL_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.-]{0,62}[0-9a-zA-Z])?$")


def _schema(raw: dict[str, Any], where: str) -> Schema:
    name = raw.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None or schema.abstract:
        raise ValidationError(
            f"{where}: unknown or abstract schema {name!r}",
            code="entity_invalid",
            field=f"{where}.schema",
        )
    return schema


def _namespace(value: object, owner: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(
            f"{where}: id must be a non-empty string", code="entity_invalid", field=f"{where}.id"
        )
    prefix = value.split(".", 1)[0]
    if prefix == owner:
        return value
    if AGENCY_CODE.match(prefix):
        raise ValidationError(
            f"{where}: id {value!r} is namespaced by another agency",
            code="entity_invalid",
            field=f"{where}.id",
        )
    if not _LOCAL_ID.match(value):
        raise ValidationError(
            f"{where}: invalid id {value!r}", code="entity_invalid", field=f"{where}.id"
        )
    return f"{owner}.{value}"


def _clean(raw: Any, ids: dict[str, str], owner: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}: not an object", code="entity_invalid", field=where)
    schema = _schema(raw, where)
    properties = raw.get("properties", {})
    if not isinstance(properties, dict):
        raise ValidationError(
            f"{where}: properties must be an object",
            code="entity_invalid",
            field=f"{where}.properties",
        )
    values: dict[str, list[str]] = {}
    for name, given in properties.items():
        prop = schema.get(name)
        if prop is None:
            raise ValidationError(
                f"{where}: {schema.name} has no property {name!r}",
                code="entity_invalid",
                field=f"{where}.{name}",
            )
        items = given if isinstance(given, list) else [given]
        if not all(isinstance(v, str) for v in items):
            raise ValidationError(
                f"{where}: values of {name!r} must be strings",
                code="entity_invalid",
                field=f"{where}.{name}",
            )
        if any(unicodedata.category(ch) in {"Cc", "Cs"} for v in items for ch in v):
            raise ValidationError(
                f"{where}: values of {name!r} contain control characters",
                code="entity_invalid",
                field=f"{where}.{name}",
            )
        if prop.type.name == "entity":
            items = [ids.get(v) or _namespace(v, owner, where) for v in items]
        values[name] = items
    try:
        proxy = model.get_proxy(
            {"id": ids[str(raw.get("id"))], "schema": schema.name, "properties": values},
            cleaned=False,
        )
    except InvalidData as exc:
        raise ValidationError(f"{where}: {exc}", code="entity_invalid", field=where) from None
    cleaned = proxy.to_dict()
    for name, items in values.items():
        if len(cleaned["properties"].get(name, [])) < len(set(items)):
            raise ValidationError(
                f"{where}: a value of {name!r} is not valid for FollowTheMoney",
                code="entity_invalid",
                field=f"{where}.{name}",
            )
    return {"id": cleaned["id"], "schema": cleaned["schema"], "properties": cleaned["properties"]}


def normalise(
    subject: Any, related: Sequence[Any], owner: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate the subject and related entities; ids namespaced by ``owner``. Values that
    FollowTheMoney cannot parse are refused, never dropped silently."""
    if len(related) > MAX_RELATED:
        raise ValidationError(f"at most {MAX_RELATED} related entities", code="entity_invalid")
    ids: dict[str, str] = {}
    for index, item in enumerate([subject, *related]):
        where = "subject" if index == 0 else f"related[{index - 1}]"
        original = item.get("id") if isinstance(item, dict) else None
        new = _namespace(original, owner, where)
        if new in ids.values():
            raise ValidationError(
                f"{where}: duplicate id {original!r}", code="entity_invalid", field=f"{where}.id"
            )
        ids[str(original)] = new
    clean_subject = _clean(subject, ids, owner, "subject")
    schema = model.get(clean_subject["schema"])
    if schema is None or not any(schema.is_a(name) for name in SUBJECT_SCHEMATA):
        raise ValidationError(
            "subject must be a Person, an organisation, a vehicle or a document",
            code="entity_invalid",
            field="subject.schema",
        )
    return clean_subject, [
        _clean(item, ids, owner, f"related[{i}]") for i, item in enumerate(related)
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
