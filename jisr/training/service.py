"""Courses, nominations, attendance and evaluations.

A course is the provider's record; partners named in its seats receive a copy and nominate
officers at their own node, which sends the nomination to the provider (``training.enrolment``).
Certificates and revocation: ``jisr.training.certificates``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.audit import AuditAction, record
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from jisr.federation.service import enqueue
from jisr.ids import new_id
from jisr.training.models import Certificate, Course, Enrolment, EnrolmentStatus
from jisr.training.schemas import (
    CourseCreate,
    CourseRead,
    EnrolmentCreate,
    EnrolmentRead,
    EvaluationCreate,
    SessionSlot,
)

COURSE_ENVELOPE = "training.course"
ENROLMENT_ENVELOPE = "training.enrolment"
AREA = CrimeArea.TRAINING.value
CATEGORY = DataCategory.TRAINING.value
HANDLING = HandlingCode.H0.value


def course_resource(course: Course, recipient: str | None = None) -> Resource:
    return Resource(
        ResourceKind.TRAINING,
        owner_agency=course.provider_agency,
        crime_area=AREA,
        data_category=CATEGORY,
        handling_code=HANDLING,
        recipient_agency=recipient,
        id=course.id,
    )


def send_training(
    session: Session, actor: Actor, to: str, envelope_type: str, payload: Mapping[str, Any]
) -> None:
    """Queue a training envelope to ``to`` under the agreement that covers training with it."""
    resource = Resource(
        ResourceKind.TRAINING,
        owner_agency=actor.agency_code,
        crime_area=AREA,
        data_category=CATEGORY,
        handling_code=HANDLING,
        recipient_agency=to,
    )
    decision = check(session, actor, Action.SHARE, resource)
    if not decision.allowed or decision.agreement_id is None:
        raise PermissionDeniedError(f"cannot send training records to {to}: {decision.reason}")
    enqueue(
        session,
        actor,
        recipient=to,
        agreement_id=decision.agreement_id,
        envelope_type=envelope_type,
        payload=payload,
        data_category=CATEGORY,
        crime_area=AREA,
        handling_code=HANDLING,
        resource_kind=ResourceKind.TRAINING,
    )


def course_payload(course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "title": course.title,
        "subject": course.subject,
        "description": course.description,
        "location": course.location,
        "starts_at": course.starts_at.isoformat(),
        "ends_at": course.ends_at.isoformat(),
        "seats": dict(course.seats),
        "sessions": list(course.sessions),
        "certificate_validity_days": course.certificate_validity_days,
        "created_by": course.created_by,
    }


def create_course(session: Session, actor: Actor, data: CourseCreate) -> Course:
    """Record a course this agency gives and announce it to each partner offered seats."""
    resource = Resource(ResourceKind.TRAINING, actor.agency_code, AREA, CATEGORY, HANDLING)
    require(session, actor, Action.CREATE, resource)
    course = Course(
        id=new_id(actor.agency_code, "course"),
        provider_agency=actor.agency_code,
        title=data.title,
        subject=data.subject,
        description=data.description,
        location=data.location,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        seats={code: n for code, n in data.seats.items() if code != actor.agency_code},
        sessions=[s.model_dump(mode="json") for s in data.sessions],
        certificate_validity_days=data.certificate_validity_days,
        created_by=actor.display,
    )
    session.add(course)
    session.flush()
    record(
        session, actor, AuditAction.COLLECTION, "course", course.id, details={"seats": course.seats}
    )
    for partner in sorted(course.seats):
        send_training(session, actor, partner, COURSE_ENVELOPE, course_payload(course))
    return course


def load_course(session: Session, actor: Actor, course_id: str) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFoundError(f"no course {course_id}", code="course_not_found")
    require(session, actor, Action.READ, course_resource(course))
    return course


def list_courses(session: Session, actor: Actor) -> list[Course]:
    courses = session.execute(select(Course).order_by(Course.starts_at)).scalars()
    return [c for c in courses if check(session, actor, Action.READ, course_resource(c)).allowed]


def enrolled_counts(session: Session, course_id: str) -> dict[str, int]:
    stmt = (
        select(Enrolment.agency_code, func.count())
        .where(Enrolment.course_id == course_id)
        .group_by(Enrolment.agency_code)
    )
    return {code: int(n) for code, n in session.execute(stmt)}


def course_read(session: Session, course: Course) -> CourseRead:
    return CourseRead(
        id=course.id,
        provider_agency=course.provider_agency,
        title=course.title,
        subject=course.subject,
        description=course.description,
        location=course.location,
        starts_at=course.starts_at,
        ends_at=course.ends_at,
        seats={k: int(v) for k, v in course.seats.items()},
        sessions=[SessionSlot.model_validate(s) for s in course.sessions],
        certificate_validity_days=course.certificate_validity_days,
        created_by=course.created_by,
        enrolled=enrolled_counts(session, course.id),
    )


def add_enrolment(
    session: Session, course: Course, agency: str, data: EnrolmentCreate, by: str, enrolment_id: str
) -> Enrolment:
    """The nomination, if the agency has a free seat (its own officers: always)."""
    if agency != course.provider_agency:
        seats = int(course.seats.get(agency, 0))
        if enrolled_counts(session, course.id).get(agency, 0) >= seats:
            raise ConflictError(
                f"{agency} has no free seat on this course ({seats} offered)", code="no_seat"
            )
    taken = session.execute(
        select(Enrolment).where(
            Enrolment.course_id == course.id,
            Enrolment.agency_code == agency,
            Enrolment.person_name == data.person_name,
        )
    ).scalar_one_or_none()
    if taken is not None:
        raise ConflictError(f"{data.person_name} is already nominated", code="already_enrolled")
    enrolment = Enrolment(
        id=enrolment_id,
        course_id=course.id,
        agency_code=agency,
        person_name=data.person_name,
        person_rank=data.person_rank,
        nominated_by=by,
    )
    session.add(enrolment)
    session.flush()
    return enrolment


def nominate(session: Session, actor: Actor, course_id: str, data: EnrolmentCreate) -> Enrolment:
    """Nominate one of this agency's officers; a partner's course hears of it by envelope."""
    course = load_course(session, actor, course_id)
    resource = Resource(ResourceKind.TRAINING, actor.agency_code, AREA, CATEGORY, HANDLING)
    require(session, actor, Action.CREATE, resource)
    enrolment = add_enrolment(
        session, course, actor.agency_code, data, actor.display, new_id(actor.agency_code, "enrol")
    )
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "enrolment",
        enrolment.id,
        details={"course": course.id},
    )
    if course.provider_agency != actor.agency_code:
        payload = {
            "id": enrolment.id,
            "course_id": course.id,
            "person_name": enrolment.person_name,
            "person_rank": enrolment.person_rank,
            "nominated_by": enrolment.nominated_by,
        }
        send_training(session, actor, course.provider_agency, ENROLMENT_ENVELOPE, payload)
    return enrolment


def _provider_enrolment(session: Session, actor: Actor, enrolment_id: str) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFoundError(f"no enrolment {enrolment_id}", code="enrolment_not_found")
    course = load_course(session, actor, enrolment.course_id)
    require(session, actor, Action.UPDATE, course_resource(course))
    return enrolment


def record_attendance(
    session: Session, actor: Actor, enrolment_id: str, attended: bool
) -> Enrolment:
    """The provider records whether the officer attended (needed for a certificate)."""
    enrolment = _provider_enrolment(session, actor, enrolment_id)
    enrolment.status = (EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.ABSENT).value
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "enrolment",
        enrolment.id,
        details={"event": "attendance", "status": enrolment.status},
    )
    return enrolment


def record_evaluation(
    session: Session, actor: Actor, enrolment_id: str, data: EvaluationCreate
) -> Enrolment:
    """The participant's evaluation of the course, as handed to the provider."""
    enrolment = _provider_enrolment(session, actor, enrolment_id)
    if enrolment.status != EnrolmentStatus.ATTENDED.value:
        raise ValidationError("only an officer who attended evaluates the course")
    enrolment.evaluation_score = data.score
    enrolment.evaluation_comment = data.comment
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "enrolment",
        enrolment.id,
        details={"event": "evaluation", "score": data.score},
    )
    return enrolment


def enrolments_of(session: Session, actor: Actor, course_id: str) -> Sequence[Enrolment]:
    course = load_course(session, actor, course_id)
    stmt = select(Enrolment).where(Enrolment.course_id == course.id)
    if actor.agency_code != course.provider_agency:
        stmt = stmt.where(Enrolment.agency_code == actor.agency_code)
    rows = list(
        session.execute(stmt.order_by(Enrolment.agency_code, Enrolment.person_name)).scalars()
    )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "course",
        course.id,
        details={"enrolments": len(rows)},
    )
    return rows


def enrolment_read(session: Session, enrolment: Enrolment) -> EnrolmentRead:
    certificate = session.execute(
        select(Certificate.id).where(Certificate.enrolment_id == enrolment.id)
    ).scalar()
    return EnrolmentRead(
        id=enrolment.id,
        course_id=enrolment.course_id,
        agency_code=enrolment.agency_code,
        person_name=enrolment.person_name,
        person_rank=enrolment.person_rank,
        status=enrolment.status,
        evaluation_score=enrolment.evaluation_score,
        evaluation_comment=enrolment.evaluation_comment,
        nominated_by=enrolment.nominated_by,
        nominated_at=enrolment.nominated_at,
        certificate_id=certificate,
    )
