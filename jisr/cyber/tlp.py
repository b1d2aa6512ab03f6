"""TLP 2.0: the five marking definitions (FIRST's, as published with the STIX extension) and
who each level may reach.

Where each level may go, at every hop (the owner's node when it shares, the recipient's node
when it receives, serves over TAXII or exports):
- CLEAR: anyone; GREEN: the community of the agreement (every party to it);
- AMBER: the named recipient agencies, which may serve it to their own clients (their TAXII
  feeds and exports); AMBER+STRICT: the named recipient agencies only, never served on;
- RED: the named recipients only, never served on, never passed to anyone else.
Only the owner ever passes an object to another agency (policy's owner-only rule).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from jisr.errors import ValidationError

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_CREATED = "2022-10-01T00:00:00.000Z"


class Tlp(StrEnum):
    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


MARKING_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0 (stix2's TLP_WHITE...) as MISP and older feeds mark objects.
_TLP1_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
_BY_ID: dict[str, Tlp] = {**_TLP1_IDS, **{v: k for k, v in MARKING_IDS.items()}}
# Most restrictive wins when an object carries several.
_ORDER = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
NAMED_ONLY = frozenset({Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED})
# Levels a recipient may serve to its own clients (TAXII, exports); the owner serves all.
SERVED_ON = frozenset({Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER})


def marking_definition(level: Tlp) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARKING_IDS[level],
        "created": _CREATED,
        "name": f"TLP:{level.value.upper()}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level.value}
        },
    }


def parse_level(text: str) -> Tlp:
    value = text.strip().lower().removeprefix("tlp:").replace("white", "clear")
    try:
        return Tlp(value)
    except ValueError:
        raise ValidationError(f"unknown TLP level {text!r}", code="tlp_invalid") from None


def level_of(obj: dict[str, Any], default: Tlp) -> Tlp:
    """The most restrictive TLP among the object's markings (``default`` when it has none)."""
    found = [_BY_ID[ref] for ref in obj.get("object_marking_refs", []) if ref in _BY_ID]
    for tag in obj.get("labels", []):
        if isinstance(tag, str) and tag.lower().startswith("tlp:"):
            try:
                found.append(parse_level(tag))
            except ValidationError:
                continue
    if not found:
        return default
    return max(found, key=_ORDER.index)


def is_tlp_marking(stix_id: str) -> bool:
    return stix_id in _BY_ID


def may_reach(level: Tlp, recipient: str, *, recipients: list[str], community: set[str]) -> bool:
    """May an object at ``level`` go from its owner to ``recipient``?"""
    if level is Tlp.CLEAR:
        return True
    if level is Tlp.GREEN:
        return recipient in community
    return recipient in recipients and recipient in community
