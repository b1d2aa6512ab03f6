"""Background jobs on a real node: queued through the API, run by the runner, followed by
the one who asked (and by nobody else), cancelled, retried, and resumed after a worker is
killed mid-way without storing anything twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from jisr.cyber.models import CyberObject, CyberStatus
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.node import FederationSettings
from jisr.jobs.models import Job, JobState
from jisr.jobs.runner import JobSettings, drain
from jisr.node import create_app, job_kinds
from jisr.runtime.worker import build_context
from tests.conftest import DatabaseFactory
from tests.cyber.conftest import analyst_token
from tests.cyber.data import bundle, indicator
from tests.nodes import TestNode, make_node, wait_until


@pytest.fixture()
def node(tmp_path: Path, databases: DatabaseFactory) -> TestNode:
    return make_node(tmp_path / "rabat", databases.new_url())


@pytest.fixture()
def engine(node: TestNode) -> Iterator[Engine]:
    engine = make_engine(node.settings.effective_database_url)
    yield engine
    engine.dispose()


def _tokens(engine: Engine) -> tuple[str, str]:
    with unit_of_work(make_session_factory(engine)) as session:
        return analyst_token(session, "nadia"), analyst_token(session, "karim")


def _client(node: TestNode, engine: Engine, *, runner: bool) -> TestClient:
    settings = node.settings.with_sections(
        FederationSettings(worker_enabled=False), JobSettings(runner_enabled=runner)
    )
    return TestClient(create_app(settings, engine=engine), raise_server_exceptions=False)


def test_an_async_import_is_followed_to_its_end(node: TestNode, engine: Engine) -> None:
    nadia, karim = _tokens(engine)
    objects = [indicator(n) for n in range(2300)]
    objects.append({"type": "indicator", "id": "indicator--0f0e0d0c-0b0a-4909-8807-060504030201"})
    with _client(node, engine, runner=True) as client:
        queued = client.post(
            "/api/v1/cyber/imports",
            content=json.dumps(bundle(objects)),
            headers={"Authorization": f"Bearer {nadia}", "Prefer": "respond-async"},
        )
        assert queued.status_code == 202, queued.text
        location = queued.headers["Location"]
        assert location.startswith("/api/v1/jobs/") and queued.json()["total"] == 2301

        def finished() -> bool:
            state = client.get(location, headers={"Authorization": f"Bearer {nadia}"}).json()
            return bool(state["state"] in {"done", "failed"})

        wait_until(finished, timeout=120, what="the import job")
        job = client.get(location, headers={"Authorization": f"Bearer {nadia}"}).json()
        assert job["state"] == "done" and job["done"] == job["total"] == 2301
        assert job["result"]["stored"] == 2300 and job["result"]["rejected"] == 1
        # Someone else's job is as absent as one that does not exist.
        other = client.get(location, headers={"Authorization": f"Bearer {karim}"})
        assert other.status_code == 404 and other.json()["code"] == "job_not_found"
        assert client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {karim}"}).json() == []
        # Finished: it can be neither cancelled nor retried.
        again = client.post(f"{location}/retry", headers={"Authorization": f"Bearer {nadia}"})
        assert again.status_code == 409 and again.json()["code"] == "job_not_failed"
    with unit_of_work(make_session_factory(engine)) as session:
        status = session.get(CyberStatus, job["result"]["status"])
        assert status is not None and status.total == 2301 and len(status.successes) == 2300
        # The refused object keeps its position in the whole file, not in its part.
        assert [f["index"] for f in status.failures] == [2300]
    # The staged upload is gone once the job is done.
    assert not list((node.data_dir / "jobs").glob("*.in"))


def test_a_queued_job_is_cancelled_and_a_malformed_upload_refused_at_once(
    node: TestNode, engine: Engine
) -> None:
    nadia, _ = _tokens(engine)
    auth = {"Authorization": f"Bearer {nadia}", "Prefer": "respond-async"}
    with _client(node, engine, runner=False) as client:
        bad = client.post("/api/v1/cyber/imports", content=b"{oops", headers=auth)
        assert bad.status_code == 422 and bad.json()["code"] == "bundle_malformed"
        queued = client.post(
            "/api/v1/cyber/imports", content=json.dumps(bundle([indicator(1)])), headers=auth
        )
        location = queued.headers["Location"]
        cancelled = client.post(f"{location}/cancel", headers=auth)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        twice = client.post(f"{location}/cancel", headers=auth)
        assert twice.status_code == 409 and twice.json()["code"] == "job_finished"
    with unit_of_work(make_session_factory(engine)) as session:
        assert session.execute(select(func.count()).select_from(CyberObject)).scalar() == 0


def test_a_killed_worker_s_job_resumes_from_its_checkpoint(node: TestNode, engine: Engine) -> None:
    nadia, _ = _tokens(engine)
    objects = [indicator(n) for n in range(5000)]
    with _client(node, engine, runner=False) as client:
        queued = client.post(
            "/api/v1/cyber/imports",
            content=json.dumps(bundle(objects)),
            headers={"Authorization": f"Bearer {nadia}", "Prefer": "respond-async"},
        )
        job_id = queued.json()["id"]
    factory = make_session_factory(engine)

    def progressed() -> bool:
        with unit_of_work(factory) as session:
            job = session.get(Job, job_id)
            return job is not None and job.done >= 1000

    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.worker", str(node.data_dir), "5", "hold"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        wait_until(progressed, timeout=120, what="the first part of the import")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    with unit_of_work(factory) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == JobState.RUNNING.value
        stopped_at = job.checkpoint["next"]
        assert 1000 <= stopped_at < 5000
        # The dead worker's lease is allowed to run out (instead of waiting for it).
        session.execute(update(Job).where(Job.id == job_id).values(lease_until=job.created_at))
    ctx = build_context(node.settings)
    try:
        assert drain(ctx, job_kinds()) == 1
    finally:
        ctx.engine.dispose()
    with unit_of_work(factory) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == JobState.DONE.value and job.attempts == 2
        # Every object stored once: the resumed run started at the checkpoint.
        assert job.result["stored"] == 5000 and job.result["unchanged"] == 0
        assert session.execute(select(func.count()).select_from(CyberObject)).scalar() == 5000
        status = session.get(CyberStatus, job.result["status"])
        assert status is not None and status.total == 5000


def test_a_job_whose_user_was_disabled_fails_with_a_reason(node: TestNode, engine: Engine) -> None:
    nadia, _ = _tokens(engine)
    with _client(node, engine, runner=False) as client:
        queued = client.post(
            "/api/v1/cyber/imports",
            content=json.dumps(bundle([indicator(1)])),
            headers={"Authorization": f"Bearer {nadia}", "Prefer": "respond-async"},
        )
        job_id = queued.json()["id"]
    from jisr.identity.models import User

    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(update(User).where(User.username == "nadia").values(disabled=True))
    ctx = build_context(node.settings)
    try:
        drain(ctx, job_kinds())
    finally:
        ctx.engine.dispose()
    with unit_of_work(make_session_factory(engine)) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.state == JobState.FAILED.value
        assert job.error_code == "user_disabled"
        assert session.execute(select(func.count()).select_from(CyberObject)).scalar() == 0


def test_jobs_cli_lists_shows_and_cancels(
    node: TestNode, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    nadia, _ = _tokens(engine)
    with _client(node, engine, runner=False) as client:
        job_id = client.post(
            "/api/v1/cyber/imports",
            content=json.dumps(bundle([indicator(1)])),
            headers={"Authorization": f"Bearer {nadia}", "Prefer": "respond-async"},
        ).json()["id"]
    from jisr.cli.app import main

    capsys.readouterr()  # what the node logged so far
    assert main(["jobs", "list", "--data-dir", str(node.data_dir), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in listed] == [job_id] and listed[0]["state"] == "queued"
    assert main(["jobs", "show", "XX-NOPE:job:0", "--data-dir", str(node.data_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("jisr: error: no job") and err.endswith("[job_not_found]")
    assert main(["jobs", "cancel", job_id, "--data-dir", str(node.data_dir)]) == 0
    assert "cancelled" in capsys.readouterr().out
