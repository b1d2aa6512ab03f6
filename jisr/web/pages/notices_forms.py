"""What the alert forms hold, and how they become the notices service's ``NoticeCreate`` or
the fields of a ``NoticeUpdate`` (only those the edit changes).

No translatable strings live here (messages belong to ``notices.py``'s catalogue); field errors
are msgids from ``jisr.web.forms`` or from ``notices.DOMAIN_ERRORS``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jisr.agreements.models import CrimeArea, HandlingCode
from jisr.notices import subjects
from jisr.notices.models import AlertType, Notice, RefusalGround, ReviewDecision
from jisr.notices.schemas import NoticeCreate

# Form fields that are checkboxes (absent when unticked) or repeated.
CHECKBOXES = ("political_context", "refugee_status")
# The subject's properties the person fields write; an edit keeps every other one.
PERSON_PROPERTIES = ("name", "birthDate", "nationality", "gender", "passportNumber", "idNumber")
_OPTIONAL = ("summary", "offence", "max_penalty_years", "warrant_reference", "legal_basis")


class AlertFields(BaseModel):
    """What the create and edit forms share, one field per input."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=300)
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

    def names(self, name: str) -> list[str]:
        """The primary name then every other spelling (one per line, any script)."""
        found = [name]
        for line in (self.other_names or "").splitlines():
            if line.strip() and line.strip() not in found:
                found.append(line.strip())
        return found

    def person_properties(self, name: str) -> dict[str, list[str]]:
        """The FollowTheMoney properties of the person fields (``PERSON_PROPERTIES``)."""
        properties: dict[str, list[str]] = {"name": self.names(name)}
        if self.birth_date:
            properties["birthDate"] = [self.birth_date.isoformat()]
        if self.nationality:
            properties["nationality"] = [self.nationality.lower()]
        if self.gender:
            properties["gender"] = [self.gender]
        if self.document_number:
            prop = "passportNumber" if self.document_type == "passport" else "idNumber"
            properties[prop] = [self.document_number.upper()]
        return properties

    def notice_fields(self) -> dict[str, Any]:
        """Everything but the subject, as the notices service's fields."""
        data: dict[str, Any] = {
            "title": self.title,
            "crime_area": self.crime_area,
            "handling_code": self.handling_code,
            "political_context": self.political_context,
            "refugee_status": self.refugee_status,
        }
        for name in _OPTIONAL:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.valid_until:
            data["valid_until"] = end_of_day(self.valid_until)
        codes = [c.strip().upper() for c in (self.recipients or "").replace(";", ",").split(",")]
        if any(codes):
            data["recipients"] = [c for c in codes if c]
        return data


class AlertForm(AlertFields):
    """The create-an-alert form."""

    alert_type: AlertType
    name: str = Field(min_length=1, max_length=300)

    def to_create(self) -> NoticeCreate:
        subject = {"id": "p1", "schema": "Person", "properties": self.person_properties(self.name)}
        data = {"alert_type": self.alert_type, "subject": subject, **self.notice_fields()}
        return NoticeCreate.model_validate(data)


class EditForm(AlertFields):
    """The edit form: the type is fixed; the person fields are absent (disabled) when the
    subject has more than the form can show (see ``person_values``)."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    valid_until: date


def end_of_day(day: date) -> datetime:
    """A validity date typed in a form: valid to the end of that day (UTC)."""
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


class ExtendForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    valid_until: date


class RetractForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    retract_reason: str = Field(min_length=3, max_length=2000)


class ReviewForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    decision: ReviewDecision
    grounds: list[RefusalGround] = Field(default_factory=list, max_length=10)
    comment: str = Field(default="", max_length=4000)


class CloseForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    action: Literal["withdraw", "cancel", "recall"]
    reason: str = Field(min_length=3, max_length=2000)


# Which form field an error about a subject property (``JisrError.field``) belongs to.
_SUBJECT_FIELDS = {
    "subject.nationality": "nationality",
    "subject.birthDate": "birth_date",
    "subject.passportNumber": "document_number",
    "subject.idNumber": "document_number",
    "subject.gender": "gender",
    "subject.name": "name",
}


def subject_error_field(path: str | None) -> str:
    """The form field a subject validation failure (FollowTheMoney) is about."""
    return _SUBJECT_FIELDS.get(path or "", "form")


def listify(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Repeated inputs (checkbox groups) as lists even when one box was ticked."""
    for name in names:
        value = values.get(name)
        if value is None:
            values[name] = []
        elif not isinstance(value, list):
            values[name] = [value]
    return values


def person_values(subject: dict[str, Any]) -> dict[str, str] | None:
    """The person fields showing ``subject``, or None when they cannot show it whole (not a
    person, several birth dates or documents, a partial date...): the edit form then leaves
    the subject as it is."""
    props: dict[str, list[str]] = subject.get("properties", {})
    names = props.get("name", [])
    births, nationalities, genders = (
        props.get(k, []) for k in ("birthDate", "nationality", "gender")
    )
    passports, ids = props.get("passportNumber", []), props.get("idNumber", [])
    if (
        subject.get("schema") != "Person"
        or not names
        or any(len(v) > 1 for v in (births, nationalities, genders))
        or len(passports) + len(ids) > 1
        or (births and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", births[0]))
        or (nationalities and not re.fullmatch(r"[a-z]{2}", nationalities[0]))
        or (genders and genders[0] not in {"male", "female"})
    ):
        return None
    return {
        "name": names[0],
        "other_names": "\n".join(names[1:]),
        "birth_date": births[0] if births else "",
        "nationality": nationalities[0].upper() if nationalities else "",
        "gender": genders[0] if genders else "",
        "document_type": "id" if ids else "passport",
        "document_number": (passports or ids or [""])[0],
    }


def edit_values(notice: Notice) -> dict[str, Any]:
    """The edit form filled in with the alert as it stands."""
    penalty = notice.max_penalty_years
    values: dict[str, Any] = {
        "title": notice.title,
        "crime_area": notice.crime_area,
        "handling_code": notice.handling_code,
        "max_penalty_years": "" if penalty is None else f"{penalty:g}",
        "valid_until": notice.valid_until.date().isoformat(),
        "political_context": notice.political_context,
        "refugee_status": notice.refugee_status,
        "recipients": ", ".join(notice.recipients),
        "document_type": "passport",
    }
    for name in ("summary", "offence", "warrant_reference", "legal_basis"):
        values[name] = getattr(notice, name) or ""
    values.update(person_values(notice.subject) or {})
    return values


def _plain(value: Any) -> Any:
    """Values as stored, for comparison ("" and None alike; lists unordered)."""
    value = getattr(value, "value", value)
    if value == "":
        return None
    return sorted(value) if isinstance(value, list) else value


def changed_fields(notice: Notice, form: EditForm, *, person: bool) -> dict[str, Any]:
    """The fields ``form`` changes on ``notice``, as ``NoticeUpdate`` input. With ``person``
    the person fields rewrite their properties of the subject (the others are kept)."""
    wanted = {name: None for name in _OPTIONAL} | {"recipients": []} | form.notice_fields()
    changed = {
        name: value
        for name, value in wanted.items()
        if name != "valid_until" and _plain(value) != _plain(getattr(notice, name))
    }
    if form.valid_until != notice.valid_until.date():
        changed["valid_until"] = end_of_day(form.valid_until)
    if person and form.name:
        kept = {k: v for k, v in notice.subject["properties"].items() if k not in PERSON_PROPERTIES}
        subject = {
            "id": notice.subject["id"],
            "schema": notice.subject["schema"],
            "properties": kept | form.person_properties(form.name),
        }
        clean, _related = subjects.normalise(subject, notice.related, notice.owner_agency)
        if clean != notice.subject:
            changed["subject"] = subject
    return changed
