"""At the start of ``jisr serve``: build the screener in the background so the first check does
not pay for it. (Manifests are jobs of the node's queue: a process never touches one it does
not hold; a job whose worker stopped is taken over when its lease runs out.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from jisr.db import SessionFactory
from jisr.watchlists.cache import ScreenerCache

log = structlog.get_logger("jisr.watchlists")


@asynccontextmanager
async def screening_ready(factory: SessionFactory, cache: ScreenerCache) -> AsyncIterator[None]:
    warming = asyncio.create_task(asyncio.to_thread(cache.warm, factory))
    try:
        yield
    finally:
        # A thread cannot be cancelled: let a build in progress finish before the engine goes.
        try:
            await warming
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only delays the first check
            log.warning("screener warm-up failed", error=type(exc).__name__)
