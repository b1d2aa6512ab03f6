"""Expired idempotency keys are purged by the request-reminder pass ``jisr serve`` runs (and by
``jisr message remind`` from cron); keys still inside ``KEEP`` stay and are still honoured."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.idempotency import KEEP, IdempotencyKey, purge_pass, recall
from jisr.exchange.cli import message_app
from jisr.node import create_app
from jisr.settings import load_settings
from tests.nodes import make_node, wait_until

SCOPE = "message.send"


def _keys(db_url: str, ages: dict[str, timedelta]) -> None:
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        for key, age in ages.items():
            session.add(
                IdempotencyKey(
                    scope=SCOPE,
                    principal="MA-DGST:user:amal",
                    key=key,
                    fingerprint="f" * 64,
                    result_id=f"MA-DGST:msg:{key}",
                    created_at=utcnow() - age,
                )
            )
    engine.dispose()


def _left(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        keys = sorted(session.execute(select(IdempotencyKey.key)).scalars())
    engine.dispose()
    return keys


AGES = {
    "expired": KEEP + timedelta(minutes=1),
    "long-expired": KEEP * 4,
    "fresh": timedelta(minutes=5),
    "nearly-expired": KEEP - timedelta(minutes=5),
}


def test_the_purge_forgets_expired_keys_and_keeps_fresh_ones(db_url: str) -> None:
    _keys(db_url, AGES)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    assert purge_pass(factory) == 2
    assert _left(db_url) == ["fresh", "nearly-expired"]
    with unit_of_work(factory) as session:
        kept = recall(session, SCOPE, "MA-DGST:user:amal", "nearly-expired", "f" * 64)
        assert kept is not None and kept.result_id == "MA-DGST:msg:nearly-expired"
    # A week on, the one kept is expired too.
    assert purge_pass(factory, now=utcnow() + timedelta(minutes=10)) == 1
    assert _left(db_url) == ["fresh"]
    assert purge_pass(factory) == 0
    engine.dispose()


def test_serve_purges_on_the_reminder_schedule(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = make_node(tmp_path / "node", db_url)
    _keys(db_url, AGES)
    monkeypatch.setenv("JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS", "0.2")
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    with TestClient(create_app(load_settings(node.data_dir))):
        wait_until(
            lambda: _left(db_url) == ["fresh", "nearly-expired"],
            timeout=10,
            what="the scheduled pass to purge the expired keys",
        )


def test_the_remind_command_purges_too(tmp_path: Path, db_url: str) -> None:
    node = make_node(tmp_path / "node", db_url)
    _keys(db_url, AGES)
    result = CliRunner().invoke(
        message_app, ["remind", "--data-dir", str(node.data_dir), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert _left(db_url) == ["fresh", "nearly-expired"]
