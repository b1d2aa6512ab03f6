"""Wire types of the federation API."""

from __future__ import annotations

from pydantic import BaseModel


class NodeCard(BaseModel):
    """This node's public card: what a partner pins (after comparing fingerprints out of band)."""

    agency_code: str
    name_en: str
    name_fr: str
    name_ar: str
    country: str
    endpoint_url: str | None
    signing_key: str
    encryption_key: str
    signing_fingerprint: str
    encryption_fingerprint: str
    schema_version: int
    transports: list[str]
