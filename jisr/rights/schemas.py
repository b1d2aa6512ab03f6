"""Wire types for data-subject requests (inputs forbid unknown fields)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from jisr.rights.models import Outcome, RecordType, RequestKind, RequestStatus


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind
    subject_name: str = Field(min_length=1, max_length=500)
    identifiers: dict[str, str] = Field(
        default_factory=dict, max_length=20, examples=[{"passport": "XK4471029"}]
    )
    requester: str = Field(min_length=1, max_length=300)
    received_on: date


class BlockCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_type: RecordType
    record_id: str = Field(min_length=1, max_length=120)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    grounds: str = Field(min_length=3, max_length=4000)


class BlockRead(BaseModel):
    id: str
    record_type: RecordType
    record_id: str
    placed_by: str
    placed_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None


class DecisionRead(BaseModel):
    id: str
    outcome: Outcome
    grounds: str
    decided_by: str
    decided_at: datetime
    superseded_by: str | None


class RequestRead(BaseModel):
    id: str
    kind: RequestKind
    subject_name: str
    identifiers: dict[str, str]
    requester: str
    received_on: date
    due_at: datetime
    overdue: bool
    status: RequestStatus
    created_by: str
    created_at: datetime
    blocks: list[BlockRead]
    decisions: list[DecisionRead]
