"""What an officer's desk needs besides single records: open requests by urgency, what needs
attention, the receipts of a thread, and the agreement a new message would travel under.

Every record listed goes through policy (``readable_messages``, in the query) like the rest
of exchange; listings of content are audited as consultations. ``attention_counts`` is not: it
returns numbers only, shown on every home page, and auditing it would bury the real
consultations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement, AgreementStatus
from jisr.agreements.service import get_agreement, terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.exchange.access import readable_messages
from jisr.exchange.deadlines import is_overdue
from jisr.exchange.models import Direction, Message, MessageKind, Receipt


class NoActiveAgreementError(PermissionDeniedError):
    """No agreement with the partner is active and in force."""

    code = "no_active_agreement"


class OutOfScopeError(PermissionDeniedError):
    """Agreements are in force, but none covers the crime area or the data category."""

    code = "outside_agreement_scope"


def _readable_open_requests(session: Session, actor: Actor) -> list[Message]:
    stmt = (
        select(Message)
        .where(
            Message.kind == MessageKind.REQUEST.value,
            Message.answered_at.is_(None),
            Message.withdrawn_at.is_(None),
            readable_messages(session, actor),
        )
        .order_by(Message.deadline_at, Message.id)
    )
    return list(session.execute(stmt).scalars())


def open_requests(
    session: Session, actor: Actor, *, now: datetime | None = None, limit: int = 200
) -> list[Message]:
    """Unanswered requests sent and received: overdue first, then by deadline."""
    now = now or utcnow()
    rows = _readable_open_requests(session, actor)
    rows.sort(key=lambda m: (not is_overdue(m, now), m.deadline_at or now, m.id))
    rows = rows[:limit]
    record(
        session, actor, AuditAction.CONSULTATION, "open_requests", details={"returned": len(rows)}
    )
    return rows


@dataclass(frozen=True, slots=True)
class AttentionCounts:
    # Requests past their deadline, owed by us or to us.
    overdue: int
    # Partners' requests we have not answered yet (overdue ones included).
    awaiting_answer: int
    # Partners' messages nobody here has opened.
    unread: int


def attention_counts(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> AttentionCounts:
    now = now or utcnow()
    requests = _readable_open_requests(session, actor)
    unread_stmt = select(Message).where(
        Message.direction == Direction.INBOUND.value,
        Message.recipient_agency == actor.agency_code,
        Message.read_at.is_(None),
        Message.withdrawn_at.is_(None),
        readable_messages(session, actor),
    )
    unread = list(session.execute(unread_stmt).scalars())
    return AttentionCounts(
        overdue=sum(1 for m in requests if is_overdue(m, now)),
        awaiting_answer=sum(1 for m in requests if m.direction == Direction.INBOUND.value),
        unread=len(unread),
    )


def receipts_by_message(session: Session, messages: Sequence[Message]) -> dict[str, list[Receipt]]:
    """Receipts of messages the caller has already read through policy, oldest first."""
    ids = [m.id for m in messages]
    if not ids:
        return {}
    stmt = select(Receipt).where(Receipt.message_id.in_(ids)).order_by(Receipt.at, Receipt.id)
    found: dict[str, list[Receipt]] = {}
    for receipt in session.execute(stmt).scalars():
        found.setdefault(receipt.message_id, []).append(receipt)
    return found


def agreement_for(
    session: Session, actor: Actor, partner: str, crime_area: str, data_category: str
) -> Agreement:
    """The agreement a new message to ``partner`` travels under (policy still decides on send).

    Raises ``NoActiveAgreementError`` when no agreement with the partner is in force, and
    ``OutOfScopeError`` when those in force cover neither the crime area nor the category.
    """
    now = utcnow()
    in_force = [
        t
        for t in terms_between(session, actor.agency_code, partner)
        if t.status == AgreementStatus.ACTIVE.value
        and t.valid_from <= now
        and (t.valid_until is None or now < t.valid_until)
    ]
    if not in_force:
        raise NoActiveAgreementError(f"no agreement with {partner} is active and in force")
    for terms in in_force:
        if crime_area in terms.crime_areas and data_category in terms.data_categories:
            return get_agreement(session, terms.id)
    raise OutOfScopeError(
        f"no agreement with {partner} covers {crime_area} with {data_category} data"
    )
