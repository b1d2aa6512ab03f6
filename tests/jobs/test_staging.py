"""Staged job inputs are swept: those of jobs cancelled before they ran or failed for good go
once their job has been settled longer than the retention, as do files no staged job owns;
a job's own input goes when it finishes; a job failed recently keeps its input for a retry."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, update

from jisr.clock import utcnow
from jisr.db import make_session_factory, unit_of_work
from jisr.errors import NotFoundError
from jisr.identity.models import User
from jisr.jobs.models import Job, JobState
from jisr.jobs.runner import JobSettings, drain
from jisr.jobs.staging import staged_input
from jisr.node import job_kinds
from jisr.runtime.worker import build_context
from jisr.settings import JisrSettings
from tests.cyber.data import bundle, indicator
from tests.jobs.test_jobs import _client, _tokens
from tests.jobs.test_jobs import engine as engine  # noqa: F401 - fixture
from tests.jobs.test_jobs import node as node  # noqa: F401 - fixture
from tests.nodes import TestNode

WEEK_AND_A_DAY = timedelta(days=8)


def _has_input(data_dir: Path, job_id: str) -> bool:
    try:
        staged_input(data_dir, job_id)
    except NotFoundError:
        return False
    return True


def _job(engine: Engine, job_id: str) -> Job:
    with unit_of_work(make_session_factory(engine)) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _run(settings: JisrSettings) -> int:
    ctx = build_context(settings)
    try:
        return drain(ctx, job_kinds())
    finally:
        ctx.engine.dispose()


def _aged(path: Path) -> Path:
    path.write_bytes(b"{}")
    old = time.time() - WEEK_AND_A_DAY.total_seconds()
    os.utime(path, (old, old))
    return path


def test_settled_jobs_inputs_are_swept_after_the_retention(node: TestNode, engine: Engine) -> None:
    nadia, karim = _tokens(engine)
    body = json.dumps(bundle([indicator(1)]))

    def queue(token: str) -> str:
        queued = client.post(
            "/api/v1/cyber/imports",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Prefer": "respond-async"},
        )
        assert queued.status_code == 202, queued.text
        job_id: str = queued.json()["id"]
        return job_id

    with _client(node, engine, runner=False) as client:
        cancelled = queue(nadia)
        answer = client.post(
            f"/api/v1/jobs/{cancelled}/cancel", headers={"Authorization": f"Bearer {nadia}"}
        )
        assert answer.json()["state"] == "cancelled"
        failed_long_ago, failed_now = queue(karim), queue(karim)
    data = node.data_dir
    # Cancelled before it ran: its input is still there.
    assert _has_input(data, cancelled)

    # Karim is disabled: both of his jobs fail for good, and keep their input for a retry.
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(update(User).where(User.username == "karim").values(disabled=True))
    assert _run(node.settings) == 2
    for job_id in (failed_long_ago, failed_now):
        job = _job(engine, job_id)
        assert (job.state, job.error_code, job.staged) == ("failed", "user_disabled", True)
        assert _has_input(data, job_id)

    # A week and a day pass for the cancelled job and one failed job; leftovers lie around.
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(
            update(Job)
            .where(Job.id.in_([cancelled, failed_long_ago]))
            .values(finished_at=utcnow() - WEEK_AND_A_DAY)
        )
    orphan = _aged(data / "jobs" / "MA-DGST_job_rolled_back.in")
    crashed = _aged(data / "jobs" / "MA-DGST_job_crashed.part")
    writing = data / "jobs" / "MA-DGST_job_being_staged.part"
    writing.write_bytes(b"{")
    stray = _aged(data / "jobs" / "notes.txt")

    # The next job to settle sweeps.
    with _client(node, engine, runner=False) as client:
        done = queue(nadia)
    assert _run(node.settings) == 1
    assert _job(engine, done).state == JobState.DONE.value and not _has_input(data, done)
    for job_id in (cancelled, failed_long_ago):
        assert not _has_input(data, job_id) and _job(engine, job_id).staged is False
    assert _has_input(data, failed_now) and _job(engine, failed_now).staged is True
    assert not orphan.exists() and not crashed.exists()
    assert writing.exists() and stray.exists()  # being written; not the queue's

    # With no retention, the recent failure's input goes at the next settled job.
    keep_none = node.settings.with_sections(JobSettings(staged_retention_hours=0))
    with _client(node, engine, runner=False) as client:
        queue(nadia)
    assert _run(keep_none) == 1
    assert not _has_input(data, failed_now) and _job(engine, failed_now).staged is False
    assert writing.exists()
