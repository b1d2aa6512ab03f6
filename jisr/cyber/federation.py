"""Envelope handlers: partners' objects, their expiry, and sightings reported back to us.

Federation has verified the envelope, checked the agreement and policy (RECEIVE) before a
handler runs. Here TLP is checked again (the second hop): an object this node may not hold
under its TLP refuses the whole envelope (``tlp_violation``), so a misbehaving sender gains
nothing and is told.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jisr.agreements.models import Agreement
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.cyber.collections import collection_for_agreement
from jisr.cyber.models import CyberObject, CyberObservable, CyberSightingCount, Origin
from jisr.cyber.sharing import EXPIRE_ENVELOPE, OBJECTS_ENVELOPE, SIGHTING_ENVELOPE
from jisr.cyber.store import Labels, ingest
from jisr.cyber.tlp import Tlp, may_reach
from jisr.errors import JisrError
from jisr.federation.errors import RejectedError
from jisr.federation.handlers import Handler, InboundEnvelope, parse_payload


class WireItem(BaseModel):
    body: dict[str, Any]
    tlp: Tlp
    recipients: list[str] = Field(default_factory=list)
    legal_basis: str = ""
    retention_until: str | None = None


class WireObjects(BaseModel):
    collection: str
    objects: list[WireItem] = Field(max_length=100_000)


class WireExpiry(BaseModel):
    ids: list[str]
    reason: str = "expired"


class WireSighting(BaseModel):
    sighting: dict[str, Any]
    count: int = 1


def handlers() -> dict[str, Handler]:
    return {
        OBJECTS_ENVELOPE: receive_objects,
        EXPIRE_ENVELOPE: receive_expiry,
        SIGHTING_ENVELOPE: receive_sighting,
    }


def _agreement(session: Session, envelope: InboundEnvelope) -> Agreement:
    agreement = session.get(Agreement, envelope.agreement_id)
    if agreement is None:  # federation resolved it; a vanished row is a refusal
        raise RejectedError("agreement unknown here", code="agreement_unknown")
    return agreement


def receive_objects(session: Session, envelope: InboundEnvelope) -> None:
    wire = parse_payload(WireObjects, envelope)
    local = envelope.header.recipient
    agreement = _agreement(session, envelope)
    community = set(agreement.party_codes)
    for item in wire.objects:
        if not may_reach(item.tlp, local, recipients=item.recipients, community=community):
            raise RejectedError(
                f"TLP:{item.tlp.value.upper()} object {str(item.body.get('id'))[:120]} may not"
                f" reach {local}",
                code="tlp_violation",
            )
    try:
        collection_id = collection_for_agreement(session, local, agreement.id)
    except JisrError as exc:
        raise RejectedError(exc.detail, code="payload_invalid") from None
    stored = 0
    by_level: dict[str, list[WireItem]] = {}
    for item in wire.objects:
        key = f"{item.tlp.value}|{','.join(sorted(item.recipients))}|{item.legal_basis}"
        by_level.setdefault(key, []).append(item)
    rejected = 0
    for items in by_level.values():
        first = items[0]
        labels = Labels(
            owner_agency=envelope.sender,
            origin=Origin.PARTNER.value,
            default_tlp=first.tlp,
            recipients=tuple(first.recipients),
            agreement_id=agreement.id,
            handling_code=envelope.header.handling_code or agreement.default_handling,
            legal_basis=first.legal_basis or agreement.legal_basis,
        )
        result = ingest(session, collection_id, [i.body for i in items], labels)
        stored += result.stored
        rejected += len(result.errors)
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "cyber_objects",
        envelope.id,
        recipients=[local],
        details={"objects": len(wire.objects), "stored": stored, "rejected": rejected},
    )


def receive_expiry(session: Session, envelope: InboundEnvelope) -> None:
    """The owner's indicators expired: erase our copies and what correlates them."""
    wire = parse_payload(WireExpiry, envelope)
    owned = select(CyberObject.stix_id).where(
        CyberObject.stix_id.in_(wire.ids),
        CyberObject.owner_agency == envelope.sender,
        CyberObject.origin == Origin.PARTNER.value,
    )
    ids = list(session.execute(owned.distinct()).scalars())
    if ids:
        session.execute(
            delete(CyberObservable).where(
                CyberObservable.stix_id.in_(ids), CyberObservable.owner_agency == envelope.sender
            )
        )
        session.execute(
            delete(CyberObject).where(
                CyberObject.stix_id.in_(ids),
                CyberObject.owner_agency == envelope.sender,
                CyberObject.origin == Origin.PARTNER.value,
            )
        )
    record(
        session,
        envelope.actor,
        AuditAction.ERASURE,
        "cyber_objects",
        envelope.id,
        justification=wire.reason,
        details={"event": f"{wire.reason}_by_owner", "erased": len(ids)},
    )


def receive_sighting(session: Session, envelope: InboundEnvelope) -> None:
    """A partner sighted one of our objects: count it for the owner (us)."""
    wire = parse_payload(WireSighting, envelope)
    target = wire.sighting.get("sighting_of_ref")
    ours = session.execute(
        select(CyberObject.seq)
        .where(CyberObject.stix_id == target, CyberObject.origin == Origin.LOCAL.value)
        .limit(1)
    ).first()
    if ours is None:
        raise RejectedError(f"no object {str(target)[:120]} of ours", code="object_unknown")
    tally = session.get(CyberSightingCount, (target, envelope.sender))
    if tally is None:
        tally = CyberSightingCount(stix_id=target, agency=envelope.sender, count=0)
        session.add(tally)
    tally.count += max(1, wire.count)
    tally.last_seen = utcnow()
    session.flush()
    record(
        session,
        envelope.actor,
        AuditAction.COLLECTION,
        "cyber_sighting",
        str(target),
        details={"count": wire.count, "envelope": envelope.id},
    )
