"""Passenger manifests screened as jobs: queued, running, done or failed, batch by batch.

The uploaded CSV is kept under ``DATA_DIR/manifests``. A job commits its progress (hits,
rejected rows with line and reason, counters, position) every ``BATCH`` rows, so a crash leaves
the job with everything processed so far; ``run_job`` on a failed job resumes at its position.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import ConflictError, JisrError, NotFoundError, ValidationError
from jisr.ids import new_id
from jisr.screening.model import Subject
from jisr.screening.sources import Rejection, SourceFormat, read_subjects
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.checks import record_hits, require_screen
from jisr.watchlists.models import JobStatus, ManifestJob, ManifestRejection, ScreeningHit

log = structlog.get_logger("jisr.watchlists")
BATCH = 200
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
Progress = Callable[[ManifestJob], None]


def manifest_dir(data_dir: Path) -> Path:
    return data_dir / "manifests"


def create_job(
    session: Session,
    actor: Actor,
    data_dir: Path,
    filename: str,
    content: bytes,
    threshold: float | None = None,
) -> ManifestJob:
    """Keep the file and queue a job for it (the caller commits, then starts it)."""
    require_screen(session, actor)
    if len(content) > MAX_MANIFEST_BYTES:
        raise ValidationError("manifest larger than 64 MiB", code="manifest_too_large")
    job_id = new_id(actor.agency_code, "manifest")
    folder = manifest_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id.rsplit(':', 1)[1]}.csv"
    path.write_bytes(content)
    try:
        # Refuses a file that is not a screening CSV, before queueing; no stray copy is kept.
        source = read_subjects(path)
        source.rows.close()  # type: ignore[attr-defined]
        if source.format != SourceFormat.CSV.value:
            raise ValidationError(
                "a manifest is a CSV with id and name columns", code="manifest_format"
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job = ManifestJob(
        id=job_id,
        filename=Path(filename).name[:255] or "manifest.csv",
        path=str(path),
        status=JobStatus.QUEUED.value,
        threshold=threshold,
        created_by=actor.display,
        created_agency=actor.agency_code,
    )
    session.add(job)
    session.flush()
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "manifest",
        job.id,
        details={"event": "uploaded", "bytes": len(content)},
    )
    return job


def get_job(session: Session, actor: Actor, job_id: str) -> ManifestJob:
    require_screen(session, actor)
    job = session.get(ManifestJob, job_id)
    if job is None or job.created_agency != actor.agency_code:
        raise NotFoundError(f"no manifest job {job_id}", code="manifest_not_found")
    return job


def resume_job(session: Session, actor: Actor, job_id: str) -> ManifestJob:
    """Queue a failed job again; it resumes at its position (the caller commits, then starts
    it). The request is audited. Only a failed job resumes."""
    job = get_job(session, actor, job_id)
    if job.status != JobStatus.FAILED.value:
        raise ValidationError(f"only a failed job resumes (this one is {job.status})")
    job.status = JobStatus.QUEUED.value
    job.error = None
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "manifest",
        job.id,
        details={"event": "resumed", "position": job.position},
    )
    return job


def rejections_of(session: Session, job_id: str) -> list[ManifestRejection]:
    stmt = select(ManifestRejection).where(ManifestRejection.job_id == job_id)
    return list(session.execute(stmt.order_by(ManifestRejection.line)).scalars())


def hits_of(session: Session, job_id: str) -> list[ScreeningHit]:
    stmt = select(ScreeningHit).where(ScreeningHit.manifest_id == job_id)
    return list(session.execute(stmt.order_by(ScreeningHit.id)).scalars())


def _rows(path: Path) -> Iterator[Subject | Rejection]:
    """Subjects and rejections of the file, in file order."""
    pending: list[Rejection] = []
    # Leniently: a malformed date or country is ignored with a warning, the traveller screened.
    source = read_subjects(path, on_reject=pending.append, lenient_facts=True)
    for subject in source:
        yield from pending
        pending.clear()
        yield subject
    yield from pending


def run_job(
    factory: SessionFactory,
    actor: Actor,
    cache: ScreenerCache,
    job_id: str,
    progress: Progress | None = None,
) -> None:
    """Screen the job's rows from its position to the end; never raises for a failed job."""
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, job_id)
        if job is None:
            raise NotFoundError(f"no manifest job {job_id}", code="manifest_not_found")
        if job.status in {JobStatus.RUNNING.value, JobStatus.DONE.value}:
            raise ConflictError(f"manifest job is {job.status}", code="manifest_job_state")
        job.status = JobStatus.RUNNING.value
        job.started_at = job.started_at or utcnow()
        job.error = None
        start, path, threshold = job.position, Path(job.path), job.threshold
    try:
        _screen_rows(factory, actor, cache, job_id, _rows(path), start, threshold, progress)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the job must say so
        log.error("manifest job failed", job_id=job_id, error=type(exc).__name__, exc_info=exc)
        detail = exc.detail if isinstance(exc, JisrError) else type(exc).__name__
        with unit_of_work(factory) as session:
            job = session.get(ManifestJob, job_id)
            if job is not None:
                job.status = JobStatus.FAILED.value
                job.error = detail
                job.finished_at = utcnow()
        return
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, job_id)
        assert job is not None  # noqa: S101 - the row was there a moment ago
        job.status = JobStatus.DONE.value
        job.finished_at = utcnow()
        record(
            session,
            actor,
            AuditAction.CONSULTATION,
            "manifest",
            job.id,
            details={
                "event": "screened",
                "screened": job.screened,
                "hits": job.hits,
                "rejected": job.rejected,
            },
        )
        if progress is not None:
            progress(job)


def _screen_rows(
    factory: SessionFactory,
    actor: Actor,
    cache: ScreenerCache,
    job_id: str,
    rows: Iterator[Subject | Rejection],
    start: int,
    threshold: float | None,
    progress: Progress | None,
) -> None:
    position = 0
    batch: list[Subject | Rejection] = []
    for row in rows:
        position += 1
        if position <= start:
            continue
        batch.append(row)
        if len(batch) >= BATCH:
            _commit_batch(factory, actor, cache, job_id, batch, threshold, progress)
            batch = []
    if batch:
        _commit_batch(factory, actor, cache, job_id, batch, threshold, progress)


def _commit_batch(
    factory: SessionFactory,
    actor: Actor,
    cache: ScreenerCache,
    job_id: str,
    batch: list[Subject | Rejection],
    threshold: float | None,
    progress: Progress | None,
) -> None:
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, job_id)
        assert job is not None  # noqa: S101 - jobs are never deleted
        snapshot = cache.get(session)
        for row in batch:
            if isinstance(row, Rejection):
                session.add(ManifestRejection(job_id=job_id, line=row.line, reason=row.reason))
                job.rejected += 1
                continue
            matches = snapshot.screener.check(row, threshold=threshold)
            if matches:
                record_hits(
                    session, actor, snapshot, row, matches, check_id=job_id, manifest_id=job_id
                )
                job.hits += len(matches)
            job.screened += 1
        job.position += len(batch)
        session.flush()
        if progress is not None:
            progress(job)


def start_job(
    factory: SessionFactory, actor: Actor, cache: ScreenerCache, job_id: str
) -> threading.Thread:
    """Run the job in a background thread (the job row must be committed first)."""
    thread = threading.Thread(
        target=run_job, args=(factory, actor, cache, job_id), name=f"manifest-{job_id}", daemon=True
    )
    thread.start()
    return thread


def fail_interrupted(session: Session) -> list[str]:
    """At start-up: jobs left running by a stopped process are failed (and can be resumed)."""
    stmt = select(ManifestJob).where(ManifestJob.status == JobStatus.RUNNING.value)
    interrupted = list(session.execute(stmt).scalars())
    for job in interrupted:
        job.status = JobStatus.FAILED.value
        job.error = "interrupted (the node stopped); resume to continue"
        job.finished_at = utcnow()
    return [job.id for job in interrupted]
