"""Deletion receipts partners sent back for our withdrawn alerts, listed for the owner."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.audit import AuditAction, record
from jisr.errors import PermissionDeniedError
from jisr.notices.access import load_notice
from jisr.notices.models import DeletionReceipt


def list_deletion_receipts(
    session: Session, actor: Actor, notice_id: str
) -> Sequence[DeletionReceipt]:
    notice = load_notice(session, actor, notice_id, Action.READ)
    if notice.owner_agency != actor.agency_code:
        raise PermissionDeniedError("deletion receipts are for the alert's owner")
    stmt = select(DeletionReceipt).where(DeletionReceipt.notice_id == notice.id)
    rows = session.execute(stmt.order_by(DeletionReceipt.agency)).scalars().all()
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "notice_deletion_receipts",
        notice.id,
        details={"returned": len(rows)},
    )
    return rows
