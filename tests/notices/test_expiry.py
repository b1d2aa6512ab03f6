"""Alerts past their validity expire on schedule: ours everywhere, partners' copies locally."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jisr.actors import Actor, system_actor
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.node import create_app
from jisr.notices import drafting, publication, review
from jisr.notices.cli import notice_app
from jisr.notices.models import Notice, NoticeStatus, Origin
from jisr.notices.schemas import NoticeCreate, ReviewCreate
from jisr.notices.watch import watch
from jisr.notices.wire import WITHDRAW_ENVELOPE
from jisr.notices.worker import expire_pass
from jisr.settings import load_settings
from jisr.watchlists.service import find_entry
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, officer, pin_partner
from tests.nodes import make_node
from tests.notices.conftest import World, wanted

# Several alerts about one fictional person are flagged as possible duplicates: justified.
APPROVE = ReviewCreate(
    decision="approve",  # type: ignore[arg-type]
    comment="Separate warrants for separate offences, checked with the investigating judge.",
)


def _published(session: Session, **overrides: object) -> Notice:
    author = officer("liaison")
    reviewer = Actor(author.kind, f"{LOCAL}:user:reviewer", LOCAL, author.roles, label="r")
    notice = drafting.create_notice(session, author, NoticeCreate(**wanted(**overrides)))
    drafting.submit_notice(session, author, notice.id)
    review.review_notice(session, reviewer, notice.id, APPROVE)
    return publication.publish_notice(session, author, notice.id)


def _partner_copy(session: Session, valid_until: datetime) -> Notice:
    """A partner's published alert as received (its entry on our watchlists)."""
    now = utcnow()
    copy = Notice(
        id=f"{PARTNER}:notice:01JD0000000000000000000077",
        reference=f"{PARTNER}/2026/R-0077",
        alert_type="wanted",
        status=NoticeStatus.PUBLISHED.value,
        origin=Origin.PARTNER.value,
        owner_agency=PARTNER,
        title="Partner alert",
        subject={
            "id": f"{PARTNER}.p9",
            "schema": "Person",
            "properties": {"name": ["Claire Lefebvre-Test"], "birthDate": ["1979-11-02"]},
        },
        crime_area="migrant_smuggling",
        data_category="personal",
        handling_code="H0",
        valid_until=valid_until,
        created_by=PARTNER,
        created_by_id=PARTNER,
        published_at=now,
        received_at=now,
    )
    session.add(copy)
    session.flush()
    watch(session, copy)
    return copy


def test_expire_due_with_a_fixed_clock(world: World) -> None:
    session = world.session
    ours = _published(session)
    later = _published(session, title="Second route organiser", warrant_reference="AW 2026/118")
    later.valid_until = ours.valid_until + timedelta(days=10)
    copy = _partner_copy(session, ours.valid_until)
    actor = system_actor(LOCAL)

    assert publication.expire_due(session, actor, ours.valid_until - timedelta(seconds=1)) == []
    expired = publication.expire_due(session, actor, ours.valid_until + timedelta(seconds=1))
    assert {n.id for n in expired} == {ours.id, copy.id}
    assert ours.status == copy.status == NoticeStatus.EXPIRED.value
    assert later.status == NoticeStatus.PUBLISHED.value
    # Ours: a withdrawal of kind "expired" to the partner holding a copy, off the watchlist.
    [withdrawal] = world.outbox(WITHDRAW_ENVELOPE)
    assert withdrawal.recipient == PARTNER and withdrawal.payload["kind"] == "expired"
    assert withdrawal.payload["notice_id"] == ours.id
    assert ours.distributions[0].status == "withdrawn"
    assert find_entry(session, ours.id).active is False
    # The partner's copy leaves our watchlist; its owner withdraws it everywhere.
    assert find_entry(session, copy.id).active is False
    assert find_entry(session, later.id).active is True
    # A second pass finds nothing more; a batch limit is honoured.
    assert publication.expire_due(session, actor, ours.valid_until + timedelta(seconds=2)) == []
    far = later.valid_until + timedelta(seconds=1)
    assert [n.id for n in publication.expire_due(session, actor, far, limit=1)] == [later.id]


@pytest.fixture()
def node_db(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            pin_partner(session, LOCAL, PARTNER)
            add_agreement(session, LOCAL, PARTNER)
            for index in range(3):
                _published(
                    session, title=f"Route organiser {index}", warrant_reference=f"AW {index}"
                )
            # Past their validity, as a stopped node would find them on restart.
            session.execute(update(Notice).values(valid_until=utcnow() - timedelta(minutes=1)))
    finally:
        engine.dispose()
    return node.data_dir, db_url


def _statuses(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return sorted(session.scalars(select(Notice.status)))
    finally:
        engine.dispose()


def test_expire_pass_commits_in_batches(node_db: tuple[Path, str]) -> None:
    _data_dir, db_url = node_db
    engine = make_engine(db_url)
    try:
        factory = make_session_factory(engine)
        assert expire_pass(factory, LOCAL, batch=2, now=utcnow()) == 3
        assert expire_pass(factory, LOCAL, batch=2, now=utcnow()) == 0
    finally:
        engine.dispose()
    assert _statuses(db_url) == ["expired"] * 3


def test_serve_expires_on_schedule(
    node_db: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, db_url = node_db
    monkeypatch.setenv("JISR_NOTICES_EXPIRY_INTERVAL_SECONDS", "0.2")
    with TestClient(create_app(load_settings(data_dir))):
        deadline = time.monotonic() + 10
        while _statuses(db_url) != ["expired"] * 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert _statuses(db_url) == ["expired"] * 3


def test_cli_expire_for_cron(node_db: tuple[Path, str]) -> None:
    data_dir, db_url = node_db
    runner = CliRunner()
    result = runner.invoke(notice_app, ["expire", "--data-dir", str(data_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.output.count('"expired"') == 3
    assert _statuses(db_url) == ["expired"] * 3
    again = runner.invoke(notice_app, ["expire", "--data-dir", str(data_dir), "--format", "json"])
    assert again.exit_code == 0 and '"expired"' not in again.output
