"""`make bench`: run every benchmark in turn, each printing ratios against its in-run baseline.

`python -m benchmarks.run [--quick]`; `--quick` shrinks sizes for a smoke run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

SUITES: tuple[tuple[str, list[str], list[str]], ...] = (
    # (module, full-run arguments, quick-run arguments)
    ("benchmarks.screening.evaluate", [], ["--quick"]),
    ("benchmarks.screening.perf", ["--size", "1000000"], ["--size", "20000"]),
    ("benchmarks.federation.bench_throughput", [], ["--quick"]),
    ("benchmarks.audit.bench_append", [], ["--quick"]),
    ("benchmarks.search.bench_search", ["--size", "1000000"], ["--quick"]),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    failed = []
    for module, full, quick in SUITES:
        print(f"\n=== {module} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", module, *(quick if args.quick else full)])
        print(f"=== {module}: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
        if code != 0:
            failed.append(module)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
