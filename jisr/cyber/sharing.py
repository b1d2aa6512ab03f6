"""Sharing our objects with partners through federation envelopes, TLP enforced.

Objects written to an agreement's collection go to the agreement's community (its parties but
us) as far as their TLP lets them (``jisr.cyber.tlp.may_reach``) and policy agrees (SHARE,
checked again by ``enqueue``). A new version of an object already shared (a revocation among
them) goes to every partner that holds it. Sightings we record of a partner's object are
reported to its owner. Expiry tells every holder to drop its copy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.models import Agreement, CrimeArea, DataCategory
from jisr.agreements.policy import ResourceKind
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.cyber.models import CyberCollection, CyberObject, CyberShare, Origin, ShareStatus
from jisr.cyber.tlp import Tlp, may_reach
from jisr.errors import JisrError
from jisr.federation.service import enqueue

log = structlog.get_logger("jisr.cyber")

OBJECTS_ENVELOPE = "cyber.objects"
EXPIRE_ENVELOPE = "cyber.expire"
SIGHTING_ENVELOPE = "cyber.sighting"
# Objects per envelope are bounded by size (the envelope limit is 4 MiB after sealing).
_ENVELOPE_BUDGET = 1_500_000


def item_of(row: CyberObject) -> dict[str, Any]:
    return {
        "body": row.body,
        "tlp": row.tlp,
        "recipients": list(row.recipients),
        "legal_basis": row.legal_basis,
        "retention_until": row.retention_until.isoformat(),
    }


def _send(
    session: Session,
    actor: Actor,
    to: str,
    agreement: Agreement,
    envelope_type: str,
    payload: dict[str, Any],
    handling_code: str,
) -> bool:
    try:
        with session.begin_nested():
            enqueue(
                session,
                actor,
                recipient=to,
                agreement_id=agreement.id,
                envelope_type=envelope_type,
                payload=payload,
                data_category=DataCategory.CYBER_INDICATOR.value,
                crime_area=CrimeArea.CYBERCRIME.value,
                handling_code=handling_code,
                resource_kind=ResourceKind.INDICATOR,
            )
    except JisrError as exc:
        log.info("cyber share refused", partner=to, code=exc.code, detail=exc.detail)
        return False
    return True


def _batches(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    batches: list[list[dict[str, Any]]] = [[]]
    size = 0
    for item in items:
        length = len(json.dumps(item["body"], separators=(",", ":")))
        if batches[-1] and size + length > _ENVELOPE_BUDGET:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += length
    return [b for b in batches if b]


def share_versions(
    session: Session, actor: Actor, collection: CyberCollection, versions: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """Queue the just-stored ``versions`` to each partner they may reach; returns counts."""
    if not versions:
        return {}
    ids = {stix_id for stix_id, _ in versions}
    if collection.agreement_id is None:  # nothing shared from here but sightings reported
        ids = {stix_id for stix_id in ids if stix_id.startswith("sighting--")}
    ordered = sorted(ids)
    rows = [
        row
        for start in range(0, len(ordered), 500)
        for row in session.execute(
            select(CyberObject).where(
                CyberObject.collection_id == collection.id,
                CyberObject.stix_id.in_(ordered[start : start + 500]),
                CyberObject.current.is_(True),
            )
        ).scalars()
    ]
    report_sightings(session, actor, rows)
    if collection.agreement_id is None:
        return {}
    agreement = session.get(Agreement, collection.agreement_id)
    if agreement is None:
        return {}
    community = set(agreement.party_codes)
    held = {
        (s.stix_id, s.agency): s
        for s in session.execute(select(CyberShare).where(CyberShare.stix_id.in_(ids))).scalars()
    }
    counts: dict[str, int] = {}
    now = utcnow()
    for partner in sorted(community - {actor.agency_code}):
        reachable = [
            row
            for row in rows
            if row.owner_agency == actor.agency_code
            and may_reach(Tlp(row.tlp), partner, recipients=row.recipients, community=community)
        ]
        sent = 0
        for batch in _batches([item_of(row) for row in reachable]):
            payload = {"collection": agreement.reference, "objects": batch}
            if _send(
                session,
                actor,
                partner,
                agreement,
                OBJECTS_ENVELOPE,
                payload,
                agreement.default_handling,
            ):
                sent += len(batch)
        if not sent:
            continue
        counts[partner] = sent
        for row in reachable:
            share = held.get((row.stix_id, partner))
            if share is None:
                share = CyberShare(
                    stix_id=row.stix_id, agency=partner, agreement_id=agreement.id, sent_at=now
                )
                session.add(share)
                held[(row.stix_id, partner)] = share
            share.tlp = row.tlp
            share.status = ShareStatus.REVOKED.value if row.revoked else ShareStatus.SENT.value
            share.updated_at = now
    return counts


def report_sightings(session: Session, actor: Actor, rows: Sequence[CyberObject]) -> int:
    """Tell each owner about our sightings of its objects (counted back at the owner)."""
    sent = 0
    for row in rows:
        if row.stix_type != "sighting" or row.owner_agency != actor.agency_code:
            continue
        target = session.execute(
            select(CyberObject)
            .where(
                CyberObject.stix_id == row.body.get("sighting_of_ref"),
                CyberObject.origin == Origin.PARTNER.value,
                CyberObject.current.is_(True),
            )
            .limit(1)
        ).scalar_one_or_none()
        if target is None or target.agreement_id is None:
            continue
        agreement = session.get(Agreement, target.agreement_id)
        if agreement is None:
            continue
        payload = {"sighting": row.body, "count": int(row.body.get("count", 1))}
        if _send(
            session, actor, target.owner_agency, agreement, SIGHTING_ENVELOPE, payload,
            target.handling_code,
        ):  # fmt: skip
            sent += 1
    return sent


def expire_indicators(session: Session, agency_code: str, now: datetime | None = None) -> int:
    """Mark our indicators past ``valid_until`` expired and tell every holder to drop them."""
    now = now or utcnow()
    rows = list(
        session.execute(
            select(CyberObject).where(
                CyberObject.origin == Origin.LOCAL.value,
                CyberObject.current.is_(True),
                CyberObject.expired.is_(False),
                CyberObject.valid_until.is_not(None),
                CyberObject.valid_until <= now,
            )
        ).scalars()
    )
    if not rows:
        return 0
    node = system_actor(agency_code)
    for row in rows:
        row.expired = True
    partners = tell_holders(session, node, {row.stix_id for row in rows}, "expired", now)
    record(
        session,
        node,
        AuditAction.ALTERATION,
        "cyber_indicator",
        None,
        details={"event": "expired", "count": len(rows), "partners": partners},
    )
    return len(rows)


def tell_holders(
    session: Session, actor: Actor, ids: set[str], reason: str, now: datetime | None = None
) -> int:
    """Tell every partner holding one of ``ids`` to drop its copy; returns partners told."""
    now = now or utcnow()
    by_partner: dict[tuple[str, str], list[CyberShare]] = {}
    shares = session.execute(
        select(CyberShare).where(
            CyberShare.stix_id.in_(ids),
            CyberShare.status.in_([ShareStatus.SENT.value, ShareStatus.REVOKED.value]),
        )
    ).scalars()
    for share in shares:
        by_partner.setdefault((share.agency, share.agreement_id), []).append(share)
    told = 0
    for (partner, agreement_id), held in sorted(by_partner.items()):
        agreement = session.get(Agreement, agreement_id)
        if agreement is None:
            continue
        payload = {"ids": sorted(s.stix_id for s in held), "reason": reason}
        handling = agreement.default_handling
        if _send(session, actor, partner, agreement, EXPIRE_ENVELOPE, payload, handling):
            told += 1
            for share in held:
                share.status, share.updated_at = ShareStatus.EXPIRED.value, now
    return told
