"""Notifications per user, and how far the audit trail has been read for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base

_BIG = BigInteger().with_variant(Integer, "sqlite")


class Kind(StrEnum):
    MESSAGE = "message"  # a partner's message arrived
    REQUEST = "request"  # a partner's request arrived: we owe an answer
    REPLY = "reply"  # a partner answered one of our messages
    REQUEST_DUE = "request_due"  # an open request's deadline is within the reminder window
    REQUEST_OVERDUE = "request_overdue"
    ALERT_RECEIVED = "alert_received"  # a partner's alert (or a new version of it) arrived
    ALERT_WITHDRAWN = "alert_withdrawn"  # its owner withdrew or cancelled a partner's alert
    REVIEW_REQUESTED = "review_requested"  # one of our alerts waits for compliance review
    ALERT_REVIEWED = "alert_reviewed"  # a reviewer decided on an alert you drafted
    HIT = "hit"  # screening found a candidate on the watchlists
    MANIFEST_SCREENED = "manifest_screened"  # a manifest you uploaded finished, with hits
    CASE_MEMBER = "case_member"  # you (or your unit) were added to a case
    ENVELOPE_DEAD = "envelope_dead"  # an envelope to a partner could not be delivered
    PARTNER_UNREACHABLE = "partner_unreachable"
    SUBJECT_REQUEST = "subject_request"  # a data-subject request was registered
    INCIDENT = "incident"  # a partner reported an incident at a joint event


class Notification(Base):
    """One thing one user should know. Carries identifiers and metadata only (kind, partner
    agency, reference, priority), never a record's content: the record is read through its own
    page, where policy decides again."""

    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per user and cause: passes that overlap or repeat add nothing.
        UniqueConstraint("user_id", "source", name="uq_notifications_user_source"),
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        Index("ix_notifications_source", "source"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(120))
    # The partner agency it is about (sender, owner, unreachable partner), if any.
    agency: Mapped[str | None] = mapped_column(String(24))
    # Identifiers and metadata for the text: reference, priority, state, count, envelope type.
    params: Mapped[dict[str, Any]]
    # Where the console shows the record (a path of this node's console).
    href: Mapped[str] = mapped_column(String(300))
    # What caused it ("audit:<seq>", "deadline:<message>:<state>", "partner:<code>:<since>").
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationCursor(Base):
    """One row: the audit sequence number up to which entries were turned into notifications."""

    __tablename__ = "notification_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_seq: Mapped[int] = mapped_column(_BIG)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
