"""A partner's message, request or reply notifies the officers who may read it — the case's
members — and nobody else; request deadlines notify once per state."""

from __future__ import annotations

from datetime import timedelta

from jisr.clock import utcnow
from jisr.exchange import messages
from jisr.exchange.members import add_member
from jisr.exchange.schemas import MessageCreate
from jisr.notifications import conditions, rules, wakeup
from jisr.notifications.texts import TITLES, title_of
from jisr.web.pages.notifications import TITLES as CONSOLE_TITLES
from tests.exchange.conftest import LOCAL, PARTNER, World, message_fields
from tests.exchange.test_inbound import _receive, partner_request
from tests.notifications.conftest import add_officers, start, told


def test_a_partner_request_notifies_the_case_members_who_may_read_it(desk: World) -> None:
    add_officers(desk.session)
    start(desk.session)
    message = _receive(desk, partner_request())
    notified = told(desk.session)
    # The inbound case's members are the liaison desk and the analysts; the border officer,
    # the administrator and oversight are not told; the disabled officer neither.
    assert sorted(notified) == ["amal", "claire", "karim"]
    [note] = notified["amal"]
    assert note.kind == "request" and note.agency == PARTNER
    assert note.object_id == message.id and note.href == f"/exchange/messages/{message.id}"
    assert note.params["priority"] == "urgent" and "deadline" in note.params
    # Identifiers and metadata only: nothing of the subject or the body.
    assert "passport" not in str(note.params).lower()
    assert title_of(note.kind, note.agency, note.params) == f"New request from {PARTNER} to answer"
    # A second pass over the same trail adds nothing.
    assert [len(v) for v in told(desk.session).values()] == [1, 1, 1]


def test_an_h3_case_notifies_its_named_member_only(desk: World) -> None:
    officers = add_officers(desk.session)
    message = _receive(desk, partner_request(handling_code="H3"))
    # The desk names the border officer on the case: she is told of what comes next.
    add_member(desk.session, officers["amal"], message.case_ref, f"user:{officers['salma'].id}")
    start(desk.session)
    second = _receive(desk, partner_request(case_ref=message.case_ref, kind="message",
                                             deadline_at=None, handling_code="H3"))  # fmt: skip
    notified = told(desk.session, "message")
    assert sorted(notified) == ["amal", "claire", "karim", "salma"]
    assert {n.object_id for v in notified.values() for n in v} == {second.id}


def test_a_reply_tells_the_author_of_what_it_answers(desk: World) -> None:
    officers = add_officers(desk.session, nadia=["coordinator"])
    start(desk.session)
    ours = messages.send_message(
        desk.session,
        officers["nadia"],
        MessageCreate(**message_fields(kind="request", data_category="personal")),
        store=desk.store,
    )
    answer = _receive(desk, partner_request(
        case_ref=ours.case_ref, in_reply_to=ours.id, kind="message", deadline_at=None,
        handling_code="H1"))  # fmt: skip
    notified = told(desk.session, "reply")
    assert "nadia" in notified and notified["nadia"][0].object_id == answer.id
    assert "salma" not in notified and "hind" not in notified
    assert ours.answered_at is not None


def test_deadlines_notify_once_per_state(desk: World) -> None:
    add_officers(desk.session)
    soon = utcnow() + timedelta(hours=2)
    message = _receive(desk, partner_request(deadline_at=soon.isoformat(), handling_code="H1"))
    within = timedelta(hours=24)
    assert conditions.scan_deadlines(desk.session, LOCAL, within=within) == 3
    assert conditions.scan_deadlines(desk.session, LOCAL, within=within) == 0
    later = soon + timedelta(hours=1)
    assert conditions.scan_deadlines(desk.session, LOCAL, within=within, now=later) == 3
    kinds = {n.kind for v in told(desk.session).values() for n in v if n.object_id == message.id}
    assert {"request_due", "request_overdue"} <= kinds


def test_the_rules_the_listener_watches_are_the_rules_there_are() -> None:
    assert set(rules.RULES) == wakeup.WATCHED
    assert {str(k): v for k, v in TITLES.items()} == CONSOLE_TITLES
