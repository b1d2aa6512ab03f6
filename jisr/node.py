"""The composition root: which domains make a node, in which order, and how they are assembled.

``MODULES`` is the one list. Everything else is derived from it: the API app
(``create_app``), the ``jisr`` command's groups (``command_groups``), the console's page areas,
the federation handler registry (``handler_registry``), the settings sections loaded at start,
the session listeners (``install_listeners``), the start-up hooks and periodic tasks, and the
migration directories. Adding a domain is one line here; see ``docs/architecture.md``.

Importing this module is cheap (declarations only); the domains' heavy parts are loaded by the
functions below, the first time a node is assembled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from jisr.agreements.module import MODULE as AGREEMENTS
from jisr.api.monitoring.module import MODULE as MONITORING
from jisr.audit.module import MODULE as AUDIT
from jisr.cyber.module import MODULE as CYBER
from jisr.exchange.module import MODULE as EXCHANGE
from jisr.federation.module import MODULE as FEDERATION
from jisr.graph.module import MODULE as GRAPH
from jisr.identity.module import MODULE as IDENTITY
from jisr.jobs.module import MODULE as JOBS
from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    JobKind,
    PeriodicTask,
    StartupHook,
)
from jisr.notices.module import MODULE as NOTICES
from jisr.notifications.module import MODULE as NOTIFICATIONS
from jisr.operations.module import MODULE as OPERATIONS
from jisr.reports.module import MODULE as REPORTS
from jisr.rights.module import MODULE as RIGHTS
from jisr.screening.module import MODULE as SCREENING
from jisr.search.module import MODULE as SEARCH
from jisr.training.module import MODULE as TRAINING
from jisr.watchlists.module import MODULE as WATCHLISTS
from jisr.web.module import MODULE as CONSOLE
from jisr.witness.module import MODULE as WITNESS

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

    from jisr.api.context import AppContext
    from jisr.federation.handlers import Handler, HandlerRegistry
    from jisr.settings import JisrSettings
    from jisr.web.registry import PageArea

# The node's domains. Order: tables and migrations, API routers, CLI groups and start-up hooks
# follow it (hooks stop in reverse); the console's navigation follows each area's rank.
MODULES: tuple[DomainModule, ...] = (
    IDENTITY,
    AGREEMENTS,
    AUDIT,
    FEDERATION,
    JOBS,
    EXCHANGE,
    NOTICES,
    WATCHLISTS,
    RIGHTS,
    OPERATIONS,
    TRAINING,
    SCREENING,
    GRAPH,
    CYBER,
    REPORTS,
    WITNESS,
    NOTIFICATIONS,
    SEARCH,
    CONSOLE,
    MONITORING,
)


def command_groups() -> tuple[CommandGroup, ...]:
    """Every domain's top-level commands (declared, not imported)."""
    return tuple(group for module in MODULES for group in module.commands)


def migration_dirs() -> list[Path]:
    return [module.migrations for module in MODULES if module.migrations is not None]


def load_models() -> None:
    """Import every domain's tables into ``jisr.db.base.Base.metadata``."""
    for module in MODULES:
        if module.models is not None:
            module.models()


@cache
def parts() -> tuple[DomainParts, ...]:
    """The heavy halves of every module, loaded once per process."""
    return tuple(module.parts() for module in MODULES)


def install_listeners() -> None:
    """Install every module's session listeners for this process (idempotent). Called when a
    node starts: by ``create_app``, by the CLI before a command runs, by the test suite."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    for module in MODULES:
        for listener in module.listeners():
            if not event.contains(Session, listener.event, listener.hook):
                event.listen(Session, listener.event, listener.hook)


def load_sections(settings: JisrSettings) -> None:
    """Read every module's settings section now: a bad value stops the start."""
    settings.load_sections(tuple(kind for part in parts() for kind in part.settings))


def handler_registry(extra: Mapping[str, Handler] | None = None) -> HandlerRegistry:
    """Every module's envelope handlers and expanders, then ``extra`` (tests' own types)."""
    from jisr.federation.handlers import HandlerRegistry

    registry = HandlerRegistry()
    for part in parts():
        if part.federation is not None:
            registry.extend(part.federation.handlers, part.federation.expanders)
    registry.extend(extra or {}, {})
    return registry


def job_kinds() -> dict[str, JobKind]:
    """Every module's kinds of background job, by name."""
    return {kind.name: kind for part in parts() for kind in part.jobs}


def job_runner() -> StartupHook:
    """The start-up hook running this node's jobs (``jisr serve``, ``jisr worker``)."""

    @asynccontextmanager
    async def hook(ctx: AppContext) -> AsyncIterator[None]:
        from jisr.jobs.runner import job_runner as runner

        async with runner(ctx, job_kinds()):
            yield

    return hook


def console_areas() -> tuple[PageArea, ...]:
    """The console's page areas in navigation order (rank, then module order)."""
    areas = [area for part in parts() for area in part.console]
    return tuple(sorted(areas, key=lambda area: area.rank))


def create_app(
    settings: JisrSettings,
    *,
    engine: Engine | None = None,
    handlers: HandlerRegistry | None = None,
) -> FastAPI:
    """The node's app: every module's routers, console areas, handlers, hooks and tasks.
    Refuses to start on an outdated schema, an uninitialised node or an invalid setting."""
    from jisr.api.app import build_app, open_context
    from jisr.db import make_engine
    from jisr.web.console import install_console

    install_listeners()
    load_sections(settings)
    areas = console_areas()
    engine = engine or make_engine(settings.effective_database_url)
    ctx = open_context(settings, engine, handlers or handler_registry(), areas)
    loaded = parts()
    startup: list[StartupHook] = [hook for part in loaded for hook in part.startup]
    startup += [_scheduled(task) for part in loaded for task in part.periodic]
    startup.append(job_runner())
    return build_app(
        ctx,
        routers=[mount for part in loaded for mount in part.routers],
        install_console=lambda app: install_console(app, areas),
        startup=startup,
    )


def _scheduled(task: PeriodicTask) -> StartupHook:
    @asynccontextmanager
    async def hook(ctx: AppContext) -> AsyncIterator[None]:
        from jisr.schedule import every

        async with every(task.interval(ctx), task.name, lambda: task.run(ctx)):
            yield

    return hook
