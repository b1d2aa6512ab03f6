"""Batch screening on Spark against the local single-process engine, on the same data.

``python -m benchmarks.screening.spark_bench [--listed 100000] [--travellers 200000] [--runs 2]
[--master local[2]] [--engines local,spark-file,spark-broadcast] [--partition 1000]``

Writes a fictional list (``synthetic``: Arabic-script forms beside the Latin ones) and a
manifest of travellers (listed people written another way, and innocents) as CSV, then, for
each run, screens the manifest in a fresh process per engine, engines alternating:

* ``local``: ``Screener`` in one process, ``screen(workers=1)``: the baseline;
* ``local2``: the same with one forked worker per CPU (``jisr screen``'s default on 2 CPUs);
* ``spark-file`` / ``spark-broadcast``: ``SparkScreening`` with the index shipped as a file
  (``addFile``) or as a broadcast variable.

Each process reads both files with the same readers, builds the index (one process, unless
``--build-workers``), screens, writes JSONL and reports its phases. Every process runs with
``PYTHONHASHSEED=0``, so the outputs must be byte-identical: the digests are compared. Peak
RSS: the driver's own (``ru_maxrss``) and the whole process tree's (driver + JVM + Python
workers, sampled every 0.2 s from ``/proc``). Travellers/s counts the screening phase
(reading the manifest, scoring, writing); "end to end" adds reading the list, the build and
Spark's start. The machine is shared: the load average is printed at each step.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ENGINES = ("local", "local2", "spark-file", "spark-broadcast")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def write_data(folder: Path, listed: int, count: int, seed: int = 17) -> tuple[Path, Path]:
    """The list and the manifest as CSV (fictional people only)."""
    from benchmarks.screening import synthetic
    from benchmarks.screening.perf import travellers

    header = ["id", "name", "aliases", "birth_date", "nationality", "gender", "document_number"]
    names = folder / "list.csv", folder / "travellers.csv"
    with names[0].open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(header)
        for s in synthetic.to_subjects(synthetic.iter_people(listed, seed), all_scripts=True):
            out.writerow(
                [s.id, s.names[0], ";".join(s.names[1:]), ";".join(s.birth_dates)]
                + [";".join(s.nationalities), s.gender or "", ";".join(s.documents)]
            )
    with names[1].open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(header)
        for number, s in enumerate(travellers(listed, count, seed)):
            out.writerow(
                [f"T{number:08d}", s.names[0], "", ";".join(s.birth_dates)]
                + [";".join(s.nationalities), s.gender or "", ";".join(s.documents)]
            )
    return names


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class TreeSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, _tree_rss(os.getpid()))


def one(engine: str, listed: Path, manifest: Path, out: Path, args: argparse.Namespace) -> dict:
    """One engine in this process; its phases as a dict."""
    from jisr.screening.output import jsonl_line
    from jisr.screening.sources import read_subjects

    sampler = TreeSampler()
    sampler.start()
    phases: dict[str, float] = {}
    started = time.perf_counter()
    entries = list(read_subjects(listed, lenient_facts=True))
    phases["read_list"] = time.perf_counter() - started
    queries = read_subjects(manifest, lenient_facts=True)
    screened = 0
    digest = hashlib.sha256()
    with out.open("w", encoding="utf-8") as file:
        if engine.startswith("local"):
            from jisr.screening.screener import Screener

            t0 = time.perf_counter()
            screener = Screener(entries, workers=args.build_workers)
            del entries
            phases["build"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            workers = 1 if engine == "local" else os.cpu_count() or 1
            for _, matches in screener.screen(queries, workers=workers):
                screened += 1
                for match in matches:
                    file.write(jsonl_line(match))
            phases["screen"] = time.perf_counter() - t0
        else:
            from jisr.screening.spark import Ship, SparkScreening

            t0 = time.perf_counter()
            ship = Ship(engine.removeprefix("spark-"))
            with SparkScreening(args.master, ship=ship, partition=args.partition) as spark:
                phases["start"] = time.perf_counter() - t0
                loaded = spark.load(entries, "jisr-v1", args.build_workers)
                del entries
                phases["build"], phases["ship"] = loaded.build_seconds, loaded.ship_seconds
                phases["index_mib"] = loaded.index_bytes / 2**20
                t0 = time.perf_counter()
                for _, lines in spark.screen(queries, None, 5):
                    screened += 1
                    file.writelines(lines)
                phases["screen"] = time.perf_counter() - t0
                phases["cores"] = spark.cores
    phases["total"] = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    with out.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return {
        "engine": engine,
        "screened": screened,
        "rejected": len(queries.rejections),
        "hits": sum(1 for _ in out.open(encoding="utf-8")),
        "digest": digest.hexdigest()[:16],
        "driver_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "tree_rss_mib": sampler.peak / 2**20,
        **phases,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listed", type=int, default=100_000, help="people on the list")
    parser.add_argument("--travellers", type=int, default=200_000, help="travellers screened")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--master", default="local[2]", help="Spark master URL")
    parser.add_argument("--engines", default="local,spark-file,spark-broadcast")
    parser.add_argument("--partition", type=int, default=1_000, help="queries per partition")
    parser.add_argument("--build-workers", type=int, default=1, help="processes for the build")
    parser.add_argument("--data", type=Path, help="reuse (or keep) the CSV files in this folder")
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = one(args.one, args.data / "list.csv", args.data / "travellers.csv", args.out, args)
        print(json.dumps(result))
        return 0

    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {sorted(unknown)}; choose from {', '.join(ENGINES)}")
    with tempfile.TemporaryDirectory(prefix="jisr-spark-bench-") as scratch:
        folder = args.data or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "travellers.csv").exists() or args.data is None:
            t0 = time.perf_counter()
            write_data(folder, args.listed, args.travellers)
            print(
                f"data: {args.listed:,} listed, {args.travellers:,} travellers written in "
                f"{time.perf_counter() - t0:.0f} s"
            )
        print(f"## spark_bench on {os.cpu_count()} CPUs, master {args.master}; load {_load()}")
        results: list[dict] = []
        for run in range(1, args.runs + 1):
            for engine in engines:
                out = Path(scratch) / f"{engine}-{run}.jsonl"
                command = [sys.executable, "-m", "benchmarks.screening.spark_bench"]
                command += ["--one", engine, "--data", str(folder), "--out", str(out)]
                command += ["--master", args.master, "--partition", str(args.partition)]
                command += ["--build-workers", str(args.build_workers)]
                before = _load()
                done = subprocess.run(  # noqa: S603 - this benchmark
                    command,
                    capture_output=True,
                    text=True,
                    check=False,
                    env={**os.environ, "PYTHONHASHSEED": "0"},
                )
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
                result = json.loads(done.stdout.strip().splitlines()[-1])
                result.update(run=run, load_before=before, load_after=_load())
                results.append(result)
                out.unlink()
                print(_row(result), flush=True)
        _summary(results)
    return 0


def _row(r: dict) -> str:
    rate = r["screened"] / r["screen"]
    end_to_end = r["screened"] / r["total"]
    extra = ""
    if "start" in r:
        extra = (
            f"; start {r['start']:.1f} s, ship {r['ship']:.1f} s "
            f"({r['index_mib']:.0f} MiB), {r['cores']} cores"
        )
    return (
        f"run {r['run']} {r['engine']:<16} {rate:>7,.0f} travellers/s screening, "
        f"{end_to_end:>6,.0f}/s end to end ({r['total']:.0f} s); build {r['build']:.1f} s{extra}; "
        f"driver peak RSS {r['driver_rss_mib']:,.0f} MiB, tree {r['tree_rss_mib']:,.0f} MiB; "
        f"{r['screened']:,} screened, {r['hits']:,} hits, digest {r['digest']}; "
        f"load {r['load_before']} -> {r['load_after']}"
    )


def _summary(results: list[dict]) -> None:
    digests = {r["digest"] for r in results}
    print(f"outputs identical across engines and runs: {len(digests) == 1} ({sorted(digests)})")
    by_engine: dict[str, list[float]] = {}
    for r in results:
        by_engine.setdefault(r["engine"], []).append(r["screened"] / r["screen"])
    base = by_engine.get("local")
    for engine, rates in by_engine.items():
        ratio = ""
        if base and engine != "local":
            ratio = f" = x{min(rates) / max(base):.2f}-x{max(rates) / min(base):.2f} the baseline"
        print(f"{engine}: {min(rates):,.0f}-{max(rates):,.0f} travellers/s{ratio}")


if __name__ == "__main__":
    sys.exit(main())
