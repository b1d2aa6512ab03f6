"""A partner's alert notifies the liaison officers who may read it (not when a data-subject
request blocks it); ours in review notifies the other reviewers, a decision its author; a dead
envelope and an unreachable partner notify administrators and the desk."""

from __future__ import annotations

from datetime import date
from typing import Any

from jisr.federation.payloads import give_up
from jisr.notices import drafting, review
from jisr.notices.federation import handlers
from jisr.notices.models import Notice
from jisr.notices.schemas import NoticeCreate, ReviewCreate
from jisr.notifications import conditions
from jisr.rights.models import RecordType, RequestKind
from jisr.rights.schemas import BlockCreate, RequestCreate
from jisr.rights.service import create_request, place_block
from jisr.rights.settings import RightsSettings
from tests.exchange.conftest import LOCAL, PARTNER
from tests.notices.conftest import World, wanted, world  # noqa: F401
from tests.notices.test_handlers import _envelope, _partner_payload
from tests.notifications.conftest import add_officers, start, told


def _receive(world: World, payload: dict[str, Any]) -> Notice:
    handlers()["notices.publish"](world.session, _envelope(world, "notices.publish", payload))
    notice = world.session.get(Notice, payload["id"])
    assert notice is not None
    return notice


def test_a_partners_alert_notifies_liaison_officers(world: World) -> None:
    add_officers(world.session)
    payload = _partner_payload(world)
    start(world.session)
    notice = _receive(world, payload)
    notified = told(world.session, "alert_received")
    # Alerts are the liaison desk's: not the analysts', the border officers' (they screen the
    # watchlists built from them) or oversight's.
    assert sorted(notified) == ["amal", "claire"]
    [note] = notified["amal"]
    assert note.agency == PARTNER and note.params["reference"] == notice.reference
    assert note.href == f"/alerts/{notice.id}"


def test_a_blocked_alert_notifies_nobody_on_the_desk(world: World) -> None:
    officers = add_officers(world.session)
    payload = _partner_payload(world)
    start(world.session)
    _receive(world, payload)
    # The data-protection officer blocks it before the pass tells anyone.
    request = create_request(
        world.session,
        officers["leila"],
        RequestCreate(kind=RequestKind.DELETION, subject_name="Youssef Benkirane-Test",
                      requester="A lawyer", received_on=date.today()),
        RightsSettings(),
    )  # fmt: skip
    place_block(world.session, officers["leila"], request.id,
                BlockCreate(record_type=RecordType.NOTICE, record_id=payload["id"]))  # fmt: skip
    assert told(world.session, "alert_received") == {}


def test_a_data_subject_request_notifies_the_other_dpo(world: World) -> None:
    officers = add_officers(world.session, nour=["dpo"])
    start(world.session)
    create_request(
        world.session,
        officers["leila"],
        RequestCreate(kind=RequestKind.ACCESS, subject_name="Fictive Person",
                      requester="Fictive Person", received_on=date.today()),
        RightsSettings(),
    )  # fmt: skip
    assert sorted(told(world.session, "subject_request")) == ["nour"]


def test_review_requested_then_reviewed(world: World) -> None:
    officers = add_officers(world.session)
    start(world.session)
    draft = drafting.create_notice(world.session, officers["amal"], NoticeCreate(**wanted()))
    submitted = drafting.submit_notice(world.session, officers["amal"], draft.id)
    assert submitted.status == "in_review"
    # The author submits; the other liaison officer is asked to review.
    assert sorted(told(world.session, "review_requested")) == ["claire"]
    review.review_notice(world.session, officers["claire"], draft.id,
                         ReviewCreate(decision="approve"))  # fmt: skip
    reviewed = told(world.session, "alert_reviewed")
    assert sorted(reviewed) == ["amal"]
    assert reviewed["amal"][0].params["decision"] == "approve"


def test_dead_envelopes_and_unreachable_partners(world: World) -> None:
    officers = add_officers(world.session)
    draft = drafting.create_notice(world.session, officers["amal"], NoticeCreate(**wanted()))
    drafting.submit_notice(world.session, officers["amal"], draft.id)
    review.review_notice(world.session, officers["claire"], draft.id,
                         ReviewCreate(decision="approve"))  # fmt: skip
    from jisr.notices import publication

    publication.publish(world.session, officers["amal"], draft)
    [envelope] = world.outbox("notices.publish")
    start(world.session)
    give_up(world.session, LOCAL, envelope.id, "refused: key mismatch")
    dead = told(world.session, "envelope_dead")
    assert sorted(dead) == ["admin2", "amal", "claire"]
    assert dead["admin2"][0].agency == PARTNER
    assert conditions.scan_partners(world.session, LOCAL) == 3
    assert conditions.scan_partners(world.session, LOCAL) == 0  # one outage, told once
    assert sorted(told(world.session, "partner_unreachable")) == ["admin2", "amal", "claire"]
