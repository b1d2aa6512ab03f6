"""What users read: search, an object's page (versions, relationships, sightings,
correlations), revocation by the owner. Every read asks policy through ``ReadGate``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.cyber import correlate
from jisr.cyber.access import ReadGate, indicator_resource
from jisr.cyber.errors import ObjectNotFoundError
from jisr.cyber.models import CyberCollection, CyberObject, CyberObservable, CyberSightingCount
from jisr.cyber.stix import normalise_value

SEARCH_LIMIT = 200


@dataclass
class ObjectView:
    row: CyberObject
    collection: str
    versions: list[str]
    relationships: list[dict[str, Any]] = field(default_factory=list)
    sightings: list[dict[str, Any]] = field(default_factory=list)
    reported_sightings: dict[str, int] = field(default_factory=dict)
    correlations: list[correlate.Correlation] = field(default_factory=list)


def search(
    session: Session,
    actor: Actor,
    text: str = "",
    *,
    stix_type: str | None = None,
    limit: int = 50,
) -> list[CyberObject]:
    """Current objects this user may read whose name or stated value matches ``text``."""
    gate = ReadGate(session, actor)
    stmt = select(CyberObject).where(CyberObject.current.is_(True))
    if stix_type:
        stmt = stmt.where(CyberObject.stix_type == stix_type)
    if text.strip():
        value = normalise_value(text)
        by_value = select(CyberObservable.stix_id).where(CyberObservable.value == value)
        name = func.lower(CyberObject.body["name"].as_string())
        stmt = stmt.where(
            or_(
                CyberObject.stix_id.in_(by_value),
                CyberObject.stix_id == text.strip(),
                name.like(f"%{_escape(text.strip().lower()[:100])}%", escape="\\"),
            )
        )
    stmt = stmt.order_by(CyberObject.added.desc(), CyberObject.seq.desc()).limit(SEARCH_LIMIT)
    out: list[CyberObject] = []
    seen: set[str] = set()
    for row in session.execute(stmt).scalars():
        if row.stix_id in seen or not gate.may_read(row.owner_agency):
            continue
        seen.add(row.stix_id)
        out.append(row)
        if len(out) >= limit:
            break
    return out


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def object_view(session: Session, actor: Actor, stix_id: str) -> ObjectView:
    row = correlate.current_version(session, stix_id)
    gate = ReadGate(session, actor)
    if row is None or not gate.may_read(row.owner_agency):
        raise ObjectNotFoundError(f"no object {stix_id} you may read")
    collection = session.get(CyberCollection, row.collection_id)
    versions = list(
        session.execute(
            select(CyberObject.modified_text)
            .where(CyberObject.stix_id == stix_id, CyberObject.collection_id == row.collection_id)
            .order_by(CyberObject.modified)
        ).scalars()
    )
    view = ObjectView(row, collection.alias if collection else row.collection_id, versions)
    related = session.execute(
        select(CyberObject).where(
            CyberObject.current.is_(True),
            CyberObject.stix_type.in_(["relationship", "sighting"]),
            or_(
                CyberObject.body["source_ref"].as_string() == stix_id,
                CyberObject.body["target_ref"].as_string() == stix_id,
                CyberObject.body["sighting_of_ref"].as_string() == stix_id,
            ),
        )
    ).scalars()
    for other in related:
        if not gate.may_read(other.owner_agency):
            continue
        if other.stix_type == "sighting":
            view.sightings.append({**other.body, "x_owner": other.owner_agency})
        else:
            view.relationships.append(other.body)
    tallies = session.execute(
        select(CyberSightingCount).where(CyberSightingCount.stix_id == stix_id)
    ).scalars()
    view.reported_sightings = {t.agency: t.count for t in tallies}
    view.correlations = correlate.for_object(session, actor, stix_id)
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "cyber_object",
        stix_id,
        details={"owner": row.owner_agency, "tlp": row.tlp},
    )
    return view


def revoked_version(session: Session, actor: Actor, stix_id: str) -> tuple[str, dict[str, Any]]:
    """The owner's next version of ``stix_id`` with ``revoked`` set (to be stored and shared)."""
    row = correlate.current_version(session, stix_id)
    if row is None:
        raise ObjectNotFoundError(f"no object {stix_id}")
    require(session, actor, Action.WITHDRAW, indicator_resource(row.owner_agency))
    if "modified" not in row.body:
        raise ObjectNotFoundError(f"{row.stix_type} objects cannot be revoked")
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    body = {**row.body, "revoked": True, "modified": stamp}
    return row.collection_id, body


def new_sighting(stix_id: str, count: int, where: str) -> dict[str, Any]:
    """A sighting of ``stix_id`` by the agency whose identity is ``where``, now."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    return {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": where,
        "sighting_of_ref": stix_id,
        "count": count,
        "first_seen": stamp,
        "last_seen": stamp,
        "where_sighted_refs": [where],
    }
