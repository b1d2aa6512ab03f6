"""Fictional STIX content: phishing domains under .example, documentation IP ranges."""

from __future__ import annotations

import uuid
from typing import Any

STAMP = "2026-11-30T08:00:00.000Z"
NS = uuid.UUID("0b8f6c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b")


def sid(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NS, key)}"


def indicator(
    n: int, *, value: str | None = None, modified: str = STAMP, **extra: Any
) -> dict[str, Any]:
    domain = value or f"login-{n}.ministere-portail.example"
    body: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": sid("indicator", f"ind-{n}"),
        "created": STAMP,
        "modified": modified,
        "name": f"Phishing domain {n}",
        "description": "Fictional phishing landing page",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[domain-name:value = '{domain}']",
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": STAMP,
    }
    body.update(extra)
    return body


def ipv4(n: int) -> dict[str, Any]:
    return {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": sid("ipv4-addr", f"ip-{n}"),
        "value": f"198.51.100.{n % 250 + 1}",
    }


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def campaign_objects() -> list[dict[str, Any]]:
    """A small campaign: actor, campaign, malware, infrastructure, indicators, relations."""
    campaign = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": sid("campaign", "c"),
        "created": STAMP,
        "modified": STAMP,
        "name": "Operation Faux Portail",
        "description": "Fictional phishing against partner ministries",
    }
    actor = {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": sid("threat-actor", "a"),
        "created": STAMP,
        "modified": STAMP,
        "name": "Fictional Phish Crew",
        "threat_actor_types": ["crime-syndicate"],
    }
    ind = indicator(1, value="login-ministere.example")
    rel = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": sid("relationship", "r1"),
        "created": STAMP,
        "modified": STAMP,
        "relationship_type": "indicates",
        "source_ref": ind["id"],
        "target_ref": campaign["id"],
    }
    attributed = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": sid("relationship", "r2"),
        "created": STAMP,
        "modified": STAMP,
        "relationship_type": "attributed-to",
        "source_ref": campaign["id"],
        "target_ref": actor["id"],
    }
    return [campaign, actor, ind, rel, attributed, ipv4(23)]
