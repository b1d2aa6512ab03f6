"""The job table: one row per job, its lease, progress and checkpoint."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_claim", "state", "created_at"),
        Index("ix_jobs_requested_by", "requested_by", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    # What the job needs (JSON); an upload's bytes are staged in the data directory instead.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    staged: Mapped[bool] = mapped_column(default=False)
    # Who asked: the actor as it was (kind, id, agency, roles, scopes); re-checked at run time.
    requested_by: Mapped[str] = mapped_column(String(80))
    actor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Progress in the job's own unit (objects, rows...), and a short status line.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(200), default="")
    # Where a resumed run starts again (the kind decides what it holds), and what it produced.
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def finished(self) -> bool:
        return JobState(self.state) in FINISHED

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))
