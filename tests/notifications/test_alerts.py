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
from tests.notices.conftest import World, wanted
from tests.notices.test_handlers import _envelope, _partner_payload
from tests.notifications.conftest import add_officers, start, told


def _receive(alerts: World, payload: dict[str, Any]) -> Notice:
    handlers()["notices.publish"](alerts.session, _envelope(alerts, "notices.publish", payload))
    notice = alerts.session.get(Notice, payload["id"])
    assert notice is not None
    return notice


def test_a_partners_alert_notifies_liaison_officers(alerts: World) -> None:
    add_officers(alerts.session)
    payload = _partner_payload(alerts)
    start(alerts.session)
    notice = _receive(alerts, payload)
    notified = told(alerts.session, "alert_received")
    # Alerts are the liaison desk's: not the analysts', the border officers' (they screen the
    # watchlists built from them) or oversight's.
    assert sorted(notified) == ["amal", "claire"]
    [note] = notified["amal"]
    assert note.agency == PARTNER and note.params["reference"] == notice.reference
    assert note.href == f"/alerts/{notice.id}"


def test_a_blocked_alert_notifies_nobody_on_the_desk(alerts: World) -> None:
    officers = add_officers(alerts.session)
    payload = _partner_payload(alerts)
    start(alerts.session)
    _receive(alerts, payload)
    # The data-protection officer blocks it before the pass tells anyone.
    request = create_request(
        alerts.session,
        officers["leila"],
        RequestCreate(kind=RequestKind.DELETION, subject_name="Youssef Benkirane-Test",
                      requester="A lawyer", received_on=date.today()),
        RightsSettings(),
    )  # fmt: skip
    place_block(alerts.session, officers["leila"], request.id,
                BlockCreate(record_type=RecordType.NOTICE, record_id=payload["id"]))  # fmt: skip
    assert told(alerts.session, "alert_received") == {}


def test_a_data_subject_request_notifies_the_other_dpo(alerts: World) -> None:
    officers = add_officers(alerts.session, nour=["dpo"])
    start(alerts.session)
    create_request(
        alerts.session,
        officers["leila"],
        RequestCreate(kind=RequestKind.ACCESS, subject_name="Fictive Person",
                      requester="Fictive Person", received_on=date.today()),
        RightsSettings(),
    )  # fmt: skip
    assert sorted(told(alerts.session, "subject_request")) == ["nour"]


def test_review_requested_then_reviewed(alerts: World) -> None:
    officers = add_officers(alerts.session)
    start(alerts.session)
    draft = drafting.create_notice(alerts.session, officers["amal"], NoticeCreate(**wanted()))
    submitted = drafting.submit_notice(alerts.session, officers["amal"], draft.id)
    assert submitted.status == "in_review"
    # The author submits; the other liaison officer is asked to review.
    assert sorted(told(alerts.session, "review_requested")) == ["claire"]
    review.review_notice(alerts.session, officers["claire"], draft.id,
                         ReviewCreate(decision="approve"))  # fmt: skip
    reviewed = told(alerts.session, "alert_reviewed")
    assert sorted(reviewed) == ["amal"]
    assert reviewed["amal"][0].params["decision"] == "approve"


def test_dead_envelopes_and_unreachable_partners(alerts: World) -> None:
    officers = add_officers(alerts.session)
    draft = drafting.create_notice(alerts.session, officers["amal"], NoticeCreate(**wanted()))
    drafting.submit_notice(alerts.session, officers["amal"], draft.id)
    review.review_notice(alerts.session, officers["claire"], draft.id,
                         ReviewCreate(decision="approve"))  # fmt: skip
    from jisr.notices import publication

    publication.publish(alerts.session, officers["amal"], draft)
    [envelope] = alerts.outbox("notices.publish")
    start(alerts.session)
    give_up(alerts.session, LOCAL, envelope.id, "refused: key mismatch")
    dead = told(alerts.session, "envelope_dead")
    assert sorted(dead) == ["admin2", "amal", "claire"]
    assert dead["admin2"][0].agency == PARTNER
    assert conditions.scan_partners(alerts.session, LOCAL) == 3
    assert conditions.scan_partners(alerts.session, LOCAL) == 0  # one outage, told once
    assert sorted(told(alerts.session, "partner_unreachable")) == ["admin2", "amal", "claire"]
