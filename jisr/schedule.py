"""Periodic work inside ``jisr serve``: a pass in a worker thread every so many seconds.

Domains use it from their start-up hooks (alert expiry, request reminders); each pass also
exists as a CLI command for nodes that prefer cron.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import structlog

log = structlog.get_logger("jisr.schedule")


@asynccontextmanager
async def every(seconds: float, name: str, work: Callable[[], object]) -> AsyncIterator[None]:
    """Run ``work`` in a thread now and then every ``seconds`` while the context is open
    (``seconds`` 0: never). A failed pass is logged and retried at the next one."""
    stop = asyncio.Event()
    task: asyncio.Task[None] | None = None
    if seconds > 0:

        async def run() -> None:
            while not stop.is_set():
                try:
                    await asyncio.to_thread(work)
                except Exception as exc:  # noqa: BLE001 - the schedule outlives a bad pass
                    log.warning("scheduled pass failed", task=name, error=type(exc).__name__)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=seconds)
                except TimeoutError:
                    continue

        task = asyncio.create_task(run(), name=name)
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            await asyncio.wait([task], timeout=10)
            task.cancel()
