"""Envelopes about a message (the message itself, its attachment chunks, a withdrawal, a
receipt, a reminder): each travels under the message's agreement and case, with its labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.exchange.models import Message
from jisr.federation.models import OutboxMessage
from jisr.federation.service import enqueue


def enqueue_about(
    session: Session,
    actor: Actor,
    message: Message,
    envelope_type: str,
    payload: Mapping[str, Any],
    *,
    to: str | None = None,
) -> OutboxMessage:
    """Queue ``payload`` for the message's recipient (or ``to``) in the caller's transaction."""
    return enqueue(
        session,
        actor,
        recipient=to or message.recipient_agency,
        agreement_id=message.agreement_id,
        envelope_type=envelope_type,
        payload=payload,
        case_ref=message.case_ref,
        data_category=message.data_category,
        crime_area=message.crime_area,
        handling_code=message.handling_code,
    )
