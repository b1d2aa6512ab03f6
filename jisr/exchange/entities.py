"""Structured entities attached to a message, validated as FollowTheMoney entities.

Ids are namespaced by the owner agency (``MA-DGST.p1``) so entities from different partners
never collide, and references between entities of one message are rewritten to match. The
separator is a dot, not the colon of other Jisr ids, because FollowTheMoney entity ids (and so
references between entities) only allow letters, digits, dots and dashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from followthemoney import model

from jisr.entities import clean_entity, entity_owner, namespace_ids
from jisr.errors import ValidationError

__all__ = ["MAX_ENTITIES", "check_owner", "describes_people", "entity_owner", "normalise_entities"]

MAX_ENTITIES = 500
# Entities of these schemata (or their descendants) describe natural persons.
PERSONAL_SCHEMATA = ("Person", "Identification", "BankAccount", "Family", "Associate")


def normalise_entities(raw: Sequence[Any], owner: str) -> list[dict[str, Any]]:
    """Validate ``raw`` entities and return them cleaned, with ids namespaced by ``owner``
    (`jisr.entities`: what FollowTheMoney cannot clean is refused with its field path,
    ``entities[0].name``). References to a partner's entities keep the partner's id."""
    if len(raw) > MAX_ENTITIES:
        raise ValidationError(
            f"at most {MAX_ENTITIES} entities", code="entity_invalid", field="entities"
        )
    wheres = [f"entities[{index}]" for index in range(len(raw))]
    ids = namespace_ids(list(zip(wheres, raw, strict=True)), owner)
    return [
        clean_entity(item, ids, owner, where, foreign_references=True)
        for where, item in zip(wheres, raw, strict=True)
    ]


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
