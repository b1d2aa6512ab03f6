"""``POST /api/v1/screening/check`` through the real app beside the bare ``Screener.check``.

``python -m benchmarks.watchlists.bench_check --size 100000 --queries 300``

Initialises a node (SQLite in a temporary directory, or ``--database-url``), stores ``size``
synthetic entries (fictional people, with their Arabic/Chinese forms) as a list, then checks the
same travellers (listed people written another way, and innocent travellers) through the app
(TestClient: routing, auth, policy, audit, hit rows, commit) and through the bare screener of
the app's own snapshot. The ratio of the medians is the API overhead. Peak RSS is reported.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from benchmarks.screening import synthetic
from benchmarks.screening.perf import rss_mb
from jisr.cli.node import init_node
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.ids import new_id
from jisr.node import create_app
from jisr.screening import Subject
from jisr.settings import load_settings
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.models import ListKind, Watchlist, WatchlistEntry
from jisr.watchlists.service import bump_version, subject_fields

AGENCY = "MA-DGST"


def _store(url: str, subjects: list[Subject]) -> str:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(
            session,
            actor_for(admin),
            username="border",
            display_name="Border",
            agency_code=None,
            roles=[Role.BORDER_OFFICER],
            password="a long enough password 2026",  # noqa: S106 - throwaway bench node
        )
        token, _ = issue_token(session, actor_for(user), user.id, "bench", ["*"], 1)
        watchlist = Watchlist(
            id=new_id(AGENCY, "watchlist"),
            name="synthetic",
            kind=ListKind.IMPORTED.value,
            owner_agency=AGENCY,
            current_version=1,
            created_by="bench",
        )
        session.add(watchlist)
        session.flush()
        rows = [
            {
                "id": new_id(AGENCY, "wlentry"),
                "watchlist_id": watchlist.id,
                "version": 1,
                "source": "synthetic",
                "source_id": s.id,
                "reference": f"synthetic/{s.id}",
                "alert_type": "sanctions",
                "owner_agency": AGENCY,
                **subject_fields(s),
            }
            for s in subjects
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(WatchlistEntry), rows[start : start + 5000])
        bump_version(session)
    engine.dispose()
    return token


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    os.environ.setdefault("JISR_FEDERATION_WORKER_ENABLED", "false")
    rng = random.Random(7)
    people = synthetic.generate_people(args.size, seed=11)
    subjects = list(synthetic.to_subjects(people, all_scripts=True))
    listed = [
        synthetic.noisy_variant(p, rng, rng.choice(synthetic.applicable_kinds(p))) or p
        for p in rng.sample(people, args.queries // 2)
    ]
    travellers = listed + synthetic.innocent_travellers(args.queries - len(listed), seed=13)
    queries = [
        {"name": t.name, "birth_date": t.birth_date, "nationality": t.nationality}
        for t in travellers
    ]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "node"
        os.environ["JISR_ADMIN_PASSWORD"] = "correct horse battery staple 2026"  # noqa: S105
        url = args.database_url or f"sqlite:///{data_dir / 'jisr.db'}"
        init_node(
            data_dir, agency=AGENCY, name="Bench", country="MA", database_url=args.database_url
        )
        started = time.perf_counter()
        token = _store(url, subjects)
        stored = time.perf_counter() - started
        app = create_app(load_settings(data_dir))
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            cache: ScreenerCache = app.state.ctx.screener
            started = time.perf_counter()
            cache.warm(app.state.ctx.session_factory)
            built = time.perf_counter() - started
            screener = cache.get_current().screener
            api_ms: list[float] = []
            hits = 0
            for body in queries:
                t0 = time.perf_counter()
                response = client.post("/api/v1/screening/check", json=body, headers=headers)
                api_ms.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()
                hits += response.json()["hit"]
            bare_ms: list[float] = []
            for t in travellers:
                query = synthetic.to_subject(t)
                t0 = time.perf_counter()
                screener.check(query)
                bare_ms.append((time.perf_counter() - t0) * 1000)
    api50, bare50 = statistics.median(api_ms), statistics.median(bare_ms)
    print(f"entries {args.size}  queries {len(queries)}  hits {hits}")
    print(f"store {stored:.1f} s  screener build (from the database) {built:.1f} s")
    print(f"API  p50 {api50:.2f} ms  p99 {_pct(api_ms, 0.99):.2f} ms")
    print(f"bare p50 {bare50:.2f} ms  p99 {_pct(bare_ms, 0.99):.2f} ms")
    print(f"API/bare (p50) {api50 / bare50:.2f}x   overhead {api50 - bare50:.2f} ms")
    print(f"peak RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
