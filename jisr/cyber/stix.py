"""Reading STIX 2.1 content: bundles, objects checked with ``stix2``, patterns with the STIX
pattern grammar (``stix2-patterns``), and the observable values objects state.

Every object is checked on its own; a bad one yields an ``ObjectError`` with a stable code and
never stops the others. The stored body is the object exactly as received (lossless); ``stix2``
only judges it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stix2
import stix2.exceptions
from stix2.registry import STIX2_OBJ_MAPS

from jisr.clock import ensure_utc
from jisr.errors import ValidationError

# The object types this node stores (the list, the cyber observables, and markings).
SDO_TYPES = frozenset(
    {
        "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
        "indicator", "infrastructure", "intrusion-set", "location", "malware",
        "malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor",
        "tool", "vulnerability",
    }
)  # fmt: skip
SRO_TYPES = frozenset({"relationship", "sighting"})
SCO_TYPES = frozenset(STIX2_OBJ_MAPS["2.1"]["observables"])
KNOWN_TYPES = SDO_TYPES | SRO_TYPES | SCO_TYPES | {"marking-definition", "language-content"}
# Namespace of the identity objects standing for agencies (stable across nodes).
AGENCY_NAMESPACE = uuid.UUID("6f1d2a0e-4c1b-5e8a-9d3f-1a2b3c4d5e6f")
_ID = re.compile(r"^([a-z0-9][a-z0-9-]*[a-z0-9])--[0-9a-fA-F-]{36}$")
# ``[type:path = 'value']`` comparisons of a pattern that already passed the grammar.
_EQUALITY = re.compile(r"([a-z0-9-]+):([A-Za-z0-9_.'\[\]*-]+)\s*=\s*'((?:[^'\\]|\\.)*)'")


@dataclass(frozen=True, slots=True)
class ObjectError:
    index: int
    code: str
    message: str
    stix_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedObject:
    index: int
    body: dict[str, Any]
    stix_id: str
    stix_type: str
    modified: datetime
    modified_text: str


def agency_identity_id(agency_code: str) -> str:
    return f"identity--{uuid.uuid5(AGENCY_NAMESPACE, agency_code)}"


def agency_identity(agency_code: str, name: str) -> dict[str, Any]:
    """The identity object standing for an agency: every object it owns names it as creator."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": agency_identity_id(agency_code),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": name,
        "identity_class": "organization",
        "sectors": ["government-national"],
        "external_references": [{"source_name": "jisr", "external_id": agency_code}],
    }


def load_document(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"not JSON: {exc}", code="bundle_malformed") from None


def bundle_objects(document: Any) -> list[Any]:
    """The objects of a bundle (or a TAXII envelope, or a bare list); anything else is refused."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if document.get("type") == "bundle" or "objects" in document:
            objects = document.get("objects", [])
            if isinstance(objects, list):
                return objects
        elif "type" in document and "id" in document:
            return [document]
    raise ValidationError("not a STIX bundle: no objects list", code="bundle_malformed")


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(text: str) -> datetime:
    """A STIX timestamp (any precision; Python keeps microseconds) as an aware datetime."""
    return ensure_utc(datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))))


def check_object(index: int, obj: Any) -> CheckedObject | ObjectError:
    if not isinstance(obj, dict):
        return ObjectError(index, "object_malformed", "not a JSON object")
    stix_type, stix_id = obj.get("type"), obj.get("id")
    if not isinstance(stix_type, str) or not isinstance(stix_id, str):
        return ObjectError(index, "object_malformed", "an object needs a type and an id")
    match = _ID.match(stix_id)
    if match is None or match.group(1) != stix_type:
        return ObjectError(index, "object_malformed", f"bad id {stix_id[:120]!r}", stix_id[:120])
    if stix_type not in KNOWN_TYPES:
        return ObjectError(index, "unknown_type", f"unknown STIX type {stix_type!r}", stix_id)
    if obj.get("spec_version", "2.1") != "2.1":
        return ObjectError(index, "spec_version_unsupported", "only STIX 2.1 is stored", stix_id)
    try:
        # stix2 checks an indicator's STIX pattern with the stix2-patterns grammar.
        stix2.parse(obj, allow_custom=False, version="2.1")
    except stix2.exceptions.InvalidValueError as exc:
        code = "pattern_invalid" if exc.prop_name == "pattern" else "object_invalid"
        return ObjectError(index, code, str(exc)[:500], stix_id)
    except (stix2.exceptions.STIXError, ValueError, TypeError) as exc:
        return ObjectError(index, "object_invalid", str(exc)[:500], stix_id)
    stamp = obj.get("modified") or obj.get("created") or "1970-01-01T00:00:00.000Z"
    try:
        modified = parse_timestamp(str(stamp))
        if isinstance(obj.get("valid_until"), str):
            parse_timestamp(obj["valid_until"])
    except ValueError:
        return ObjectError(index, "object_invalid", f"unreadable timestamp {stamp!r}", stix_id)
    return CheckedObject(index, obj, stix_id, stix_type, modified, str(stamp))


def observables(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, normalised value) pairs an object states: an SCO's value or hashes, or the
    equality comparisons of an indicator's STIX pattern."""
    stix_type = body["type"]
    if stix_type == "indicator" and body.get("pattern_type") == "stix":
        for object_type, path, value in _EQUALITY.findall(str(body.get("pattern", ""))):
            yield _normalise(f"{object_type}:{path.replace(chr(39), '')}", value)
    elif stix_type in SCO_TYPES:
        if isinstance(body.get("value"), str):
            yield _normalise(f"{stix_type}:value", body["value"])
        for algorithm, digest in (body.get("hashes") or {}).items():
            yield _normalise(f"{stix_type}:hashes.{algorithm}", str(digest))
        if stix_type == "cryptocurrency-wallet" and isinstance(body.get("address"), str):
            yield _normalise("wallet:address", body["address"])


def normalise_value(value: str) -> str:
    """A searched value as stored: trimmed, lower case except URLs' paths."""
    value = value.strip()
    return value if "://" in value else value.lower()[:512]


def _normalise(kind: str, value: str) -> tuple[str, str]:
    value = value.replace("\\'", "'").strip()
    if not kind.startswith("url:"):
        value = value.lower()
    if ":hashes." in kind:
        kind = "hash:" + kind.split(":hashes.", 1)[1].upper().replace("-", "")
    return kind[:48], value[:512]
