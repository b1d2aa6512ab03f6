"""``jisr worker``: the delivery worker, NATS consumers, periodic passes and background jobs as
their own process.

Several worker processes may run for one node: deliveries are shared through the outbox's
leases (``FOR UPDATE SKIP LOCKED``), and each periodic pass runs in the one process that leads it
(``jisr.runtime.leadership``); if that process dies, another takes over at its next try.
"""

from __future__ import annotations

import asyncio
import os
import signal
from contextlib import AsyncExitStack

import structlog

from jisr.api.app import open_context
from jisr.api.context import AppContext
from jisr.db import make_engine
from jisr.federation.module import run_federation
from jisr.node import handler_registry, install_listeners, job_runner, load_sections
from jisr.observability.settings import ObservabilitySettings
from jisr.observability.tracing import configure_tracing
from jisr.runtime.leadership import Leadership
from jisr.runtime.passes import PeriodicPass, node_passes
from jisr.settings import JisrSettings

log = structlog.get_logger("jisr.runtime")
# A follower tries to take the lead this often (and at each of its pass times).
FOLLOWER_RETRY_SECONDS = 5.0


async def run_passes(ctx: AppContext, passes: list[PeriodicPass], stop: asyncio.Event) -> None:
    """Each pass on its schedule, in this process only while it leads that pass."""
    tasks = [
        asyncio.create_task(_run_pass(ctx, p, stop), name=p.name) for p in passes if p.interval > 0
    ]
    if tasks:
        await asyncio.wait(tasks)


async def _run_pass(ctx: AppContext, periodic: PeriodicPass, stop: asyncio.Event) -> None:
    leadership = Leadership(ctx.engine, periodic.name, ctx.settings.data_dir)
    try:
        while not stop.is_set():
            wait = periodic.interval
            if await asyncio.to_thread(leadership.acquire):
                try:
                    await asyncio.to_thread(periodic.run)
                    log.info("periodic pass", task=periodic.name, pid=os.getpid())
                except Exception as exc:  # noqa: BLE001 - the schedule outlives a bad pass
                    log.warning(
                        "periodic pass failed", task=periodic.name, error=type(exc).__name__
                    )
            else:
                wait = min(periodic.interval, FOLLOWER_RETRY_SECONDS)
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                continue
    finally:
        await asyncio.to_thread(leadership.release)


def build_context(settings: JisrSettings) -> AppContext:
    install_listeners()
    load_sections(settings)
    engine = make_engine(settings.effective_database_url)
    return open_context(settings, engine, handler_registry(), ())


async def run_worker(settings: JisrSettings, *, deliveries: bool = True) -> None:
    """Run until SIGTERM or SIGINT: deliveries (unless ``deliveries`` is False) and passes."""
    # This process is where deliveries happen, whatever the API processes are told.
    os.environ["JISR_FEDERATION_WORKER_ENABLED"] = "true" if deliveries else "false"
    ctx = build_context(settings)
    configure_tracing(ctx.settings.section(ObservabilitySettings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker started", agency=ctx.agency_code, pid=os.getpid(), deliveries=deliveries)
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(run_federation(ctx))
            await stack.enter_async_context(job_runner()(ctx))
            await run_passes(ctx, node_passes(ctx), stop)
            await stop.wait()
    finally:
        ctx.engine.dispose()
        log.info("worker stopped", pid=os.getpid())
