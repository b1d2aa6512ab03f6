"""Incremental linking and graph queries on a large store (SQLite file).

Builds a store of N resolved entities (profiles and blocking keys bulk-loaded, one statement
per property value, one phone shared by every few entities so traversals have work to do),
then times ``link_entity`` for new records (p50/p95) and the neighbours and shortest-path
queries, at N and at a baseline of N/100 in the same run.

    .venv/bin/python benchmarks/graph/bench_incremental.py [--entities 1000000] [--links 200]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.graph.synthetic import generate  # noqa: E402
from jisr.actors import Actor, ActorKind  # noqa: E402
from jisr.db import make_engine  # noqa: E402
from jisr.db.migrate import upgrade  # noqa: E402
from jisr.graph import queries  # noqa: E402
from jisr.graph.batch.common import prepare_all  # noqa: E402
from jisr.graph.compare import prepare  # noqa: E402
from jisr.graph.linking import link_entity  # noqa: E402
from jisr.graph.models import GraphEntity, GraphKey, GraphSource, GraphStatement  # noqa: E402
from jisr.graph.profiles import profile_of_entity  # noqa: E402
from jisr.graph.statements import facts_of, statement_id  # noqa: E402
from jisr.identity.models import Agency  # noqa: E402

AGENCY = "MA-DGST"
_BATCH = 20_000


def _build(session: Session, count: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    session.add(
        Agency(
            code=AGENCY, name_en="DGST", name_fr="DGST", name_ar="-", country="MA", is_local=True
        )
    )
    session.add(
        GraphSource(
            id="import:bench",
            kind="import",
            record_id="bench",
            owner_agency=AGENCY,
            handling_code="H0",
            digest="0",
            first_seen=now,
            last_seen=now,
        )
    )
    session.flush()
    records = [dict(r) for r, _ in generate(count + 500, seed=3)]
    rng = random.Random(5)
    for record in records:
        props = record["properties"]
        assert isinstance(props, dict)
        record["id"] = f"{AGENCY}.{record['id']}"
        if record["schema"] == "Person" and rng.random() < 0.5:
            props["phone"] = [f"+2126000{rng.randrange(count // 4 + 1):05d}"]
    base, extra = records[:count], records[count:]
    profiles = [profile_of_entity(r) for r in base]
    prepared, keys = prepare_all(profiles, workers=2)
    for start in range(0, count, _BATCH):
        chunk = range(start, min(count, start + _BATCH))
        session.execute(
            insert(GraphEntity),
            [
                {
                    "id": prepared[i].profile.id,
                    "schema": prepared[i].profile.schema,
                    "caption": (prepared[i].profile.names or ("",))[0],
                    "profile": prepared[i].profile.to_json(),
                    "cluster_id": f"{AGENCY}:cluster:{i:026d}",
                    "first_seen": now,
                    "updated_at": now,
                }
                for i in chunk
            ],
        )
        session.execute(
            insert(GraphKey),
            [{"key": k, "entity_id": profiles[i].id} for i in chunk for k in keys[i]],
        )
        session.execute(
            insert(GraphStatement),
            [
                {
                    "id": statement_id("import:bench", fact),
                    "source_id": "import:bench",
                    "entity_id": fact.entity_id,
                    "schema": fact.schema,
                    "prop": fact.prop,
                    "prop_type": fact.prop_type,
                    "value": fact.value,
                    "first_seen": now,
                    "last_seen": now,
                }
                for i in chunk
                for fact in facts_of(base[i])
            ],
        )
        session.commit()
    return extra


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
    }


def measure(count: int, links: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        with Session(engine) as session:
            started = time.perf_counter()
            extra = _build(session, count)
            built = time.perf_counter() - started
            statements = session.query(GraphStatement).count()
            times = []
            for record in extra[:links]:
                prepared = prepare(profile_of_entity(record))
                begin = time.perf_counter()
                session.add(
                    GraphEntity(
                        id=prepared.profile.id,
                        schema=prepared.profile.schema,
                        caption="x",
                        profile=prepared.profile.to_json(),
                        cluster_id=f"{AGENCY}:cluster:new{len(times)}",
                    )
                )
                link_entity(session, prepared, AGENCY)
                session.commit()
                times.append(time.perf_counter() - begin)
            analyst = Actor(ActorKind.USER, "u", AGENCY, frozenset({"analyst"}), label="analyst")
            with_phone = [
                str(r["id"])
                for r in extra[links:]
                if isinstance(r["properties"], dict) and "phone" in r["properties"]
            ]
            seeds = [f"{AGENCY}.rec-{i:08d}" for i in random.Random(1).sample(range(count), 40)]
            near, path = [], []
            for a, b in zip(seeds[::2], seeds[1::2], strict=True):
                begin = time.perf_counter()
                queries.neighbours(session, analyst, a, depth=2)
                near.append(time.perf_counter() - begin)
                begin = time.perf_counter()
                queries.shortest_path(session, analyst, a, b, max_depth=4)
                path.append(time.perf_counter() - begin)
                session.rollback()
            del with_phone
        engine.dispose()
    return {
        "entities": count,
        "statements": statements,
        "build_s": round(built, 1),
        "link": _percentiles(times),
        "neighbours_depth2": _percentiles(near),
        "shortest_path_depth4": _percentiles(path),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=200)
    args = parser.parse_args()
    baseline = measure(max(1000, args.entities // 100), args.links)
    target = measure(args.entities, args.links)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "baseline": baseline,
                "target": target,
                "link_p95_ratio": round(
                    target["link"]["p95_ms"] / max(baseline["link"]["p95_ms"], 0.1),
                    2,  # type: ignore[index]
                ),
                "peak_mib": round(peak, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
