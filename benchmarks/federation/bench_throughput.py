"""End-to-end federation throughput and latency, A -> B over HTTP on loopback.

Each message is signed, encrypted, persisted in A's outbox, delivered, verified, decrypted,
persisted in B's inbox with its handler effect and audit entry, and its signed ack verified and
stored by A. Two real nodes (uvicorn processes), same backend for both.

    .venv/bin/python -m benchmarks.federation.bench_throughput --backend sqlite --messages 2000
    .venv/bin/python -m benchmarks.federation.bench_throughput --backend postgresql

Reports: burst throughput (all queued, then released at once and drained) with the CPU time
each node spent per message, latency p50/p99 under a paced load
(enqueue commit -> signed ack recorded), the raw single-row insert rate of the same database in
the same run, and the servers' RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text, update

from jisr.clock import utcnow
from jisr.db import make_engine
from jisr.federation.models import OutboxMessage
from tests.federation.nodes import FedNode, Server, link, make_node, wait_for

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_ENV = {
    "JISR_FEDERATION_POLL_SECONDS": "0.1",
    "JISR_FEDERATION_BATCH_SIZE": "64",
    "JISR_FEDERATION_CONCURRENCY": "16",
}


def _databases(backend: str, workdir: Path) -> tuple[list[str], list[str]]:
    if backend == "sqlite":
        return [f"sqlite:///{workdir / f'{n}.db'}" for n in ("a", "b")], []
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    names = [f"jisr_bench_{uuid.uuid4().hex[:8]}_{n}" for n in ("a", "b")]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return [PG_SERVER.rsplit("/", 1)[0] + f"/{name}" for name in names], names


def _drop(names: list[str]) -> None:
    if not names:
        return
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def raw_insert_rate(engine: Engine, rows: int) -> float:
    """Single-row INSERT + COMMIT per row, like one message per transaction."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_raw (id VARCHAR(64) PRIMARY KEY, body TEXT)"))
    started = time.perf_counter()
    for n in range(rows):
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_raw VALUES (:id, :body)"), {"id": str(n), "body": "x" * 300}
            )
    elapsed = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_raw"))
    return rows / elapsed


def _latencies(node: FedNode) -> list[float]:
    with node.session() as session:
        rows = session.query(OutboxMessage.created_at, OutboxMessage.delivered_at).all()
    return [(d - c).total_seconds() for c, d in rows if d is not None]


def _retried(node: FedNode) -> int:
    """Messages that needed more than one attempt (a timeout or a refusal to retry)."""
    with node.session() as session:
        stmt = select(func.count()).where(OutboxMessage.attempts > 1)
        return int(session.execute(stmt).scalar_one())


def _enqueue_burst(node: FedNode, to: str, count: int, batch: int = 100) -> None:
    """Queue ``count`` messages not yet due, so that the sender cannot start on them before
    they are all queued (``_release`` makes them due at once)."""
    for start in range(0, count, batch):
        node.send_notes(to, min(batch, count - start), start=start, payload={"text": "x" * 200})
    with node.engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() + timedelta(days=1))
        )


def _release(node: FedNode) -> None:
    with node.engine.begin() as connection:
        connection.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))


def _enqueue_paced(node: FedNode, to: str, count: int, rate: float, producers: int = 4) -> None:
    """One message per transaction at ``rate`` per second (bounded by ``count``), from several
    producer threads, as from several API requests at once."""
    started = time.perf_counter()

    def produce(first: int) -> None:
        for n in range(first, count, producers):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            node.send_notes(to, 1, start=n, payload={"text": "x" * 200})

    with ThreadPoolExecutor(producers) as pool:
        list(pool.map(produce, range(producers)))


def _rss_mb(server: Server) -> dict[str, float]:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def _cpu_seconds(server: Server) -> float:
    """User + system CPU time of a server process so far (robust to other load on the box)."""
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _profile(servers: dict[str, Server], directory: Path | None) -> list[subprocess.Popen[bytes]]:
    """py-spy on each server (collapsed stacks, idle frames excluded) while the burst drains."""
    if directory is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    profilers = []
    for name, server in servers.items():
        assert server.process is not None
        command = [str(spy), "record", "--pid", str(server.process.pid), "--rate", "200", "--gil"]
        command += ["--format", "raw", "--output", str(directory / f"{name}.txt")]
        profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))  # noqa: S603
    time.sleep(1.0)  # let py-spy attach before the burst starts
    return profilers


def _stop_profiles(profilers: list[subprocess.Popen[bytes]]) -> None:
    for profiler in profilers:
        profiler.send_signal(2)  # SIGINT: py-spy writes its output and exits
        profiler.wait(timeout=60)


def _reset(node: FedNode) -> None:
    with node.engine.begin() as connection:
        connection.execute(text("DELETE FROM federation_acks"))
        connection.execute(text("DELETE FROM federation_outbox"))


def run(
    backend: str, messages: int, paced: int, rate: float, profile: Path | None = None
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="jisr-bench-"))
    urls, names = _databases(backend, workdir)
    result: dict[str, Any] = {"backend": backend}
    try:
        a = make_node(workdir, urls[0], "MA-DGST", "MA")
        b = make_node(workdir, urls[1], "FR-DGSI", "FR")
        link(a, b)
        probe = make_engine(urls[0])
        result["raw_insert_per_s"] = round(raw_insert_rate(probe, min(messages, 2000)), 1)
        probe.dispose()
        sender, receiver = Server(a, BENCH_ENV), Server(b, BENCH_ENV)
        receiver.start()
        try:
            _enqueue_burst(a, b.code, messages)
            sender.start()
            profilers = _profile({"sender": sender, "receiver": receiver}, profile)
            cpu = {"sender": _cpu_seconds(sender), "receiver": _cpu_seconds(receiver)}
            started = time.perf_counter()
            _release(a)
            wait_for(
                lambda: a.outbox().get("delivered", 0) == messages, timeout=600, what="the burst"
            )
            elapsed = time.perf_counter() - started
            cpu["sender"] = _cpu_seconds(sender) - cpu["sender"]
            cpu["receiver"] = _cpu_seconds(receiver) - cpu["receiver"]
            _stop_profiles(profilers)
            result["burst_messages"] = messages
            result["burst_msg_per_s"] = round(messages / elapsed, 1)
            # CPU per message of each node during the burst: what load on the box cannot skew.
            result["burst_cpu_ms_per_msg"] = {
                name: round(seconds * 1000 / messages, 2) for name, seconds in cpu.items()
            }
            _reset(a)
            enqueue_started = time.perf_counter()
            # SQLite has one writer: more producers would only queue in its busy handler.
            _enqueue_paced(a, b.code, paced, rate, producers=1 if backend == "sqlite" else 4)
            enqueued_in = time.perf_counter() - enqueue_started
            wait_for(
                lambda: a.outbox().get("delivered", 0) == paced, timeout=600, what="the paced run"
            )
            latencies = sorted(_latencies(a))
            result["paced_retried"] = _retried(a)
            result["paced_rate_per_s"] = rate
            # Lower than asked when one commit per message is all the database can take.
            result["paced_achieved_per_s"] = round(paced / enqueued_in, 1)
            result["paced_messages"] = paced
            result["latency_p50_ms"] = round(statistics.median(latencies) * 1000, 1)
            result["latency_p99_ms"] = round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)
            result["rss_sender_mb"] = _rss_mb(sender)
            result["rss_receiver_mb"] = _rss_mb(receiver)
        finally:
            sender.stop()
            receiver.stop()
        a.engine.dispose()
        b.engine.dispose()
    finally:
        _drop(names)
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=2000, help="burst size (max 20000)")
    parser.add_argument("--paced", type=int, default=1000, help="messages in the paced run")
    parser.add_argument("--rate", type=float, default=200.0, help="paced enqueue rate, msg/s")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy collapsed stacks of both nodes (burst) here"
    )
    args = parser.parse_args()
    messages, paced = min(args.messages, 20_000), min(args.paced, 20_000)
    print(json.dumps(run(args.backend, messages, paced, args.rate, args.profile), indent=2))


if __name__ == "__main__":
    main()
