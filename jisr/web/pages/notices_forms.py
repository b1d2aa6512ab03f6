"""What the alert form holds, and how it becomes the notices service's ``NoticeCreate``.

No translatable strings live here (messages belong to ``notices.py``'s catalogue); field errors
are msgids from ``jisr.web.forms`` or from ``notices.DOMAIN_ERRORS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jisr.agreements.models import CrimeArea, HandlingCode
from jisr.notices.models import AlertType, RefusalGround, ReviewDecision
from jisr.notices.schemas import NoticeCreate

# Form fields that are checkboxes (absent when unticked) or repeated.
CHECKBOXES = ("political_context", "refugee_status")


class AlertForm(BaseModel):
    """The create-an-alert form, one field per input."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    alert_type: AlertType
    title: str = Field(min_length=3, max_length=300)
    name: str = Field(min_length=1, max_length=300)
    other_names: str | None = Field(default=None, max_length=3000)
    birth_date: date | None = None
    nationality: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    gender: Literal["male", "female"] | None = None
    document_type: Literal["passport", "id"] = "passport"
    document_number: str | None = Field(default=None, max_length=64)
    offence: str | None = Field(default=None, max_length=4000)
    max_penalty_years: float | None = Field(default=None, ge=0, le=200)
    warrant_reference: str | None = Field(default=None, max_length=200)
    legal_basis: str | None = Field(default=None, max_length=4000)
    crime_area: CrimeArea
    handling_code: HandlingCode = HandlingCode.H0
    valid_until: date | None = None
    summary: str | None = Field(default=None, max_length=20_000)
    political_context: bool = False
    refugee_status: bool = False
    recipients: str | None = Field(default=None, max_length=600)

    def names(self) -> list[str]:
        """The primary name then every other spelling (one per line, any script)."""
        found = [self.name]
        for line in (self.other_names or "").splitlines():
            if line.strip() and line.strip() not in found:
                found.append(line.strip())
        return found

    def to_create(self) -> NoticeCreate:
        properties: dict[str, list[str]] = {"name": self.names()}
        if self.birth_date:
            properties["birthDate"] = [self.birth_date.isoformat()]
        if self.nationality:
            properties["nationality"] = [self.nationality.lower()]
        if self.gender:
            properties["gender"] = [self.gender]
        if self.document_number:
            prop = "passportNumber" if self.document_type == "passport" else "idNumber"
            properties[prop] = [self.document_number.upper()]
        data: dict[str, Any] = {
            "alert_type": self.alert_type,
            "title": self.title,
            "subject": {"id": "p1", "schema": "Person", "properties": properties},
            "crime_area": self.crime_area,
            "handling_code": self.handling_code,
            "political_context": self.political_context,
            "refugee_status": self.refugee_status,
        }
        optional = ("summary", "offence", "max_penalty_years", "warrant_reference", "legal_basis")
        for name in optional:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.valid_until:
            data["valid_until"] = datetime.combine(self.valid_until, time(23, 59), tzinfo=UTC)
        codes = [c.strip().upper() for c in (self.recipients or "").replace(";", ",").split(",")]
        if any(codes):
            data["recipients"] = [c for c in codes if c]
        return NoticeCreate.model_validate(data)


class ReviewForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    decision: ReviewDecision
    grounds: list[RefusalGround] = Field(default_factory=list, max_length=10)
    comment: str = Field(default="", max_length=4000)


class CloseForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    action: Literal["withdraw", "cancel", "recall"]
    reason: str = Field(min_length=3, max_length=2000)


# Which form field a subject property error belongs to.
_SUBJECT_FIELDS = {
    "'nationality'": "nationality",
    "'birthDate'": "birth_date",
    "'passportNumber'": "document_number",
    "'idNumber'": "document_number",
    "'gender'": "gender",
    "'name'": "name",
}


def subject_error_field(detail: str) -> str:
    """The form field a subject validation failure (FollowTheMoney) is about."""
    for marker, field in _SUBJECT_FIELDS.items():
        if marker in detail:
            return field
    return "form"


def listify(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Repeated inputs (checkbox groups) as lists even when one box was ticked."""
    for name in names:
        value = values.get(name)
        if value is None:
            values[name] = []
        elif not isinstance(value, list):
            values[name] = [value]
    return values
