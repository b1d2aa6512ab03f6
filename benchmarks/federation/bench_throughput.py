"""End-to-end federation throughput and latency, A -> B over HTTP on loopback.

Each message is signed, encrypted, persisted in A's outbox, delivered, verified, decrypted,
persisted in B's inbox with its handler effect and audit entry, and its signed ack verified and
stored by A. Two real nodes (uvicorn processes), same backend for both.

    .venv/bin/python -m benchmarks.federation.bench_throughput            # both backends
    .venv/bin/python -m benchmarks.federation.bench_throughput --backend sqlite --rates 300,500

Reports, per backend: burst throughput (5,000 queued, released at once and drained) with the
CPU time each node spent per message; for each rate, held for ``--seconds``:

- ``scheduled``: the pipeline alone at that rate. The messages are queued beforehand and each
  becomes due 1/rate s after the previous one, as if committed then; latency from due to
  signed ack stored. This is the "messages/s sustained with p99" of the target.
- ``paced``: the same rate offered by one producer committing one message per transaction
  beside both nodes (three processes on the box), with the rate it achieved, its CPU per
  message, and latency from enqueue commit to signed ack stored.

Also the raw single-row insert rate of the same database in the same run (the baseline, with
the burst's ratio to it) and the servers' RSS.
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
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, func, select, text, update

from jisr.clock import utcnow
from jisr.db import make_engine
from jisr.federation.models import OutboxMessage
from tests.federation.nodes import FedNode, Server, link, make_node, wait_for

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The defaults, but for the idle poll: the scheduled runs' messages become due without a commit
# to wake the worker, so they are found by polling (a node's own commits wake it at once).
BENCH_ENV = {"JISR_FEDERATION_POLL_SECONDS": "0.1"}


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


def _enqueue_paced(node: FedNode, to: str, count: int, rate: float) -> None:
    """One message per transaction at ``rate`` per second (or as fast as it can), as from a
    stream of API requests. One producer: SQLite has one writer anyway, and on PostgreSQL
    more producer threads in one process measured slower (they queue on the audit chain)."""
    started = time.perf_counter()
    for n in range(count):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        node.send_notes(to, 1, start=n, payload={"text": "x" * 200})


def _scheduled(a: FedNode, to: str, count: int, rate: float) -> dict[str, Any]:
    """The pipeline alone at a steady ``rate``: ``count`` messages queued beforehand, each
    becoming due ``1/rate`` seconds after the previous one (as if committed then), so no
    producer competes for the CPU or the database. Latency: due -> signed ack stored."""
    _reset(a)
    ids = a.send_notes(to, count, payload={"text": "x" * 200})
    with a.engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() + timedelta(days=1))
        )
    # Far enough ahead that the schedule is written before the first message is due.
    start = utcnow() + timedelta(seconds=2 + count / 2000)
    due = {id_: start + timedelta(seconds=n / rate) for n, id_ in enumerate(ids)}
    with a.engine.begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == bindparam("message_id"))
            .values(next_attempt_at=bindparam("due_at")),
            [{"message_id": id_, "due_at": at} for id_, at in due.items()],
        )
    late = (utcnow() - start).total_seconds()
    if late > 0:
        raise RuntimeError(f"the schedule was written {late:.1f} s after its start")
    wait_for(lambda: a.outbox().get("delivered", 0) == count, timeout=600, what="the schedule")
    with a.session() as session:
        rows = session.query(OutboxMessage.id, OutboxMessage.delivered_at).all()
    delivered_at = {id_: at for id_, at in rows if at is not None}
    latencies = sorted((at - due[id_]).total_seconds() for id_, at in delivered_at.items())
    last = max(delivered_at.values())
    return {
        "rate_per_s": rate,
        "messages": count,
        # Delivered per second over the run: equal to the rate when the pipeline keeps up.
        "delivered_per_s": round(count / (last - start).total_seconds(), 1),
        "retried": _retried(a),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


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


def _paced(a: FedNode, to: str, count: int, rate: float) -> dict[str, Any]:
    """``count`` messages offered at ``rate`` per second by one producer, one per transaction;
    latency from the enqueue commit to the signed ack stored."""
    _reset(a)
    started, cpu = time.perf_counter(), time.process_time()
    _enqueue_paced(a, to, count, rate)
    enqueued_in = time.perf_counter() - started
    producer_cpu = time.process_time() - cpu
    wait_for(lambda: a.outbox().get("delivered", 0) == count, timeout=600, what="the paced run")
    latencies = sorted(_latencies(a))
    return {
        "offered_per_s": rate,
        # Lower than offered when the producer cannot commit that fast beside the nodes.
        "achieved_per_s": round(count / enqueued_in, 1),
        "producer_cpu_ms_per_msg": round(producer_cpu * 1000 / count, 2),
        "messages": count,
        "retried": _retried(a),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def run(
    backend: str,
    messages: int,
    seconds: float,
    rates: list[float],
    profile: Path | None = None,
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
            # Each rate held for ``seconds``: the pipeline alone, then with a producer.
            counts = [(rate, max(50, int(rate * seconds))) for rate in rates]
            result["scheduled"] = [_scheduled(a, b.code, n, rate) for rate, n in counts]
            result["paced"] = [_paced(a, b.code, n, rate) for rate, n in counts]
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
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--messages", type=int, default=5000, help="burst size (max 20000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each rate's run")
    parser.add_argument(
        "--rates", default="100,200,300,400,500", help="offered rates of the paced runs, msg/s"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--profile", type=Path, help="write py-spy collapsed stacks of both nodes (burst) here"
    )
    args = parser.parse_args()
    messages, seconds = min(args.messages, 20_000), args.seconds
    rates = [float(rate) for rate in args.rates.split(",")]
    if args.quick:
        messages, seconds, rates = 300, 2.0, [100.0]
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    for backend in backends:
        result = run(backend, messages, seconds, rates, args.profile)
        # The baseline of the same run: one single-row INSERT + COMMIT per message.
        result["burst_vs_raw_insert"] = round(
            result["burst_msg_per_s"] / result["raw_insert_per_s"], 3
        )
        print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
