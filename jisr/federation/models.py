"""Federation tables: outbox, inbox, acknowledgements, partner key history, case sequences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or for the ack of an attempt in flight)
    HELD = "held"  # its agreement is suspended; released when it is active again
    DELIVERED = "delivered"  # the partner signed an acceptance
    REJECTED = "rejected"  # the partner signed a final refusal
    DEAD = "dead"  # gave up after too many attempts; an operator may requeue it


# A case's next message waits until these statuses are reached by the previous one.
SETTLED = (OutboxStatus.DELIVERED.value, OutboxStatus.REJECTED.value)


class InboxStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OutboxMessage(Base):
    """An envelope to send, written in the same transaction as the domain record it carries.

    The payload is stored in clear (it is a copy of a record held in clear in this very
    database) and sealed afresh at each attempt, so a message held for weeks does not expire.
    """

    __tablename__ = "federation_outbox"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    recipient: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    agreement_reference: Mapped[str] = mapped_column(String(100))
    envelope_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    case_ref: Mapped[str | None] = mapped_column(String(120))
    seq: Mapped[int | None]
    data_category: Mapped[str | None] = mapped_column(String(40))
    crime_area: Mapped[str | None] = mapped_column(String(40))
    handling_code: Mapped[str | None] = mapped_column(String(4))
    resource_kind: Mapped[str] = mapped_column(String(24))
    # Sign with this key of ours instead of the current one (key-rotation notices).
    signing_fingerprint: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    enqueued_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_federation_outbox_due", "status", "next_attempt_at"),
        Index("ix_federation_outbox_case", "recipient", "case_ref", "seq"),
    )


class CaseSequence(Base):
    """The last sequence number given to a case's messages for one recipient."""

    __tablename__ = "federation_case_sequences"

    recipient: Mapped[str] = mapped_column(String(24), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class InboxMessage(Base):
    """An authentic envelope received, with the signed answer given; its id makes receipt
    idempotent (the handler's effects commit in the same transaction as this row)."""

    __tablename__ = "federation_inbox"

    envelope_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    sender: Mapped[str] = mapped_column(String(24), index=True)
    envelope_type: Mapped[str] = mapped_column(String(80))
    agreement_reference: Mapped[str] = mapped_column(String(100))
    case_ref: Mapped[str | None] = mapped_column(String(120))
    seq: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12))
    code: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    # The signed ack or rejection sent back, replayed verbatim if the envelope comes again.
    ack: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Acknowledgement(Base):
    """A partner's signed answer about one of our envelopes, kept as evidence."""

    __tablename__ = "federation_acks"

    envelope_id: Mapped[str] = mapped_column(ForeignKey("federation_outbox.id"), primary_key=True)
    partner: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12))
    code: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    signer_key: Mapped[str] = mapped_column(String(16))
    signed: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerKey(Base):
    """Keys a partner has used. The current pair has ``retired_at`` unset; a retired pair is
    still accepted until ``accept_until`` (the grace period of a rotation)."""

    __tablename__ = "federation_partner_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"), index=True)
    signing_key: Mapped[str] = mapped_column(String(64))
    encryption_key: Mapped[str] = mapped_column(String(64))
    signing_fingerprint: Mapped[str] = mapped_column(String(16))
    encryption_fingerprint: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    accept_until: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("agency_code", "signing_fingerprint"),)
