"""Waking workers of other processes (PostgreSQL LISTEN/NOTIFY): a commit that queued
envelopes or a job notifies; a rollback does not; a listener wakes its workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.notify import JOBS, OUTBOX, listening, notify
from jisr.federation.wakeup import mark_queued
from tests.nodes import wait_until


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _raw(engine: Engine) -> psycopg.Connection[tuple[object, ...]]:
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def test_a_commit_that_queued_envelopes_notifies_and_a_rollback_does_not(
    engine: Engine,
) -> None:
    factory = make_session_factory(engine)
    if engine.dialect.name != "postgresql":
        # One process per SQLite node: nothing to send, and no listener is started.
        with unit_of_work(factory) as session:
            mark_queued(session)
            notify(session, JOBS)
        with listening(engine, OUTBOX, lambda: None) as listens:
            assert listens is False
        return
    with _raw(engine) as listener:
        listener.execute(f"LISTEN {OUTBOX}")
        with pytest.raises(RuntimeError), unit_of_work(factory) as session:
            mark_queued(session)
            session.execute(text("SELECT 1"))
            raise RuntimeError("the act failed")
        assert list(listener.notifies(timeout=0.5)) == []
        with unit_of_work(factory) as session:
            mark_queued(session)
            session.execute(text("SELECT 1"))
        received = list(listener.notifies(timeout=5, stop_after=1))
        assert [n.channel for n in received] == [OUTBOX]


def test_a_listener_wakes_its_workers_on_another_process_s_notification(
    engine: Engine,
) -> None:
    woken = threading.Event()
    if engine.dialect.name != "postgresql":
        # An SQLite node is one process: its workers are woken in-process only.
        with listening(engine, JOBS, woken.set) as listens:
            assert listens is False and not woken.is_set()
        return
    with listening(engine, JOBS, woken.set) as listens, _raw(engine) as other:
        assert listens
        # The listener wakes once when it connects (work queued before it listened).
        wait_until(woken.is_set, timeout=10, what="the listener to connect")
        woken.clear()
        other.execute(f"NOTIFY {JOBS}")
        wait_until(woken.is_set, timeout=10, what="the notification")
