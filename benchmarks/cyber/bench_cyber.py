"""Cyber benchmarks: ingest rate against bare ``stix2.parse``, correlation lookups among a
million stored indicators, TAXII paging through 100,000 objects sharing one timestamp.

``python -m benchmarks.cyber.bench_cyber [--backend sqlite|postgresql|all] [--quick]``

- ingest: the same bundle parsed by ``stix2.parse`` alone (the baseline, in this run), then
  imported (parse and check, store every version, extract observables for correlation, audit)
  in one transaction; objects/s and the ratio to the baseline.
- correlation: a million observable rows (one per indicator) written in bulk, then random
  lookups through ``correlate.lookup`` (policy asked as in the API); p50/p99.
- paging: 100,000 objects with one ``added`` instant, paged 1,000 at a time with the
  (added, seq) cursor; time and peak memory of the first and last ten pages.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import stix2
from sqlalchemy import Engine, create_engine, insert, text

from jisr.actors import Actor, ActorKind, system_actor
from jisr.clock import utcnow
from jisr.cyber import correlate, service, taxii
from jisr.cyber.collections import get_collection
from jisr.cyber.models import CyberObject, CyberObservable
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import upgrade

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AGENCY = "FR-DGSI"
STAMP = "2026-11-30T08:00:00.000Z"


def objects(count: int) -> list[dict[str, Any]]:
    """60 % indicators, 30 % observables, 10 % relationships (fictional, .example)."""
    out: list[dict[str, Any]] = []
    for n in range(count):
        kind = n % 10
        if kind < 6:
            out.append(
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": f"indicator--{uuid.uuid4()}",
                    "created": STAMP,
                    "modified": STAMP,
                    "name": f"Phishing domain {n}",
                    "pattern": f"[domain-name:value = 'login-{n}.portail.example']",
                    "pattern_type": "stix",
                    "valid_from": STAMP,
                }
            )
        elif kind < 9:
            out.append(
                {
                    "type": "ipv4-addr",
                    "spec_version": "2.1",
                    "id": f"ipv4-addr--{uuid.uuid4()}",
                    "value": f"198.51.{n % 256}.{n % 250}",
                }
            )
        else:
            src = out[-4]["id"]
            out.append(
                {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": f"relationship--{uuid.uuid4()}",
                    "created": STAMP,
                    "modified": STAMP,
                    "relationship_type": "related-to",
                    "source_ref": src,
                    "target_ref": out[-1]["id"],
                }
            )
    return out


def database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{uuid.uuid4().hex[:6]}.db'}", None
    name = f"jisr_bench_cyber_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}", name


def drop(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh(backend: str, workdir: Path) -> tuple[Engine, str | None]:
    url, name = database(backend, workdir)
    engine = make_engine(url)
    upgrade(engine)
    return engine, name


def bench_ingest(engine: Engine, count: int) -> dict[str, float]:
    bundle = objects(count)
    raw = json.loads(json.dumps(bundle))
    started = time.perf_counter()
    for obj in bundle:
        stix2.parse(obj, allow_custom=False, version="2.1")
    baseline = count / (time.perf_counter() - started)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        outcome = service.import_objects(session, system_actor(AGENCY), raw)
    rate = count / (time.perf_counter() - started)
    assert outcome.result.stored == count, outcome.result.counts()
    return {
        "parse_per_s": baseline,
        "ingest_per_s": rate,
        "ratio": rate / baseline,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_correlation(engine: Engine, count: int, lookups: int) -> dict[str, float]:
    factory = make_session_factory(engine)
    now = utcnow()
    with unit_of_work(factory) as session:
        collection = get_collection(session, AGENCY, None).id
    batch = 50_000
    for start in range(0, count, batch):
        rows = [
            {
                "kind": "domain-name:value",
                "value": f"host-{n}.campagne.example",
                "stix_id": f"indicator--{uuid.UUID(int=n)}",
                "owner_agency": AGENCY if n % 3 else "MA-DGST",
                "collection_id": collection,
                "tlp": "green",
                "seen_at": now,
            }
            for n in range(start, min(count, start + batch))
        ]
        with unit_of_work(factory) as session:
            session.execute(insert(CyberObservable), rows)
    analyst = Actor(ActorKind.USER, f"{AGENCY}:user:b", AGENCY, frozenset({"cert_analyst"}), "b")
    timings: list[float] = []
    rng = random.Random(7)
    with unit_of_work(factory) as session:
        for _ in range(lookups):
            value = f"host-{rng.randrange(count)}.campagne.example"
            started = time.perf_counter()
            correlate.lookup(session, analyst, value)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50_ms": statistics.median(timings), "p99_ms": timings[int(len(timings) * 0.99) - 1]}


def bench_paging(engine: Engine, count: int) -> dict[str, float]:
    factory = make_session_factory(engine)
    now = utcnow()
    with unit_of_work(factory) as session:
        collection = get_collection(session, AGENCY, "local").id
    for start in range(0, count, 20_000):
        rows = []
        for n in range(start, min(count, start + 20_000)):
            sid = f"indicator--{uuid.UUID(int=n + 10**9)}"
            rows.append(
                {
                    "collection_id": collection,
                    "stix_id": sid,
                    "stix_type": "indicator",
                    "spec_version": "2.1",
                    "modified": now,
                    "modified_text": STAMP,
                    "current": True,
                    "revoked": False,
                    "expired": False,
                    "origin": "local",
                    "owner_agency": AGENCY,
                    "tlp": "green",
                    "recipients": [],
                    "handling_code": "H0",
                    "legal_basis": "",
                    "retention_until": now,
                    "valid_until": None,
                    "added": now,
                    "body": {
                        "type": "indicator",
                        "id": sid,
                        "pattern": "[domain-name:value = 'a.example']",
                    },
                }
            )
        with unit_of_work(factory) as session:
            session.execute(insert(CyberObject), rows)
    analyst = system_actor(AGENCY)
    filters = taxii.Filters()
    cursor: str | None = None
    times: list[float] = []
    peaks: list[float] = []
    seen = 0
    pages = -(-count // 1000)
    index = 0
    while True:
        # Memory is traced on the first and last three pages only (tracing slows Python).
        traced = index < 3 or index >= pages - 3
        index += 1
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            page = taxii.page(session, analyst, collection, filters, limit=1000, cursor=cursor)
            body = json.dumps(taxii.envelope(page))
        elapsed = (time.perf_counter() - started) * 1000
        if traced:
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        else:
            times.append(elapsed)
        seen += len(page.rows)
        del body
        if not page.more:
            break
        cursor = page.next
    assert seen == count, seen
    return {
        "pages": pages,
        "first10_ms": statistics.mean(times[:10]),
        "last10_ms": statistics.mean(times[-10:]),
        "first3_peak_mb": statistics.mean(peaks[:3]),
        "last3_peak_mb": statistics.mean(peaks[-3:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    sizes = (2_000, 50_000, 200, 5_000) if args.quick else (20_000, 1_000_000, 2_000, 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for label, run in (
                ("ingest", lambda e: bench_ingest(e, sizes[0])),
                ("correlation", lambda e: bench_correlation(e, sizes[1], sizes[2])),
                ("paging", lambda e: bench_paging(e, sizes[3])),
            ):
                engine, name = fresh(backend, Path(tmp))
                try:
                    result = run(engine)
                finally:
                    engine.dispose()
                    drop(name)
                figures = ", ".join(f"{k}={v:,.2f}" for k, v in result.items())
                print(f"{backend:10} {label:12} {figures}", flush=True)


if __name__ == "__main__":
    main()
