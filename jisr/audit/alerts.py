"""What witnessing found, for the console: open alerts, the newest checkpoint and who co-signed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit.checkpoints import latest_checkpoint
from jisr.audit.models import (
    AuditAction,
    AuditCheckpoint,
    AuditCosignature,
    WitnessAlert,
    WitnessedCheckpoint,
)
from jisr.audit.service import record, require_audit_reader
from jisr.clock import utcnow
from jisr.errors import NotFoundError


@dataclass(frozen=True)
class WitnessingView:
    alerts: Sequence[WitnessAlert]
    checkpoint: AuditCheckpoint | None
    cosigned_by: list[str]
    witnessed: Sequence[WitnessedCheckpoint]


def open_alert_count(session: Session) -> int:
    stmt = (
        select(func.count()).select_from(WitnessAlert).where(WitnessAlert.acknowledged_at.is_(None))
    )
    return int(session.execute(stmt).scalar_one())


def witnessing_view(session: Session, actor: Actor) -> WitnessingView:
    require_audit_reader(actor)
    alerts = (
        session.execute(
            select(WitnessAlert)
            .where(WitnessAlert.acknowledged_at.is_(None))
            .order_by(WitnessAlert.created_at.desc())
        )
        .scalars()
        .all()
    )
    checkpoint = latest_checkpoint(session)
    cosigned = []
    if checkpoint is not None:
        cosigned = sorted(
            session.execute(
                select(AuditCosignature.witness).where(
                    AuditCosignature.checkpoint_id == checkpoint.id
                )
            ).scalars()
        )
    witnessed = (
        session.execute(select(WitnessedCheckpoint).order_by(WitnessedCheckpoint.origin_agency))
        .scalars()
        .all()
    )
    return WitnessingView(alerts, checkpoint, cosigned, witnessed)


def acknowledge_alert(session: Session, actor: Actor, alert_id: int, justification: str) -> None:
    """An auditor has seen the alert and taken it up (recorded, never deleted)."""
    require_audit_reader(actor)
    alert = session.get(WitnessAlert, alert_id)
    if alert is None or alert.acknowledged_at is not None:
        raise NotFoundError(f"no open witnessing alert {alert_id}", code="audit_alert_not_found")
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by = actor.display
    record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_witness_alert",
        str(alert_id),
        justification=justification,
        details={"event": "acknowledged", "kind": alert.kind, "agency": alert.agency},
    )
