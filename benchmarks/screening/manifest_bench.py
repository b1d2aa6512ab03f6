"""Manifest (accreditation list) screening through the node's job, beside the bare engine.

``python -m benchmarks.screening.manifest_bench [--entries 1000000] [--applicants 100000]
[--runs 2] [--workers 1] [--json FILE]``

Initialises a node (SQLite in a temporary directory), stores ``entries`` synthetic listed people
(fictional, with Arabic and Chinese forms) plus the two planted wanted people, and builds the
node's screener. Then, ``runs`` times: the bare engine's batch path (``Screener.screen`` on
``--workers`` processes) on the applicants (``jisr.operations.fixtures``, fictional, 3
unreadable rows) as the baseline, and the same file as an event's accreditation list screened
by its ``watchlists.manifest`` job (claimed from the queue in this process: read, count,
screen part by part on as many processes, bulk-write hits and rejected rows with the
checkpoint). Prints applicants/s for both, the ratio, the hits, and peak RSS; the goal of
issue 15 is 100,000 applicants in at most 2 minutes against 1,000,000 entries (833/s).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.screening import synthetic
from benchmarks.screening.perf import children_rss_mb, rss_mb
from benchmarks.watchlists.bench_check import AGENCY, _store
from jisr.actors import system_actor
from jisr.cli.node import init_node
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.jobs.models import Job
from jisr.node import install_listeners
from jisr.operations import accreditation, service
from jisr.operations.accreditation import AccreditationCategory
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from jisr.operations.models import OperationKind
from jisr.operations.schemas import OperationCreate
from jisr.screening.sources.registry import read_subjects
from jisr.watchlists import manifests
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.models import ManifestRejection, ScreeningHit

GOAL_PER_S = 100_000 / 120


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    os.environ.setdefault("JISR_FEDERATION_WORKER_ENABLED", "false")
    install_listeners()  # the audit chain's, as every node process has them
    report: dict[str, Any] = {
        "entries": args.entries,
        "applicants": args.applicants,
        "workers": args.workers,
        "load_average": os.getloadavg()[0],
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "node"
        os.environ["JISR_ADMIN_PASSWORD"] = "correct horse battery staple 2026"  # noqa: S105
        init_node(data_dir, agency=AGENCY, name="Bench", country="MA")
        url = f"sqlite:///{data_dir / 'jisr.db'}"
        planted = Path(tmp) / "planted.csv"
        planted.write_text(watchlist_csv(0))
        applicants_file = Path(tmp) / "applicants.csv"
        applicants_file.write_text(accreditation_csv(args.applicants, broken=3))
        started = time.perf_counter()
        subjects = list(read_subjects(planted))
        subjects += synthetic.to_subjects(synthetic.iter_people(args.entries, 11), all_scripts=True)
        _store(url, subjects)
        del subjects
        report["store_s"] = round(time.perf_counter() - started, 1)
        print(f"stored {args.entries:,} + 2 entries in {report['store_s']:.0f} s", flush=True)
        engine = make_engine(url)
        factory = make_session_factory(engine, data_dir)
        cache = ScreenerCache()
        started = time.perf_counter()
        cache.warm(factory)
        report["build_s"] = round(time.perf_counter() - started, 1)
        print(f"screener built in {report['build_s']:.0f} s; RSS {rss_mb():,.0f} MB", flush=True)
        screener = cache.get_current().screener
        applicants = list(read_subjects(applicants_file))
        actor = system_actor(AGENCY)
        with unit_of_work(factory) as session:
            event = service.create_operation(
                session,
                actor,
                OperationCreate(title="Bench event", kind=OperationKind.EVENT, starts_at=utcnow()),
            )
            event_id = event.id
        for number in range(1, args.runs + 1):
            started = time.perf_counter()
            found = screener.screen(applicants, workers=args.workers)
            bare_hits = sum(len(m) for _q, m in found)
            bare = time.perf_counter() - started
            with unit_of_work(factory) as session:
                item = accreditation.create_accreditation(
                    session,
                    actor,
                    event_id,
                    AccreditationCategory.STAFF,
                    data_dir,
                    "applicants.csv",
                    applicants_file.read_bytes(),
                )
                job_id = item.manifest_job_id
            started = time.perf_counter()
            manifests.run_job(factory, actor, cache, job_id, workers=args.workers)
            node = time.perf_counter() - started
            with unit_of_work(factory) as session:
                job = manifests.get_job(session, actor, job_id)
                queued = session.get(Job, job.queue_job_id)
                stored_hits = session.execute(
                    select(func.count()).where(ScreeningHit.manifest_id == job_id)
                ).scalar_one()
                rejections = session.execute(
                    select(func.count()).where(ManifestRejection.job_id == job_id)
                ).scalar_one()
                figures = {
                    "run": number,
                    "bare_s": round(bare, 2),
                    "bare_per_s": round(len(applicants) / bare),
                    "bare_matches": bare_hits,
                    "node_s": round(node, 2),
                    "node_per_s": round(job.position / node),
                    "status": job.status,
                    "job_state": queued.state if queued is not None else None,
                    "screened": job.screened,
                    "matches": job.hits,
                    "hits_stored": stored_hits,
                    "rejected": job.rejected,
                    "rejections_stored": rejections,
                    "ratio_node_to_bare": round(node / bare, 2),
                }
            report["runs"].append(figures)
            print(
                f"run {number}: bare engine {figures['bare_per_s']:,}/s ({bare:.1f} s, "
                f"{bare_hits} matches); node job {figures['node_per_s']:,}/s ({node:.1f} s, "
                f"{job.status}: {job.screened:,} screened, {job.hits} matches in "
                f"{stored_hits} hits, {job.rejected} rejected); node/bare time "
                f"{figures['ratio_node_to_bare']:.2f}; goal {GOAL_PER_S:,.0f}/s",
                flush=True,
            )
        engine.dispose()
    report["peak_rss_mb"] = round(rss_mb())
    # Forked workers share the parent's pages; their own peak counts what they touched.
    report["peak_worker_rss_mb"] = round(children_rss_mb())
    print(f"peak RSS: {report['peak_rss_mb']:,} MB (largest worker {children_rss_mb():,.0f} MB)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
