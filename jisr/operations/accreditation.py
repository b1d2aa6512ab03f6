"""Accreditation lists of a major event (staff, volunteers, journalists, delegations), screened
in batch against this node's watchlists through the watchlists' manifest path: the same reader
(unreadable rows are kept with their line and reason, never dropped), the same screener snapshot,
and every hit lands in the screening hits queue for an officer to confirm or reject."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.errors import NotFoundError, ValidationError
from jisr.ids import new_id
from jisr.operations import sharing
from jisr.operations.models import Accreditation, OperationKind
from jisr.operations.schemas import AccreditationRead
from jisr.watchlists import manifests


class AccreditationCategory(StrEnum):
    STAFF = "staff"
    VOLUNTEER = "volunteer"
    JOURNALIST = "journalist"
    DELEGATION = "delegation"


def create_accreditation(
    session: Session,
    actor: Actor,
    operation_id: str,
    category: AccreditationCategory,
    data_dir: Path,
    filename: str,
    content: bytes,
    threshold: float | None = None,
) -> Accreditation:
    """Keep the list and queue its screening (a job of the node's queue, run once the caller
    commits)."""
    operation = sharing.load_operation(session, actor, operation_id)
    if operation.kind != OperationKind.EVENT.value:
        raise ValidationError("accreditation lists belong to major events", code="not_an_event")
    require(session, actor, Action.UPDATE, sharing.operation_resource(operation))
    job = manifests.create_job(session, actor, data_dir, filename, content, threshold)
    accreditation = Accreditation(
        id=new_id(actor.agency_code, "accreditation"),
        operation_id=operation.id,
        category=category.value,
        manifest_job_id=job.id,
        filename=job.filename,
        created_by=actor.display,
    )
    session.add(accreditation)
    session.flush()
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "accreditation",
        accreditation.id,
        details={"event": operation.id, "category": category.value, "manifest": job.id},
    )
    return accreditation


def get_accreditation(session: Session, actor: Actor, accreditation_id: str) -> Accreditation:
    accreditation = session.get(Accreditation, accreditation_id)
    if accreditation is None:
        raise NotFoundError(
            f"no accreditation list {accreditation_id}", code="accreditation_not_found"
        )
    sharing.load_operation(session, actor, accreditation.operation_id)
    return accreditation


def list_accreditations(session: Session, actor: Actor, operation_id: str) -> list[Accreditation]:
    operation = sharing.load_operation(session, actor, operation_id)
    stmt = select(Accreditation).where(Accreditation.operation_id == operation.id)
    return list(session.execute(stmt.order_by(Accreditation.created_at)).scalars())


def accreditation_read(
    session: Session, actor: Actor, accreditation: Accreditation
) -> AccreditationRead:
    job = manifests.get_job(session, actor, accreditation.manifest_job_id)
    return AccreditationRead(
        id=accreditation.id,
        operation_id=accreditation.operation_id,
        category=accreditation.category,
        filename=accreditation.filename,
        manifest_job_id=job.id,
        status=job.status,
        screened=job.screened,
        hits=job.hits,
        rejected=job.rejected,
        rejections=[
            {"line": r.line, "reason": r.reason} for r in manifests.rejections_of(session, job.id)
        ],
        hit_ids=[h.id for h in manifests.hits_of(session, job.id)],
    )
