"""Incident propagation from the event's owner to every participating node, on loopback.

``python -m benchmarks.operations.bench_incidents [--incidents 200] [--rate 10]``

Serves Rabat, Paris and Madrid as real ``jisr serve`` processes (SQLite, or PostgreSQL with
``--postgres``), opens an event with Paris and Madrid taking part, and logs ``incidents``
incidents at Rabat through the API at ``rate`` per second. Propagation is each copy's
``received_at`` minus the entry's ``recorded_at`` (one clock: all nodes are on this machine).
Baseline, in the same run: ``GET /healthz`` round trips to the same nodes (the loopback floor).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from benchmarks.screening.perf import percentile, rss_mb
from jisr.operations.models import LogEntry, Operation
from tests.conftest import DatabaseFactory
from tests.federation.nodes import FedNode
from tests.operations.nodes import Officer, eventually, make_trio, served
from tests.operations.test_three_nodes import event_body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="incidents per second")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "db").mkdir()
        factory = DatabaseFactory("postgresql" if args.postgres else "sqlite", Path(tmp) / "db")
        trio = make_trio(Path(tmp), factory.new_url)
        with served(trio.rabat, trio.paris, trio.madrid):
            rabat = Officer(trio.rabat, "bench.coord")
            event = rabat.post("/events", json=event_body())
            partners = (trio.paris, trio.madrid)
            for node in partners:
                eventually(lambda n=node: _has(n, event["id"]), what="the event")
            floor = []
            for _ in range(args.incidents):
                for node in partners:
                    t0 = time.perf_counter()
                    httpx.get(f"{node.url}/healthz", timeout=5)
                    floor.append((time.perf_counter() - t0) * 1000)
            ids = []
            started = time.perf_counter()
            for n in range(args.incidents):
                due = started + n / args.rate
                time.sleep(max(0.0, due - time.perf_counter()))
                sent = rabat.post(
                    f"/events/{event['id']}/incidents",
                    json={"title": f"Bench incident {n}", "severity": "low"},
                )
                ids.append(sent["entry"]["id"])
            delays = []
            for node in partners:
                rows = eventually(lambda n=node: _delays(n, ids), timeout=120, what="the copies")
                delays.extend(rows)
        factory.close()
    print(f"incidents: {args.incidents} at {args.rate:g}/s to 2 nodes ({len(delays)} copies)")
    print(
        f"propagation ms: p50 {statistics.median(delays):.0f}, p99 {percentile(delays, 0.99):.0f}, "
        f"max {max(delays):.0f}"
    )
    print(
        f"baseline /healthz round trip ms: p50 {statistics.median(floor):.1f}, "
        f"p99 {percentile(floor, 0.99):.1f}"
    )
    print(f"peak RSS (bench process): {rss_mb():,.0f} MB")
    return 0


def _has(node: FedNode, event_id: str) -> bool:
    with node.session() as session:
        return session.get(Operation, event_id) is not None


def _delays(node: FedNode, ids: list[str]) -> list[float] | None:
    with node.session() as session:
        rows = session.execute(
            select(LogEntry.recorded_at, LogEntry.received_at).where(LogEntry.id.in_(ids))
        ).all()
    if len(rows) < len(ids) or any(r.received_at is None for r in rows):
        return None
    return [(r.received_at - r.recorded_at).total_seconds() * 1000 for r in rows]


if __name__ == "__main__":
    raise SystemExit(main())
