"""How deliveries to each partner are going, read from the outbox (no network call).

A partner is *unreachable* while some envelope to it is failing: dead (attempts exhausted) or
still pending after a failed attempt. It is unreachable since the oldest such envelope was
queued, or since the last successful delivery if that came later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from jisr.federation.models import OutboxMessage
from jisr.federation.models import OutboxStatus as Status

# Waiting to go: not yet delivered nor refused (held ones wait for their agreement).
_BACKLOG = (Status.PENDING.value, Status.HELD.value, Status.DEAD.value)


@dataclass(frozen=True, slots=True)
class DeliveryHealth:
    partner: str
    last_delivered_at: datetime | None = None
    backlog: int = 0
    failing: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None

    @property
    def reachable(self) -> bool:
        return self.failing == 0

    @property
    def unreachable_since(self) -> datetime | None:
        if self.reachable or self.failing_since is None:
            return None
        if self.last_delivered_at is not None and self.last_delivered_at > self.failing_since:
            return self.last_delivered_at
        return self.failing_since


def _failing() -> ColumnElement[bool]:
    return or_(
        OutboxMessage.status == Status.DEAD.value,
        and_(
            OutboxMessage.status == Status.PENDING.value,
            OutboxMessage.attempts > 0,
            OutboxMessage.last_error.is_not(None),
        ),
    )


def delivery_health(
    session: Session, partners: list[str] | None = None
) -> dict[str, DeliveryHealth]:
    """Per partner code: last delivery, backlog and failing envelopes (partners with no
    outbox rows are absent; ``health_of`` gives them an empty record)."""
    scope = OutboxMessage.recipient.in_(partners) if partners is not None else true()
    delivered = dict(
        session.execute(
            select(OutboxMessage.recipient, func.max(OutboxMessage.delivered_at))
            .where(scope, OutboxMessage.status == Status.DELIVERED.value)
            .group_by(OutboxMessage.recipient)
        ).all()
    )
    backlog = dict(
        session.execute(
            select(OutboxMessage.recipient, func.count())
            .where(scope, OutboxMessage.status.in_(_BACKLOG))
            .group_by(OutboxMessage.recipient)
        ).all()
    )
    failing = {
        recipient: (count, since)
        for recipient, count, since in session.execute(
            select(OutboxMessage.recipient, func.count(), func.min(OutboxMessage.created_at))
            .where(scope, _failing())
            .group_by(OutboxMessage.recipient)
        ).all()
    }
    errors: dict[str, str | None] = {}
    for recipient, error in session.execute(
        select(OutboxMessage.recipient, OutboxMessage.last_error)
        .where(scope, _failing())
        .order_by(OutboxMessage.updated_at.desc())
    ).all():
        errors.setdefault(recipient, error)
    codes = set(delivered) | set(backlog) | set(failing)
    return {
        code: DeliveryHealth(
            partner=code,
            last_delivered_at=delivered.get(code),
            backlog=backlog.get(code, 0),
            failing=failing.get(code, (0, None))[0],
            failing_since=failing.get(code, (0, None))[1],
            last_error=errors.get(code),
        )
        for code in codes
    }


def health_of(report: dict[str, DeliveryHealth], partner: str) -> DeliveryHealth:
    return report.get(partner) or DeliveryHealth(partner)
