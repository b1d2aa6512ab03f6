"""Audit appends per second with the Merkle tree against the hash chain alone, same run.

``python -m benchmarks.audit.bench_append [--backend sqlite|postgresql|both] [--entries N]
[--quick]``. For each backend, a fresh migrated database; entries are recorded through
``jisr.audit.record`` exactly as the node does, in transactions of 1 and of 32 entries (the
federation's batch), first with the tree (the node's code) and then with the chain alone (the
baseline: the tree's append replaced by nothing, as before the tree existed). Prints appends/s,
the ratio, proof sizes (inclusion and consistency, hashes and bytes, measured on the stored
tree and for larger sizes from the RFC 9162 shape), proof time from the database, and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, record
from jisr.audit import service as audit_service
from jisr.audit.checkpoints import tree_size
from jisr.audit.merkle import consistency_proof, inclusion_proof
from jisr.audit.tree import prove_consistency, prove_inclusion
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import upgrade
from jisr.node import install_listeners

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ACTOR = Actor(ActorKind.PARTNER, "FR-DGSI", "FR-DGSI", label="FR-DGSI")


class _Dummy:
    """A ``SubtreeSource`` returning a fixed hash: proof lengths depend on positions only."""

    def subtree(self, start: int, end: int) -> bytes:
        return bytes(32)


def _fresh(backend: str, workdir: Path) -> tuple[Engine, Callable[[], None]]:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        return engine, engine.dispose
    name = f"jisr_bench_audit_{uuid.uuid4().hex[:8]}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_SERVER.rsplit("/", 1)[0] + f"/{name}")
    upgrade(engine)

    def drop() -> None:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()

    return engine, drop


def _append(engine: Engine, entries: int, per_transaction: int) -> float:
    factory = make_session_factory(engine)
    started = time.perf_counter()
    for start in range(0, entries, per_transaction):
        with unit_of_work(factory) as session:
            for n in range(start, min(entries, start + per_transaction)):
                record(
                    session,
                    ACTOR,
                    AuditAction.COLLECTION,
                    "envelope",
                    f"FR-DGSI:envelope:{n}",
                    recipients=["MA-DGST"],
                    details={"event": "accepted", "type": "exchange.message", "seq": n},
                )
    return entries / (time.perf_counter() - started)


def _without_tree() -> Callable[[], None]:
    original = audit_service.append_leaves

    def chain_only(*_args: Any, **_kwargs: Any) -> None:
        return None

    audit_service.append_leaves = chain_only  # type: ignore[assignment]

    def restore() -> None:
        audit_service.append_leaves = original

    return restore


def bench_backend(backend: str, entries: int, workdir: Path) -> None:
    print(f"\n## {backend}: {entries} entries per mode (best of 2, alternating)")
    print(f"{'mode':<28}{'tree /s':>10}{'chain /s':>10}{'ratio':>8}")
    for per_transaction in (1, 32):
        count = entries if per_transaction > 1 else max(entries // 20, 300)
        best = {True: 0.0, False: 0.0}
        for attempt in range(2):
            for tree in (True, False) if attempt == 0 else (False, True):
                rate = _run(backend, workdir, count, per_transaction, tree=tree)
                best[tree] = max(best[tree], rate)
        label = f"{per_transaction} entr{'y' if per_transaction == 1 else 'ies'}/transaction"
        ratio = best[True] / best[False]
        print(f"{label:<28}{best[True]:>10,.0f}{best[False]:>10,.0f}{ratio:>8.2f}")
    engine, drop = _fresh(backend, workdir)
    try:
        _append(engine, entries, 32)
        _proofs(engine)
    finally:
        drop()


def _run(backend: str, workdir: Path, count: int, per_transaction: int, *, tree: bool) -> float:
    engine, drop = _fresh(backend, workdir)
    restore = None if tree else _without_tree()
    try:
        return _append(engine, count, per_transaction)
    finally:
        if restore is not None:
            restore()
        drop()


def _proofs(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        size = tree_size(session)
        started = time.perf_counter()
        for seq in range(1, size + 1, max(size // 200, 1)):
            prove_inclusion(session, seq, size)
        per_proof = (time.perf_counter() - started) / len(range(1, size + 1, max(size // 200, 1)))
        inclusion = len(prove_inclusion(session, size // 3, size))
        consistency = len(prove_consistency(session, size // 3, size))
    print(
        f"proofs from the database at {size:,} entries: inclusion {inclusion} hashes, "
        f"consistency {consistency} hashes, {per_proof * 1000:.2f} ms per inclusion proof"
    )


def proof_sizes() -> None:
    print("\n## proof sizes (RFC 9162 shape; 32-byte hashes)")
    print(f"{'entries':>14}{'inclusion':>12}{'bytes':>8}{'consistency':>13}{'bytes':>8}")
    dummy = _Dummy()
    for size in (1_000, 100_000, 10_000_000, 1_000_000_000):
        inclusion = max(len(inclusion_proof(dummy, i, size)) for i in (0, size // 3, size - 1))
        consistency = max(
            len(consistency_proof(dummy, old, size)) for old in (1, size // 3, size - 1)
        )
        print(
            f"{size:>14,}{inclusion:>12}{inclusion * 32:>8}{consistency:>13}{consistency * 32:>8}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 entries")
    args = parser.parse_args()
    entries = 2_000 if args.quick else args.entries
    install_listeners()  # entries are chained (and leaves appended) at flush, as in a node
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as workdir:
        for backend in backends:
            bench_backend(backend, entries, Path(workdir))
    proof_sizes()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
