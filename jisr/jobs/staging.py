"""A job's input file, staged in the data directory before the job is queued.

Written to a temporary name, flushed to disk and renamed, so a staged file is whole or absent.
The database row says a job has one (``Job.staged``). A job that finishes removes its own at
once; one that fails for good keeps it (so it can be retried) and one cancelled before it ran
may still hold one: ``sweep`` removes those once their job has been settled for longer than the
retention (``JISR_JOBS_STAGED_RETENTION_HOURS``, 168), and files no staged job owns (an upload
whose queuing transaction rolled back, a ``.part`` left by a crash) once that old (and at
least an hour old, so a file being staged is never taken for one). Every job
the runner settles sweeps (``jisr.jobs.queue``), so nothing waits on a schedule of its own.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import select

from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import NotFoundError
from jisr.jobs.models import FINISHED, Job

log = structlog.get_logger("jisr.jobs")
RETENTION = timedelta(days=7)
# A file no staged job owns may be one being staged (its job not yet committed): never younger.
ORPHAN_AGE = timedelta(hours=1)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _path(data_dir: Path, job_id: str) -> Path:
    return data_dir / "jobs" / f"{_UNSAFE.sub('_', job_id)}.in"


def stage(data_dir: Path, job_id: str, content: bytes) -> None:
    path = _path(data_dir, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def staged_input(data_dir: Path, job_id: str) -> bytes:
    path = _path(data_dir, job_id)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"the input of job {job_id} is no longer in the data directory",
            code="job_input_missing",
        ) from None


def unstage(data_dir: Path, job_id: str) -> None:
    _path(data_dir, job_id).unlink(missing_ok=True)


def sweep(
    factory: SessionFactory,
    data_dir: Path,
    *,
    retention: timedelta = RETENTION,
    now: datetime | None = None,
) -> int:
    """Remove the staged inputs of jobs settled more than ``retention`` ago (failed for good,
    cancelled, or done and somehow left), and files no staged job owns that are that old (and
    at least ``ORPHAN_AGE``); how many files went. The rows say ``staged`` no more in a
    transaction that commits before any file is removed, so a job that says it has an input
    has it (a failed job retried after its input went fails with ``job_input_missing``)."""
    cutoff = (now or utcnow()) - retention
    with unit_of_work(factory) as session:
        stmt = select(Job).where(
            Job.staged.is_(True),
            Job.state.in_(sorted(s.value for s in FINISHED)),
            Job.finished_at < cutoff,
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        expired = list(session.execute(stmt).scalars())
        for job in expired:
            job.staged = False
        gone = [job.id for job in expired]
        kept = {_path(data_dir, i).stem for i in session.execute(
            select(Job.id).where(Job.staged.is_(True))
        ).scalars()}  # fmt: skip
    removed = 0
    for job_id in gone:
        path = _path(data_dir, job_id)
        removed += path.exists()
        path.unlink(missing_ok=True)
    removed += _orphans(data_dir / "jobs", kept, min(cutoff, (now or utcnow()) - ORPHAN_AGE))
    if removed:
        log.info("staged job inputs swept", files=removed)
    return removed


def _orphans(folder: Path, kept: set[str], cutoff: datetime) -> int:
    """Files of the staging folder that no staged job owns, last written before ``cutoff``."""
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.suffix not in {".in", ".part"} or (path.suffix == ".in" and path.stem in kept):
            continue
        try:
            if path.stat().st_mtime < cutoff.timestamp():
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
