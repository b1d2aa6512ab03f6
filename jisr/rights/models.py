"""Data-subject requests (access, correction, deletion), precautionary blocks and decisions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base
from jisr.restrictions.models import RightsBlock

__all__ = [
    "Outcome",
    "RecordType",
    "RequestKind",
    "RequestStatus",
    "RightsBlock",
    "RightsDecision",
    "SubjectRequest",
]


class RequestKind(StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"


class RequestStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class Outcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class RecordType(StrEnum):
    WATCHLIST_ENTRY = "watchlist_entry"
    NOTICE = "notice"


class SubjectRequest(Base):
    __tablename__ = "rights_requests"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_name: Mapped[str] = mapped_column(String(500))
    # Identifiers the requester gave (passport number, date of birth...), as label -> value.
    identifiers: Mapped[dict[str, Any]]
    requester: Mapped[str] = mapped_column(String(300))
    received_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RightsDecision(Base):
    """Granted or refused, with grounds; a later decision supersedes, none is edited."""

    __tablename__ = "rights_decisions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("rights_requests.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    grounds: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_by: Mapped[str | None] = mapped_column(String(80))
