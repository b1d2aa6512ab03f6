"""Incremental linking: an entity whose statements changed is re-profiled, its blocking keys
replaced, its candidates (entities sharing a key) scored, and its cluster recomputed at once.

Each key proposes at most ``_PER_KEY`` entities and at most ``_CANDIDATES`` are scored (those
sharing most keys first), so the work per entity is bounded whatever the graph's size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from jisr.clock import utcnow
from jisr.graph.clusters import recluster
from jisr.graph.compare import (
    REVIEW,
    Prepared,
    blocking_keys,
    compare,
    is_name_key,
    prepare,
    worth_comparing,
)
from jisr.graph.models import GraphEntity, GraphKey, GraphLink
from jisr.graph.profiles import Profile, profile_of
from jisr.graph.statements import ID_PROP, live_statements
from jisr.ids import new_id

_PER_KEY = 100
_CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class LinkResult:
    entity_id: str
    cluster_id: str | None
    candidates: int
    links: int


def caption_of(profile: Profile, properties: dict[str, list[str]]) -> str:
    for prop in ("name", "iban", "number", "registrationNumber", "phone", "email"):
        values = properties.get(prop)
        if values:
            return values[0][:300]
    return profile.id[:300]


def rebuild_entities(session: Session, entity_ids: Iterable[str], agency_code: str) -> list[str]:
    """Refresh the profile, keys and links of each entity from its live statements."""
    ids = sorted(set(entity_ids))
    by_entity: dict[str, list[tuple[str, str, str]]] = {i: [] for i in ids}
    for row in live_statements(session, ids):
        by_entity[row.entity_id].append((row.schema, row.prop, row.value))
    linked: list[str] = []
    for entity_id in ids:
        rows = by_entity[entity_id]
        if not rows:
            _forget(session, entity_id, agency_code)
            continue
        schema = _most_specific(r[0] for r in rows)
        properties: dict[str, list[str]] = {}
        for _, prop, value in rows:
            if prop != ID_PROP:
                properties.setdefault(prop, []).append(value)
        profile = profile_of(entity_id, schema, properties)
        entity = session.get(GraphEntity, entity_id)
        now = utcnow()
        if entity is None:
            entity = GraphEntity(
                id=entity_id,
                schema=schema,
                caption=caption_of(profile, properties),
                profile=profile.to_json(),
                cluster_id=new_id(agency_code, "cluster"),
                first_seen=now,
                updated_at=now,
            )
            session.add(entity)
        else:
            entity.schema, entity.caption = schema, caption_of(profile, properties)
            entity.profile, entity.updated_at = profile.to_json(), now
        session.flush()
        link_entity(session, prepare(profile), agency_code)
        linked.append(entity_id)
    return linked


def _most_specific(schemata: Iterable[str]) -> str:
    from followthemoney import model

    names = sorted(set(schemata))
    try:
        return str(model.common_schema(*names).name) if len(names) > 1 else names[0]
    except Exception:  # noqa: BLE001 - followthemoney raises InvalidData or KeyError here
        return names[0]


def _forget(session: Session, entity_id: str, agency_code: str) -> None:
    """No live statement left: drop the derived rows; its cluster-mates are reclustered."""
    mates = [
        x
        for a, b in session.execute(
            select(GraphLink.left_id, GraphLink.right_id).where(
                or_(GraphLink.left_id == entity_id, GraphLink.right_id == entity_id)
            )
        ).all()
        for x in (a, b)
        if x != entity_id
    ]
    session.execute(delete(GraphKey).where(GraphKey.entity_id == entity_id))
    session.execute(
        delete(GraphLink).where(
            or_(GraphLink.left_id == entity_id, GraphLink.right_id == entity_id)
        )
    )
    session.execute(delete(GraphEntity).where(GraphEntity.id == entity_id))
    session.flush()
    if mates:
        recluster(session, mates, agency_code)


def candidates_for(
    session: Session, prepared: Prepared, keys: list[str]
) -> list[tuple[Prepared, int]]:
    """Entities sharing most keys, each with the pair's name frequency (the size, up to
    ``_PER_KEY``, of the rarest name key they share)."""
    counts: Counter[str] = Counter()
    frequency: dict[str, int] = {}
    for key in keys:
        rows = [
            r
            for r in session.execute(
                select(GraphKey.entity_id).where(GraphKey.key == key).limit(_PER_KEY)
            ).scalars()
            if r != prepared.profile.id
        ]
        counts.update(rows)
        if is_name_key(key):
            size = len(rows) + 1
            for row in rows:
                frequency[row] = min(frequency.get(row, size), size)
    chosen = [entity_id for entity_id, _ in counts.most_common(_CANDIDATES)]
    if not chosen:
        return []
    profiles = session.execute(
        select(GraphEntity.profile).where(GraphEntity.id.in_(chosen))
    ).scalars()
    out = []
    for data in profiles:
        profile = Profile.from_json(data)
        out.append((prepare(profile), frequency.get(profile.id, 1)))
    return out


def link_entity(session: Session, prepared: Prepared, agency_code: str) -> LinkResult:
    """Score the entity against its candidates, store the links, recompute its cluster."""
    entity_id = prepared.profile.id
    keys = blocking_keys(prepared)
    session.execute(delete(GraphKey).where(GraphKey.entity_id == entity_id))
    session.add_all(GraphKey(key=k, entity_id=entity_id) for k in keys)
    previous = [
        x
        for a, b in session.execute(
            select(GraphLink.left_id, GraphLink.right_id).where(
                or_(GraphLink.left_id == entity_id, GraphLink.right_id == entity_id)
            )
        ).all()
        for x in (a, b)
        if x != entity_id
    ]
    session.execute(
        delete(GraphLink).where(
            or_(GraphLink.left_id == entity_id, GraphLink.right_id == entity_id)
        )
    )
    candidates = candidates_for(session, prepared, keys)
    links = []
    for other, name_frequency in candidates:
        if not worth_comparing(prepared, other):
            continue
        result = compare(prepared, other, name_frequency)
        if result.score >= REVIEW:
            left, right = sorted((entity_id, other.profile.id))
            links.append(
                GraphLink(
                    left_id=left,
                    right_id=right,
                    score=result.score,
                    explanation=result.explanation[:2000],
                )
            )
    session.add_all(links)
    session.flush()
    recluster(session, {entity_id, *previous}, agency_code)
    cluster = session.execute(
        select(GraphEntity.cluster_id).where(GraphEntity.id == entity_id)
    ).scalar_one_or_none()
    return LinkResult(entity_id, cluster, len(candidates), len(links))
