"""Start-up hook for ``jisr serve``: fail manifest jobs a stopped process left running, and
build the screener in the background so the first check does not pay for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog

from jisr.db import unit_of_work
from jisr.watchlists.cache import CACHE_KEY, ScreenerCache
from jisr.watchlists.manifests import fail_interrupted

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.watchlists")


@asynccontextmanager
async def lifespan_hook(ctx: AppContext) -> AsyncIterator[None]:
    cache: ScreenerCache = ctx.services.setdefault(CACHE_KEY, ScreenerCache())
    with unit_of_work(ctx.session_factory) as session:
        interrupted = fail_interrupted(session)
    if interrupted:
        log.warning("manifest jobs interrupted", jobs=interrupted)
    warming = asyncio.create_task(asyncio.to_thread(cache.warm, ctx.session_factory))
    try:
        yield
    finally:
        # A thread cannot be cancelled: let a build in progress finish before the engine goes.
        try:
            await warming
        except Exception as exc:  # noqa: BLE001 - a failed warm-up only delays the first check
            log.warning("screener warm-up failed", error=type(exc).__name__)
