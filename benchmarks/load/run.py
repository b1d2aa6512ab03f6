"""A bounded load test with locust against one node on loopback, with the node's RSS slope.

``python -m benchmarks.load.run [--size 100000] [--users 20] [--seconds 60]``

Sets up a node (SQLite, temporary directory) holding ``size`` synthetic list entries (fictional
people), serves it with ``jisr serve``, runs locust headless for ``seconds`` (users checking
travellers, listing, opening the sign-in page) and samples the node's RSS every 5 s. Prints
locust's per-route figures, the check rate and p99, and the RSS slope (MB per minute, least
squares). Bounded in time; loopback only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.screening import synthetic
from benchmarks.watchlists.bench_check import AGENCY, _store
from jisr.cli.node import init_node
from tests.nodes import free_port

HERE = Path(__file__).parent


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS (MB) over time, per minute."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in points)
    return cov / var * 60 if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(3)
    people = synthetic.generate_people(args.size, seed=11)
    subjects = list(synthetic.to_subjects(people, all_scripts=True))
    names = [p.name for p in rng.sample(people, 200)]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "node"
        os.environ["JISR_ADMIN_PASSWORD"] = "correct horse battery staple 2026"  # noqa: S105
        init_node(data_dir, agency=AGENCY, name="Load", country="MA")
        token = _store(f"sqlite:///{data_dir / 'jisr.db'}", subjects)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env["JISR_FEDERATION_WORKER_ENABLED"] = "false"
        with (Path(tmp) / "server.log").open("ab") as log:
            node = subprocess.Popen(
                [sys.executable, "-m", "jisr", "serve", "--data-dir", str(data_dir)]
                + ["--port", str(port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        try:
            deadline = time.monotonic() + 600
            # Ready, and the screener built (the first check waits for it).
            while time.monotonic() < deadline:
                try:
                    answer = httpx.post(
                        f"{url}/api/v1/screening/check",
                        json={"name": names[0]},
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=600,
                    )
                    if answer.status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            prefix = Path(tmp) / "locust"
            load_env = {**os.environ, "JISR_LOAD_TOKEN": token, "JISR_LOAD_NAMES": "|".join(names)}
            load = subprocess.Popen(
                [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"]
                + ["-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"]
                + ["--host", url, "--csv", str(prefix), "--only-summary"],
                env=load_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started = time.monotonic()
            samples: list[tuple[float, float]] = []
            while load.poll() is None:
                samples.append((time.monotonic() - started, _rss_mb(node.pid)))
                time.sleep(5)
        finally:
            node.terminate()
            node.wait(timeout=30)
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            print(
                json.dumps(
                    {
                        "route": row["Name"],
                        "requests": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]),
                        "rps": round(float(row["Requests/s"]), 1),
                        "p50_ms": row["50%"],
                        "p99_ms": row["99%"],
                    }
                )
            )
        print(
            json.dumps(
                {
                    "entries": args.size,
                    "users": args.users,
                    "seconds": args.seconds,
                    "rss_start_mb": round(samples[0][1], 1) if samples else None,
                    "rss_end_mb": round(samples[-1][1], 1) if samples else None,
                    "rss_slope_mb_per_min": round(_slope(samples[1:]), 2),
                }
            )
        )


if __name__ == "__main__":
    main()
