"""The jobs API under ``/api/v1/jobs``: where a job stands, cancel, retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from jisr.api.deps import CurrentActor, SessionDep
from jisr.jobs import queue
from jisr.jobs.schemas import JobRead

router = APIRouter(prefix="/jobs", tags=["jobs"])
JobId = Annotated[str, Path(max_length=80)]
ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in"},
    422: {"description": "Invalid input"},
    404: {"description": "No such job, or not one this user may see (`job_not_found`)"},
    409: {"description": "Not possible in the job's state (`job_finished`, `job_not_failed`)"},
}


@router.get("", response_model=list[JobRead], responses=ERRORS)
def list_jobs(
    session: SessionDep,
    actor: CurrentActor,
    everyone: Annotated[bool, Query(description="Every user's (administrators)")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobRead]:
    """The user's jobs, newest first (an administrator or auditor may ask for everyone's)."""
    jobs = queue.list_jobs(session, actor, everyone=everyone, limit=limit)
    return [JobRead.model_validate(job) for job in jobs]


@router.get("/{job_id}", response_model=JobRead, responses=ERRORS)
def get_job(session: SessionDep, actor: CurrentActor, job_id: JobId) -> JobRead:
    return JobRead.model_validate(queue.get_job(session, actor, job_id))


@router.post("/{job_id}/cancel", response_model=JobRead, responses=ERRORS)
def cancel_job(session: SessionDep, actor: CurrentActor, job_id: JobId) -> JobRead:
    """A queued job stops at once; a running one at its next progress report."""
    return JobRead.model_validate(queue.cancel(session, actor, job_id))


@router.post("/{job_id}/retry", response_model=JobRead, responses=ERRORS)
def retry_job(session: SessionDep, actor: CurrentActor, job_id: JobId) -> JobRead:
    """A failed job queued again; it resumes from its checkpoint."""
    return JobRead.model_validate(queue.retry(session, actor, job_id))
