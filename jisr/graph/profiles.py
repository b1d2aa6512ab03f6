"""An entity reduced for comparison: names, dates, nationality and normalised identifiers.

A ``Profile`` is built from an entity's FollowTheMoney properties (one entity or all of its
statements) and is plain data, so the same profile feeds the incremental linker (stored as JSON
on the entity) and the batch engines (DuckDB, Spark workers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from followthemoney import model

# Identifier kinds. An identifying kind agreeing makes two entities of one family the same
# (a passport number, an IBAN, a plate, an e-mail address); a phone only supports a name match,
# since families and colleagues share phones.
IDENTIFYING = ("doc", "iban", "email")
SUPPORTING = ("phone",)
_ALNUM = re.compile(r"[^0-9A-Z]")
# Properties of type identifier that say nothing about identity (codes of lists, programmes).
_IGNORED_IDS = frozenset({"programId", "wikidataId", "okvedCode", "bikCode", "swiftBic", "bic"})
# Which schemata may be compared with which: the family is the common comparable ancestor.
_FAMILIES = (
    "Person",
    "Vessel",
    "Vehicle",
    "Airplane",
    "BankAccount",
    "Identification",
    "Organization",
    "LegalEntity",
)
_NAMED = frozenset({"Person", "Vessel", "Vehicle", "Airplane", "Organization", "LegalEntity"})


def family_of(schema_name: str) -> str:
    schema = model.get(schema_name)
    if schema is None:
        return schema_name
    for family in _FAMILIES:
        if schema.is_a(family):
            return "Organization" if family == "LegalEntity" else family
    return schema.name


def normalise_phone(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", value)
        return f"+{digits}" if len(digits) >= 8 else None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_identifier(value: str) -> str | None:
    cleaned = _ALNUM.sub("", value.upper())
    return cleaned if len(cleaned) >= 4 else None


def normalise_email(value: str) -> str | None:
    cleaned = value.strip().lower()
    return cleaned if "@" in cleaned else None


def normalise(kind: str, value: str) -> str | None:
    if kind == "phone":
        return normalise_phone(value)
    if kind == "email":
        return normalise_email(value)
    return normalise_identifier(value)


def identifier_kind(schema_name: str, prop_name: str) -> str | None:
    """The identifier kind of a property, or None when it is not an identifier."""
    schema = model.get(schema_name)
    prop = schema.get(prop_name) if schema is not None else None
    if prop is None or prop.name in _IGNORED_IDS:
        return None
    type_name = prop.type.name
    if type_name == "phone":
        return "phone"
    if type_name == "email":
        return "email"
    if type_name == "iban" or prop.name in ("iban", "accountNumber"):
        return "iban"
    if type_name == "identifier":
        return "doc"
    return None


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    schema: str
    family: str
    names: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    gender: str | None = None
    # kind -> normalised values, sorted.
    identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return self.family in _NAMED and bool(self.names)

    def values(self, kind: str) -> tuple[str, ...]:
        return self.identifiers.get(kind, ())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "names": list(self.names),
            "birth_dates": list(self.birth_dates),
            "nationalities": list(self.nationalities),
            "gender": self.gender,
            "identifiers": {k: list(v) for k, v in self.identifiers.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        schema = str(data["schema"])
        return cls(
            id=str(data["id"]),
            schema=schema,
            family=family_of(schema),
            names=tuple(data.get("names") or ()),
            birth_dates=tuple(data.get("birth_dates") or ()),
            nationalities=tuple(data.get("nationalities") or ()),
            gender=data.get("gender"),
            identifiers={k: tuple(v) for k, v in (data.get("identifiers") or {}).items()},
        )


_NAME_PROPS = ("name", "alias", "previousName", "weakAlias")


def profile_of(
    entity_id: str, schema_name: str, properties: Mapping[str, Iterable[str]]
) -> Profile:
    """The profile of an entity from its property values (as FollowTheMoney states them)."""
    names: dict[str, None] = {}
    for prop in _NAME_PROPS:
        for value in properties.get(prop, ()):
            names.setdefault(value.strip(), None)
    if schema_name == "Person" and not names:
        first = " ".join(properties.get("firstName", ()))
        last = " ".join(properties.get("lastName", ()))
        if (first + last).strip():
            names[f"{first} {last}".strip()] = None
    identifiers: dict[str, set[str]] = {}
    for prop, values in properties.items():
        kind = identifier_kind(schema_name, prop)
        if kind is None:
            continue
        for value in values:
            normal = normalise(kind, value)
            if normal:
                identifiers.setdefault(kind, set()).add(normal)
    genders = sorted(set(properties.get("gender", ())))
    return Profile(
        id=entity_id,
        schema=schema_name,
        family=family_of(schema_name),
        names=tuple(n for n in names if n),
        birth_dates=tuple(sorted(set(properties.get("birthDate", ())))),
        nationalities=tuple(sorted({v.lower() for v in properties.get("nationality", ())})),
        gender=genders[0] if len(genders) == 1 else None,
        identifiers={k: tuple(sorted(v)) for k, v in sorted(identifiers.items())},
    )


def profile_of_entity(data: Mapping[str, Any]) -> Profile:
    """The profile of one FollowTheMoney entity in its JSON form."""
    properties = data.get("properties") or {}
    return profile_of(
        str(data["id"]),
        str(data["schema"]),
        {k: [str(v) for v in vs] for k, vs in properties.items() if isinstance(vs, list)},
    )
