"""Accreditation screening: an event's applicant list screened against a large watchlist through
the node's own path (manifest job: read, screen, record hits for review, commit per batch),
beside the bare screening engine on the same snapshot and the same applicants.

``python -m benchmarks.operations.bench_accreditation [--entries 1000000] [--applicants 100000]``

Initialises a node (SQLite in a temporary directory), stores ``entries`` synthetic listed people
(fictional, with Arabic and Chinese forms) plus the two planted wanted people, builds the node's
screener, then screens ``applicants`` fictional applicants (``jisr.operations.fixtures``):
first with the bare ``Screener.screen`` on ``--workers`` processes (baseline), then as an
accreditation list of an event (``create_accreditation`` + the manifest job). Prints each phase,
the ratio and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.screening import synthetic
from benchmarks.screening.perf import rss_mb
from benchmarks.watchlists.bench_check import AGENCY, _store
from jisr.actors import system_actor
from jisr.cli.node import init_node
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.operations import accreditation, service
from jisr.operations.accreditation import AccreditationCategory
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from jisr.operations.models import OperationKind
from jisr.operations.schemas import OperationCreate
from jisr.screening.sources.registry import read_subjects
from jisr.watchlists import manifests
from jisr.watchlists.cache import ScreenerCache


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("JISR_FEDERATION_WORKER_ENABLED", "false")
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
        print(f"stored {args.entries:,} + 2 entries in {time.perf_counter() - started:.0f} s")
        engine = make_engine(url)
        factory = make_session_factory(engine, data_dir)
        cache = ScreenerCache()
        started = time.perf_counter()
        cache.warm(factory)
        print(f"screener built in {time.perf_counter() - started:.0f} s; RSS {rss_mb():,.0f} MB")
        screener = cache.get_current().screener
        applicants = list(read_subjects(applicants_file))
        started = time.perf_counter()
        bare_hits = sum(len(m) for _q, m in screener.screen(applicants, workers=args.workers))
        bare = time.perf_counter() - started
        print(
            f"baseline bare engine ({args.workers} workers): {len(applicants):,} applicants in "
            f"{bare:.1f} s ({len(applicants) / bare:,.0f}/s), {bare_hits} hits"
        )
        actor = system_actor(AGENCY)
        with unit_of_work(factory) as session:
            event = service.create_operation(
                session,
                actor,
                OperationCreate(title="Bench event", kind=OperationKind.EVENT, starts_at=utcnow()),
            )
            item = accreditation.create_accreditation(
                session,
                actor,
                event.id,
                AccreditationCategory.STAFF,
                data_dir,
                "applicants.csv",
                applicants_file.read_bytes(),
            )
            job_id = item.manifest_job_id
        started = time.perf_counter()
        manifests.run_job(factory, actor, cache, job_id)
        full = time.perf_counter() - started
        with unit_of_work(factory) as session:
            job = manifests.get_job(session, actor, job_id)
            print(
                f"accreditation list (node path): {job.screened:,} screened, {job.hits} hits to "
                f"review, {job.rejected} rejected rows, in {full:.1f} s "
                f"({job.screened / full:,.0f}/s); ratio node/bare {full / bare:.2f}"
            )
        engine.dispose()
    print(f"peak RSS: {rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
