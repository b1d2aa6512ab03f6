"""``jisr worker``: the delivery worker, NATS consumers and periodic passes as their own process.

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

from jisr.api.context import AppContext
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import require_current
from jisr.federation import worker as federation_worker
from jisr.federation.node import FederationSettings
from jisr.identity.service import local_agency_code
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
                    changed = await asyncio.to_thread(periodic.run)
                    log.info("periodic pass", task=periodic.name, changed=changed, pid=os.getpid())
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
    engine = make_engine(settings.effective_database_url)
    require_current(engine)
    factory = make_session_factory(engine, settings.data_dir)
    with unit_of_work(factory) as session:
        agency = local_agency_code(session)
    return AppContext(settings, engine, factory, agency)


async def run_worker(settings: JisrSettings, *, deliveries: bool = True) -> None:
    """Run until SIGTERM or SIGINT: deliveries (unless ``deliveries`` is False) and passes."""
    ctx = build_context(settings)
    configure_tracing(ObservabilitySettings())
    # This process is where deliveries happen, whatever the API processes are told.
    ctx.services[federation_worker.SETTINGS_KEY] = FederationSettings(worker_enabled=deliveries)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker started", agency=ctx.agency_code, pid=os.getpid(), deliveries=deliveries)
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(federation_worker.lifespan_hook(ctx))
            await run_passes(ctx, node_passes(ctx.session_factory, ctx.agency_code), stop)
            await stop.wait()
    finally:
        ctx.engine.dispose()
        log.info("worker stopped", pid=os.getpid())
