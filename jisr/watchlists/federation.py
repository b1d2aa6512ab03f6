"""Envelope handler for watchlists: a partner telling us one of our alerts was hit.

Declared in this domain's ``module.py``. The payload names our notice and the hit
time, nothing about the traveller; the follow-up itself arrives as an exchange request.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.audit import AuditAction, record
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope
from jisr.ids import new_id, owner_of
from jisr.watchlists.decisions import HIT_NOTICE_ENVELOPE
from jisr.watchlists.models import HitNotification


class WireHitNotice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notice_id: str = Field(min_length=1, max_length=80)
    reference: str = Field(min_length=1, max_length=200)
    verdict: str = Field(pattern=r"^(confirmed)$")
    hit_at: datetime


def handlers() -> dict[str, Handler]:
    return {HIT_NOTICE_ENVELOPE: receive_hit_notice}


def receive_hit_notice(session: Session, envelope: InboundEnvelope) -> None:
    try:
        wire = WireHitNotice.model_validate(envelope.payload)
    except PydanticValidationError as exc:
        raise RejectedError(f"invalid hit notice: {exc.errors()[0]['msg']}") from None
    if wire.hit_at.tzinfo is None:
        raise RejectedError("hit_at carries no timezone", code="payload_invalid")
    if owner_of(wire.notice_id) != envelope.header.recipient:
        raise RejectedError("the notice is not ours", code="payload_invalid")
    seen = select(HitNotification.id).where(HitNotification.envelope_id == envelope.id)
    if session.execute(seen).first() is not None:
        return
    notification = HitNotification(
        id=new_id(envelope.header.recipient, "hitnotice"),
        envelope_id=envelope.id,
        sender_agency=envelope.sender,
        notice_id=wire.notice_id,
        reference=wire.reference,
        verdict=wire.verdict,
        hit_at=wire.hit_at,
    )
    session.add(notification)
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "hit_notification",
        notification.id,
        details={"notice": wire.notice_id, "from": envelope.sender},
    )
