"""Batch resolution at scale on DuckDB: seconds and peak memory for N synthetic records, beside
an exact-identifier baseline (records sharing a passport number or IBAN, a DuckDB join and
union-find) measured in the same run.

    .venv/bin/python benchmarks/graph/bench_resolve.py [--records 1000000] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.graph.evaluate import exact_baseline, pairs_of, read_records, scores  # noqa: E402
from benchmarks.graph.synthetic import write  # noqa: E402
from jisr.graph.batch.engines import Engine  # noqa: E402
from jisr.graph.batch.resolve import resolve_file  # noqa: E402


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quality", action="store_true", help="Also pairwise P/R/F1.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, labels = Path(tmp) / "records.jsonl", Path(tmp) / "labels.jsonl"
        started = time.perf_counter()
        write(data, labels, args.records)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        records = read_records(data)
        baseline = exact_baseline(records)
        baseline_s = time.perf_counter() - started
        del records
        started = time.perf_counter()
        result = resolve_file(data, Engine.DUCKDB, workers=args.workers)
        jisr_s = time.perf_counter() - started
        report: dict[str, object] = {
            "records": args.records,
            "generate_s": round(generated, 1),
            "exact_baseline_s": round(baseline_s, 1),
            "jisr_duckdb_s": round(jisr_s, 1),
            "ratio_to_baseline": round(jisr_s / baseline_s, 1),
            "records_per_s": round(args.records / jisr_s),
            "clusters": result.cluster_count,
            "links": result.links,
            "peak_mib": _peak_mib(),
        }
        if args.quality:
            truth = {d["id"]: d["label"] for d in map(json.loads, labels.open(encoding="utf-8"))}
            found = dict(zip(result.ids, result.clusters, strict=True))
            report["jisr"] = scores(pairs_of(found), pairs_of(truth))
            report["exact"] = scores(pairs_of(baseline), pairs_of(truth))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
