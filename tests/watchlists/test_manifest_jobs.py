"""Manifests on the node's job queue: followed through the manifest API and the jobs API alike,
cancelled, failed and resumed, retried, left alone by an API process that does not hold them,
and finished by another worker after one is killed mid-manifest, with every hit counted once
and every unreadable row kept with its line and reason."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from jisr.actors import system_actor
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.node import FederationSettings
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.jobs.cli import jobs_app
from jisr.jobs.models import Job, JobState
from jisr.jobs.runner import JobSettings, drain
from jisr.node import create_app, job_kinds
from jisr.operations.fixtures import PLANTED, accreditation_csv, watchlist_csv
from jisr.runtime.worker import build_context
from jisr.screening.sources import read_subjects
from jisr.watchlists import manifests
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.checks import query_of, traveller_key
from jisr.watchlists.imports import import_list
from jisr.watchlists.models import ManifestJob, ManifestRejection, ScreeningHit
from tests.exchange.conftest import LOCAL
from tests.nodes import TestNode, make_node, wait_until

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Desk:
    node: TestNode
    engine: Engine
    tokens: dict[str, str]

    def client(self, *, runner: bool) -> TestClient:
        settings = self.node.settings.with_sections(
            FederationSettings(worker_enabled=False), JobSettings(runner_enabled=runner)
        )
        return TestClient(create_app(settings, engine=self.engine), raise_server_exceptions=False)

    def session_factory(self) -> Any:
        return make_session_factory(self.engine)

    def drain(self) -> int:
        """Run queued jobs as ``jisr worker`` would, in a context of its own."""
        ctx = build_context(self.node.settings)
        try:
            return drain(ctx, job_kinds())
        finally:
            ctx.engine.dispose()


@pytest.fixture()
def desk(tmp_path: Path, db_url: str) -> Iterator[Desk]:
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    listed = tmp_path / "wanted.csv"
    listed.write_text(watchlist_csv(extra=300), encoding="utf-8")
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        import_list(session, system_actor(LOCAL), "wanted", listed, alert_type="wanted")
        for name in ("salma", "youssef"):
            user = create_user(
                session,
                actor_for(admin),
                username=name,
                display_name=name.title(),
                agency_code=None,
                roles=[Role.BORDER_OFFICER],
                password="a long enough password 2026",
            )
            tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    yield Desk(node, engine, tokens)
    engine.dispose()


def _call(
    client: TestClient, desk: Desk, method: str, path: str, who: str = "salma", **kw: Any
) -> Response:
    headers = {**kw.pop("headers", {}), "Authorization": f"Bearer {desk.tokens[who]}"}
    return client.request(method, f"/api/v1{path}", headers=headers, **kw)


def _upload(client: TestClient, desk: Desk, content: str) -> dict[str, Any]:
    response = _call(
        client,
        desk,
        "POST",
        "/screening/manifests",
        content=content.encode(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def manifest_text(rows: int) -> tuple[str, int, list[int]]:
    """``rows`` fictional applicants; the two planted wanted people again every 997 rows (one
    traveller met in many parts: one hit, counted each time) and an unreadable row (no name)
    every 2,503 rows. Returns the file, its number of rows and the lines of the unreadable
    ones."""
    reader = csv.reader(io.StringIO(accreditation_csv(rows)))
    header, *applicants = list(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    line, broken = 1, []
    for n, row in enumerate(applicants):
        if n and n % 997 == 0:
            person = PLANTED[(n // 997) % 2]
            writer.writerow(
                [f"again-{n}", person.accreditation_name, person.birth_date, person.nationality]
                + ["staff"]
            )
            line += 1
        if n and n % 2503 == 0:
            writer.writerow([f"broken-{n}", "", "1990-01-01", "MA", "staff"])
            line += 1
            broken.append(line)
        writer.writerow(row)
        line += 1
    return out.getvalue(), line - 1, broken


def expected_hits(desk: Desk, path: Path) -> tuple[int, int]:
    """What the engine alone finds in the file: matches, and distinct (entry, traveller)."""
    cache = ScreenerCache()
    cache.warm(desk.session_factory())
    screener = cache.get_current().screener
    matches, pairs = 0, set()
    for subject, found in screener.screen(read_subjects(path, lenient_facts=True)):
        key = traveller_key(query_of(subject))
        matches += len(found)
        pairs |= {(m.entity_id, key) for m in found}
    return matches, len(pairs)


def stored(desk: Desk, manifest_id: str) -> tuple[int, int, list[int]]:
    """Hit rows, the sum of their counts, and the lines of the rejected rows stored."""
    with unit_of_work(desk.session_factory()) as session:
        hits = session.execute(
            select(func.count(), func.coalesce(func.sum(ScreeningHit.seen_count), 0)).where(
                ScreeningHit.manifest_id == manifest_id
            )
        ).one()
        lines = session.execute(
            select(ManifestRejection.line)
            .where(ManifestRejection.job_id == manifest_id)
            .order_by(ManifestRejection.line)
        ).scalars()
        return int(hits[0]), int(hits[1]), list(lines)


def test_a_manifest_is_a_job_followed_through_both_apis(desk: Desk, tmp_path: Path) -> None:
    content, rows, broken = manifest_text(4500)
    with desk.client(runner=True) as client:
        queued = _upload(client, desk, content)
        assert queued["status"] in {"queued", "running", "done"} and queued["job_id"]
        job_path = f"/jobs/{queued['job_id']}"

        def finished() -> dict[str, Any] | None:
            body: dict[str, Any] = _call(
                client, desk, "GET", f"/screening/manifests/{queued['id']}"
            ).json()
            return body if body["status"] in {"done", "failed"} else None

        manifest = wait_until(finished, timeout=120, what="the manifest job")
        job = _call(client, desk, "GET", job_path).json()
        listed = [j["id"] for j in _call(client, desk, "GET", "/jobs").json()]
        # Another officer of the agency sees the manifest, not the uploader's job.
        theirs = _call(client, desk, "GET", f"/screening/manifests/{queued['id']}", "youssef")
        not_theirs = _call(client, desk, "GET", job_path, "youssef")
    assert rows == 4500 + 4 + len(broken)
    assert manifest["status"] == "done" and manifest["position"] == rows
    assert (manifest["screened"], manifest["rejected"]) == (rows - len(broken), len(broken))
    # Every unreadable row is kept with its line and reason.
    assert manifest["rejections"] == [f"line {line}: empty name" for line in broken]
    assert job["kind"] == "watchlists.manifest" and job["state"] == "done"
    assert job["done"] == job["total"] == rows and queued["job_id"] in listed
    assert job["result"]["link"] == f"/screening/manifests/{queued['id']}"
    assert job["result"]["hits"] == manifest["hits"]
    assert theirs.status_code == 200
    assert not_theirs.status_code == 404 and not_theirs.json()["code"] == "job_not_found"
    # The hits are exactly what the engine finds, repeats folded onto one open hit.
    path = tmp_path / "same.csv"
    path.write_text(content, encoding="utf-8")
    matches, pairs = expected_hits(desk, path)
    # The two planted people, each met again on every 997th row.
    assert matches >= 2 + 4 and manifest["hits"] == matches
    assert stored(desk, queued["id"]) == (pairs, matches, broken)


def test_cancel_fail_resume_and_retry(desk: Desk) -> None:
    content, rows, broken = manifest_text(3000)
    with desk.client(runner=False) as client:
        cancelled = _upload(client, desk, content)
        response = _call(client, desk, "POST", f"/jobs/{cancelled['job_id']}/cancel")
        assert response.status_code == 200 and response.json()["state"] == "cancelled"
        manifest = _call(client, desk, "GET", f"/screening/manifests/{cancelled['id']}").json()
        assert manifest["status"] == "cancelled" and manifest["finished_at"]
        again = _call(client, desk, "POST", f"/screening/manifests/{cancelled['id']}/resume")
        assert again.status_code == 422

        failing = _upload(client, desk, content)
        with unit_of_work(desk.session_factory()) as session:
            kept = Path(session.get(ManifestJob, failing["id"]).path)  # type: ignore[union-attr]
        kept.unlink()  # the kept upload lost: the job fails for good, with the reason
        assert desk.drain() == 1
        manifest = _call(client, desk, "GET", f"/screening/manifests/{failing['id']}").json()
        job = _call(client, desk, "GET", f"/jobs/{failing['job_id']}").json()
        assert manifest["status"] == "failed" and job["state"] == "failed"
        assert manifest["error"] == job["error"] and job["error_code"] == "job_input_missing"
        kept.write_text(content, encoding="utf-8")
        # Resumed through the manifest's own API: its job is queued again.
        resumed = _call(client, desk, "POST", f"/screening/manifests/{failing['id']}/resume")
        assert resumed.status_code == 200 and resumed.json()["status"] == "queued"
        assert _call(client, desk, "GET", f"/jobs/{failing['job_id']}").json()["state"] == "queued"
        assert desk.drain() == 1
        manifest = _call(client, desk, "GET", f"/screening/manifests/{failing['id']}").json()
        assert manifest["status"] == "done" and manifest["error"] is None
        assert manifest["rejected"] == len(broken) and manifest["position"] == rows

        retried = _upload(client, desk, content)
        with unit_of_work(desk.session_factory()) as session:
            kept = Path(session.get(ManifestJob, retried["id"]).path)  # type: ignore[union-attr]
        kept.unlink()
        desk.drain()
        kept.write_text(content, encoding="utf-8")
        # Retried through the jobs API: the manifest follows.
        response = _call(client, desk, "POST", f"/jobs/{retried['job_id']}/retry")
        assert response.status_code == 200
        status = _call(client, desk, "GET", f"/screening/manifests/{retried['id']}").json()
        assert status["status"] == "queued"
        desk.drain()
        status = _call(client, desk, "GET", f"/screening/manifests/{retried['id']}").json()
        assert status["status"] == "done" and status["screened"] == rows - len(broken)


def test_an_api_process_leaves_a_manifest_it_does_not_hold_alone(desk: Desk) -> None:
    with unit_of_work(desk.session_factory()) as session:
        user = session.execute(select(User).where(User.username == "salma")).scalar_one()
        job = manifests.create_job(
            session, actor_for(user), desk.node.settings.data_dir, "f.csv", b"id,name\n1,A B\n"
        )
        queued = session.get(Job, job.queue_job_id)
        assert queued is not None
        lease = utcnow() + timedelta(hours=1)
        queued.state, queued.lease_owner, queued.lease_until = "running", "elsewhere:1:1", lease
        job.status = "running"
        manifest_id, job_id = job.id, queued.id
    with desk.client(runner=True) as client:
        body = _call(client, desk, "GET", f"/screening/manifests/{manifest_id}").json()
    assert body["status"] == "running"
    with unit_of_work(desk.session_factory()) as session:
        held = session.get(Job, job_id)
        assert held is not None and held.state == "running"
        assert held.lease_owner == "elsewhere:1:1" and held.attempts == 0


def test_a_killed_worker_s_manifest_is_finished_by_another(desk: Desk, tmp_path: Path) -> None:
    content, total, broken = manifest_text(16_000)
    with desk.client(runner=False) as client:
        queued = _upload(client, desk, content)
    factory = desk.session_factory()

    def first_part_committed() -> bool:
        with unit_of_work(factory) as session:
            job = session.get(ManifestJob, queued["id"])
            return job is not None and job.position >= manifests.PART

    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.worker", str(desk.node.data_dir), "5"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_until(first_part_committed, timeout=120, what="the first part of the manifest")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, queued["id"])
        assert job is not None and job.status == "running"
        stopped_at = job.position
        # Killed between two parts' commits: every committed part is whole.
        assert manifests.PART <= stopped_at < total and stopped_at % manifests.PART == 0
        queue_job = session.get(Job, job.queue_job_id)
        assert queue_job is not None and queue_job.checkpoint["position"] == stopped_at
        # The dead worker's lease is allowed to run out (instead of waiting for it).
        session.execute(
            update(Job).where(Job.id == job.queue_job_id).values(lease_until=job.created_at)
        )
    assert desk.drain() == 1
    with unit_of_work(factory) as session:
        job = session.get(ManifestJob, queued["id"])
        assert job is not None
        queue_job = session.get(Job, job.queue_job_id)
        assert queue_job is not None and queue_job.state == JobState.DONE.value
        assert queue_job.attempts == 2 and job.status == "done"
        assert (job.position, job.screened, job.rejected) == (
            total,
            total - len(broken),
            len(broken),
        )
        manifest_hits = job.hits
    path = tmp_path / "same.csv"
    path.write_text(content, encoding="utf-8")
    matches, pairs = expected_hits(desk, path)
    # No traveller screened twice into two hits (or counted twice on one), none lost.
    assert manifest_hits == matches
    assert stored(desk, queued["id"]) == (pairs, matches, broken)


def test_jobs_cli_cancels_a_queued_manifest(desk: Desk) -> None:
    with desk.client(runner=False) as client:
        queued = _upload(client, desk, "id,name\np1,Jean Baptiste KERVELLA\n")
    data = ["--data-dir", str(desk.node.data_dir)]
    listing = CliRunner().invoke(jobs_app, ["list", *data, "--format", "json"])
    assert listing.exit_code == 0, listing.output
    assert "watchlists.manifest" in listing.output and queued["job_id"] in listing.output
    cancelled = CliRunner().invoke(jobs_app, ["cancel", queued["job_id"], *data])
    assert cancelled.exit_code == 0 and "cancelled" in cancelled.output
    with unit_of_work(desk.session_factory()) as session:
        job = session.get(ManifestJob, queued["id"])
        assert job is not None and job.status == "cancelled"


def test_forked_workers_screen_the_same_hits(desk: Desk, tmp_path: Path) -> None:
    content, rows, broken = manifest_text(3000)
    with unit_of_work(desk.session_factory()) as session:
        user = session.execute(select(User).where(User.username == "salma")).scalar_one()
        job = manifests.create_job(
            session, actor_for(user), desk.node.settings.data_dir, "f.csv", content.encode()
        )
        manifest_id = job.id
    manifests.run_job(
        desk.session_factory(), actor_for(user), ScreenerCache(), manifest_id, workers=2
    )
    path = tmp_path / "same.csv"
    path.write_text(content, encoding="utf-8")
    matches, pairs = expected_hits(desk, path)
    with unit_of_work(desk.session_factory()) as session:
        done = session.get(ManifestJob, manifest_id)
        assert done is not None and done.status == "done"
        assert (done.position, done.hits) == (rows, matches)
    assert stored(desk, manifest_id) == (pairs, matches, broken)
