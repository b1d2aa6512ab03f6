"""Exchange tables: cases, messages and requests, attachments and incoming attachment transfers,
receipts, per-agreement rules.

Every message row carries its owner agency, the agreement it travels under, a handling code, a
legal basis and a retention date. A partner's message is stored here as a copy whose owner is
the sending agency; the owner's withdrawal deletes it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jisr.clock import utcnow
from jisr.db.base import Base


class MessageKind(StrEnum):
    MESSAGE = "message"  # information, no answer expected
    REQUEST = "request"  # an answer is expected by a deadline


class Priority(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class DeadlineClass(StrEnum):
    """How a request's deadline is set: the time limits of Directive (EU) 2023/977 (art. 5:
    urgent requests in 8 hours, others in 3 or 7 days), or an explicit date."""

    URGENT = "8h"
    THREE_DAYS = "3d"
    SEVEN_DAYS = "7d"
    DATE = "date"


class Direction(StrEnum):
    OUTBOUND = "outbound"  # written here, owned by this node's agency
    INBOUND = "inbound"  # a partner's copy, owned by the sender


class ReceiptKind(StrEnum):
    DELIVERED = "delivered"
    READ = "read"
    ANSWERED = "answered"


class GradingScheme(StrEnum):
    ADMIRALTY = "admiralty"  # NATO Admiralty code: reliability A-F, credibility 1-6
    EUROPOL_4X4 = "europol_4x4"  # Europol 4x4: reliability A/B/C/X, assessment 1-4


class ReminderState(StrEnum):
    APPROACHING = "approaching"
    OVERDUE = "overdue"


class Case(Base):
    """A shared case reference (``OWNER:case:ULID``) that travels with every message."""

    __tablename__ = "exchange_cases"

    ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    crime_area: Mapped[str] = mapped_column(String(32))
    handling_code: Mapped[str] = mapped_column(String(4))
    legal_basis: Mapped[str] = mapped_column(Text)
    retention_until: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Managed cases (``jisr.exchange.casework``): status and outcome belong to the owner and
    # travel to partners; the assignee, due date and labels are this agency's own.
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    status_changed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    due_at: Mapped[datetime | None]

    members: Mapped[list[CaseMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseMember.member"
    )
    label_rows: Mapped[list[CaseLabel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseLabel.label"
    )

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.label_rows]

    @property
    def member_keys(self) -> frozenset[str]:
        return frozenset(m.member for m in self.members)


class CaseMember(Base):
    """Who needs to know a case: an officer (``user:<id>``) or a unit of this agency, named by
    its role (``role:liaison``, the international cooperation desk). See ``jisr.exchange.members``
    for the default members and ``jisr.agreements.policy`` for what membership opens."""

    __tablename__ = "exchange_case_members"

    case_ref: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.ref", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(120), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseLabel(Base):
    """A label this agency's officers put on a case (``tangier-route``), to sort and find."""

    __tablename__ = "exchange_case_labels"

    case_ref: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.ref", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class CaseLink(Base):
    """A record this case refers to (an alert, a hit, an operation, another case), by id: never
    copied, resolved (and checked against policy) when shown."""

    __tablename__ = "exchange_case_links"

    case_ref: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.ref", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseEvent(Base):
    """One change to a case (opened, assigned, held, closed, reopened, a member, a label, a
    link, a due date): the case's own history, shown on its timeline; the audit trail holds
    the same acts."""

    __tablename__ = "exchange_case_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_ref: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.ref", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(120))
    # The agency whose officer acted (a partner's, for a status change its owner sent).
    agency: Mapped[str] = mapped_column(String(24))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "exchange_messages"
    __table_args__ = (
        Index("ix_exchange_messages_open_requests", "kind", "answered_at", "deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    recipient_agency: Mapped[str] = mapped_column(String(24), index=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), index=True)
    case_ref: Mapped[str] = mapped_column(ForeignKey("exchange_cases.ref"), index=True)
    # No foreign key: the message answered may be a partner's copy that was withdrawn or purged.
    in_reply_to: Mapped[str | None] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    crime_area: Mapped[str] = mapped_column(String(32))
    data_category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(10))
    deadline_at: Mapped[datetime | None]
    # The class the deadline was set by (``8h``, ``3d``, ``7d``, ``date``; see
    # ``jisr.exchange.deadlines``); None for messages and requests older than the classes.
    deadline_class: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime | None]
    reminder_state: Mapped[str | None] = mapped_column(String(12))
    handling_code: Mapped[str] = mapped_column(String(4))
    handling_text: Mapped[str | None] = mapped_column(Text)
    grading_scheme: Mapped[str | None] = mapped_column(String(16))
    source_reliability: Mapped[str | None] = mapped_column(String(1))
    information_credibility: Mapped[str | None] = mapped_column(String(1))
    legal_basis: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    retention_until: Mapped[datetime] = mapped_column(index=True)
    # FollowTheMoney entities, ids namespaced by the owner agency.
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    attachments: Mapped[list[MessageAttachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MessageAttachment.position"
    )


class Attachment(Base):
    """A content-addressed file under ``DATA_DIR/attachments/ab/cd/<sha256>``, stored once."""

    __tablename__ = "exchange_attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    mime_type: Mapped[str] = mapped_column(String(100))
    # The agency whose node first stored these bytes (this node's, or a partner's for copies).
    owner_agency: Mapped[str] = mapped_column(String(24))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Legacy: bytes of a partner's attachment received inline before attachments travelled in
    # chunks, written to disk on first download. Nothing new is stored here.
    pending_content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class Transfer(Base):
    """A partner's attachment arriving in chunks (``exchange.attachment_chunk`` envelopes).

    Chunks are appended, in order, to a staging file under the data directory; after the last
    one the whole file's SHA-256 is checked and the file moved into the blob store
    (``completed_at``). The message naming the attachment consumes the row when it arrives.
    """

    __tablename__ = "exchange_transfers"

    # The sender's transfer id, namespaced by the sender (``FR-DGSI:transfer:01J...``).
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    sender: Mapped[str] = mapped_column(String(24))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    chunk_bytes: Mapped[int]
    chunks: Mapped[int]
    # Chunks received so far: the next one expected is this index.
    received: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class MessageAttachment(Base):
    __tablename__ = "exchange_message_attachments"

    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(
        ForeignKey("exchange_attachments.sha256"), primary_key=True, index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    attachment: Mapped[Attachment] = relationship(lazy="joined")


class Receipt(Base):
    """``delivered``/``read``/``answered``: issued by the recipient, sent back to the owner."""

    __tablename__ = "exchange_receipts"
    __table_args__ = (UniqueConstraint("message_id", "kind", "agency", name="uq_exchange_receipt"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    # The agency that issued it (the recipient of the message).
    agency: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementRules(Base):
    """Optional per-agreement overrides of the exchange defaults (deadlines, retention)."""

    __tablename__ = "exchange_agreement_rules"

    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    routine_hours: Mapped[int | None]
    urgent_hours: Mapped[int | None]
    immediate_hours: Mapped[int | None]
    retention_days: Mapped[int | None]
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
