"""A manifest's status follows its queue job's state, in the transaction that changes the job
(``jisr.jobs.queue.follow``). Registered by the composition root when a node starts
(``install_listeners``: API, worker or CLI command), so ``jisr jobs cancel`` keeps the
manifest in step as the API does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.clock import utcnow
from jisr.jobs.models import Job, JobState
from jisr.jobs.queue import follow
from jisr.watchlists.models import JobStatus, ManifestJob

KIND = "watchlists.manifest"


def _follow(session: Session, queued: Job) -> None:
    """The manifest's status as its job's state changes (same transaction)."""
    job = session.get(ManifestJob, str(queued.payload.get("manifest")))
    if job is None or job.queue_job_id != queued.id:
        return
    state = JobState(queued.state)
    if state is JobState.RUNNING:
        if queued.payload.get("cancel"):
            return  # it stops at its next part, then is cancelled
        job.status = JobStatus.RUNNING.value
        job.started_at = job.started_at or utcnow()
        job.error = job.finished_at = None
    elif state is JobState.QUEUED:
        job.status = JobStatus.QUEUED.value
        job.finished_at = None
    else:
        job.status = {
            JobState.DONE: JobStatus.DONE,
            JobState.FAILED: JobStatus.FAILED,
            JobState.CANCELLED: JobStatus.CANCELLED,
        }[state].value
        job.error = queued.error if state is JobState.FAILED else None
        job.finished_at = queued.finished_at or utcnow()


def follow_jobs() -> None:
    follow(KIND, _follow)
