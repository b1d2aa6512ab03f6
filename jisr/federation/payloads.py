"""Outbox payloads that name their content instead of carrying it, expanded when sealed.

A domain whose envelopes carry bulk content (an attachment's chunk) queues a small payload that
refers to it (``{"sha256": ..., "offset": ..., "length": ...}``) and registers an *expander* for
the envelope type: the delivery worker calls it just before sealing, at every attempt, so the
content is never copied into the outbox table and is read only while one envelope is sealed.
Expanders are declared beside handlers (``FederationHandlers`` in a domain's module) and
the composition root puts both in the node's registry.

An expander raises ``PayloadUnavailableError`` when the content is gone for good (a purged
file): the envelope is then marked dead at once with that error, rather than retried for days
or sent with content that is not the one queued. Any other ``JisrError`` is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.orm import Session

from jisr.actors import system_actor
from jisr.audit import AuditAction, record
from jisr.errors import JisrError
from jisr.federation.models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from jisr.federation.node import FederationNode
    from jisr.federation.outbox import Claimed

log = structlog.get_logger("jisr.federation")

# (queued payload, the node's data directory) -> the payload to seal.
Expander = Callable[[dict[str, Any], Path], dict[str, Any]]


class PayloadUnavailableError(JisrError):
    """The content a queued payload refers to is gone: the envelope can never be sent."""

    code = "payload_unavailable"
    http_status = 410
    title = "Payload unavailable"


def expand_payload(node: FederationNode, claimed: Claimed) -> dict[str, Any]:
    """The payload to seal for ``claimed``: as queued, or expanded by its type's expander."""
    expander = node.registry.expander(claimed.request.type)
    if expander is None:
        return claimed.payload
    try:
        return expander(claimed.payload, node.keys.data_dir)
    except PayloadUnavailableError as exc:
        with node.transaction() as session:
            give_up(session, node.agency_code, claimed.id, f"{exc.code}: {exc.detail}")
        raise


def give_up(session: Session, local: str, envelope_id: str, error: str) -> None:
    """Mark a pending envelope dead now, with ``error`` (audited like any dead envelope)."""
    row = session.get(OutboxMessage, envelope_id)
    if row is None or row.status != OutboxStatus.PENDING.value:
        return
    row.status, row.last_error = OutboxStatus.DEAD.value, error[:2000]
    record(
        session,
        system_actor(local),
        AuditAction.TRANSFER,
        "envelope",
        row.id,
        justification=row.last_error,
        recipients=[row.recipient],
        details={"event": "dead", "type": row.envelope_type, "attempts": row.attempts},
    )
    log.warning("envelope dead", envelope_id=row.id, peer=row.recipient, error=row.last_error)
