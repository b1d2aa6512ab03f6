"""Records enter the graph as FollowTheMoney statements with their provenance.

``record_source`` stores one source record's entities: a statement per (entity, property,
value), keyed by a hash of the source, entity, property and value, so ingesting a record twice
adds nothing and a changed record only adds statements (the old ones keep their first and last
seen times: nothing is rewritten). Free text (``text``/``html`` properties) stays in the source
record and is not copied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jisr.clock import utcnow
from jisr.errors import ValidationError
from jisr.graph.models import GraphSource, GraphStatement, SourceKind

_SKIPPED_TYPES = frozenset({"text", "html", "json"})
_MAX_VALUE = 500
ID_PROP = "id"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A record of another domain as the graph sees it: who owns it, under what terms."""

    kind: SourceKind
    record_id: str
    owner_agency: str
    handling_code: str
    entities: Sequence[dict[str, Any]]
    agreement_id: str | None = None
    crime_area: str | None = None
    data_category: str | None = None
    seen_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.record_id}"


@dataclass(frozen=True, slots=True)
class Fact:
    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str


def statement_id(source_key: str, fact: Fact) -> str:
    text = "\x1f".join((source_key, fact.entity_id, fact.prop, fact.value))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def facts_of(entity: dict[str, Any]) -> Iterator[Fact]:
    """The statements one FollowTheMoney entity makes (values cleaned by FollowTheMoney)."""
    try:
        proxy = model.get_proxy(entity, cleaned=False)
    except (InvalidData, KeyError, TypeError) as exc:
        raise ValidationError(
            f"entity {entity.get('id')!r}: {exc}", code="entity_invalid"
        ) from None
    if proxy.id is None:
        raise ValidationError("an entity without an id", code="entity_invalid")
    yield Fact(proxy.id, proxy.schema.name, ID_PROP, ID_PROP, proxy.id)
    for prop, value in proxy.itervalues():
        if prop.type.name in _SKIPPED_TYPES or len(value) > _MAX_VALUE:
            continue
        yield Fact(proxy.id, proxy.schema.name, prop.name, prop.type.name, value)


def digest_of(entities: Iterable[dict[str, Any]]) -> str:
    text = json.dumps(list(entities), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def record_source(session: Session, record: SourceRecord) -> set[str]:
    """Store the record's statements; the ids of entities that gained statements."""
    digest = digest_of(record.entities)
    now = record.seen_at or utcnow()
    source = session.get(GraphSource, record.key)
    if source is not None and source.digest == digest and source.withdrawn_at is None:
        return set()
    facts = [fact for entity in record.entities for fact in facts_of(entity)]
    if source is None:
        source = GraphSource(
            id=record.key,
            kind=record.kind.value,
            record_id=record.record_id,
            owner_agency=record.owner_agency,
            agreement_id=record.agreement_id,
            crime_area=record.crime_area,
            data_category=record.data_category,
            handling_code=record.handling_code,
            digest=digest,
            first_seen=now,
            last_seen=now,
        )
        session.add(source)
        session.flush()
        known: set[str] = set()
    else:
        source.digest, source.last_seen, source.withdrawn_at = digest, now, None
        known = set(
            session.execute(
                select(GraphStatement.id).where(GraphStatement.source_id == record.key)
            ).scalars()
        )
    touched: set[str] = set()
    seen: set[str] = set()
    rows = []
    for fact in facts:
        sid = statement_id(record.key, fact)
        if sid in seen:
            continue
        seen.add(sid)
        if sid in known:
            continue
        touched.add(fact.entity_id)
        rows.append(
            GraphStatement(
                id=sid,
                source_id=record.key,
                entity_id=fact.entity_id,
                schema=fact.schema,
                prop=fact.prop,
                prop_type=fact.prop_type,
                value=fact.value,
                first_seen=now,
                last_seen=now,
            )
        )
    session.add_all(rows)
    if known:
        session.execute(
            update(GraphStatement)
            .where(GraphStatement.id.in_(sorted(seen & known)))
            .values(last_seen=now)
        )
    session.flush()
    return touched


def withdraw_source(session: Session, key: str) -> set[str]:
    """The record was withdrawn at its origin: its statements stop counting (kept, excluded)."""
    source = session.get(GraphSource, key)
    if source is None or source.withdrawn_at is not None:
        return set()
    source.withdrawn_at = utcnow()
    return set(
        session.execute(
            select(GraphStatement.entity_id).where(GraphStatement.source_id == key).distinct()
        ).scalars()
    )


def live_statements(session: Session, entity_ids: Iterable[str]) -> list[GraphStatement]:
    ids = sorted(set(entity_ids))
    if not ids:
        return []
    stmt = (
        select(GraphStatement)
        .join(GraphSource, GraphSource.id == GraphStatement.source_id)
        .where(GraphStatement.entity_id.in_(ids), GraphSource.withdrawn_at.is_(None))
        .order_by(GraphStatement.entity_id, GraphStatement.prop, GraphStatement.value)
    )
    return list(session.execute(stmt).scalars())
