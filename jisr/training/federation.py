"""Envelope handlers for training: a partner's course announced to us, a partner's nomination
to one of our courses, a certificate issued to one of our officers, a revocation list."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload
from jisr.ids import owner_of
from jisr.training import credentials
from jisr.training.certificates import (
    CERTIFICATE_ENVELOPE,
    REVOCATIONS_ENVELOPE,
    store_revocation_list,
)
from jisr.training.models import Certificate, Course
from jisr.training.schemas import EnrolmentCreate
from jisr.training.service import COURSE_ENVELOPE, ENROLMENT_ENVELOPE, add_enrolment
from jisr.training.signing import key_lookup


class WireCourse(BaseModel):
    id: str
    title: str = Field(max_length=300)
    subject: str = Field(max_length=300)
    description: str = Field(max_length=20_000)
    location: str = Field(max_length=300)
    starts_at: datetime
    ends_at: datetime
    seats: dict[str, int]
    sessions: list[dict[str, str]]
    certificate_validity_days: int
    created_by: str


class WireEnrolment(BaseModel):
    id: str
    course_id: str
    person_name: str = Field(min_length=1, max_length=300)
    person_rank: str = Field(max_length=120)
    nominated_by: str = Field(max_length=120)


class WireCertificate(BaseModel):
    certificate_id: str
    course_id: str
    document: dict[str, object]


class WireRevocations(BaseModel):
    document: dict[str, object]


def handlers() -> dict[str, Handler]:
    return {
        COURSE_ENVELOPE: receive_course,
        ENROLMENT_ENVELOPE: receive_enrolment,
        CERTIFICATE_ENVELOPE: receive_certificate,
        REVOCATIONS_ENVELOPE: receive_revocations,
    }


def receive_course(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireCourse, envelope)
    if owner_of(wire.id) != envelope.sender:
        raise RejectedError("a course is announced by its provider only", code="not_owner")
    course = session.get(Course, wire.id) or Course(id=wire.id, provider_agency=envelope.sender)
    course.title, course.subject, course.description = wire.title, wire.subject, wire.description
    course.location, course.starts_at, course.ends_at = wire.location, wire.starts_at, wire.ends_at
    course.seats, course.sessions = dict(wire.seats), [dict(s) for s in wire.sessions]
    course.certificate_validity_days = wire.certificate_validity_days
    course.created_by = f"{wire.created_by} ({envelope.sender})"[:120]
    course.received_at = utcnow()
    session.add(course)
    record(session, envelope.actor, AuditAction.COLLECTION, "course", course.id)


def receive_enrolment(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireEnrolment, envelope)
    if owner_of(wire.id) != envelope.sender:
        raise RejectedError("a nomination comes from the nominating agency", code="not_owner")
    course = session.get(Course, wire.course_id)
    if course is None or course.provider_agency != envelope.header.recipient:
        raise RejectedError(f"no course {wire.course_id} here", code="course_not_found")
    if envelope.sender not in course.seats:
        raise RejectedError(f"{envelope.sender} was offered no seat", code="no_seat")
    data = EnrolmentCreate(person_name=wire.person_name, person_rank=wire.person_rank)
    by = f"{wire.nominated_by} ({envelope.sender})"[:120]
    try:
        enrolment = add_enrolment(session, course, envelope.sender, data, by, wire.id)
    except JisrError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "enrolment",
        enrolment.id,
        details={"course": course.id},
    )


def receive_certificate(session: Session, envelope: InboundEnvelope) -> None:
    """Keep a certificate issued to one of our officers, once its proof verifies."""
    wire = parse_payload(WireCertificate, envelope)
    if owner_of(wire.certificate_id) != envelope.sender:
        raise RejectedError("a certificate comes from its issuer", code="not_owner")
    verdict = credentials.verify_credential(
        wire.document, key_lookup(session, None), revoked=frozenset(), now=utcnow()
    )
    if not verdict.valid or verdict.issuer != envelope.sender:
        raise RejectedError(
            f"certificate does not verify: {verdict.reason}", code="bad_certificate"
        )
    if session.get(Certificate, wire.certificate_id) is not None:
        return
    subject = wire.document.get("credentialSubject")
    holder = str(subject.get("name", "")) if isinstance(subject, dict) else ""
    session.add(
        Certificate(
            id=wire.certificate_id,
            course_id=wire.course_id,
            issuer_agency=envelope.sender,
            holder_name=holder[:300],
            holder_agency=envelope.header.recipient,
            issued_at=utcnow(),
            expires_at=None,
            document=dict(wire.document),
        )
    )
    record(session, envelope.actor, AuditAction.COLLECTION, "certificate", wire.certificate_id)


def receive_revocations(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireRevocations, envelope)
    try:
        changed = store_revocation_list(
            session, envelope.sender, wire.document, key_lookup(session, None)
        )
    except JisrError as exc:
        raise RejectedError(exc.detail, code=exc.code) from None
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "revocation_list",
        envelope.sender,
        details={"event": "received", "newer": changed},
    )
