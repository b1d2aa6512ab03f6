"""The node's notification passes: woken at once by this process's commits, polled for the
others, and the scans of states (deadlines, partners)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import structlog

from jisr.db import SessionFactory, unit_of_work
from jisr.notifications import conditions
from jisr.notifications.derive import derive_pass
from jisr.notifications.settings import NotificationSettings
from jisr.notifications.wakeup import Topic, listening
from jisr.settings import JisrSettings

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.notifications")


def scan_pass(factory: SessionFactory, local: str, settings: NotificationSettings) -> int:
    within = timedelta(hours=settings.due_within_hours)
    with unit_of_work(factory) as session:
        written = conditions.scan_deadlines(session, local, within=within)
        written += conditions.scan_partners(session, local)
    return written


def run_all(factory: SessionFactory, local: str, settings: JisrSettings) -> int:
    section = settings.section(NotificationSettings)
    return derive_pass(factory, local) + scan_pass(factory, local, section)


@asynccontextmanager
async def woken_passes(ctx: AppContext) -> AsyncIterator[None]:
    """While the app runs: a notification pass right after each commit of this process that
    audited an act a rule reads (the periodic pass finds the other processes' acts)."""
    settings = ctx.settings.section(NotificationSettings)
    if settings.poll_seconds <= 0:
        yield
        return
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    async def run(woken: asyncio.Event) -> None:
        while not stop.is_set():
            await woken.wait()
            woken.clear()
            if stop.is_set():
                return
            try:
                await asyncio.to_thread(derive_pass, ctx.session_factory, ctx.agency_code)
            except Exception as exc:  # noqa: BLE001 - the next wake-up or poll retries
                log.warning("notification pass failed", error=type(exc).__name__)

    with listening(loop, Topic.ACTS) as woken:
        task = asyncio.create_task(run(woken), name="notifications-woken")
        try:
            yield
        finally:
            stop.set()
            woken.set()
            await asyncio.wait([task], timeout=10)
            task.cancel()
