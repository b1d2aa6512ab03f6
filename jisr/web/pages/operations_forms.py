"""What the operations forms hold, and how they become the operations service's own input types
(``OperationCreate``, ``TaskCreate``, ``EntryCreate``): the console writes through the service the
API calls, never a second path.

Dates come from ``datetime-local`` inputs (a date and time without zone), read as UTC. Errors
are ``{field: msgid}``: from ``jisr.web.forms.validate`` or from the messages below.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    CrimeArea,
    HandlingCode,
)
from jisr.operations.models import EntryKind, OperationKind
from jisr.operations.schemas import AGENCY, EntryCreate, OperationCreate, TaskCreate
from jisr.web.forms import validate
from jisr.web.i18n import N_

ENDS_BEFORE_START = N_("The end comes after the start.")
VENUE_LINE = N_("Write one venue a line: name; city; latitude; longitude.")
PARTICIPANT_CHOICE = N_("Choose partners from the list.")
# Domain refusals of the operations service, by code, as msgids; and the field they concern.
REFUSALS = {
    "participant_invalid": N_("This agreement is not between your agency and that partner."),
    "participant_exists": N_("This partner is chosen twice."),
    "task_invalid": N_("This agency does not take part in the operation."),
    "task_done": N_("This task is done already."),
    "task_not_found": N_("There is no such task in this operation."),
    "operation_not_active": N_("The operation is closed: nothing more can be added."),
    "operation_not_found": N_("There is no such operation."),
}
REFUSAL_FIELDS = {
    "participant_invalid": "participants",
    "participant_exists": "participants",
    "task_invalid": "task_owner",
}


def utc(value: datetime | None) -> datetime | None:
    """A ``datetime-local`` value (no zone) as UTC; an aware one is kept."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def as_list(value: Any) -> list[str]:
    """A form field that may be repeated (a multiple select), as a list of its values."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class OperationFields(BaseModel):
    """The new operation or major event form, one field per input."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    kind: OperationKind = OperationKind.OPERATION
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    crime_area: CrimeArea = CrimeArea.MAJOR_EVENTS
    handling_code: HandlingCode = HandlingCode.H0
    legal_basis: str | None = Field(default=None, max_length=2000)
    starts_at: datetime
    ends_at: datetime | None = None
    objectives: str | None = Field(default=None, max_length=20_000)
    venues: str | None = Field(default=None, max_length=20_000)
    participants: list[str] = Field(default_factory=list, max_length=100)


def _venues(text: str | None) -> list[dict[str, Any]] | None:
    """``name; city; lat; lon`` lines as venues (None when a line does not read)."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 4 or not parts[0]:
            return None
        try:
            lat, lon = float(parts[2].replace(",", ".")), float(parts[3].replace(",", "."))
        except ValueError:
            return None
        found.append({"name": parts[0], "city": parts[1], "lat": lat, "lon": lon})
    return found


def _participants(chosen: list[str]) -> list[dict[str, str]] | None:
    """``AGENCY AGREEMENT-REFERENCE`` choices as participants (None when one is malformed)."""
    found = []
    for choice in chosen:
        agency, _, reference = choice.partition(" ")
        if not reference:
            return None
        found.append({"agency": agency, "agreement": reference})
    return found


def parse_operation(values: Mapping[str, Any]) -> tuple[OperationCreate | None, dict[str, str]]:
    """The form as the service's ``OperationCreate``, or the field errors."""
    given = {**values, "participants": as_list(values.get("participants"))}
    fields, errors = validate(OperationFields, given)
    if fields is None:
        return None, errors
    venues = _venues(fields.venues)
    participants = _participants(fields.participants)
    if venues is None:
        errors["venues"] = VENUE_LINE
    if participants is None:
        errors["participants"] = PARTICIPANT_CHOICE
    if errors:
        return None, errors
    data, problems = validate(
        OperationCreate,
        {
            "kind": fields.kind,
            "title": fields.title,
            "description": fields.description or "",
            "crime_area": fields.crime_area,
            "handling_code": fields.handling_code,
            "legal_basis": fields.legal_basis or "",
            "starts_at": utc(fields.starts_at),
            "ends_at": utc(fields.ends_at),
            "objectives": [o.strip() for o in (fields.objectives or "").splitlines() if o.strip()],
            "venues": venues,
            "participants": participants,
        },
    )
    if data is None:
        # The one rule of the whole form: the end comes after the start.
        if "__all__" in problems:
            problems = {"ends_at": ENDS_BEFORE_START}
        elif "venues" in problems:
            problems = {"venues": VENUE_LINE}
        elif "participants" in problems:
            problems = {"participants": PARTICIPANT_CHOICE}
    return data, problems


class TaskFields(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    task_title: str = Field(min_length=1, max_length=300)
    task_owner: str | None = Field(default=None, pattern=AGENCY)
    task_assignee: str | None = Field(default=None, max_length=120)
    task_due: datetime

    def to_create(self) -> TaskCreate:
        return TaskCreate(
            title=self.task_title,
            owner_agency=self.task_owner,
            assignee=self.task_assignee or "",
            due_at=utc(self.task_due),
        )


class EntryFields(BaseModel):
    """A note in the shared log: when it happened (blank: now) is kept apart from when it is
    written down (set by the service)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    note_title: str = Field(min_length=1, max_length=300)
    note_body: str | None = Field(default=None, max_length=20_000)
    note_occurred_at: datetime | None = None

    def to_create(self) -> EntryCreate:
        return EntryCreate(
            kind=EntryKind.NOTE,
            title=self.note_title,
            body=self.note_body or "",
            occurred_at=utc(self.note_occurred_at),
        )


def partner_choices(session: Session, agency: str) -> list[tuple[str, str]]:
    """``(value, label)`` for each partner of an active agreement of ``agency``: a participant
    joins under the agreement between the two."""
    agreements = session.execute(
        select(Agreement)
        .where(
            Agreement.status == AgreementStatus.ACTIVE.value,
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(AgreementParty.agency_code == agency)
            ),
        )
        .order_by(Agreement.reference)
    ).scalars()
    return [
        (f"{code} {a.reference}", f"{code} — {a.reference}")
        for a in agreements
        for code in sorted(a.party_codes)
        if code != agency
    ]
