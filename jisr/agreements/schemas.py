"""Wire types for agreements."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory, HandlingCode
from jisr.timeinput import UtcDatetime

AGENCY_CODE_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._/-]+$")
    title: str = Field(min_length=3, max_length=300)
    parties: list[str] = Field(min_length=2, max_length=50)
    crime_areas: list[CrimeArea] = Field(min_length=1)
    data_categories: list[DataCategory] = Field(min_length=1)
    valid_from: UtcDatetime
    valid_until: UtcDatetime | None = None
    default_handling: HandlingCode = HandlingCode.H0
    legal_basis: str = Field(min_length=3, max_length=4000)
    status: AgreementStatus = AgreementStatus.DRAFT

    @field_validator("parties")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        pattern = re.compile(AGENCY_CODE_PATTERN)
        bad = [code for code in value if not pattern.match(code)]
        if bad:
            raise ValueError(f"invalid agency code(s): {', '.join(bad)}")
        if len(set(value)) != len(value):
            raise ValueError("an agency is listed twice")
        return value

    @field_validator("valid_from", "valid_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("dates must carry a timezone (UTC), e.g. 2026-01-01T00:00:00Z")
        return value

    @model_validator(mode="after")
    def _window(self) -> AgreementCreate:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.status is AgreementStatus.EXPIRED:
            raise ValueError("an agreement cannot be created expired")
        return self


class AgreementStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class AgreementRead(BaseModel):
    id: str
    reference: str
    title: str
    status: AgreementStatus
    parties: list[str]
    crime_areas: list[CrimeArea]
    data_categories: list[DataCategory]
    valid_from: datetime
    valid_until: datetime | None
    default_handling: HandlingCode
    legal_basis: str
    created_at: datetime
