"""Watchlists, their versions and entries, screening hits and their decisions, manifest jobs.

An entry stores a screening ``Subject`` field by field (names in every script, dates of birth,
nationalities, gender, documents) so the node can rebuild its screener from the database alone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base

NOTICES_LIST = "notices"


class ListKind(StrEnum):
    NOTICES = "notices"  # built from alerts received and owned
    IMPORTED = "imported"  # UN, OFAC, FtM, CSV files


class Verdict(StrEnum):
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"


class HitStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Watchlist(Base):
    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner_agency: Mapped[str] = mapped_column(String(24))
    # Number of the newest version (0 for the notices list, which is edited in place).
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistVersion(Base):
    __tablename__ = "watchlist_versions"
    __table_args__ = (UniqueConstraint("watchlist_id", "number"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("watchlists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistEntry(Base):
    __tablename__ = "watchlist_entries"
    __table_args__ = (Index("ix_watchlist_entries_active_blocked", "active", "blocked"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("watchlists.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # The source (file name or "notice") and the entry's id within it.
    source: Mapped[str] = mapped_column(String(500))
    source_id: Mapped[str] = mapped_column(String(200))
    notice_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    reference: Mapped[str] = mapped_column(String(200))
    alert_type: Mapped[str] = mapped_column(String(40))
    owner_agency: Mapped[str] = mapped_column(String(24))
    crime_area: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    names: Mapped[list[str]]
    birth_dates: Mapped[list[str]]
    nationalities: Mapped[list[str]]
    gender: Mapped[str | None] = mapped_column(String(8))
    documents: Mapped[list[str]]
    # Superseded by a newer version, or a removed notice.
    active: Mapped[bool] = mapped_column(default=True)
    # Precautionary block while a data-subject request is reviewed: never screened, reads refused.
    blocked: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistState(Base):
    """One row: a counter bumped by every change to what screening sees."""

    __tablename__ = "watchlist_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ScreeningHit(Base):
    __tablename__ = "screening_hits"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    # The check (one traveller) or manifest job it came from.
    check_id: Mapped[str] = mapped_column(String(80), index=True)
    manifest_id: Mapped[str | None] = mapped_column(ForeignKey("manifest_jobs.id"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("watchlist_entries.id"), index=True)
    # The traveller as screened (name, birth_date, nationality, gender, document_number, id).
    query: Mapped[dict[str, Any]]
    score: Mapped[float]
    matched_name: Mapped[str] = mapped_column(String(500))
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=HitStatus.OPEN.value)
    screened_by: Mapped[str] = mapped_column(String(120))
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[str | None] = mapped_column(String(120))
    opened_at: Mapped[datetime | None]
    # Who the traveller is for folding repeats (``checks.traveller_key``): screening the same
    # traveller against the same entry again counts on the open hit instead of a new one.
    traveller_key: Mapped[str | None] = mapped_column(String(64), index=True)
    seen_count: Mapped[int] = mapped_column(Integer, default=1)
    last_seen_at: Mapped[datetime | None]


class HitDecision(Base):
    """A judgement on a hit; a newer one supersedes it, none is ever edited or deleted."""

    __tablename__ = "hit_decisions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("screening_hits.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_by: Mapped[str | None] = mapped_column(String(80))
    # The follow-up request sent to the entry's owner, when one was.
    followup_message_id: Mapped[str | None] = mapped_column(String(80))


class ManifestJob(Base):
    """A manifest's record: its file, counters and rejected rows. It is screened by a job of the
    node's queue (``queue_job_id``, kind ``watchlists.manifest``); ``status`` follows that job's
    state in the transactions that change it."""

    __tablename__ = "manifest_jobs"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    # Where the uploaded file is kept (so an interrupted job can resume).
    path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    # The queue's job screening it (none for a manifest queued before the queue ran them).
    queue_job_id: Mapped[str | None] = mapped_column(String(80), index=True)
    threshold: Mapped[float | None]
    # Rows consumed so far (screened + rejected), committed batch by batch.
    position: Mapped[int] = mapped_column(Integer, default=0)
    screened: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_agency: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class ManifestRejection(Base):
    __tablename__ = "manifest_rejections"
    __table_args__ = (UniqueConstraint("job_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("manifest_jobs.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)


class HitNotification(Base):
    """A partner's notice that one of our alerts was hit (no traveller data)."""

    __tablename__ = "hit_notifications"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(80), unique=True)
    sender_agency: Mapped[str] = mapped_column(String(24), index=True)
    notice_id: Mapped[str] = mapped_column(String(80), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(16))
    hit_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
