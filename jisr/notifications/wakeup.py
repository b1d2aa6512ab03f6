"""Waking, when a transaction commits, the notification pass (acts that may notify someone
were audited) and the event streams (notifications were written).

Without it a notification waits for the next poll (``JISR_NOTIFICATIONS_POLL_SECONDS``) and a
stream for its next re-read. Acts committed by another process (a CLI command, ``jisr worker``)
are still found by polling. The listeners are installed by the composition root when a node
starts (``jisr.notifications.module``); importing this module loads no domain.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction


class Topic(StrEnum):
    ACTS = "acts"  # audit entries a rule may turn into notifications
    NOTIFIED = "notified"  # notifications were written


# The (action, object_type) of audit entries a rule reads (``rules.RULES``'s keys; a test
# checks they agree). Kept here so that the listener loads no domain.
WATCHED = frozenset(
    {
        ("collection", "message"),
        ("collection", "notice"),
        ("erasure", "notice"),
        ("alteration", "notice"),
        ("consultation", "screening"),
        ("consultation", "manifest"),
        ("disclosure", "case"),
        ("transfer", "envelope"),
        ("collection", "rights_request"),
        ("collection", "operation_entry"),
    }
)
_INFO = "notifications.topics"
_waiters: dict[Topic, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {
    topic: set() for topic in Topic
}
_guard = threading.Lock()


def mark(session: Session, topic: Topic) -> None:
    """Wake ``topic``'s listeners when ``session``'s transaction commits."""
    session.info.setdefault(_INFO, set()).add(topic)


@contextmanager
def listening(loop: asyncio.AbstractEventLoop, topic: Topic) -> Iterator[asyncio.Event]:
    """An event set (in ``loop``) whenever a transaction of this process marked ``topic``."""
    waiter = (loop, asyncio.Event())
    with _guard:
        _waiters[topic].add(waiter)
    try:
        yield waiter[1]
    finally:
        with _guard:
            _waiters[topic].discard(waiter)


def note_acts(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """``before_flush``: does the flush write audit entries some rule reads?"""
    for obj in session.new:
        if getattr(obj, "__tablename__", None) != "audit_entries":
            continue
        if (getattr(obj, "action", None), getattr(obj, "object_type", None)) in WATCHED:
            mark(session, Topic.ACTS)
            return


def wake(session: Session) -> None:
    """``after_commit``: wake the listeners of every topic the transaction marked."""
    topics: set[Topic] = session.info.pop(_INFO, set())
    for topic in topics:
        with _guard:
            waiters = list(_waiters[topic])
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)


def forget(session: Session, previous: SessionTransaction) -> None:
    """``after_soft_rollback``: a transaction rolled back as a whole marked nothing."""
    if previous.parent is None:
        session.info.pop(_INFO, None)
