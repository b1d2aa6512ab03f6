"""A worker process for the crash test: runs one job of the node at ``argv[1]`` with a short
lease, as ``jisr worker`` would (the test kills it part-way). With ``argv[3]`` = ``hold``, it
stops for good before its second part (its first committed), so that the kill
lands mid-job however fast the machine is."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from jisr.cyber import jobs as cyber_jobs
from jisr.db import SessionFactory
from jisr.jobs.runner import run_one
from jisr.node import job_kinds
from jisr.runtime.worker import build_context
from jisr.settings import load_settings


def _hold_before_second_part() -> None:
    """The import's second transaction never begins: the first part is committed and its
    connection (with SQLite's writer lock) given back, so the test can read and then kill."""
    parts = 0
    real = cyber_jobs.unit_of_work

    @contextmanager
    def held(factory: SessionFactory) -> Iterator[Session]:
        nonlocal parts
        parts += 1
        if parts == 2:
            time.sleep(3600)  # killed here
        with real(factory) as session:
            yield session

    cyber_jobs.unit_of_work = held  # type: ignore[assignment]


def main() -> None:
    if sys.argv[3:] == ["hold"]:
        _hold_before_second_part()
    ctx = build_context(load_settings(Path(sys.argv[1])))
    try:
        run_one(ctx, job_kinds(), lease=timedelta(seconds=float(sys.argv[2])))
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
