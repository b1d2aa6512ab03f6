"""The annual training report per partner, from the provider's records."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.training.models import Certificate, Course, Enrolment, EnrolmentStatus
from jisr.training.schemas import PartnerTrainingRow, TrainingReport


def annual_report(session: Session, actor: Actor, year: int) -> TrainingReport:
    require(session, actor, Action.READ, Resource(ResourceKind.TRAINING, actor.agency_code))
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    courses = list(
        session.execute(
            select(Course).where(
                Course.provider_agency == actor.agency_code,
                Course.starts_at >= start,
                Course.starts_at < end,
            )
        ).scalars()
    )
    ids = [c.id for c in courses]
    enrolments = list(
        session.execute(select(Enrolment).where(Enrolment.course_id.in_(ids))).scalars()
    )
    issued = list(
        session.execute(select(Certificate).where(Certificate.course_id.in_(ids))).scalars()
    )
    partners = sorted({e.agency_code for e in enrolments} | {p for c in courses for p in c.seats})
    rows = []
    for code in partners:
        mine = [e for e in enrolments if e.agency_code == code]
        scores = [e.evaluation_score for e in mine if e.evaluation_score is not None]
        certs = [c for c in issued if c.holder_agency == code]
        rows.append(
            PartnerTrainingRow(
                agency_code=code,
                courses=len(
                    {e.course_id for e in mine} | {c.id for c in courses if code in c.seats}
                ),
                nominated=len(mine),
                attended=sum(1 for e in mine if e.status == EnrolmentStatus.ATTENDED.value),
                certificates=len(certs),
                revoked=sum(1 for c in certs if c.revoked_at is not None),
                mean_evaluation=round(sum(scores) / len(scores), 2) if scores else None,
            )
        )
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "training_report",
        str(year),
        details={"partners": len(rows), "courses": len(courses)},
    )
    return TrainingReport(year=year, provider_agency=actor.agency_code, partners=rows)
