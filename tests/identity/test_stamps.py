"""A credential's last use is written as its request commits, so that concurrent requests with
one token never lock the token and the audit head in opposite orders (PostgreSQL 40P01)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from jisr.audit import AuditAction, record
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.auth import actor_from_token
from jisr.identity.models import ApiToken
from jisr.identity.tokens import issue_token
from jisr.settings import JisrSettings
from tests.conftest import DatabaseFactory
from tests.identity.conftest import bootstrap
from tests.nodes import wait_until


@pytest.fixture()
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _token(engine: Engine) -> str:
    with unit_of_work(make_session_factory(engine)) as session:
        node = bootstrap(session)
        raw, _ = issue_token(session, node.liaison_actor, node.liaison.id, "desk", ["*"], 30)
    return raw


def test_the_last_use_is_written_when_the_request_commits(
    engine: Engine, settings: JisrSettings
) -> None:
    raw = _token(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        actor_from_token(session, settings, raw)
        token = session.execute(select(ApiToken)).scalar_one()
        seen = token.last_used_at
        assert seen is not None  # visible at once in the request
        assert not session.dirty  # but not a change that a flush would write early
    with unit_of_work(factory) as session:
        assert session.execute(select(ApiToken.last_used_at)).scalar_one() == seen
    # A request that fails writes nothing.
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        actor_from_token(session, settings, raw)
        raise RuntimeError("the handler failed")
    with unit_of_work(factory) as session:
        assert session.execute(select(ApiToken.last_used_at)).scalar_one() == seen


def _lock_waits(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    # Row lock waits are on transaction ids, which name no database.
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE NOT l.granted AND a.datname = current_database()"
                )
            ).scalar_one()
        )


def test_two_requests_with_one_token_do_not_deadlock(
    engine: Engine, settings: JisrSettings, databases: DatabaseFactory
) -> None:
    """The interleaving that deadlocked: request A's first query flushes its token stamp, then
    A audits; request B audits first (its flush locks the audit head), then would stamp the
    token A holds, while A waits for the head B holds."""
    if databases.backend != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the interleaving cannot happen")
    raw = _token(engine)
    factory = make_session_factory(engine)
    a, b = factory(), factory()
    failures: list[BaseException] = []
    b_flushed, b_may_commit = threading.Event(), threading.Event()

    def finish(session: Session, before_commit: threading.Event | None = None) -> None:
        try:
            session.flush()
            if before_commit is not None:
                b_flushed.set()
                before_commit.wait(30)
            session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
            session.rollback()

    try:
        actor_a = actor_from_token(a, settings, raw)
        a.execute(select(ApiToken.id)).all()  # A's first query (and autoflush)
        actor_b = actor_from_token(b, settings, raw)
        record(b, actor_b, AuditAction.CONSULTATION, "certificate", "B")
        thread_b = threading.Thread(target=finish, args=(b, b_may_commit))
        thread_b.start()
        # B now holds the audit head (or, as it used to, waits for A's lock on the token).
        wait_until(
            lambda: b_flushed.is_set() or _lock_waits(engine) > 0, timeout=10, what="B's flush"
        )
        record(a, actor_a, AuditAction.COLLECTION, "course", "A")
        thread_a = threading.Thread(target=finish, args=(a,))
        thread_a.start()
        # A waits for the head (or, as it used to, the two wait for each other).
        wait_until(lambda: _lock_waits(engine) > 0 or bool(failures), timeout=10, what="A to wait")
        b_may_commit.set()
        thread_b.join(30)
        thread_a.join(30)
    finally:
        a.close()
        b.close()
    assert not failures, failures
    with unit_of_work(factory) as session:
        assert session.execute(select(ApiToken.last_used_at)).scalar_one() is not None
