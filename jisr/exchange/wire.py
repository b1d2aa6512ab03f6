"""What an exchange message looks like inside an envelope, both ways."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.exchange.attachments import inline_payload
from jisr.exchange.models import Case, Message, MessageKind, Priority, ReceiptKind
from jisr.exchange.schemas import SHA256_PATTERN, Grading
from jisr.exchange.storage import BlobStore
from jisr.exchange.views import grading_of

MESSAGE_ENVELOPE = "exchange.message"
WITHDRAW_ENVELOPE = "exchange.withdraw"


class WireAttachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=SHA256_PATTERN)
    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$")
    size: int = Field(ge=0)
    content: str


class WireMessage(BaseModel):
    """Unknown fields are ignored so that a newer partner can add some without breaking us."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=80)
    kind: MessageKind
    case_ref: str = Field(max_length=80)
    case_title: str = Field(min_length=1, max_length=300)
    in_reply_to: str | None = Field(default=None, max_length=80)
    recipient: str
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=100_000)
    crime_area: CrimeArea
    data_category: DataCategory
    priority: Priority
    deadline_at: datetime | None
    handling_code: HandlingCode
    handling_text: str | None = Field(default=None, max_length=2000)
    grading: Grading | None = None
    legal_basis: str = Field(min_length=1, max_length=4000)
    purpose: str = Field(min_length=1, max_length=2000)
    retention_until: datetime
    entities: list[dict[str, Any]] = Field(default_factory=list, max_length=500)
    attachments: list[WireAttachment] = Field(default_factory=list, max_length=20)
    created_by: str = Field(max_length=120)
    created_at: datetime


class WireReceipt(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: str = Field(max_length=80)
    kind: ReceiptKind
    at: datetime


class WireWithdrawal(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message_id: str = Field(max_length=80)
    reason: str = Field(max_length=2000)


def message_payload(message: Message, case: Case, store: BlobStore) -> dict[str, Any]:
    grading = grading_of(message)
    return {
        "id": message.id,
        "kind": message.kind,
        "case_ref": case.ref,
        "case_title": case.title,
        "in_reply_to": message.in_reply_to,
        "recipient": message.recipient_agency,
        "subject": message.subject,
        "body": message.body,
        "crime_area": message.crime_area,
        "data_category": message.data_category,
        "priority": message.priority,
        "deadline_at": message.deadline_at.isoformat() if message.deadline_at else None,
        "handling_code": message.handling_code,
        "handling_text": message.handling_text,
        "grading": grading.model_dump(mode="json") if grading else None,
        "legal_basis": message.legal_basis,
        "purpose": message.purpose,
        "retention_until": message.retention_until.isoformat(),
        "entities": message.entities,
        "attachments": inline_payload(message, store),
        "created_by": message.created_by,
        "created_at": message.created_at.isoformat(),
    }
