"""A worker process for the crash test: runs one job of the node at ``argv[1]`` with a short
lease, as ``jisr worker`` would (the test kills it part-way)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from jisr.jobs.runner import run_one
from jisr.node import job_kinds
from jisr.runtime.worker import build_context
from jisr.settings import load_settings


def main() -> None:
    ctx = build_context(load_settings(Path(sys.argv[1])))
    try:
        run_one(ctx, job_kinds(), lease=timedelta(seconds=float(sys.argv[2])))
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
