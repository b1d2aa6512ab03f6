"""Wire types for the notices API (inputs forbid unknown fields)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from jisr.agreements.models import CrimeArea, HandlingCode
from jisr.notices.models import (
    AlertType,
    DistributionStatus,
    NoticeStatus,
    Origin,
    RefusalGround,
    ReviewDecision,
)
from jisr.timeinput import UtcDatetime

AGENCY_CODE_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"
NOTICE_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}:notice:[0-9A-Z]{1,40}$"


def _line(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _block(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("dates must carry a timezone (UTC), e.g. 2031-01-01T00:00:00Z")
    return value


Line = Annotated[str, AfterValidator(_line)]
Block = Annotated[str, AfterValidator(_block)]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE_PATTERN)]
Entity = Annotated[
    dict[str, Any], Field(description="A FollowTheMoney entity: {id, schema, properties}.")
]


class NoticeFields(BaseModel):
    """What an alert's author may set; every field optional so updates can reuse it."""

    model_config = ConfigDict(extra="forbid")

    title: Line | None = Field(default=None, min_length=1, max_length=300)
    summary: Block | None = Field(default=None, max_length=20_000)
    subject: Entity | None = None
    related: list[Entity] | None = Field(default=None, max_length=50)
    offence: Block | None = Field(default=None, max_length=4000)
    crime_area: CrimeArea | None = None
    max_penalty_years: float | None = Field(
        default=None, ge=0, le=200, description="Maximum penalty in years (life: 200)."
    )
    warrant_reference: Line | None = Field(default=None, max_length=200)
    legal_basis: Block | None = Field(default=None, max_length=4000)
    handling_code: HandlingCode | None = None
    valid_until: UtcDatetime | None = Field(
        default=None, description="Expiry; defaults to five years from creation."
    )
    political_context: bool | None = Field(
        default=None, description="The issuer knows of a political context: mandatory review."
    )
    refugee_status: bool | None = Field(
        default=None, description="The subject is a refugee or asylum seeker: mandatory review."
    )
    recipients: list[AgencyCode] | None = Field(
        default=None, max_length=50, description="Diffusions only: the partner agencies."
    )

    @field_validator("valid_until")
    @classmethod
    def _valid_until_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class NoticeCreate(NoticeFields):
    alert_type: AlertType
    title: Line = Field(min_length=1, max_length=300)
    subject: Entity
    crime_area: CrimeArea


class NoticeUpdate(NoticeFields):
    """Only the fields given change; ``null`` clears an optional field."""


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Block = Field(min_length=3, max_length=2000)


class Extension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_until: UtcDatetime

    @field_validator("valid_until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("dates must carry a timezone (UTC)")
        return value


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: ReviewDecision
    grounds: list[RefusalGround] = Field(
        default_factory=list, max_length=10, description="Required when refusing."
    )
    comment: Block = Field(default="", max_length=4000)


class CheckRead(BaseModel):
    check: str
    outcome: str
    message: str
    code: str | None = Field(
        default=None, description="Stable finding code, e.g. completeness.missing."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="The values the message names, by placeholder."
    )


class DistributionRead(BaseModel):
    agency: str
    agreement_id: str
    status: DistributionStatus
    sent_at: datetime
    withdrawn_at: datetime | None


class NoticeSummary(BaseModel):
    id: str
    reference: str
    alert_type: AlertType
    status: NoticeStatus
    origin: Origin
    owner_agency: str
    title: str
    crime_area: str
    valid_until: datetime
    review_reasons: list[str]
    updated_at: datetime


class NoticeRead(NoticeSummary):
    summary: str
    subject: dict[str, Any]
    related: list[dict[str, Any]]
    offence: str | None
    data_category: str
    max_penalty_years: float | None
    warrant_reference: str | None
    legal_basis: str | None
    handling_code: str
    political_context: bool
    refugee_status: bool
    recipients: list[str]
    checks: list[CheckRead]
    checked_at: datetime | None
    publication_note: str | None
    publication_refusals: list[dict[str, Any]] | None = Field(
        default=None,
        description="Partners left out at publication: agency, code, agreement_id, "
        "agreement_title, value.",
    )
    status_reason: str | None
    version: int
    distributions: list[DistributionRead]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    published_by: str | None = None
    owner_review: dict[str, Any] | None = Field(
        default=None,
        description="Partner copies: the owner's compliance decision as received "
        "(decision, decided_at); the checks are the owner's too.",
    )
    closed_at: datetime | None
    received_at: datetime | None


class ReviewRead(BaseModel):
    id: str
    notice_id: str
    version: int
    reviewer: str
    decision: ReviewDecision
    grounds: list[str]
    comment: str
    decided_at: datetime
    deleted_at: datetime | None
    deleted_by: str | None


class ReviewStats(BaseModel):
    reviews: int
    approved: int
    refused: int
    refusals_by_ground: dict[str, int]


class DeletionReceiptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    notice_id: str
    agency: str
    deleted_at: datetime
    watchlist_entry_removed: bool
    envelope_id: str
    signing_key: str
    payload_digest: str
    received_at: datetime
