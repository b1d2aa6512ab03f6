"""The notices list: upsert and removal of alert entries as ``jisr.notices`` calls them."""

from __future__ import annotations

from sqlalchemy import select

from jisr.watchlists.models import WatchlistEntry
from jisr.watchlists.service import current_version, remove_notice_entry, upsert_notice_entry
from tests.watchlists.conftest import AMRANI, LEFEBVRE, World

NOTICE = "FR-DGSI:notice:01JD0000000000000000000001"


def test_upsert_creates_then_replaces_and_bumps_version(world: World) -> None:
    session = world.session
    before = current_version(session)
    upsert_notice_entry(
        session,
        notice_id=NOTICE,
        reference="FR/2026/W/0042",
        alert_type="wanted",
        owner_agency="FR-DGSI",
        subject=AMRANI,
    )
    entry = session.execute(
        select(WatchlistEntry).where(WatchlistEntry.notice_id == NOTICE)
    ).scalar_one()
    assert entry.names == ["Youssef El Amrani", "يوسف العمراني"]
    assert entry.documents == ["XK4471029"] and entry.birth_dates == ["1984-03-12"]
    assert entry.source == "notice" and entry.source_id == NOTICE and entry.active
    assert current_version(session) == before + 1

    upsert_notice_entry(
        session,
        notice_id=NOTICE,
        reference="FR/2026/W/0042-A1",
        alert_type="wanted",
        owner_agency="FR-DGSI",
        subject=LEFEBVRE,
    )
    rows = session.execute(select(WatchlistEntry).where(WatchlistEntry.notice_id == NOTICE))
    (entry,) = rows.scalars().all()
    assert entry.names == ["Claire Lefebvre"] and entry.reference == "FR/2026/W/0042-A1"
    assert current_version(session) == before + 2


def test_remove_deactivates_and_reports_unknown(world: World) -> None:
    session = world.session
    assert remove_notice_entry(session, NOTICE) is False
    upsert_notice_entry(
        session,
        notice_id=NOTICE,
        reference="FR/2026/W/0042",
        alert_type="wanted",
        owner_agency="FR-DGSI",
        subject=AMRANI,
    )
    version = current_version(session)
    assert remove_notice_entry(session, NOTICE) is True
    assert current_version(session) == version + 1
    assert remove_notice_entry(session, NOTICE) is False
    entry = session.execute(
        select(WatchlistEntry).where(WatchlistEntry.notice_id == NOTICE)
    ).scalar_one()
    assert entry.active is False
