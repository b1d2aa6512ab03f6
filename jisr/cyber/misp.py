"""MISP event JSON in and out, through the MISP project's own converter (``misp-stix``).

An event becomes STIX 2.1 with ``MISPtoSTIX21Parser`` (a report standing for the event, its
attributes and objects as indicators and observed data, galaxies as SDOs, tags as labels and
TLP markings) and is then stored like any bundle. Stored STIX goes back to MISP with
``InternalSTIX2toMISPParser`` when it came from MISP (it keeps the MISP structure: event,
attributes, objects, tags, galaxies), with ``ExternalSTIX2toMISPParser`` otherwise.
"""

from __future__ import annotations

import json
from typing import Any, cast

import stix2

from jisr.errors import ValidationError

# ``misp_stix_converter`` (with PyMISP and the STIX 1 libraries) takes about a second of CPU to
# import: it is imported when a MISP event is converted, not when a node starts.


def is_misp_event(document: Any) -> bool:
    if isinstance(document, dict):
        inner = document.get("Event", document)
        return isinstance(inner, dict) and ("Attribute" in inner or "info" in inner)
    return False


def misp_to_stix(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The STIX 2.1 objects of one MISP event (``{"Event": {...}}`` or the bare event)."""
    from misp_stix_converter import MISPtoSTIX21Parser

    event = document if "Event" in document else {"Event": document}
    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event(event)
        bundle = parser.bundle
    except Exception as exc:  # noqa: BLE001 - the converter raises anything on bad events
        raise ValidationError(f"not a MISP event: {exc}", code="misp_event_invalid") from None
    objects: list[dict[str, Any]] = json.loads(bundle.serialize())["objects"]
    return objects


def stix_to_misp(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MISP events (JSON) of stored STIX objects: one per report from MISP, or one for all."""
    from misp_stix_converter import ExternalSTIX2toMISPParser, InternalSTIX2toMISPParser
    from misp_stix_converter.tools.stix2_to_misp_helpers import is_stix2_from_misp

    if not objects:
        return []
    bundle = stix2.parse(
        {
            "type": "bundle",
            "id": "bundle--00000000-0000-4000-8000-000000000000",
            "objects": objects,
        },
        allow_custom=True,
        version="2.1",
    )
    parser: Any
    if is_stix2_from_misp(objects):
        parser = InternalSTIX2toMISPParser()
    else:
        parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(bundle)
    parser.parse_stix_bundle(single_event=False)
    events = parser.misp_events
    if not isinstance(events, list):
        events = [events]
    return [cast(dict[str, Any], json.loads(event.to_json())) for event in events]
