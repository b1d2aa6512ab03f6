"""Wire types of the training API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

AGENCY = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"


class SessionSlot(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CourseCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    subject: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    location: str = Field(default="", max_length=300)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # Partner agency code -> seats offered (the provider's own officers need none).
    seats: dict[str, int] = Field(default_factory=dict)
    sessions: list[SessionSlot] = Field(default_factory=list, max_length=200)
    certificate_validity_days: int = Field(default=0, ge=0, le=36_500)

    @model_validator(mode="after")
    def _check(self) -> CourseCreate:
        if self.ends_at < self.starts_at:
            raise ValueError("a course ends after it starts")
        for code, count in self.seats.items():
            if count < 0 or count > 10_000:
                raise ValueError(f"seats for {code} must be between 0 and 10000")
        return self


class CourseRead(BaseModel):
    id: str
    provider_agency: str
    title: str
    subject: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    seats: dict[str, int]
    sessions: list[SessionSlot]
    certificate_validity_days: int
    created_by: str
    enrolled: dict[str, int]


class EnrolmentCreate(BaseModel):
    person_name: str = Field(min_length=1, max_length=300)
    person_rank: str = Field(default="", max_length=120)


class EnrolmentRead(BaseModel):
    id: str
    course_id: str
    agency_code: str
    person_name: str
    person_rank: str
    status: str
    evaluation_score: int | None
    evaluation_comment: str
    nominated_by: str
    nominated_at: datetime
    certificate_id: str | None = None


class AttendanceUpdate(BaseModel):
    attended: bool


class EvaluationCreate(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=5000)


class CertificateRead(BaseModel):
    id: str
    course_id: str
    issuer_agency: str
    holder_name: str
    holder_agency: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str
    document: dict[str, Any]


class RevocationCreate(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class VerificationRead(BaseModel):
    valid: bool
    code: str
    reason: str
    credential_id: str | None
    issuer: str | None


class PartnerTrainingRow(BaseModel):
    agency_code: str
    courses: int
    nominated: int
    attended: int
    certificates: int
    revoked: int
    mean_evaluation: float | None


class TrainingReport(BaseModel):
    year: int
    provider_agency: str
    partners: list[PartnerTrainingRow]
