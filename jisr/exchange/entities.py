"""Structured entities attached to a message, validated as FollowTheMoney entities.

Ids are namespaced by the owner agency (``MA-DGST.p1``) so entities from different partners
never collide, and references between entities of one message are rewritten to match. The
separator is a dot, not the colon of other Jisr ids, because FollowTheMoney entity ids (and so
references between entities) only allow letters, digits, dots and dashes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema

from jisr.errors import ValidationError
from jisr.ids import AGENCY_CODE

MAX_ENTITIES = 500
_LOCAL_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.-]{0,62}[0-9a-zA-Z])?$")
# Entities of these schemata (or their descendants) describe natural persons.
PERSONAL_SCHEMATA = ("Person", "Identification", "BankAccount", "Family", "Associate")


def _schema(raw: dict[str, Any], index: int) -> Schema:
    name = raw.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None:
        raise ValidationError(f"entity {index}: unknown schema {name!r}", code="entity_invalid")
    if schema.abstract:
        raise ValidationError(
            f"entity {index}: {schema.name} is abstract; use a concrete schema",
            code="entity_invalid",
        )
    return schema


def _namespaced(value: Any, owner: str, index: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"entity {index}: id must be a string", code="entity_invalid")
    if entity_owner(value) == owner:
        return value
    if AGENCY_CODE.match(entity_owner(value)):
        raise ValidationError(
            f"entity {index}: id {value!r} is namespaced by another agency than {owner}",
            code="entity_invalid",
        )
    if not _LOCAL_ID.match(value):
        raise ValidationError(f"entity {index}: invalid id {value!r}", code="entity_invalid")
    return f"{owner}.{value}"


def _reference(value: str, owner: str) -> str:
    """A reference to an entity outside the message: a partner's id as is, else the owner's."""
    return value if AGENCY_CODE.match(entity_owner(value)) else f"{owner}.{value}"


def normalise_entities(raw: Sequence[Any], owner: str) -> list[dict[str, Any]]:
    """Validate ``raw`` entities and return them cleaned, with ids namespaced by ``owner``.

    Unknown properties and values FollowTheMoney cannot parse are refused, not dropped: an
    officer must know that the passport number they typed did not go out.
    """
    if len(raw) > MAX_ENTITIES:
        raise ValidationError(f"at most {MAX_ENTITIES} entities", code="entity_invalid")
    ids: dict[str, str] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValidationError(f"entity {index}: not an object", code="entity_invalid")
        original = item.get("id")
        new = _namespaced(original, owner, index)
        if new in ids.values():
            raise ValidationError(
                f"entity {index}: duplicate id {original!r}", code="entity_invalid"
            )
        ids[str(original)] = new
    return [_clean(item, index, ids, owner) for index, item in enumerate(raw)]


def _clean(item: dict[str, Any], index: int, ids: dict[str, str], owner: str) -> dict[str, Any]:
    schema = _schema(item, index)
    properties = item.get("properties", {})
    if not isinstance(properties, dict):
        raise ValidationError(
            f"entity {index}: properties must be an object", code="entity_invalid"
        )
    values: dict[str, list[str]] = {}
    for name, given in properties.items():
        prop = schema.get(name)
        if prop is None:
            raise ValidationError(
                f"entity {index}: {schema.name} has no property {name!r}", code="entity_invalid"
            )
        items = given if isinstance(given, list) else [given]
        if not all(isinstance(v, str) for v in items):
            raise ValidationError(
                f"entity {index}: values of {name!r} must be strings", code="entity_invalid"
            )
        if prop.type.name == "entity":
            items = [ids.get(v) or _reference(v, owner) for v in items]
        values[name] = items
    try:
        proxy = model.get_proxy(
            {"id": ids[str(item.get("id"))], "schema": schema.name, "properties": values},
            cleaned=False,
        )
    except InvalidData as exc:
        raise ValidationError(f"entity {index}: {exc}", code="entity_invalid") from None
    cleaned = proxy.to_dict()
    for name, items in values.items():
        kept = cleaned["properties"].get(name, [])
        if len(kept) < len(set(items)):
            raise ValidationError(
                f"entity {index}: a value of {name!r} is not a valid {schema.get(name).type.name}",  # type: ignore[union-attr]
                code="entity_invalid",
            )
    return {"id": cleaned["id"], "schema": cleaned["schema"], "properties": cleaned["properties"]}


def entity_owner(entity_id: str) -> str:
    """The agency an entity id is namespaced by (agency codes contain no dot)."""
    return entity_id.split(".", 1)[0]


def check_owner(entities: Sequence[dict[str, Any]], owner: str) -> None:
    """Inbound copies: every entity must be namespaced by the agency that sent it."""
    for index, entity in enumerate(entities):
        if entity_owner(str(entity.get("id", ""))) != owner:
            raise ValidationError(
                f"entity {index} is not namespaced by its sender {owner}", code="entity_invalid"
            )


def describes_people(entities: Sequence[dict[str, Any]]) -> bool:
    for entity in entities:
        schema = model.get(str(entity.get("schema")))
        if schema is not None and any(schema.is_a(name) for name in PERSONAL_SCHEMATA):
            return True
    return False
