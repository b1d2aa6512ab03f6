"""Background jobs in the console: one job's progress, live while it runs, and its outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response

from jisr.api.deps import SessionDep
from jisr.jobs import queue
from jisr.jobs.models import Job, JobState
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm
from jisr.web.i18n import N_
from jisr.web.templating import render, set_flash
from jisr.web.viewer import ViewerDep

router = console_router()
JobId = Annotated[str, Path(max_length=80)]
STATE_LABELS = {
    JobState.QUEUED.value: N_("Waiting to start"),
    JobState.RUNNING.value: N_("Running"),
    JobState.DONE.value: N_("Finished"),
    JobState.FAILED.value: N_("Failed"),
    JobState.CANCELLED.value: N_("Cancelled"),
}
KIND_LABELS = {
    "cyber.import": N_("Import of a STIX bundle or a MISP event"),
    "watchlists.manifest": N_("Screening of a manifest or an accreditation list"),
}


def _context(job: Job) -> dict[str, object]:
    return {
        "job": job,
        "state_label": STATE_LABELS.get(job.state, job.state),
        "kind_label": KIND_LABELS.get(job.kind, job.kind),
        # Where the outcome is shown, when the job's kind has a page for it.
        "outcome": job.result.get("link") if job.state == JobState.DONE.value else None,
    }


@router.get("/jobs")
def jobs_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    jobs = queue.list_jobs(session, viewer.actor, limit=50)
    return render(
        request,
        "jobs/index.html",
        {"jobs": jobs, "labels": STATE_LABELS, "kinds": KIND_LABELS},
    )


@router.get("/jobs/{job_id}")
def job_page(request: Request, session: SessionDep, viewer: ViewerDep, job_id: JobId) -> Response:
    job = queue.get_job(session, viewer.actor, job_id)
    return render(request, "jobs/job.html", _context(job))


@router.get("/jobs/{job_id}/progress")
def job_progress(
    request: Request, session: SessionDep, viewer: ViewerDep, job_id: JobId
) -> Response:
    """The progress panel alone, which the job page asks for every second while it runs."""
    job = queue.get_job(session, viewer.actor, job_id)
    return render(request, "jobs/_progress.html", _context(job))


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, session: SessionDep, viewer: CsrfForm, job_id: JobId) -> Response:
    queue.cancel(session, viewer.actor, job_id)
    response = redirect(request, f"/jobs/{job_id}")
    set_flash(response, request, N_("The job is being cancelled."))
    return response
