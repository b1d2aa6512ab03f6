"""The job runner: a thread that claims jobs of the kinds this node knows and runs them.

``jisr serve`` runs one (unless ``JISR_JOBS_RUNNER_ENABLED=false``), as does ``jisr worker``;
several runners share the queue through leases. A job's code raising a ``JisrError`` fails it
for good (the same input would fail again); anything else is retried up to its attempts.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.db import SessionFactory
from jisr.db.notify import JOBS, listening
from jisr.errors import JisrError
from jisr.jobs.queue import (
    JobCancelled,
    JobRun,
    LeaseLost,
    cancelled,
    claim,
    fail,
    finish,
    wakeup,
    worker_name,
)

if TYPE_CHECKING:
    from jisr.api.context import AppContext
    from jisr.modules import JobKind

log = structlog.get_logger("jisr.jobs")


class JobSettings(BaseSettings):
    """Prefix ``JISR_JOBS_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_JOBS_", extra="ignore", frozen=True)

    # Run queued jobs in this process (``jisr serve``, ``jisr worker``).
    runner_enabled: bool = True
    # Seconds between two looks at the queue when nothing woke the runner.
    poll_seconds: float = Field(default=1.0, gt=0)
    # A running job not heard from for this long is taken over by another runner.
    lease_seconds: float = Field(default=60.0, ge=5)
    # How long the input of a job that failed for good or was cancelled is kept (for a retry).
    staged_retention_hours: float = Field(default=168.0, ge=0)


def run_one(
    ctx: AppContext,
    kinds: Mapping[str, JobKind],
    *,
    factory: SessionFactory | None = None,
    data_dir: Path | None = None,
    lease: timedelta | None = None,
) -> bool:
    """Claim and run one job; False when none is waiting."""
    factory = factory or ctx.session_factory
    settings = ctx.settings.section(JobSettings)
    lease = lease or timedelta(seconds=settings.lease_seconds)
    owner = worker_name()
    job = claim(factory, list(kinds), owner, lease=lease)
    if job is None:
        return False
    retention = timedelta(hours=settings.staged_retention_hours)
    run = JobRun(factory, job, owner, data_dir or ctx.settings.data_dir, lease, retention)
    kind = kinds[job.kind]
    execute(run, lambda current: kind.run(ctx, current))
    return True


def execute(run: JobRun, work: Callable[[JobRun], dict[str, Any] | None]) -> None:
    """Run a claimed job's code and settle the job by how it ended (done, cancelled, failed for
    good on a ``JisrError``, queued again on anything else); never raises for the job."""
    job = run.job
    log.info("job started", job=job.id, kind=job.kind, attempt=job.attempts)
    try:
        result = work(run)
        finish(run, result)
        log.info("job done", job=job.id, kind=job.kind)
    except JobCancelled:
        cancelled(run)
        log.info("job cancelled", job=job.id)
    except LeaseLost:
        log.warning("job lease lost", job=job.id)
    except JisrError as exc:
        fail(run, exc, retry=False)
        log.warning("job failed", job=job.id, code=exc.code)
    except Exception as exc:  # noqa: BLE001 - a job's crash must not stop the runner
        fail(run, exc, retry=True)
        log.warning("job crashed", job=job.id, error=type(exc).__name__)


def drain(ctx: AppContext, kinds: Mapping[str, JobKind]) -> int:
    """Run jobs until none is waiting (``jisr jobs run``, tests); how many ran."""
    count = 0
    while run_one(ctx, kinds):
        count += 1
    return count


@asynccontextmanager
async def job_runner(ctx: AppContext, kinds: Mapping[str, JobKind]) -> AsyncIterator[None]:
    """A runner thread while the node runs (a start-up hook of the composition root)."""
    settings = ctx.settings.section(JobSettings)
    if not settings.runner_enabled or not kinds:
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                ran = run_one(ctx, kinds)
            except Exception as exc:  # noqa: BLE001 - e.g. the database restarting
                log.warning("job runner pass failed", error=type(exc).__name__)
                ran = False
            if not ran:
                wakeup.wait(settings.poll_seconds)
                wakeup.clear()

    thread = threading.Thread(target=loop, name="jisr-jobs", daemon=True)
    # On PostgreSQL a job queued by another process wakes this runner when its queuer commits.
    with listening(ctx.engine, JOBS, wakeup.set):
        thread.start()
        try:
            yield
        finally:
            stop.set()
            wakeup.set()
            thread.join(timeout=10)
