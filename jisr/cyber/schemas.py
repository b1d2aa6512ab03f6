"""Wire types of the cyber REST API (``/api/v1/cyber``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from jisr.cyber.correlate import Correlation
from jisr.cyber.models import CyberObject
from jisr.cyber.views import ObjectView


class ObjectError(BaseModel):
    index: int
    id: str | None
    code: str
    message: str


class ImportRead(BaseModel):
    status: str
    collection: str
    format: str
    total: int
    stored: int
    unchanged: int
    rejected: int
    by_type: dict[str, int]
    errors: list[ObjectError]
    shared: dict[str, int]


class ObjectSummary(BaseModel):
    id: str
    type: str
    name: str | None
    owner_agency: str
    tlp: str
    revoked: bool
    collection_id: str
    modified: str

    @classmethod
    def of(cls, row: CyberObject) -> ObjectSummary:
        name = row.body.get("name") or row.body.get("value") or row.body.get("pattern")
        return cls(
            id=row.stix_id,
            type=row.stix_type,
            name=str(name)[:300] if name else None,
            owner_agency=row.owner_agency,
            tlp=row.tlp,
            revoked=row.revoked,
            collection_id=row.collection_id,
            modified=row.modified_text,
        )


class MatchRead(BaseModel):
    id: str
    owner_agency: str
    kind: str
    tlp: str


class CorrelationRead(BaseModel):
    value: str
    capped: bool
    cross_agency: bool
    agencies: list[str]
    matches: list[MatchRead]

    @classmethod
    def of(cls, c: Correlation) -> CorrelationRead:
        return cls(
            value=c.value,
            capped=c.capped,
            cross_agency=c.cross_agency,
            agencies=c.agencies,
            matches=[
                MatchRead(id=m.stix_id, owner_agency=m.owner_agency, kind=m.kind, tlp=m.tlp)
                for m in c.matches
            ],
        )


class ObjectRead(BaseModel):
    summary: ObjectSummary
    collection: str
    agreement_id: str | None
    handling_code: str
    legal_basis: str
    retention_until: str
    recipients: list[str]
    versions: list[str]
    body: dict[str, Any]
    relationships: list[dict[str, Any]]
    sightings: list[dict[str, Any]]
    reported_sightings: dict[str, int]
    correlations: list[CorrelationRead]

    @classmethod
    def of(cls, view: ObjectView) -> ObjectRead:
        row = view.row
        return cls(
            summary=ObjectSummary.of(row),
            collection=view.collection,
            agreement_id=row.agreement_id,
            handling_code=row.handling_code,
            legal_basis=row.legal_basis,
            retention_until=row.retention_until.isoformat(),
            recipients=list(row.recipients),
            versions=view.versions,
            body=row.body,
            relationships=view.relationships,
            sightings=view.sightings,
            reported_sightings=view.reported_sightings,
            correlations=[CorrelationRead.of(c) for c in view.correlations],
        )


# Documented error answers (problem+json bodies; their codes are in ``jisr.cyber.errors``).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such collection, object or status"},
    413: {"description": "Upload too large"},
    415: {"description": "Unsupported media type"},
    422: {"description": "Invalid input"},
}
