"""What exchange records look like inside envelopes, both ways.

A message names its attachments (digest, size, type, file name and the transfer that carried
them); their bytes travel before it in ``exchange.attachment_chunk`` envelopes
(``jisr.exchange.transfers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.exchange.models import (
    Case,
    DeadlineClass,
    Message,
    MessageKind,
    Priority,
    ReceiptKind,
)
from jisr.exchange.schemas import RECORD_ID_PATTERN, SHA256_PATTERN, Grading
from jisr.exchange.views import grading_of

MESSAGE_ENVELOPE = "exchange.message"
WITHDRAW_ENVELOPE = "exchange.withdraw"
CHUNK_ENVELOPE = "exchange.attachment_chunk"
# Bounds a receiver enforces on chunks (a sender uses ``transfers.CHUNK_BYTES``).
MAX_CHUNK_BYTES = 2 * 1024 * 1024
MAX_TRANSFER_BYTES = 4 * 1024 * 1024 * 1024


class WireAttachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=SHA256_PATTERN)
    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$")
    size: int = Field(ge=0)
    # The sender's judgement; the receiver records its own (``storage.sniff``).
    mime_type: str = Field(default="application/octet-stream", max_length=100)
    # The transfer whose chunks carried the bytes (sent before the message).
    transfer: str = Field(max_length=120, pattern=RECORD_ID_PATTERN)


class WireChunk(BaseModel):
    """One chunk of an attachment: bytes ``[index * chunk_bytes, +chunk_bytes)`` of the file
    whose SHA-256 and size are given; ``count`` chunks in all. Shape errors (bounds) are
    ``payload_invalid``; inconsistencies get their own codes (``transfers.accept_chunk``)."""

    model_config = ConfigDict(extra="ignore")

    transfer: str = Field(max_length=120, pattern=RECORD_ID_PATTERN)
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=0, le=MAX_TRANSFER_BYTES)
    chunk_bytes: int = Field(ge=1, le=MAX_CHUNK_BYTES)
    index: int = Field(ge=0)
    count: int = Field(ge=1)
    # Base64.
    content: str = Field(max_length=(MAX_CHUNK_BYTES + 2) // 3 * 4)


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
    # How the sender set the deadline (absent from older partners).
    deadline_class: DeadlineClass | None = None
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


def message_payload(message: Message, case: Case, transfers: Mapping[str, str]) -> dict[str, Any]:
    """``transfers``: the transfer id that carries each attachment, by digest."""
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
        "deadline_class": message.deadline_class,
        "handling_code": message.handling_code,
        "handling_text": message.handling_text,
        "grading": grading.model_dump(mode="json") if grading else None,
        "legal_basis": message.legal_basis,
        "purpose": message.purpose,
        "retention_until": message.retention_until.isoformat(),
        "entities": message.entities,
        "attachments": [
            {
                "sha256": link.sha256,
                "filename": link.filename,
                "size": link.attachment.size,
                "mime_type": link.attachment.mime_type,
                "transfer": transfers[link.sha256],
            }
            for link in message.attachments
        ],
        "created_by": message.created_by,
        "created_at": message.created_at.isoformat(),
    }
