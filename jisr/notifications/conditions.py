"""States that need attention without a new act: request deadlines drawing near or passed,
and partners that cannot be reached. Scanned on schedule; each state notifies once (its source
names the request and state, or the partner and since when it fails)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Role
from jisr.agreements.parties import Agency
from jisr.clock import utcnow
from jisr.exchange import access as exchange_access
from jisr.exchange.models import Case, Direction, Message, MessageKind
from jisr.federation.health import delivery_health
from jisr.notifications import recipients
from jisr.notifications.derive import address
from jisr.notifications.models import Kind, Notification
from jisr.notifications.rules import DESK, Draft

SCAN_LIMIT = 500


def _seen(session: Session, sources: list[str]) -> set[str]:
    if not sources:
        return set()
    stmt = select(Notification.source).where(Notification.source.in_(sources)).distinct()
    return set(session.execute(stmt).scalars())


def _deadline_draft(session: Session, local: str, message: Message, kind: Kind) -> Draft:
    if message.direction == Direction.OUTBOUND.value:  # owed to us: its author follows it up
        users = recipients.by_username(session, local, message.created_by)
    else:  # we owe the answer: the case's members, else the desk
        case = session.get(Case, message.case_ref)
        keys = case.member_keys if case is not None else frozenset()
        users = recipients.members(session, local, keys) if keys else []
    users = users or recipients.officers(session, local, DESK)
    readers = recipients.allowed(
        users, lambda actor: exchange_access.can_read(session, actor, message)
    )
    assert message.deadline_at is not None  # noqa: S101 - only requests with a deadline
    partner = (
        message.recipient_agency
        if message.direction == Direction.OUTBOUND.value
        else message.owner_agency
    )
    return Draft(
        kind,
        "message",
        message.id,
        f"/exchange/messages/{message.id}",
        readers,
        agency=partner,
        params={"deadline": message.deadline_at.isoformat(), "priority": message.priority,
                "direction": message.direction},
    )  # fmt: skip


def scan_deadlines(
    session: Session, local: str, *, within: timedelta, now: datetime | None = None
) -> int:
    """Open requests due within ``within`` or overdue, each state told once."""
    now = now or utcnow()
    requests = list(
        session.execute(
            select(Message)
            .where(
                Message.kind == MessageKind.REQUEST.value,
                Message.answered_at.is_(None),
                Message.withdrawn_at.is_(None),
                Message.deadline_at.is_not(None),
                Message.deadline_at < now + within,
            )
            .order_by(Message.deadline_at.desc())
            .limit(SCAN_LIMIT)
        ).scalars()
    )
    states = {}
    for message in requests:
        assert message.deadline_at is not None  # noqa: S101 - filtered in the query
        overdue = message.deadline_at < now
        kind = Kind.REQUEST_OVERDUE if overdue else Kind.REQUEST_DUE
        states[f"deadline:{message.id}:{'overdue' if overdue else 'due'}"] = (message, kind)
    seen = _seen(session, list(states))
    written = 0
    for source, (message, kind) in states.items():
        if source not in seen:
            written += address(session, [_deadline_draft(session, local, message, kind)], source)
    return written


def scan_partners(session: Session, local: str) -> int:
    """Partners to which deliveries are failing, each outage told once."""
    stmt = select(Agency.code).where(Agency.is_local.is_(False), Agency.code != local)
    partners = list(session.execute(stmt).scalars())
    failing = {}
    for code, health in delivery_health(session, partners).items():
        since = health.unreachable_since
        if since is not None:
            failing[f"partner:{code}:{since.isoformat()}"] = (code, health)
    seen = _seen(session, list(failing))
    written = 0
    users = recipients.officers(session, local, (Role.ADMIN, Role.LIAISON))
    for source, (code, health) in failing.items():
        if source in seen:
            continue
        draft = Draft(
            Kind.PARTNER_UNREACHABLE,
            "agency",
            code,
            "/partners",
            recipients.allowed(users, lambda _actor: True),
            agency=code,
            params={"since": source.split(":", 2)[2], "failing": health.failing},
        )
        written += address(session, [draft], source)
    return written
