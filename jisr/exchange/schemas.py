"""Wire types for the exchange API (inputs forbid unknown fields)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.errors import JisrError
from jisr.exchange.grading import check_grade
from jisr.exchange.models import (
    DeadlineClass,
    Direction,
    GradingScheme,
    MessageKind,
    Priority,
    ReceiptKind,
    ReminderState,
)
from jisr.timeinput import UtcDatetime

AGENCY_CODE_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_ATTACHMENTS = 20
# Ids and references of any node: ``MA-DGST:msg:01J...``, ``MA-DGST:case:01J...``.
RECORD_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z]{1,16}:[0-9A-Z]{1,40}$"


def _line(value: str) -> str:
    """One line of text: no control characters, no lone surrogates (databases refuse them)."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _block(value: str) -> str:
    """Text of several lines: tabs and line breaks allowed, other control characters not."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


Line = Annotated[str, AfterValidator(_line)]
Block = Annotated[str, AfterValidator(_block)]
RecordId = Annotated[str, Field(pattern=RECORD_ID_PATTERN, max_length=80)]


class Grading(BaseModel):
    """Source reliability and information credibility, tagged with their scheme."""

    model_config = ConfigDict(extra="forbid")

    scheme: GradingScheme
    source_reliability: str = Field(min_length=1, max_length=1)
    information_credibility: str = Field(min_length=1, max_length=1)

    @model_validator(mode="after")
    def _valid_for_scheme(self) -> Grading:
        try:
            check_grade(self.scheme, self.source_reliability, self.information_credibility)
        except JisrError as exc:
            raise ValueError(exc.detail) from None
        return self


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=SHA256_PATTERN)
    filename: Line = Field(min_length=1, max_length=255, pattern=r"^[^/\\]+$")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("dates must carry a timezone (UTC), e.g. 2031-01-01T00:00:00Z")
    return value


class MessageContent(BaseModel):
    """What a new message and a reply share."""

    model_config = ConfigDict(extra="forbid")

    kind: MessageKind = MessageKind.MESSAGE
    body: Block = Field(min_length=1, max_length=100_000)
    priority: Priority = Priority.ROUTINE
    handling_code: HandlingCode | None = Field(
        default=None, description="Defaults to the agreement's default handling code."
    )
    handling_text: Block | None = Field(
        default=None, max_length=2000, description="Required restrictions for H3."
    )
    grading: Grading | None = None
    deadline: DeadlineClass | None = Field(
        default=None,
        description="A request's deadline: 8h (urgent), 3d or 7d, the time limits of Directive "
        "(EU) 2023/977, or date (with deadline_at). Default: the priority's rule of the "
        "agreement (7 days routine, 3 days urgent, 8 hours immediate).",
    )
    deadline_at: UtcDatetime | None = Field(
        default=None, description="A request's explicit deadline (an hour to a year ahead)."
    )
    retention_until: UtcDatetime | None = Field(
        default=None, description="Defaults to the agreement's retention rule, else 5 years."
    )
    entities: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=500,
        description="FollowTheMoney entities ({id, schema, properties}).",
    )
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @field_validator("retention_until", "deadline_at")
    @classmethod
    def _retention_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _h3_needs_text(self) -> MessageContent:
        if self.handling_code is HandlingCode.H3 and not (self.handling_text or "").strip():
            raise ValueError("handling code H3 needs the restrictions stated in handling_text")
        return self


class MessageCreate(MessageContent):
    to: str = Field(pattern=AGENCY_CODE_PATTERN, description="Recipient agency code.")
    agreement: Line = Field(min_length=1, max_length=100, description="Agreement id or reference.")
    subject: Line = Field(min_length=1, max_length=300)
    crime_area: CrimeArea
    data_category: DataCategory = DataCategory.OPERATIONAL
    legal_basis: Block | None = Field(
        default=None, min_length=3, max_length=4000, description="Defaults to the agreement's."
    )
    purpose: Block = Field(min_length=3, max_length=2000)
    case_ref: RecordId | None = Field(
        default=None, description="Existing case; a new one is opened if absent."
    )


class ReplyCreate(MessageContent):
    """An answer. Its handling code defaults to the stricter of the message answered and the
    agreement's default; a lower one needs ``handling_lowered_reason`` (audited)."""

    subject: Line | None = Field(default=None, min_length=1, max_length=300)
    data_category: DataCategory | None = None
    purpose: Block | None = Field(default=None, min_length=3, max_length=2000)
    handling_lowered_reason: Block | None = Field(
        default=None,
        min_length=3,
        max_length=2000,
        description="Why the answer is less restricted than the message it answers.",
    )


class AttachmentInfo(BaseModel):
    sha256: str
    filename: str
    size: int
    mime_type: str


class AttachmentRead(BaseModel):
    sha256: str
    size: int
    mime_type: str
    created_at: datetime


class MessageSummary(BaseModel):
    id: str
    case_ref: str
    kind: MessageKind
    direction: Direction
    owner_agency: str
    recipient_agency: str
    subject: str
    crime_area: str
    priority: Priority
    handling_code: str
    in_reply_to: str | None
    deadline_at: datetime | None
    deadline_class: DeadlineClass | None = None
    answered_at: datetime | None
    overdue: bool
    created_at: datetime


class MessageRead(MessageSummary):
    agreement_id: str
    body: str
    data_category: str
    handling_text: str | None
    grading: Grading | None
    legal_basis: str
    purpose: str
    retention_until: datetime
    entities: list[dict[str, Any]]
    attachments: list[AttachmentInfo]
    created_by: str
    received_at: datetime | None
    read_at: datetime | None


class ReceiptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message_id: str
    kind: ReceiptKind
    agency: str
    at: datetime


class CaseRead(BaseModel):
    ref: str
    title: str
    owner_agency: str
    agreement_id: str
    crime_area: str
    handling_code: str
    created_at: datetime
    messages: int
    open_requests: int
    members: list[str] = Field(
        default_factory=list,
        description="Who needs to know: user:<id> or role:<role>; under H2/H3 only they read it.",
    )
    # Managed cases (``jisr.exchange.casework``): status and outcome are the owner's.
    status: str = "open"
    outcome: str | None = None
    outcome_note: str | None = None
    closed_at: datetime | None = None
    assignee: str | None = None
    due_at: datetime | None = None
    labels: list[str] = Field(default_factory=list)


class CaseMemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: str = Field(
        pattern=r"^(user:[A-Z]{2}-[A-Z0-9]{2,16}:user:[0-9A-Z]{26}|role:[a-z_]{2,32})$",
        examples=["role:border_officer"],
    )


class CaseThread(BaseModel):
    case: CaseRead
    messages: list[MessageSummary]


class ReminderRead(BaseModel):
    message: MessageSummary
    state: ReminderState
