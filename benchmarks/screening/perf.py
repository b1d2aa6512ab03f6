"""Screening performance at scale: index build, memory, single-check latency, batch throughput.

``python -m benchmarks.screening.perf --size 1000000 [--quick]``

Lists ``size`` synthetic people (with their Arabic/Chinese forms), then checks travellers: a
mix of listed people written another way and innocent travellers. The peer ratio times
nomenklatura ``logic-v2`` scoring the same candidates jisr's index proposes.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from itertools import islice

from benchmarks.screening import synthetic
from benchmarks.screening.real_eval import Baseline
from jisr.screening import Screener, Subject


def rss_mb() -> float:
    """Peak resident set size of this process, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_rss_mb() -> float:
    """Peak resident set size of the largest worker process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def travellers(size: int, count: int, seed: int) -> list[Subject]:
    rng = random.Random(seed)
    listed = list(islice(synthetic.iter_people(size, seed), 0, min(size, 20 * count)))
    out: list[Subject] = []
    for person in rng.sample(listed, min(len(listed), count // 2)):
        kind = rng.choice(synthetic.applicable_kinds(person))
        variant = synthetic.noisy_variant(person, rng, kind) or person
        out.append(synthetic.to_subject(variant))
    out += list(synthetic.to_subjects(synthetic.innocent_travellers(count - len(out), seed)))
    rng.shuffle(out)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="listed people")
    parser.add_argument("--queries", type=int, default=2000, help="travellers checked")
    parser.add_argument("--quick", action="store_true", help="20,000 listed, 500 travellers")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes for the batch"
    )
    parser.add_argument(
        "--build-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes analysing the list (Screener(workers=))",
    )
    parser.add_argument(
        "--baseline-queries", type=int, default=20, help="travellers for the brute force"
    )
    args = parser.parse_args()
    size, count = (20_000, 500) if args.quick else (args.size, args.queries)
    seed = 5
    load = os.getloadavg()[0]
    print(f"## perf: {size:,} listed; load average {load:.1f} on {os.cpu_count()} CPUs")
    base_rss = rss_mb()
    started = time.perf_counter()
    entries = list(synthetic.to_subjects(synthetic.iter_people(size, seed), all_scripts=True))
    generated = time.perf_counter() - started
    cpu = time.process_time()
    started = time.perf_counter()
    # (Without the argument when 1, so that this script also times older engines.)
    options = {"workers": args.build_workers} if args.build_workers > 1 else {}
    screener = Screener(entries, **options)
    build = time.perf_counter() - started
    cpu = time.process_time() - cpu
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu_s = workers_cpu.ru_utime + workers_cpu.ru_stime
    del entries
    gc.collect()
    print(f"listed: {len(screener):,} people ({len(screener._packed):,} names)")
    print(
        f"index build: {build:.1f} s ({len(screener) / build:,.0f} people/s; "
        f"{getattr(screener, 'build_workers', 1)} process(es); "
        f"CPU {cpu:.1f} s here + {workers_cpu_s:.1f} s in workers; "
        f"generating the list {generated:.1f} s, not counted)"
    )
    print(
        f"peak RSS: {rss_mb():,.0f} MiB (before build {base_rss:,.0f} MiB; "
        f"largest build worker {children_rss_mb():,.0f} MiB)"
    )

    queries = travellers(size, count, seed)
    latencies = []
    innocent_hits = found = listed = in_top = 0
    for query in queries:
        t0 = time.perf_counter()
        matches = screener.check(query)
        latencies.append((time.perf_counter() - t0) * 1000)
        if "~" not in query.id:
            innocent_hits += bool(matches)
        else:
            listed += 1
            wanted = query.id.split("~")[0]
            found += any(m.entity_id == wanted for m in matches)
            top = screener.check(query, threshold=0.0)
            in_top += any(m.entity_id == wanted for m in top)
    print(
        f"single check: p50 {percentile(latencies, 0.5):.2f} ms, "
        f"p99 {percentile(latencies, 0.99):.2f} ms, max {max(latencies):.1f} ms"
    )
    print(
        f"listed travellers found at the threshold: {found} of {listed} ({found / listed:.3f}); "
        f"in the top 5 at any score: {in_top} ({in_top / listed:.3f}); "
        f"innocent travellers hit: {innocent_hits} of {len(queries) - listed}"
    )
    rates = {}
    for workers in sorted({1, args.workers}):
        t0 = time.perf_counter()
        screened = sum(1 for _ in screener.screen(queries, workers=workers))
        batch = time.perf_counter() - t0
        rates[workers] = screened / batch
        print(f"batch: {rates[workers]:,.0f} travellers/s ({workers} process(es))")
    # The baseline in the same run: ICU + Jaro-Winkler of each traveller against every name.
    names = [screener._texts[row] for row in range(len(screener._texts))]
    brute = Baseline.from_names(names)
    del names
    sample = queries[: args.baseline_queries]
    t0 = time.perf_counter()
    for query in sample:
        brute.check(query)
    brute_rate = len(sample) / (time.perf_counter() - t0)
    print(
        f"baseline ICU + Jaro-Winkler over all {len(brute.names):,} names: "
        f"{brute_rate:,.1f} travellers/s -> batch x{rates[max(rates)] / brute_rate:,.0f}, "
        f"1 process x{rates[1] / brute_rate:,.0f}"
    )
    del brute

    sample = queries[:100]
    t0 = time.perf_counter()
    for query in sample:
        screener.check(query, threshold=0.0)
    ours = time.perf_counter() - t0
    try:
        from benchmarks.screening.peers import nomenklatura_scorer

        logic_v2 = nomenklatura_scorer("logic-v2")
    except ImportError as error:  # a dev dependency; the figures above stand without it
        print(f"logic-v2 not measured: {error}")
        print(f"peak RSS at end: {rss_mb():,.0f} MB")
        return 0
    t0 = time.perf_counter()
    pairs = 0
    for query in sample:
        for candidate in screener.candidates(query):
            logic_v2(query, candidate)
            pairs += 1
    theirs = time.perf_counter() - t0
    print(
        f"logic-v2 on the same {pairs} candidates: {theirs:.2f} s vs jisr-v1 {ours:.2f} s "
        f"(candidate generation included) -> jisr-v1 is x{theirs / ours:.1f} faster"
    )
    print(f"peak RSS at end: {rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
