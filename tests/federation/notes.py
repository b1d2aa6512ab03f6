"""A test-only envelope type, ``test.note``, whose handler leaves one countable effect."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.audit import AuditAction, AuditEntry, record
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import HandlerRegistry, InboundEnvelope
from jisr.node import handler_registry

NOTE = "test.note"
EFFECT = "test.note.effect"


def handle_note(session: Session, envelope: InboundEnvelope) -> None:
    if envelope.payload.get("refuse"):
        raise RejectedError("the note handler refuses this note", code="note_refused")
    record(session, envelope.actor, AuditAction.COLLECTION, EFFECT, envelope.id)


def note_registry() -> HandlerRegistry:
    return handler_registry(extra={NOTE: handle_note})


def effects(session: Session) -> tuple[int, int]:
    """(effects recorded, distinct envelopes they came from)."""
    row = session.execute(
        select(func.count(), func.count(AuditEntry.object_id.distinct())).where(
            AuditEntry.object_type == EFFECT
        )
    ).one()
    return int(row[0]), int(row[1])
