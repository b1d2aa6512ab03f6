"""Waking workers of other processes: PostgreSQL ``LISTEN`` / ``NOTIFY``.

A transaction that queued work (envelopes, jobs) sends ``NOTIFY <channel>``; PostgreSQL delivers
it to every listening connection when, and only if, the transaction commits. Each process
running workers keeps one connection listening (``listening``), which wakes them at once, so a
commit in an API process reaches the separate ``jisr worker`` without waiting for its poll. On
SQLite, a node is one process: both are no-ops and the in-process wake-ups are enough.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = structlog.get_logger("jisr.db")
OUTBOX = "jisr_outbox"
JOBS = "jisr_jobs"
_CHANNEL = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(channel: str) -> str:
    if not _CHANNEL.match(channel):
        raise ValueError(f"not a channel name: {channel!r}")
    return channel


def notify(session: Session, channel: str) -> None:
    """Send ``channel`` a notification when ``session``'s transaction commits (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {_checked(channel)}"))


@contextmanager
def listening(engine: Engine, channel: str, wake: Callable[[], None]) -> Iterator[bool]:
    """Call ``wake`` for every notification on ``channel`` while the block runs, from a thread
    holding its own connection (reconnecting after an outage). Yields whether it listens."""
    if engine.dialect.name != "postgresql":
        yield False
        return
    import psycopg

    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    statement = f"LISTEN {_checked(channel)}"
    stop = threading.Event()

    def run() -> None:
        pause = 0.5
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(statement)
                    pause = 0.5
                    # After a reconnection, work queued meanwhile is found by the next pass.
                    wake()
                    while not stop.is_set():
                        for _ in connection.notifies(timeout=1.0):
                            wake()
            except psycopg.Error as exc:
                log.warning("listen failed", channel=channel, error=type(exc).__name__)
                stop.wait(pause)
                pause = min(pause * 2, 10.0)

    thread = threading.Thread(target=run, name=f"listen-{channel}", daemon=True)
    thread.start()
    try:
        yield True
    finally:
        stop.set()
        thread.join(timeout=5)
