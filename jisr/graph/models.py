"""Tables of the graph: sources, statements, resolved entities, blocking keys, links, judgements.

Statements are FollowTheMoney statements with provenance: one row per (source record, entity,
property, value). They are never rewritten; seeing a statement again only moves ``last_seen``.
Everything else (entity profiles, keys, links, clusters) is derived from statements and can be
rebuilt from them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class SourceKind(StrEnum):
    MESSAGE = "message"
    NOTICE = "notice"
    WATCHLIST_ENTRY = "watchlist_entry"
    HIT = "hit"
    IMPORT = "import"


class Judgement(StrEnum):
    POSITIVE = "positive"  # the same
    NEGATIVE = "negative"  # not the same
    UNSURE = "unsure"


class GraphSource(Base):
    """A record of another domain (or an imported file) whose entities entered the graph."""

    __tablename__ = "graph_sources"

    # "<kind>:<record id>", the key that makes ingestion idempotent.
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    record_id: Mapped[str] = mapped_column(String(120))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    agreement_id: Mapped[str | None] = mapped_column(String(80))
    crime_area: Mapped[str | None] = mapped_column(String(32))
    data_category: Mapped[str | None] = mapped_column(String(32))
    handling_code: Mapped[str] = mapped_column(String(4))
    # SHA-256 of the entities as ingested: a changed record adds statements, never rewrites.
    digest: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    # The record was withdrawn or erased at its origin: its statements stop counting.
    withdrawn_at: Mapped[datetime | None]


class GraphStatement(Base):
    __tablename__ = "graph_statements"
    __table_args__ = (Index("ix_graph_statements_value", "prop_type", "value"),)

    # SHA-1 of source, entity, property and value.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("graph_sources.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(160), index=True)
    schema: Mapped[str] = mapped_column(String(40))
    prop: Mapped[str] = mapped_column(String(60))
    # FollowTheMoney type of the property (name, phone, iban, entity ...).
    prop_type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class GraphEntity(Base):
    """One entity id with its comparison profile (from all its statements) and its cluster."""

    __tablename__ = "graph_entities"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    schema: Mapped[str] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(String(300))
    profile: Mapped[dict[str, Any]]
    cluster_id: Mapped[str] = mapped_column(String(80), index=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GraphKey(Base):
    """A blocking key of an entity: entities sharing a key are compared."""

    __tablename__ = "graph_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(160), primary_key=True, index=True)


class GraphLink(Base):
    """A scored candidate pair (``left_id`` < ``right_id``); the score's evidence explained."""

    __tablename__ = "graph_links"
    __table_args__ = (UniqueConstraint("left_id", "right_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    left_id: Mapped[str] = mapped_column(String(160), index=True)
    right_id: Mapped[str] = mapped_column(String(160), index=True)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class GraphJudgement(Base):
    """An analyst's decision on a pair; retracting soft-deletes it, nothing is overwritten."""

    __tablename__ = "graph_judgements"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    left_id: Mapped[str] = mapped_column(String(160), index=True)
    right_id: Mapped[str] = mapped_column(String(160), index=True)
    judgement: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    retracted_by: Mapped[str | None] = mapped_column(String(120))
    retracted_at: Mapped[datetime | None]
