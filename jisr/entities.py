"""The one FollowTheMoney entity normaliser and validator (exchange messages, notice subjects).

Ids are namespaced by the owner agency with a dot (``MA-DGST.p1``): FollowTheMoney ids (and so
references between entities) only allow letters, digits, dots and dashes. What FollowTheMoney
cannot clean, or would clean silently (a control character in a name, a date it cannot parse),
is refused with ``entity_invalid`` and the path of the value in ``JisrError.field``
(``entities[0].name``, ``subject.birthDate``): an officer must know that the passport number they
typed did not go out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema

from jisr.errors import ValidationError
from jisr.ids import AGENCY_CODE

LOCAL_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.-]{0,62}[0-9a-zA-Z])?$")
# Free text may hold line breaks and tabs; no other control character is kept anywhere.
_TEXT_CONTROLS = frozenset("\t\n\r")


def _refuse(detail: str, field: str) -> ValidationError:
    return ValidationError(detail, code="entity_invalid", field=field)


def entity_owner(entity_id: str) -> str:
    """The agency an entity id is namespaced by (agency codes contain no dot)."""
    return entity_id.split(".", 1)[0]


def schema_of(raw: dict[str, Any], where: str) -> Schema:
    name = raw.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None:
        raise _refuse(f"{where}: unknown schema {name!r}", f"{where}.schema")
    if schema.abstract:
        raise _refuse(
            f"{where}: {schema.name} is abstract; use a concrete schema", f"{where}.schema"
        )
    return schema


def namespaced(value: object, owner: str, where: str, *, foreign: bool = False) -> str:
    """``value`` as an id of ``owner``'s; ``foreign`` lets another agency's id through as is
    (a reference to a partner's entity), otherwise it is refused."""
    if not isinstance(value, str) or not value:
        raise _refuse(f"{where}: id must be a non-empty string", f"{where}.id")
    prefix = entity_owner(value)
    if prefix == owner:
        return value
    if AGENCY_CODE.match(prefix):
        if foreign:
            return value
        raise _refuse(f"{where}: id {value!r} is namespaced by another agency", f"{where}.id")
    if not LOCAL_ID.match(value):
        raise _refuse(f"{where}: invalid id {value!r}", f"{where}.id")
    return f"{owner}.{value}"


def namespace_ids(items: Sequence[tuple[str, Any]], owner: str) -> dict[str, str]:
    """The new id of every ``(where, raw entity)``, keyed by the id it was given."""
    ids: dict[str, str] = {}
    for where, item in items:
        if not isinstance(item, dict):
            raise _refuse(f"{where}: not an object", where)
        original = item.get("id")
        new = namespaced(original, owner, where)
        if new in ids.values():
            raise _refuse(f"{where}: duplicate id {original!r}", f"{where}.id")
        ids[str(original)] = new
    return ids


def clean_entity(
    raw: Any, ids: dict[str, str], owner: str, where: str, *, foreign_references: bool = False
) -> dict[str, Any]:
    """One entity validated and cleaned by FollowTheMoney, its id and references namespaced
    (``ids`` from `namespace_ids`). Unknown properties and values FollowTheMoney cannot parse
    are refused, never dropped."""
    if not isinstance(raw, dict):
        raise _refuse(f"{where}: not an object", where)
    schema = schema_of(raw, where)
    properties = raw.get("properties", {})
    if not isinstance(properties, dict):
        raise _refuse(f"{where}: properties must be an object", f"{where}.properties")
    values: dict[str, list[str]] = {}
    for name, given in properties.items():
        field = f"{where}.{name}"
        prop = schema.get(name)
        if prop is None:
            raise _refuse(f"{where}: {schema.name} has no property {name!r}", field)
        items = given if isinstance(given, list) else [given]
        if not all(isinstance(v, str) for v in items):
            raise _refuse(f"{where}: values of {name!r} must be strings", field)
        allowed = _TEXT_CONTROLS if prop.type.name == "text" else frozenset()
        if any(
            unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed
            for v in items
            for ch in v
        ):
            raise _refuse(f"{where}: values of {name!r} contain control characters", field)
        if prop.type.name == "entity":
            items = [
                ids.get(v) or namespaced(v, owner, field, foreign=foreign_references) for v in items
            ]
        values[name] = items
    try:
        proxy = model.get_proxy(
            {"id": ids[str(raw.get("id"))], "schema": schema.name, "properties": values},
            cleaned=False,
        )
    except InvalidData as exc:
        raise _refuse(f"{where}: {exc}", where) from None
    cleaned = proxy.to_dict()
    for name, items in values.items():
        if len(cleaned["properties"].get(name, [])) < len(set(items)):
            kind = schema.properties[name].type.name
            raise _refuse(f"{where}: a value of {name!r} is not a valid {kind}", f"{where}.{name}")
    return {"id": cleaned["id"], "schema": cleaned["schema"], "properties": cleaned["properties"]}
