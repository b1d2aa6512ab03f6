"""A user's notifications: listed newest first (cursor paging), counted, marked read.

Notifications are the user's own: nobody else lists them, and the API answers only for a
signed-in user or a token of one (a token needs the ``read`` scope to list and ``update`` to
mark read). They name records, never show them: reading one goes through its own page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.clock import utcnow
from jisr.errors import NotFoundError, PermissionDeniedError
from jisr.notifications.models import Notification
from jisr.notifications.wakeup import Topic, mark

MAX_PAGE = 200


def _owner(actor: Actor, scope: str) -> str:
    if actor.kind is not ActorKind.USER:
        raise PermissionDeniedError(
            "notifications belong to users; sign in or use a user's token",
            code="notifications_users_only",
        )
    if actor.scopes is not None and scope not in actor.scopes and "*" not in actor.scopes:
        raise PermissionDeniedError(f"token scope does not include {scope}")
    return actor.id


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    unread: int
    # Pass as ``before`` for the next (older) page; None when this is the last.
    next_cursor: int | None


def unread_count(session: Session, actor: Actor) -> int:
    user_id = _owner(actor, "read")
    stmt = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.execute(stmt).scalar_one())


def list_notifications(
    session: Session,
    actor: Actor,
    *,
    unread_only: bool = False,
    before: int | None = None,
    limit: int = 50,
) -> Page:
    """Newest first; ``before`` is the id the previous page's ``next_cursor`` gave."""
    user_id = _owner(actor, "read")
    limit = max(1, min(limit, MAX_PAGE))
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = list(session.execute(stmt.order_by(Notification.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, unread_count(session, actor), rows[-1].id if more and rows else None)


def newer_than(
    session: Session, actor: Actor, after: int, *, limit: int = 100
) -> list[Notification]:
    """The user's notifications written after id ``after``, oldest first (the event stream)."""
    user_id = _owner(actor, "read")
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id, Notification.id > after)
        .order_by(Notification.id)
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def latest_id(session: Session, actor: Actor) -> int:
    user_id = _owner(actor, "read")
    stmt = select(func.max(Notification.id)).where(Notification.user_id == user_id)
    return int(session.execute(stmt).scalar_one() or 0)


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    user_id = _owner(actor, "update")
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:  # another's is as absent as a missing one
        raise NotFoundError(f"no notification {notification_id}", code="notification_not_found")
    if row.read_at is None:
        row.read_at = utcnow()
        mark(session, Topic.NOTIFIED)  # the user's other screens update their counter
    return row


def mark_all_read(session: Session, actor: Actor, *, up_to: int | None = None) -> int:
    """Every unread notification (up to id ``up_to``: those the user saw); how many."""
    user_id = _owner(actor, "update")
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if up_to is not None:
        stmt = stmt.where(Notification.id <= up_to)
    result = session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        mark(session, Topic.NOTIFIED)
    return count
