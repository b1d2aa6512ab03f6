"""A case's own history: one ``CaseEvent`` per change, in the order they happened."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.clock import utcnow
from jisr.exchange.models import Case, CaseEvent


def note_event(
    session: Session,
    case: Case,
    event: str,
    *,
    actor: str,
    agency: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    row = CaseEvent(
        case_ref=case.ref,
        event=event,
        actor=actor[:120],
        agency=agency,
        details=dict(details or {}),
        at=at or utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def events_of(session: Session, ref: str) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_ref == ref)
    return list(session.execute(stmt.order_by(CaseEvent.at, CaseEvent.id)).scalars())
