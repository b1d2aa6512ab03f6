"""Joint training: courses a provider agency gives, partners' enrolments, certificates.

A course lives at its provider's node; partners hold a copy (announced by envelope) and nominate
officers to it. Certificates are signed documents (``jisr.training.credentials``); the provider's
revocation list travels to partners, signed as well.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class EnrolmentStatus(StrEnum):
    NOMINATED = "nominated"
    ATTENDED = "attended"
    ABSENT = "absent"


class Course(Base):
    __tablename__ = "training_courses"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    provider_agency: Mapped[str] = mapped_column(String(24), index=True)
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Partner agency code -> seats offered to it.
    seats: Mapped[dict[str, Any]]
    # [{"title", "starts_at", "ends_at"}] (ISO strings): the course's sessions.
    sessions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # How long a certificate of this course is valid, in days (0: no end).
    certificate_validity_days: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]


class Enrolment(Base):
    __tablename__ = "training_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "agency_code", "person_name"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("training_courses.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(24), index=True)
    person_name: Mapped[str] = mapped_column(String(300))
    person_rank: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default=EnrolmentStatus.NOMINATED.value)
    # The participant's evaluation of the course (1-5) and comment.
    evaluation_score: Mapped[int | None]
    evaluation_comment: Mapped[str] = mapped_column(Text, default="")
    nominated_by: Mapped[str] = mapped_column(String(120))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """A certificate, at its issuer (``enrolment_id`` set) or as a holder agency's copy."""

    __tablename__ = "training_certificates"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(80), index=True)
    enrolment_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    issuer_agency: Mapped[str] = mapped_column(String(24), index=True)
    holder_name: Mapped[str] = mapped_column(String(300))
    holder_agency: Mapped[str] = mapped_column(String(24), index=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    # The signed credential as issued (JSON object, proof included).
    document: Mapped[dict[str, Any]]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str] = mapped_column(Text, default="")


class RevocationList(Base):
    """The newest signed revocation list of an issuer (this node's own, or a partner's)."""

    __tablename__ = "training_revocation_lists"

    issuer_agency: Mapped[str] = mapped_column(String(24), primary_key=True)
    issued_at: Mapped[datetime]
    document: Mapped[dict[str, Any]]
