"""Drill: the node SIGKILLed in the middle of a manifest — nothing lost, nothing duplicated.

``python -m benchmarks.drills.kill_mid_manifest [--database-url URL] [--entries 5000]
[--rows 3000]``

A node with a synthetic list (fictional people) screens a manifest of ``rows`` travellers (a
third of them listed people written another way). When the job has committed some parts, the
node is SIGKILLed. On restart the manifest still reads running (its job is leased to the dead
process) at its last committed position; once the lease runs out (5 s here,
``JISR_JOBS_LEASE_SECONDS``) the restarted node's runner takes the job over and finishes it,
with nobody resuming it. The same file is then screened again uninterrupted as the baseline:
the killed-and-resumed job must report the same rows screened and the same (traveller, entry)
hits, each once.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from benchmarks.drills.common import emit
from benchmarks.screening import synthetic
from benchmarks.watchlists.bench_check import AGENCY, _store
from jisr.cli.node import init_node
from jisr.db import make_engine
from jisr.node import install_listeners
from jisr.watchlists.models import ScreeningHit
from tests.nodes import free_port


def _manifest(entries: int, rows: int) -> bytes:
    rng = random.Random(5)
    people = synthetic.generate_people(entries, seed=11)
    listed = [
        synthetic.noisy_variant(p, rng, rng.choice(synthetic.applicable_kinds(p))) or p
        for p in rng.sample(people, rows // 3)
    ]
    travellers = listed + synthetic.innocent_travellers(rows - len(listed), seed=13)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "birth_date", "nationality"])
    for n, person in enumerate(travellers):
        writer.writerow([f"PAX{n:05d}", person.name, person.birth_date, person.nationality.upper()])
    return out.getvalue().encode()


class Node:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env["JISR_FEDERATION_WORKER_ENABLED"] = "false"
        env["JISR_JOBS_LEASE_SECONDS"] = "5"
        with (self.data_dir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jisr", "serve", "--data-dir", str(self.data_dir)]
                + ["--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("node did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/screening/manifests/{job_id}").json()
    return body


def _wait_done(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        job = _job(client, job_id)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.5)
    raise RuntimeError("job did not finish")


def _hits(url: str, job_id: str) -> Counter[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ScreeningHit.query, ScreeningHit.entry_id).where(
                ScreeningHit.manifest_id == job_id
            )
        ).all()
    engine.dispose()
    return Counter((str(query.get("id")), entry) for query, entry in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=3000)
    args = parser.parse_args()
    install_listeners()  # the audit chain's, as every node process has them
    manifest = _manifest(args.entries, args.rows)
    people = synthetic.generate_people(args.entries, seed=11)
    subjects = list(synthetic.to_subjects(people, all_scripts=True))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "node"
        os.environ["JISR_ADMIN_PASSWORD"] = "correct horse battery staple 2026"  # noqa: S105
        url = args.database_url or f"sqlite:///{data_dir / 'jisr.db'}"
        init_node(
            data_dir, agency=AGENCY, name="Drill", country="MA", database_url=args.database_url
        )
        token = _store(url, subjects)
        node = Node(data_dir)
        node.start()
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with httpx.Client(base_url=node.url, headers=headers, timeout=60) as client:
                job_id = _upload(client, manifest)
                while (job := _job(client, job_id))["position"] == 0:
                    time.sleep(0.05)
                node.kill()
                emit("killed", position_seen=job["position"], rows=args.rows)
            node.start()
            with httpx.Client(base_url=node.url, headers=headers, timeout=60) as client:
                after = _job(client, job_id)
                emit(
                    "restarted",
                    status=after["status"],
                    error=after.get("error"),
                    position=after["position"],
                )
                # Nobody resumes it: the restarted runner takes it over when the lease ends.
                final = _wait_done(client, job_id)
                baseline_id = _upload(client, manifest)
                baseline = _wait_done(client, baseline_id)
        finally:
            node.stop()
        hits, expected = _hits(url, job_id), _hits(url, baseline_id)
        duplicated = sum(1 for count in hits.values() if count > 1)
        consumed = final["screened"] + final["rejected"]
        ok = (
            after["status"] in {"running", "queued"}
            and 0 < after["position"] < args.rows
            and final["status"] == "done"
            and consumed == args.rows
            and final["screened"] == baseline["screened"]
            and duplicated == 0
            and set(hits) == set(expected)
        )
        emit(
            "result",
            drill="kill_mid_manifest",
            backend="postgresql" if args.database_url else "sqlite",
            ok=ok,
            rows=args.rows,
            killed_at_position=after["position"],
            screened=final["screened"],
            rejected=final["rejected"],
            hits=sum(hits.values()),
            baseline_hits=sum(expected.values()),
            duplicated_hits=duplicated,
            missing_hits=len(set(expected) - set(hits)),
        )
        raise SystemExit(0 if ok else 1)


def _upload(client: httpx.Client, manifest: bytes) -> str:
    response = client.post(
        "/api/v1/screening/manifests", content=manifest, headers={"content-type": "text/csv"}
    )
    if response.status_code != 202:
        raise RuntimeError(f"upload refused: {response.status_code} {response.text[:300]}")
    return str(response.json()["id"])


if __name__ == "__main__":
    main()
