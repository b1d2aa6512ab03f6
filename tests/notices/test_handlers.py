"""Envelopes arriving: a partner's alert, an update, a withdrawal (and one for an alert never
held, refused with nothing applied), and deletion receipts for ours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jisr.clock import utcnow
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import InboundEnvelope
from jisr.ids import new_id
from jisr.notices import drafting, publication, review
from jisr.notices.federation import handlers
from jisr.notices.models import DeletionReceipt, Notice, NoticeStatus
from jisr.notices.schemas import ReviewCreate
from jisr.notices.wire import DELETION_RECEIPT_ENVELOPE, notice_payload
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE
from tests.notices.conftest import World


def _envelope(world: World, kind: str, payload: dict[str, Any]) -> InboundEnvelope:
    now = utcnow()
    header = EnvelopeHeader(
        id=new_id(PARTNER, "envelope"),
        sender=PARTNER,
        recipient=LOCAL,
        agreement=REFERENCE,
        type=kind,
        created=now.isoformat(),
        expires=(now + timedelta(days=1)).isoformat(),
        sender_key="0123456789abcdef",
        recipient_key="fedcba9876543210",
        digest="ab" * 32,
        crime_area="migrant_smuggling",
        data_category="personal",
        handling_code="H0",
    )
    return InboundEnvelope(header, payload, world.agreement.id)


def _partner_payload(world: World) -> dict[str, Any]:
    """What Paris would send: built from a notice of ours, renamed as Paris's."""
    notice = world.draft()
    payload = notice_payload(notice)
    world.session.delete(notice)
    world.session.flush()
    payload.update(id=new_id(PARTNER, "notice"), reference=f"{PARTNER}/2026/R-0007", version=1)
    payload["subject"]["id"] = f"{PARTNER}.p1"
    return payload


def test_receive_update_withdraw(world: World) -> None:
    registry = handlers()
    payload = _partner_payload(world)
    registry["notices.publish"](world.session, _envelope(world, "notices.publish", payload))
    copy = world.session.get(Notice, payload["id"])
    assert copy is not None and copy.origin == "partner" and copy.owner_agency == PARTNER
    registry["notices.update"](
        world.session, _envelope(world, "notices.update", {**payload, "version": 2, "title": "New"})
    )
    assert copy.title == "New" and copy.version == 2
    withdrawal = {"notice_id": payload["id"], "reference": payload["reference"],
                  "kind": "cancelled", "reason": "arrested"}  # fmt: skip
    registry["notices.withdraw"](world.session, _envelope(world, "notices.withdraw", withdrawal))
    assert world.session.get(Notice, payload["id"]) is None
    [receipt] = world.outbox(DELETION_RECEIPT_ENVELOPE)
    assert receipt.recipient == PARTNER and receipt.payload["notice_id"] == payload["id"]


def test_withdrawal_of_an_alert_never_held_is_rejected(world: World) -> None:
    withdrawal = {"notice_id": new_id(PARTNER, "notice"), "reference": "FR-DGSI/2026/R-9",
                  "kind": "withdrawn", "reason": "no longer needed"}  # fmt: skip
    with pytest.raises(RejectedError) as caught:
        handlers()["notices.withdraw"](
            world.session, _envelope(world, "notices.withdraw", withdrawal)
        )
    assert caught.value.code == "notice_unknown"
    assert world.outbox(DELETION_RECEIPT_ENVELOPE) == []


def test_a_partner_cannot_send_our_alert_or_a_foreign_one(world: World) -> None:
    payload = _partner_payload(world)
    payload["reference"] = f"{LOCAL}/2026/R-0001"
    with pytest.raises(RejectedError):
        handlers()["notices.publish"](world.session, _envelope(world, "notices.publish", payload))


def test_deletion_receipt_is_stored_for_the_owner(world: World) -> None:
    notice = world.draft()
    drafting.submit_notice(world.session, world.author, notice.id)
    review.review_notice(world.session, world.reviewer, notice.id, ReviewCreate(decision="approve"))
    publication.publish_notice(world.session, world.author, notice.id)
    publication.close_notice(
        world.session, world.author, notice.id, NoticeStatus.WITHDRAWN, "no longer needed"
    )
    body = {"notice_id": notice.id, "reference": notice.reference,
            "deleted_at": utcnow().isoformat(), "watchlist_entry_removed": True,
            "withdrawal_envelope": new_id(LOCAL, "envelope")}  # fmt: skip
    handlers()[DELETION_RECEIPT_ENVELOPE](
        world.session, _envelope(world, DELETION_RECEIPT_ENVELOPE, body)
    )
    receipt = world.session.query(DeletionReceipt).filter_by(notice_id=notice.id).one()
    assert receipt.agency == PARTNER and receipt.signing_key == "0123456789abcdef"
    assert notice.distributions[0].status == "deleted"
    with pytest.raises(RejectedError):
        handlers()[DELETION_RECEIPT_ENVELOPE](
            world.session,
            _envelope(world, DELETION_RECEIPT_ENVELOPE, {**body, "notice_id": "X:notice:1"}),
        )
