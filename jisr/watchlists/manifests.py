"""Passenger manifests (and accreditation lists) screened by jobs of the node's queue.

``create_job`` keeps the uploaded CSV under ``DATA_DIR/manifests``, records the manifest and
queues a job of kind ``watchlists.manifest`` (``jisr.jobs``) in one transaction; whichever
runner claims it (``jisr serve``, ``jisr worker``) screens it. The job reads the file part by
part (``PART`` rows), screens each part's travellers in one batch through the screener, outside
any transaction, then writes the part in one transaction: its hits and rejected rows (line and
reason, never dropped) with bulk inserts, the manifest's counters and position, and the job's
checkpoint. A worker killed mid-manifest leaves every part it committed; the runner that takes
the job over starts at the next one, so no traveller is screened twice into two hits and none
is lost. The manifest's ``status`` follows the job's state in the transactions that change it
(``jisr.jobs.queue.follow``): queued, running, done, failed (resumable) or cancelled.
"""

from __future__ import annotations

import csv
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from multiprocessing.pool import Pool
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import ConflictError, NotFoundError, ValidationError
from jisr.ids import new_id
from jisr.jobs.models import Job, JobState
from jisr.jobs.queue import JobRun, claim, enqueue, requeue, worker_name
from jisr.jobs.runner import execute
from jisr.modules import JobKind
from jisr.screening import Screener
from jisr.screening.model import Match, Subject
from jisr.screening.sources import Rejection, SourceFormat, read_subjects
from jisr.watchlists.cache import ScreenerCache, Snapshot
from jisr.watchlists.checks import query_of, require_screen, traveller_key
from jisr.watchlists.following import KIND
from jisr.watchlists.models import (
    HitStatus,
    JobStatus,
    ManifestJob,
    ManifestRejection,
    ScreeningHit,
)
from jisr.watchlists.service import current_version

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.watchlists")

# Rows per part: one batch through the screener and one transaction (a second or two of work,
# so progress moves and a resumed job redoes little).
PART = 2000
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
Progress = Callable[[ManifestJob], None]
Row = Subject | Rejection


class ManifestSettings(BaseSettings):
    """Prefix ``JISR_WATCHLISTS_MANIFEST_``."""

    model_config = SettingsConfigDict(
        env_prefix="JISR_WATCHLISTS_MANIFEST_", extra="ignore", frozen=True
    )

    # Processes screening a manifest's parts: 1 screens in the runner's own thread; more fork
    # that many workers sharing the screener (copy-on-write) for the whole job, worth it only
    # where that many cores are free.
    workers: int = Field(default=1, ge=1, le=16)


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
    """Keep the file, record the manifest and queue its screening (it runs once the caller
    commits)."""
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
    job.queue_job_id = _enqueue(session, actor, job).id
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "manifest",
        job.id,
        details={"event": "uploaded", "bytes": len(content)},
    )
    return job


def _enqueue(session: Session, actor: Actor, job: ManifestJob) -> Job:
    return enqueue(session, actor, KIND, {"manifest": job.id}, note=job.filename)


def get_job(session: Session, actor: Actor, job_id: str) -> ManifestJob:
    require_screen(session, actor)
    job = session.get(ManifestJob, job_id)
    if job is None or job.created_agency != actor.agency_code:
        raise NotFoundError(f"no manifest job {job_id}", code="manifest_not_found")
    return job


def queue_job(session: Session, job: ManifestJob) -> Job | None:
    """The queue's job screening the manifest (None for one recorded before the queue)."""
    return session.get(Job, job.queue_job_id) if job.queue_job_id else None


def resume_job(session: Session, actor: Actor, job_id: str) -> ManifestJob:
    """Queue a failed manifest again; it resumes at its position (it runs once the caller
    commits). The request is audited. Only a failed job resumes."""
    job = get_job(session, actor, job_id)
    if job.status != JobStatus.FAILED.value:
        raise ValidationError(f"only a failed job resumes (this one is {job.status})")
    queued = queue_job(session, job)
    if queued is not None and not queued.finished:
        raise ConflictError("the manifest is being screened", code="manifest_job_state")
    if queued is not None and queued.state == JobState.FAILED.value:
        requeue(session, queued)  # the manifest follows: queued
    else:
        # Recorded before the queue ran manifests: a job of its own, from its position.
        job.queue_job_id = _enqueue(session, actor, job).id
        job.status = JobStatus.QUEUED.value
    job.error = None
    job.finished_at = None
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


# --- screening a manifest -------------------------------------------------------------------


def run_manifest(ctx: AppContext, run: JobRun) -> dict[str, Any]:
    """The job kind's code, as a runner calls it."""
    workers = ctx.settings.section(ManifestSettings).workers
    return _screen(ctx.session_factory, ctx.screener, run, workers=workers)


JOB_KINDS = (JobKind(KIND, run_manifest),)


def run_job(
    factory: SessionFactory,
    actor: Actor,
    cache: ScreenerCache,
    job_id: str,
    progress: Progress | None = None,
    workers: int = 1,
) -> None:
    """Screen manifest ``job_id`` now, in this process (the CLI, the demo, benchmarks): its
    job is claimed here, or, when another runner holds it, waited for until it ends. It still
    acts for whoever queued it (``actor`` is who waits). Never raises for a failed job: its
    status and error say what happened."""
    del actor  # the job re-reads the actor it was queued by
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, job_id)
        if job is None:
            raise NotFoundError(f"no manifest job {job_id}", code="manifest_not_found")
        queue_id, data_dir = job.queue_job_id, Path(job.path).parent.parent
    if queue_id is None:
        raise ConflictError("resume the manifest first", code="manifest_job_state")
    owner = worker_name()
    while True:
        claimed = claim(factory, [KIND], owner, job_id=queue_id)
        if claimed is not None:
            run = JobRun(factory, claimed, owner, data_dir)
            execute(run, lambda current: _screen(factory, cache, current, progress, workers))
            continue  # a crash queued it again: claimed again, or settled
        with unit_of_work(factory) as session:
            queued = session.get(Job, queue_id)
            job = session.get(ManifestJob, job_id)
            if queued is None or queued.finished:
                if job is not None and progress is not None:
                    progress(job)
                return
            if job is not None and progress is not None:
                progress(job)
        time.sleep(0.2)


def _screen(
    factory: SessionFactory,
    cache: ScreenerCache,
    run: JobRun,
    progress: Progress | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Screen the manifest of ``run`` from its position to the end, part by part."""
    manifest_id = str(run.payload["manifest"])
    with unit_of_work(factory) as session:
        run.actor(session)  # a disabled user or a revoked token stops the job here
        job = _held(session, run, manifest_id)
        path, threshold, start = Path(job.path), job.threshold, job.position
        result = _result(job)
    if run.checkpoint.get("complete"):
        return result  # its last part and audit entry committed before its worker stopped
    if not path.is_file():
        raise NotFoundError(
            f"the file of manifest {manifest_id} is no longer in the data directory",
            code="job_input_missing",
        )
    total = run.job.total
    if total is None:
        total = _count_rows(path)
    with unit_of_work(factory) as session:
        run.step(session, done=start, total=total, checkpoint={"position": start})
    source = read_subjects(path, lenient_facts=True)
    rows: Iterator[Row] = source.rows
    try:
        with _Engine(workers) as engine:
            position = start
            for part in _parts(islice(rows, start, None), PART):
                _screen_part(factory, cache, engine, run, manifest_id, part, position, threshold)
                position += len(part)
                if progress is not None:
                    with unit_of_work(factory) as session:
                        progress(_manifest(session, manifest_id))
    finally:
        rows.close()  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        actor = run.actor(session)
        job = _held(session, run, manifest_id)
        result = _result(job)
        run.step(
            session,
            done=job.position,
            total=max(total, job.position),
            note=_note(job),
            checkpoint={"position": job.position, "complete": True},
            result=result,
        )
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
    return result


def _manifest(session: Session, manifest_id: str) -> ManifestJob:
    job = session.get(ManifestJob, manifest_id)
    if job is None:
        raise NotFoundError(f"no manifest job {manifest_id}", code="manifest_not_found")
    return job


def _held(session: Session, run: JobRun, manifest_id: str) -> ManifestJob:
    """The manifest, locked, if ``run``'s job is the one screening it."""
    job = session.get(ManifestJob, manifest_id, with_for_update=True, populate_existing=True)
    if job is None:
        raise NotFoundError(f"no manifest job {manifest_id}", code="manifest_not_found")
    if job.queue_job_id != run.id:
        raise ConflictError(
            f"manifest {manifest_id} is screened by another job", code="manifest_job_state"
        )
    return job


def _result(job: ManifestJob) -> dict[str, Any]:
    return {
        "manifest": job.id,
        "screened": job.screened,
        "hits": job.hits,
        "rejected": job.rejected,
        "link": f"/screening/manifests/{job.id}",
    }


def _note(job: ManifestJob) -> str:
    return f"{job.screened} screened, {job.hits} hits, {job.rejected} rejected"


def _count_rows(path: Path) -> int:
    """About how many rows the file has, for the progress bar: its CSV records after the
    header, blank lines left out (a tenth of the time reading them would take)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        try:
            records = sum(1 for cells in csv.reader(handle) if any(cells))
        except csv.Error:  # a broken quote: count lines instead
            handle.seek(0)
            records = sum(1 for line in handle if line.strip())
    return max(records - 1, 0)


def _parts(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part


def _snapshot(factory: SessionFactory, cache: ScreenerCache) -> Snapshot:
    """The current screener, built outside any transaction if the lists changed."""
    while True:
        cache.warm(factory)
        try:
            return cache.get_current()
        except LookupError:  # invalidated meanwhile: build again
            continue


# The screener the forked workers inherit; set in the parent only while their pool runs.
_inherited: list[Screener] = []
# Travellers per task sent to a worker.
_CHUNK = 64


def _check_chunk(task: tuple[list[Subject], float | None]) -> list[list[Match]]:
    chunk, threshold = task
    return [_inherited[0].check(query, threshold=threshold) for query in chunk]


class _Engine:
    """The engine's batch path for one job: ``Screener.screen`` in this process, or, with
    ``workers`` > 1 (where ``fork`` exists), one pool of forked workers per snapshot, kept
    for every part instead of forking (and copying touched pages) again at each."""

    def __init__(self, workers: int) -> None:
        forkable = "fork" in multiprocessing.get_all_start_methods()
        self.workers = workers if forkable else 1
        self._pool: Pool | None = None
        self._version: int | None = None

    def __enter__(self) -> _Engine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close()

    def screen(
        self, snapshot: Snapshot, subjects: list[Subject], threshold: float | None
    ) -> list[tuple[Subject, list[Match]]]:
        if self.workers <= 1 or len(subjects) < 2 * _CHUNK:
            return list(snapshot.screener.screen(subjects, threshold=threshold))
        if self._pool is None or self._version != snapshot.version:
            self._close()
            _inherited[:] = [snapshot.screener]
            gc.freeze()  # the collector would touch, hence copy, the shared pages
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
            self._version = snapshot.version
        tasks = [(subjects[i : i + _CHUNK], threshold) for i in range(0, len(subjects), _CHUNK)]
        found = chain.from_iterable(self._pool.map(_check_chunk, tasks))
        return list(zip(subjects, found, strict=True))

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
            # Not unfrozen: a large snapshot is kept frozen on purpose (``cache``).
            _inherited.clear()


def _screen_part(
    factory: SessionFactory,
    cache: ScreenerCache,
    engine: _Engine,
    run: JobRun,
    manifest_id: str,
    part: Sequence[Row],
    position: int,
    threshold: float | None,
) -> None:
    """Screen one part in a batch, then write it with the checkpoint in one transaction."""
    subjects = [row for row in part if isinstance(row, Subject)]
    rejections = [row for row in part if isinstance(row, Rejection)]
    while True:
        snapshot = _snapshot(factory, cache)
        # The engine's batch path, outside the transaction (on SQLite it holds the write lock).
        screened = engine.screen(snapshot, subjects, threshold)
        with unit_of_work(factory) as session:
            if current_version(session) != snapshot.version:
                continue  # the lists changed meanwhile: screen the part again, write nothing
            # The job first (its lease and a cancel request), then the manifest: one lock order.
            run.step(session, done=position, checkpoint={"position": position})
            job = _held(session, run, manifest_id)
            if job.position != position:
                raise ConflictError(
                    f"manifest {manifest_id} is at row {job.position}, not {position}",
                    code="manifest_job_state",
                )
            actor = run.actor(session)
            if rejections:
                session.execute(
                    insert(ManifestRejection),
                    [{"job_id": job.id, "line": r.line, "reason": r.reason} for r in rejections],
                )
            job.hits += _record_hits(session, actor, job.id, screened)
            job.rejected += len(rejections)
            job.screened += len(subjects)
            job.position += len(part)
            run.step(
                session,
                done=job.position,
                note=_note(job),
                checkpoint={"position": job.position},
                result=_result(job),
            )
            return


def _record_hits(
    session: Session,
    actor: Actor,
    manifest_id: str,
    screened: Sequence[tuple[Subject, list[Match]]],
) -> int:
    """The part's hits in one bulk insert; a traveller met again against the same entry (in
    this part or an earlier one) counts on the hit still open instead (``checks.record_hits``
    folds the same way). Returns the matches counted."""
    matched = [(subject, matches) for subject, matches in screened if matches]
    if not matched:
        return 0
    facts = [(query_of(subject), matches) for subject, matches in matched]
    keyed = [(query, traveller_key(query), matches) for query, matches in facts]
    keys = sorted({key for _q, key, _m in keyed})
    still_open: dict[tuple[str, str], ScreeningHit] = {}
    for start in range(0, len(keys), 500):
        stmt = (
            select(ScreeningHit)
            .where(
                ScreeningHit.manifest_id == manifest_id,
                ScreeningHit.status == HitStatus.OPEN.value,
                ScreeningHit.traveller_key.in_(keys[start : start + 500]),
                ScreeningHit.id.like(f"{actor.agency_code}:hit:%"),
            )
            .order_by(ScreeningHit.screened_at)
        )
        for found in session.execute(stmt).scalars():
            still_open.setdefault((found.entry_id, found.traveller_key or ""), found)
    now = utcnow()
    new: dict[tuple[str, str], dict[str, Any]] = {}
    count = 0
    for query, key, matches in keyed:
        for match in matches:
            count += 1
            score = round(match.score, 4)
            pair = (match.entity_id, key)
            hit = still_open.get(pair)
            if hit is not None:
                hit.seen_count += 1
                hit.last_seen_at, hit.query, hit.score = now, query, max(hit.score, score)
            elif pair in new:
                row = new[pair]
                row["seen_count"] += 1
                row["query"], row["score"] = query, max(row["score"], score)
            else:
                new[pair] = {
                    "id": new_id(actor.agency_code, "hit"),
                    "check_id": manifest_id,
                    "manifest_id": manifest_id,
                    "entry_id": match.entity_id,
                    "query": query,
                    "score": score,
                    "matched_name": match.name[:500],
                    "explanation": match.explanation,
                    "status": HitStatus.OPEN.value,
                    "screened_by": actor.display,
                    "screened_at": now,
                    "traveller_key": key,
                    "seen_count": 1,
                    "last_seen_at": now,
                }
    if new:
        session.execute(insert(ScreeningHit), list(new.values()))
    session.flush()
    return count
