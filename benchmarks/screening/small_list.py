"""A small list (about 1,000 entries): queries/s of ``jisr screen`` against a brute force.

``python -m benchmarks.screening.small_list [--entries 1000] [--queries 2000] [--profile]``

Three figures from the same run and the same files:

* ``jisr screen`` end to end: a new process that reads both CSV files, builds the index,
  screens and writes JSONL (process start-up included), timed from outside;
* ``Screener.check`` in this process (the per-query path alone);
* the baseline: ICU ``Any-Latin; Latin-ASCII`` and rapidfuzz Jaro-Winkler of each query
  against every listed name (``process.extract``), in this process, start-up excluded.

``--profile`` prints the top of a cProfile of the in-process run.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.screening import synthetic
from benchmarks.screening.perf import travellers
from benchmarks.screening.real_eval import Baseline
from jisr.screening import Screener, Subject


def _write_csv(path: Path, subjects: list[Subject]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "birth_date", "nationality", "gender"])
        for s in subjects:
            out.writerow(
                [
                    s.id,
                    s.names[0],
                    ";".join(s.birth_dates),
                    ";".join(s.nationalities),
                    s.gender or "",
                ]
            )


def _jisr_screen(listing: Path, queries: Path, workers: int | None) -> tuple[float, str]:
    command = [sys.executable, "-m", "jisr", "screen", "--watchlist", str(listing), str(queries)]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path.cwd())
    elapsed = time.perf_counter() - started
    said = [line for line in done.stderr.splitlines() if "worker" in line]
    return elapsed, said[0] if said else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds")
    args = parser.parse_args(argv)
    listed = list(synthetic.to_subjects(synthetic.iter_people(args.entries, 5)))
    queries = travellers(args.entries, args.queries, 5)
    print(f"## {len(listed):,} listed, {len(queries):,} queries; load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        listing, manifest = Path(tmp) / "list.csv", Path(tmp) / "manifest.csv"
        _write_csv(listing, listed)
        _write_csv(manifest, queries)
        for workers in (None, 1):
            elapsed, said = _jisr_screen(listing, manifest, workers)
            label = "default" if workers is None else f"--workers {workers}"
            print(
                f"jisr screen ({label}): {len(queries) / elapsed:,.0f} queries/s "
                f"({elapsed:.2f} s incl. start-up; {said})"
            )
    started = time.perf_counter()
    screener = Screener(listed)
    build = time.perf_counter() - started
    baseline = Baseline(listed)
    # Start-up excluded on both sides: the first Han name loads pypinyin's dictionaries.
    for query in queries[:50]:
        screener.check(query)
        baseline.check(query)
    profile = cProfile.Profile() if args.profile else None
    ours: list[float] = []
    theirs: list[float] = []
    # Alternating rounds, so that both sides see the same load; the best round of each counts.
    for _ in range(args.rounds):
        if profile:
            profile.enable()
        started = time.perf_counter()
        for query in queries:
            screener.check(query)
        ours.append(time.perf_counter() - started)
        if profile:
            profile.disable()
        started = time.perf_counter()
        for query in queries:
            baseline.check(query)
        theirs.append(time.perf_counter() - started)
    ratios = sorted(t / o for o, t in zip(ours, theirs, strict=True))
    print(
        f"Screener.check in process: {len(queries) / min(ours):,.0f} queries/s "
        f"(best of {args.rounds} rounds; index {build:.2f} s)"
    )
    print(f"baseline ICU + Jaro-Winkler brute force: {len(queries) / min(theirs):,.0f} queries/s")
    print(
        f"ratio in process: x{min(theirs) / min(ours):.2f} of the baseline "
        f"(per round: {', '.join(f'x{r:.2f}' for r in ratios)}); "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(18)
    return 0


if __name__ == "__main__":
    sys.exit(main())
