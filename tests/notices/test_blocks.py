"""Alerts whose subject a data-subject request blocked: never published, sent on or screened."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError
from jisr.notices import drafting, publication, review
from jisr.notices.models import Notice, NoticeStatus
from jisr.notices.schemas import NoticeUpdate, ReviewCreate
from jisr.notices.wire import PUBLISH_ENVELOPE, UPDATE_ENVELOPE
from jisr.rights import service as rights
from jisr.rights.models import Outcome, RecordType, RequestKind
from jisr.rights.schemas import BlockCreate, DecisionCreate, RequestCreate
from jisr.rights.settings import RightsSettings
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.checks import check_traveller
from jisr.watchlists.schemas import TravellerCheck
from jisr.watchlists.service import find_entry
from tests.exchange.conftest import PARTNER, officer
from tests.notices.conftest import World

APPROVE = ReviewCreate(decision="approve")  # type: ignore[arg-type]
DPO = officer("dpo")
TRAVELLER = TravellerCheck(name="Youssef Benkirane-Test", birth_date="1984-03-12")


def _approved(world: World, **overrides: object) -> Notice:
    notice = world.draft(**overrides)
    drafting.submit_notice(world.session, world.author, notice.id)
    review.review_notice(world.session, world.reviewer, notice.id, APPROVE)
    return notice


def _block(world: World, record_type: RecordType, record_id: str) -> str:
    request = rights.create_request(
        world.session,
        DPO,
        RequestCreate(
            kind=RequestKind.DELETION,
            subject_name="Youssef Benkirane-Test",
            requester="counsel of the data subject",
            received_on=date.today(),
        ),
        RightsSettings(),
    )
    rights.place_block(
        world.session, DPO, request.id, BlockCreate(record_type=record_type, record_id=record_id)
    )
    return request.id


def _decide(world: World, request_id: str) -> None:
    grounds = DecisionCreate(outcome=Outcome.REFUSED, grounds="the alert is lawful")
    rights.decide(world.session, DPO, request_id, grounds)


def _hit(world: World) -> bool:
    border = officer("border_officer")
    return check_traveller(world.session, border, ScreenerCache(), TRAVELLER).hit


def test_blocked_alert_is_not_published_until_the_request_is_decided(world: World) -> None:
    notice = _approved(world)
    request_id = _block(world, RecordType.NOTICE, notice.id)
    with pytest.raises(ConflictError) as refused:
        publication.publish_notice(world.session, world.author, notice.id)
    assert refused.value.code == "subject_blocked"
    assert notice.status == NoticeStatus.APPROVED.value and not world.outbox(PUBLISH_ENVELOPE)
    with pytest.raises(PermissionDeniedError) as hidden:
        drafting.read_notice(world.session, world.author, notice.id)
    assert hidden.value.code == "record_blocked"
    assert drafting.read_notice(world.session, DPO, notice.id).id == notice.id

    _decide(world, request_id)
    publication.publish_notice(world.session, world.author, notice.id)
    assert notice.status == NoticeStatus.PUBLISHED.value and world.outbox(PUBLISH_ENVELOPE)
    assert _hit(world)


def test_blocked_entry_of_a_published_alert_holds_screening_and_updates(world: World) -> None:
    notice = _approved(world)
    publication.publish_notice(world.session, world.author, notice.id)
    assert _hit(world)
    entry = find_entry(world.session, notice.id)
    request_id = _block(world, RecordType.WATCHLIST_ENTRY, entry.id)
    assert entry.blocked and not _hit(world)
    with pytest.raises(ConflictError, match="blocked"):
        drafting.update_notice(
            world.session, world.author, notice.id, NoticeUpdate(summary="Seen in Algeciras.")
        )
    with pytest.raises(ConflictError, match="blocked"):
        later = notice.valid_until + timedelta(days=30)
        drafting.extend_notice(world.session, world.author, notice.id, later)
    assert not world.outbox(UPDATE_ENVELOPE)

    # A second block on the alert itself: lifting the first keeps the entry blocked.
    second = _block(world, RecordType.NOTICE, notice.id)
    _decide(world, request_id)
    assert entry.blocked and not _hit(world)
    _decide(world, second)
    assert not entry.blocked and _hit(world)


def test_blocked_diffusion_is_not_sent(world: World) -> None:
    notice = world.draft(alert_type="diffusion", recipients=[PARTNER], warrant_reference=None)
    _block(world, RecordType.NOTICE, notice.id)
    with pytest.raises(ConflictError) as refused:
        drafting.submit_notice(world.session, world.author, notice.id)
    assert refused.value.code == "subject_blocked" and not world.outbox(PUBLISH_ENVELOPE)


def test_withdrawing_a_blocked_alert_still_reaches_partners(world: World) -> None:
    notice = _approved(world)
    publication.publish_notice(world.session, world.author, notice.id)
    request_id = _block(world, RecordType.NOTICE, notice.id)
    publication.close_notice(
        world.session, world.author, notice.id, NoticeStatus.WITHDRAWN, "no longer needed"
    )
    assert notice.distributions[0].status == "withdrawn"
    _decide(world, request_id)
    assert not _hit(world)


def test_unknown_alert_cannot_be_blocked(world: World) -> None:
    with pytest.raises(NotFoundError) as missing:
        _block(world, RecordType.NOTICE, "MA-DGST:notice:01JD0000000000000000000099")
    assert missing.value.code == "rights_no_record"
