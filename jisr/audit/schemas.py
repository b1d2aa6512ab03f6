"""Wire types for the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEntryRead(BaseModel):
    seq: int
    entry_id: str
    at: datetime
    action: str
    actor: str
    actor_agency: str
    object_type: str
    object_id: str | None
    justification: str
    recipients: list[str]
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditProblemRead(BaseModel):
    kind: str
    message: str
    seq: int | None


class AuditVerification(BaseModel):
    """The chain's verdict (``first_bad_seq``, ``problem``) and the whole log's: tree,
    checkpoints, co-signatures (``problems``); ``intact`` only when every check passes."""

    intact: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    root_hash: str = ""
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[AuditProblemRead] = []


class InclusionRead(BaseModel):
    seq: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    inclusion_path: list[str]
    checkpoint: str


class ConsistencyRead(BaseModel):
    first: int
    second: int
    consistency_path: list[str]
