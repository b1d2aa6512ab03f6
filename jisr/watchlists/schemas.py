"""Wire types for watchlists and screening (inputs forbid unknown fields)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jisr.watchlists.models import HitStatus, JobStatus, Verdict


class TravellerCheck(BaseModel):
    """One traveller, as a border officer types or a document reader fills it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    birth_date: str | None = Field(default=None, max_length=10, examples=["1984-03-12"])
    nationality: str | None = Field(default=None, max_length=60, examples=["MA"])
    gender: str | None = Field(default=None, max_length=10)
    document_number: str | None = Field(default=None, max_length=64)
    flight: str | None = Field(
        default=None,
        max_length=16,
        pattern=r"^[A-Z0-9]{2,3}\s?[0-9]{1,5}[A-Z]?$",
        examples=["AT 800"],
        description="The flight (or crossing) the traveller is on, shown in the hits queue.",
    )
    threshold: float | None = Field(default=None, ge=0.5, le=1.0)
    top: int = Field(default=5, ge=1, le=20)


class Candidate(BaseModel):
    """A candidate as first shown: no detail of the listed person until it is opened."""

    hit_id: str
    alert_type: str
    owner_agency: str
    reference: str
    score: float
    # How often this traveller has hit this entry while the hit awaits a decision (1: new).
    seen_count: int = 1


class CheckResult(BaseModel):
    check_id: str
    hit: bool
    candidates: list[Candidate]


class ListedSubject(BaseModel):
    names: list[str]
    birth_dates: list[str]
    nationalities: list[str]
    gender: str | None
    documents: list[str]


class HitOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: str = Field(min_length=3, max_length=2000)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    reason: str = Field(min_length=3, max_length=4000)


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    verdict: Verdict
    reason: str
    decided_by: str
    decided_at: datetime
    superseded_by: str | None
    followup_message_id: str | None


class HitRead(BaseModel):
    """An opened hit: the listed person, the traveller as screened, and why they matched."""

    id: str
    check_id: str
    manifest_id: str | None
    status: HitStatus
    score: float
    alert_type: str
    owner_agency: str
    reference: str
    watchlist: str
    source: str
    source_id: str
    matched_name: str
    explanation: str
    traveller: dict[str, str | None]
    listed: ListedSubject
    screened_at: datetime
    seen_count: int = 1
    last_seen_at: datetime | None = None
    opened_by: str | None
    opened_at: datetime | None
    decisions: list[DecisionRead]


class JobRead(BaseModel):
    id: str
    # The queue's job screening it (``GET /jobs/{job_id}``: progress, cancel, retry).
    job_id: str | None = None
    filename: str
    status: JobStatus
    position: int
    screened: int
    hits: int
    rejected: int
    rejections: list[str]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class HitSummary(BaseModel):
    """A hit as a queue shows it: the traveller as screened (our own data), when and where,
    and which list and alert; the listed person only once it is opened."""

    hit_id: str
    query_id: str | None
    alert_type: str
    owner_agency: str
    reference: str
    score: float
    status: HitStatus
    traveller_name: str | None = None
    flight: str | None = None
    manifest_id: str | None = None
    watchlist: str = ""
    screened_at: datetime | None = None
    last_seen_at: datetime | None = None
    seen_count: int = 1


class HitNotificationRead(BaseModel):
    id: str
    sender_agency: str
    notice_id: str
    reference: str
    verdict: str
    hit_at: datetime
    received_at: datetime


class WatchlistRead(BaseModel):
    id: str
    name: str
    kind: str
    version: int
    active_entries: int


class ImportRead(BaseModel):
    watchlist: str
    version: int
    entries: int
    rejected: int
    # The first rejected rows (``file:line: reason``); ``rejected`` counts them all.
    rejections: list[str]
