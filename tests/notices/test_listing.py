"""Listings filter by permission in the query, then page: a page is never short."""

from __future__ import annotations

from sqlalchemy import select

from jisr.notices.access import can_read
from jisr.notices.drafting import NoticeFilter, create_notice, list_notices
from jisr.notices.models import Notice
from jisr.notices.schemas import NoticeCreate
from tests.exchange.conftest import PARTNER, officer
from tests.notices.conftest import OTHER, World, wanted


def test_a_page_is_full_when_some_rows_are_not_visible(world: World) -> None:
    session = world.session
    own = [world.draft(title=f"Own alert {i}") for i in range(2)]
    shared = create_notice(session, officer("liaison", PARTNER), NoticeCreate(**wanted()))
    # Our agreement with OTHER covers cybercrime only: its smuggling alerts are not ours to see,
    # and they are the newest rows.
    hidden = [
        create_notice(session, officer("liaison", OTHER), NoticeCreate(**wanted()))
        for _ in range(3)
    ]
    assert not any(can_read(session, world.author, n) for n in hidden)
    everything = session.execute(
        select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc())
    ).scalars()
    expected = [n.id for n in everything if can_read(session, world.author, n)]
    assert sorted(expected) == sorted(n.id for n in [*own, shared])

    first = list_notices(session, world.author, NoticeFilter(limit=2))
    second = list_notices(session, world.author, NoticeFilter(limit=2, offset=2))
    assert [n.id for n in first] == expected[:2]
    assert [n.id for n in second] == expected[2:]
    # Oversight reads everything; the other agency's officer sees only its own alerts.
    assert len(list_notices(session, officer("auditor"), NoticeFilter())) == 6
    theirs = list_notices(session, officer("liaison", OTHER), NoticeFilter())
    assert sorted(n.id for n in theirs) == sorted(n.id for n in hidden)
