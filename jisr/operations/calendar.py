"""Per-user iCalendar feeds (RFC 5545, built with the ``icalendar`` library): the events and
operations the user may read, their tasks' deadlines and the sessions of training courses.

A feed is fetched by calendar applications that cannot sign in, so it sits behind a secret
token in its address; only the token's SHA-256 is stored, the feed acts with the user's roles
and a read-only scope, and every fetch is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import AuthenticationError
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.operations import sharing
from jisr.operations.models import CalendarToken, Operation, TaskStatus
from jisr.operations.service import list_operations
from jisr.training.service import list_courses

PRODID = "-//Jisr//Operations and training//EN"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor) -> str:
    """A new calendar token for the signed-in user (shown once)."""
    user = session.get(User, actor.id)
    if user is None:
        raise AuthenticationError("calendar feeds are for signed-in users", code="not_a_user")
    token = secrets.token_urlsafe(32)
    session.add(
        CalendarToken(
            token_sha256=_digest(token),
            user_id=user.id,
            username=user.username,
            agency_code=user.agency_code,
            roles=list(user.roles),
        )
    )
    record(session, actor, AuditAction.COLLECTION, "calendar_token", user.id)
    return token


def revoke_tokens(session: Session, actor: Actor) -> int:
    rows = session.execute(
        select(CalendarToken).where(
            CalendarToken.user_id == actor.id, CalendarToken.revoked_at.is_(None)
        )
    ).scalars()
    count = 0
    for row in rows:
        row.revoked_at = utcnow()
        count += 1
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "calendar_token",
        actor.id,
        details={"revoked": count},
    )
    return count


def feed_actor(session: Session, token: str) -> Actor:
    row = session.get(CalendarToken, _digest(token))
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or row.revoked_at is not None or user is None or user.disabled:
        raise AuthenticationError(
            "unknown or revoked calendar token", code="calendar_token_invalid"
        )
    return actor_for(user, scopes=frozenset({"read"}))


def _event(uid: str, summary: str, start: datetime, end: datetime | None, **extra: str) -> Event:
    item = Event()
    item.add("uid", f"{uid}@jisr")
    item.add("dtstamp", utcnow())
    item.add("summary", summary)
    item.add("dtstart", start)
    item.add("dtend", end if end is not None and end > start else start + timedelta(hours=1))
    for key, value in extra.items():
        if value:
            item.add(key, value)
    return item


def _operation_items(session: Session, operation: Operation) -> list[Event]:
    items = [
        _event(
            operation.id,
            operation.title,
            operation.starts_at,
            operation.ends_at,
            description=f"{operation.kind} owned by {operation.owner_agency} ({operation.status})",
            location="; ".join(str(v.get("name", "")) for v in operation.venues),
            categories=operation.kind.upper(),
        )
    ]
    for task in sharing.tasks_of(session, operation.id):
        if task.status != TaskStatus.OPEN.value:
            continue
        items.append(
            _event(
                task.id,
                f"Deadline: {task.title} ({operation.title})",
                task.due_at,
                task.due_at + timedelta(minutes=30),
                description=f"Owed by {task.owner_agency} {task.assignee}".strip(),
                categories="DEADLINE",
            )
        )
    return items


def build_feed(session: Session, token: str) -> bytes:
    actor = feed_actor(session, token)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Jisr — {actor.display}")
    count = 0
    for operation in list_operations(session, actor):
        for item in _operation_items(session, operation):
            calendar.add_component(item)
            count += 1
    for course in list_courses(session, actor):
        slots = course.sessions or [
            {
                "title": course.title,
                "starts_at": course.starts_at.isoformat(),
                "ends_at": course.ends_at.isoformat(),
            }
        ]
        for n, slot in enumerate(slots):
            calendar.add_component(
                _event(
                    f"{course.id}/{n}",
                    f"{course.title}: {slot['title']}",
                    datetime.fromisoformat(str(slot["starts_at"])),
                    datetime.fromisoformat(str(slot["ends_at"])),
                    location=course.location,
                    description=f"Training given by {course.provider_agency}: {course.subject}",
                    categories="TRAINING",
                )
            )
            count += 1
    record(session, actor, AuditAction.CONSULTATION, "calendar", actor.id, details={"items": count})
    return bytes(calendar.to_ical())
