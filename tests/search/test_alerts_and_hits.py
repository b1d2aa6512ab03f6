"""Alerts and screening hits in search: a blocked alert shows only to the data-protection
officer's side, hits only to who screens, and a hit never reveals the listed person."""

from __future__ import annotations

from sqlalchemy import select

from jisr.notices import drafting, publication, review
from jisr.notices.models import Notice
from jisr.notices.schemas import ReviewCreate
from jisr.rights.models import RecordType
from jisr.search import service
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.checks import check_traveller
from jisr.watchlists.models import WatchlistEntry
from jisr.watchlists.schemas import TravellerCheck
from tests.exchange.conftest import officer
from tests.notices.conftest import World, world
from tests.notices.test_blocks import DPO, _block

__all__ = ["world"]
APPROVE = ReviewCreate(decision="approve")  # type: ignore[arg-type]
BORDER = officer("border_officer")


def _published(world: World, **overrides: object) -> Notice:
    notice = world.draft(**overrides)
    drafting.submit_notice(world.session, world.author, notice.id)
    review.review_notice(world.session, world.reviewer, notice.id, APPROVE)
    publication.publish_notice(world.session, world.author, notice.id)
    return notice


def _kinds(world: World, actor: object, query: str) -> dict[str, int]:
    return service.search(world.session, actor, query).counts  # type: ignore[arg-type]


def test_an_alert_is_found_by_name_in_either_script_and_by_passport(world: World) -> None:
    notice = world.draft()
    for query in ("Benkirane", "يوسف بنكيران", "Youssef Benkiran", "ZZ 000 0001"):
        page = service.search(world.session, world.author, query)
        assert notice.id in {r.record_id for r in page.results}, query
    assert _kinds(world, world.author, "بنكيران") == {"alert": 1, "person": 1}


def test_a_blocked_alert_is_hidden_and_uncounted_but_the_dpo_finds_it(world: World) -> None:
    notice = world.draft()
    _block(world, RecordType.NOTICE, notice.id)
    assert _kinds(world, world.author, "benkirane") == {}
    assert _kinds(world, world.analyst, "benkirane") == {}
    assert _kinds(world, DPO, "benkirane") == {"alert": 1, "person": 1}


def test_blocking_one_alerts_watchlist_entry_hides_that_alert_only(world: World) -> None:
    blocked = _published(world, title="Organiser of the Nador crossings")
    driver = {
        "id": "p2",
        "schema": "Person",
        "properties": {"name": ["Hamid Zerouali-Test"], "birthDate": ["1979-07-01"],
                       "nationality": ["ma"], "passportNumber": ["ZZ0000002"]},
    }  # fmt: skip
    other = _published(world, title="Driver of the Nador crossings", subject=driver)
    [entry] = world.session.execute(
        select(WatchlistEntry).where(WatchlistEntry.notice_id == blocked.id)
    ).scalars()
    _block(world, RecordType.WATCHLIST_ENTRY, entry.id)
    page = service.search(world.session, world.author, "nador crossings")
    assert {r.record_id for r in page.results if r.kind == "alert"} == {other.id}
    assert page.counts["alert"] == 1
    assert _kinds(world, DPO, "nador crossings")["alert"] == 2


def test_hits_are_for_who_screens_and_hide_the_listed_person(world: World) -> None:
    _published(world)
    traveller = TravellerCheck(name="Youssef Benkirane-Test", birth_date="1984-03-12")
    result = check_traveller(world.session, BORDER, ScreenerCache(), traveller)
    assert result.hit
    page = service.search(world.session, BORDER, "Youssef Benkirane")
    [hit] = [r for r in page.results if r.kind == "hit"]
    assert hit.record_id == result.candidates[0].hit_id and hit.link.startswith("/screening/hits/")
    assert "wanted" not in page.model_dump_json().lower()
    assert "hit" not in _kinds(world, world.analyst, "Youssef Benkirane")
    assert "hit" not in _kinds(world, officer("auditor"), "Youssef Benkirane")
