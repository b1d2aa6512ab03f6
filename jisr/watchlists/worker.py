"""At the start of ``jisr serve``: fail manifest jobs a stopped process left running, and
build the screener in the background so the first check does not pay for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from jisr.db import SessionFactory, unit_of_work
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.manifests import fail_interrupted

log = structlog.get_logger("jisr.watchlists")


@asynccontextmanager
async def screening_ready(factory: SessionFactory, cache: ScreenerCache) -> AsyncIterator[None]:
    with unit_of_work(factory) as session:
        interrupted = fail_interrupted(session)
    if interrupted:
        log.warning("manifest jobs interrupted", jobs=interrupted)
    warming = asyncio.create_task(asyncio.to_thread(cache.warm, factory))
    try:
        yield
    finally:
        # A thread cannot be cancelled: let a build in progress finish before the engine goes.
        try:
            await warming
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only delays the first check
            log.warning("screener warm-up failed", error=type(exc).__name__)
