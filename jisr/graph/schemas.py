"""Wire types of the graph API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from jisr.graph.models import Judgement


class SyncRead(BaseModel):
    sources: int
    withdrawn: int
    entities: int
    by_kind: dict[str, int]


class StatementRead(BaseModel):
    prop: str
    value: str
    source_id: str
    source_kind: str
    owner_agency: str
    handling_code: str
    agreement_id: str | None
    first_seen: datetime
    last_seen: datetime


class EntityRead(BaseModel):
    id: str
    schema_name: str
    caption: str
    cluster_id: str
    statements: list[StatementRead]
    same_as: list[str]


class SubgraphRead(BaseModel):
    nodes: list[dict[str, str]]
    edges: list[dict[str, str]]
    total_nodes: int
    next_offset: int | None
    communities: list[list[str]] = []


class JudgementCreate(BaseModel):
    left_id: str = Field(min_length=3, max_length=160)
    right_id: str = Field(min_length=3, max_length=160)
    judgement: Judgement
    reason: str = Field(default="", max_length=2000)


class RetractCreate(BaseModel):
    reason: str = Field(default="", max_length=2000)


class JudgementRead(BaseModel):
    id: str
    left_id: str
    right_id: str
    judgement: Judgement
    reason: str
    decided_by: str
    decided_at: datetime
    retracted_by: str | None
    retracted_at: datetime | None


class QueueItemRead(BaseModel):
    left_id: str
    right_id: str
    left_caption: str
    right_caption: str
    score: float
    explanation: str


class ImportRead(BaseModel):
    source_id: str
    entities: int
