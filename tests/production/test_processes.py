"""Several processes per node: ``jisr worker`` processes share the periodic passes (one leads
each at a time, another takes over when it dies); ``jisr serve --workers N`` on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jisr.db import make_engine, make_session_factory, unit_of_work
from tests import nodes
from tests.conftest import DatabaseFactory
from tests.cyber.conftest import analyst_token
from tests.cyber.data import bundle, indicator
from tests.federation.nodes import wait_for
from tests.nodes import free_port, make_node

PASS_ENV = {
    "JISR_NOTICES_EXPIRY_INTERVAL_SECONDS": "0.3",
    "JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS": "0.3",
    "JISR_FEDERATION_POLL_SECONDS": "0.2",
    "JISR_LOG_JSON": "true",
}


@pytest.fixture()
def node(databases: DatabaseFactory, tmp_path: Path) -> nodes.TestNode:
    return make_node(tmp_path / "node", databases.new_url())


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    env.update(extra)
    return env


class Worker:
    def __init__(self, data_dir: Path, n: int) -> None:
        self.log = data_dir / f"worker-{n}.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jisr", "worker", "--data-dir", str(data_dir)],
                env=_env(PASS_ENV),
                stdout=log,
                stderr=log,
            )

    def passes(self, task: str) -> int:
        count = 0
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "periodic pass" and event.get("task") == task:
                count += 1
        return count

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture()
def workers(node: nodes.TestNode) -> Iterator[list[Worker]]:
    started = [Worker(node.data_dir, n) for n in range(2)]
    yield started
    for worker in started:
        worker.stop()


@pytest.mark.slow
def test_two_workers_run_each_pass_once_and_hand_over(workers: list[Worker]) -> None:
    first, second = workers
    for task in ("notices-expiry", "exchange-reminders"):
        wait_for(
            lambda t=task: first.passes(t) + second.passes(t) >= 4,  # type: ignore[misc]
            timeout=240,
            what=f"{task} passes",
        )
    for task in ("notices-expiry", "exchange-reminders"):
        counts = sorted([first.passes(task), second.passes(task)])
        # One process leads the pass, the other stands by: never both.
        assert counts[0] == 0 and counts[1] >= 4, (task, counts)
    leader = first if first.passes("notices-expiry") else second
    follower = second if leader is first else first
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait()
    # The dead leader's lock went with its connection (or file): the follower takes over.
    wait_for(lambda: follower.passes("notices-expiry") >= 2, timeout=120, what="take-over")
    assert follower.process.poll() is None
    # The follower also ran deliveries all along (the outbox lease shares them).
    assert "worker started" in follower.log.read_text()


@pytest.mark.slow
def test_serve_workers_refuses_sqlite(databases: DatabaseFactory, tmp_path: Path) -> None:
    if databases.backend != "sqlite":
        pytest.skip("the refusal is SQLite's")
    node = make_node(tmp_path / "node", databases.new_url())
    result = subprocess.run(
        [sys.executable, "-m", "jisr", "serve", "--data-dir", str(node.data_dir), "--workers", "2"],
        env=_env({}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "[workers_need_postgresql]" in result.stderr


@pytest.mark.slow
def test_serve_workers_on_postgresql(databases: DatabaseFactory, tmp_path: Path) -> None:
    if databases.backend != "postgresql":
        pytest.skip("several API processes need PostgreSQL")
    node = make_node(tmp_path / "node", databases.new_url())
    port = free_port()
    log = (node.data_dir / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "jisr", "serve", "--data-dir", str(node.data_dir)]
        + ["--port", str(port), "--workers", "2"],
        env=_env({}),
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert process.poll() is None, (node.data_dir / "serve.log").read_text()[-2000:]
            try:
                return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=240, what="two API processes")
        for _ in range(20):
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        # The scrape sums what every API process counted (PROMETHEUS_MULTIPROC_DIR).
        text = httpx.get(f"{url}/metrics", timeout=10).text
        line = next(
            x
            for x in text.splitlines()
            if x.startswith("jisr_http_requests_total") and 'route="/healthz"' in x
        )
        assert float(line.rsplit(" ", 1)[1]) >= 20
        log_text = (node.data_dir / "serve.log").read_text()
        # API processes leave deliveries to `jisr worker`.
        assert '"worker": false' in log_text or "worker=False" in log_text
        # ... and background jobs: a queued import waits for a worker, which then runs it.
        token = _analyst_token(node)
        queued = httpx.post(
            f"{url}/api/v1/cyber/imports",
            content=json.dumps(bundle([indicator(n) for n in range(3)])),
            headers={"Authorization": f"Bearer {token}", "Prefer": "respond-async"},
            timeout=30,
        )
        assert queued.status_code == 202, queued.text
        location = f"{url}{queued.headers['Location']}"

        def state() -> str:
            answer = httpx.get(location, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            return str(answer.json()["state"])

        # Several runner polls (JISR_JOBS_POLL_SECONDS is 1 s) pass with no runner taking it.
        time.sleep(4)
        assert state() == "queued"
        worker = Worker(node.data_dir, 1)
        try:
            wait_for(lambda: state() == "done", timeout=120, what="the worker to run the job")
        finally:
            worker.stop()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _analyst_token(node: nodes.TestNode) -> str:
    engine = make_engine(node.settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return analyst_token(session, "nadia")
    finally:
        engine.dispose()
