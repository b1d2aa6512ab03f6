"""The notification pass: audit entries committed since the last pass, through the rules.

The audit trail is appended under one lock held until each transaction commits, so entries
become visible in sequence order: a pass reads those after its cursor up to the head it saw,
addresses what the rules draft, and moves the cursor, all in one transaction (a pass that fails
leaves the cursor, and the next one reads the same entries again). Passes that overlap (two
processes) are serialised by the cursor row's lock, and a notification exists once per user and
cause (``uq_notifications_user_source``), so none is ever doubled.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.notifications.models import Notification, NotificationCursor
from jisr.notifications.rules import RULES, Draft
from jisr.notifications.wakeup import Topic, mark

log = structlog.get_logger("jisr.notifications")
CURSOR_ID = 1
BATCH = 500


def address(session: Session, drafts: Iterable[Draft], source: str) -> int:
    """Write one notification per draft and user, unless that user has one from ``source``."""
    already = set(
        session.execute(select(Notification.user_id).where(Notification.source == source)).scalars()
    )
    written = 0
    for draft in drafts:
        for user in draft.users:
            if user.id in already:
                continue
            already.add(user.id)
            session.add(
                Notification(
                    user_id=user.id,
                    kind=draft.kind.value,
                    object_type=draft.object_type,
                    object_id=draft.object_id,
                    agency=draft.agency,
                    params=draft.params,
                    href=draft.href,
                    source=source,
                    created_at=utcnow(),
                )
            )
            written += 1
    if written:
        mark(session, Topic.NOTIFIED)
    return written


def _cursor(session: Session) -> NotificationCursor:
    """The cursor, locked (the migration creates it at the head of the trail it found, so a
    node's history notifies nobody; without it, a pass starts at the head)."""
    cursor = session.execute(
        select(NotificationCursor).where(NotificationCursor.id == CURSOR_ID).with_for_update()
    ).scalar_one_or_none()
    if cursor is None:
        head = session.execute(select(func.max(AuditEntry.seq))).scalar_one() or 0
        cursor = NotificationCursor(id=CURSOR_ID, audit_seq=head, updated_at=utcnow())
        session.add(cursor)
        session.flush()
    return cursor


def _watched() -> ColumnElement[bool]:
    return or_(*(and_(AuditEntry.action == a, AuditEntry.object_type == o) for a, o in RULES))


def derive(session: Session, local: str, *, batch: int = BATCH) -> tuple[int, bool]:
    """One batch of entries after the cursor: how many notifications were written, and whether
    entries are left for another batch."""
    cursor = _cursor(session)
    head = session.execute(select(func.max(AuditEntry.seq))).scalar_one() or 0
    if head <= cursor.audit_seq:
        return 0, False
    entries = list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.seq > cursor.audit_seq, AuditEntry.seq <= head, _watched())
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).scalars()
    )
    written = 0
    for entry in entries:
        rule = RULES[(entry.action, entry.object_type)]
        try:
            with session.begin_nested():
                written += address(session, rule(session, entry, local), f"audit:{entry.seq}")
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop every later one
            log.warning("notification rule failed", seq=entry.seq, error=type(exc).__name__)
    full = len(entries) == batch
    cursor.audit_seq = entries[-1].seq if full else head
    cursor.updated_at = utcnow()
    return written, full


def derive_pass(factory: SessionFactory, local: str) -> int:
    """Every entry committed so far (in batches, one transaction each)."""
    total, more = 0, True
    while more:
        with unit_of_work(factory) as session:
            written, more = derive(session, local)
        total += written
    return total
