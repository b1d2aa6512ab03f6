"""Wire types of the operations and events API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.operations.models import EntryKind, LinkKind, OperationKind, Severity, ThreatLevel

AGENCY = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"


class LiaisonOfficer(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class ParticipantCreate(BaseModel):
    agency: str = Field(pattern=AGENCY)
    # Shared reference of the agreement between the owner and this agency.
    agreement: str = Field(min_length=1, max_length=100)
    role: str = Field(default="participant", max_length=32)
    contingent_size: int = Field(default=0, ge=0, le=100_000)
    liaison_officers: list[LiaisonOfficer] = Field(default_factory=list, max_length=50)


class Venue(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(default="", max_length=120)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class OperationCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    kind: OperationKind = OperationKind.OPERATION
    crime_area: CrimeArea = CrimeArea.MAJOR_EVENTS
    data_category: DataCategory = DataCategory.OPERATIONAL
    handling_code: HandlingCode = HandlingCode.H0
    legal_basis: str = Field(default="", max_length=2000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    parent_id: str | None = Field(default=None, max_length=80)
    objectives: list[str] = Field(default_factory=list, max_length=100)
    venues: list[Venue] = Field(default_factory=list, max_length=200)
    participants: list[ParticipantCreate] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _dates(self) -> OperationCreate:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("an operation ends after it starts")
        return self


class ParticipantRead(BaseModel):
    agency_code: str
    agreement_ref: str
    role: str
    contingent_size: int
    liaison_officers: list[LiaisonOfficer]


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    owner_agency: str | None = Field(default=None, pattern=AGENCY)
    assignee: str = Field(default="", max_length=120)
    due_at: AwareDatetime


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    owner_agency: str
    assignee: str
    due_at: datetime
    status: str
    done_at: datetime | None


class LinkCreate(BaseModel):
    kind: LinkKind
    target_id: str = Field(min_length=1, max_length=120)


class LinkRead(BaseModel):
    kind: str
    target_id: str
    added_by: str
    added_at: datetime


class OperationRead(BaseModel):
    id: str
    kind: str
    title: str
    description: str
    owner_agency: str
    crime_area: str
    data_category: str
    handling_code: str
    legal_basis: str
    status: str
    parent_id: str | None
    children: list[str]
    predecessor_id: str | None
    handed_over_to: str | None
    starts_at: datetime
    ends_at: datetime | None
    objectives: list[str]
    venues: list[Venue]
    participants: list[ParticipantRead]
    tasks: list[TaskRead]
    links: list[LinkRead]
    version: int
    created_by: str
    created_at: datetime


class EntryCreate(BaseModel):
    kind: EntryKind = EntryKind.NOTE
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=20_000)
    # Incidents: low/medium/high/critical; threat assessments: the threat level.
    severity: str | None = None
    venue: str | None = Field(default=None, max_length=200)
    handling_code: HandlingCode | None = None
    occurred_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _grades(self) -> EntryCreate:
        if self.kind is EntryKind.INCIDENT:
            Severity(self.severity or "")
        elif self.kind is EntryKind.THREAT_ASSESSMENT:
            ThreatLevel(self.severity or "")
        elif self.severity is not None:
            raise ValueError("only incidents and threat assessments carry a severity")
        return self


class GradedEntryCreate(BaseModel):
    """An incident (severity low..critical) or threat assessment (level low..critical)."""

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=20_000)
    severity: str = Field(min_length=1, max_length=16)
    venue: str | None = Field(default=None, max_length=200)
    handling_code: HandlingCode | None = None
    occurred_at: AwareDatetime | None = None

    def as_entry(self, kind: EntryKind) -> EntryCreate:
        return EntryCreate.model_validate({**self.model_dump(), "kind": kind})


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    operation_id: str
    kind: str
    severity: str | None
    title: str
    body: str
    venue: str | None
    owner_agency: str
    handling_code: str
    author: str
    occurred_at: datetime
    recorded_at: datetime
    received_at: datetime | None


class EntrySent(BaseModel):
    entry: EntryRead
    # Participants the entry was queued for, and those no agreement lets it reach.
    sent_to: list[str]
    not_sent: dict[str, str]


class HandoverCreate(BaseModel):
    to: str = Field(pattern=AGENCY)
    reason: str = Field(min_length=3, max_length=2000)


class CloseCreate(BaseModel):
    summary: str = Field(min_length=3, max_length=20_000)


class AccreditationRead(BaseModel):
    id: str
    operation_id: str
    category: str
    filename: str
    manifest_job_id: str
    status: str
    screened: int
    hits: int
    rejected: int
    rejections: list[dict[str, Any]]
    hit_ids: list[str]
