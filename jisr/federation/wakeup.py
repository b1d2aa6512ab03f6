"""Waking the delivery worker when a transaction that queued envelopes commits.

Without it an envelope waits for the worker's next poll (``JISR_FEDERATION_POLL_SECONDS``, a
quarter of a second by default) before it leaves. ``enqueue`` marks its session; when that
session commits, every worker of this process is woken at once. Envelopes queued by another
process (a CLI command beside ``jisr serve``) are still found by polling.

``wake_workers`` and ``forget_queued`` are session listeners, installed by the composition root
when a node starts (``jisr.federation.module``). On PostgreSQL the committing transaction also
sends ``NOTIFY jisr_outbox`` (``notify_queued``, before commit), and a process running delivery
workers listens for it (``jisr.db.notify``): a commit in an API process wakes ``jisr worker``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, SessionTransaction

from jisr.db.notify import OUTBOX, notify

_QUEUED = "federation.queued"
_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
_guard = threading.Lock()


def mark_queued(session: Session) -> None:
    """Wake the workers when ``session``'s transaction commits (not if it rolls back)."""
    session.info[_QUEUED] = True


@contextmanager
def listening(loop: asyncio.AbstractEventLoop) -> Iterator[asyncio.Event]:
    """An event set (in ``loop``) whenever envelopes were queued in this process."""
    waiter = (loop, asyncio.Event())
    with _guard:
        _waiters.add(waiter)
    try:
        yield waiter[1]
    finally:
        with _guard:
            _waiters.discard(waiter)


def notify_queued(session: Session) -> None:
    """``before_commit``: tell the workers of other processes, when the transaction commits."""
    if session.info.get(_QUEUED):
        notify(session, OUTBOX)


def wake_workers(session: Session) -> None:
    """``after_commit``: wake every worker of this process if the transaction queued any."""
    if session.info.pop(_QUEUED, False):
        wake_all()


def wake_all() -> None:
    """Wake every delivery worker of this process (a notification from another one)."""
    with _guard:
        waiters = list(_waiters)
    for loop, wake in waiters:
        if not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)


def forget_queued(session: Session, previous: SessionTransaction) -> None:
    """``after_soft_rollback``: a rolled-back transaction queued nothing."""
    # A savepoint rolled back leaves the outer transaction's envelopes (at worst the wake-up
    # is spurious); only the end of the whole transaction forgets them.
    if previous.parent is None:
        session.info.pop(_QUEUED, None)
