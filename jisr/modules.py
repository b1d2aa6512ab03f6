"""What one domain contributes to a node, as one typed value: ``DomainModule``.

Each domain declares its module in ``jisr/<domain>/module.py``; the composition root
(``jisr.node``) lists them in order and assembles the API app, the CLI, the console, the
federation handler registry, the settings tree, the session listeners and the start-up and
periodic tasks from them. See ``docs/architecture.md``.

A declaration is cheap to import: what is heavy (FastAPI routers, SQLAlchemy models, numpy,
ICU) sits behind a loader (a function importing it when called), so ``jisr --help`` pays for
names and help texts only. Loaders are plain functions with ordinary imports inside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from pydantic_settings import BaseSettings

    from jisr.api.context import AppContext
    from jisr.federation.handlers import Handler
    from jisr.federation.payloads import Expander
    from jisr.jobs.queue import JobRun
    from jisr.web.registry import PageArea

API_PREFIX = "/api/v1"


@dataclass(frozen=True, slots=True)
class RouterMount:
    """One API router and the prefix it is mounted under."""

    router: APIRouter
    prefix: str = API_PREFIX


@dataclass(frozen=True, slots=True)
class CommandGroup:
    """One top-level ``jisr`` command (a Typer app), imported only when it is run."""

    name: str
    # One line, shown by ``jisr --help`` without importing the command.
    help: str
    load: Callable[[], typer.Typer]


@dataclass(frozen=True, slots=True)
class FederationHandlers:
    """Envelope types a domain receives (handlers) and, for the few whose queued payload names
    its content rather than carrying it, how to expand them when sealing (expanders)."""

    handlers: Mapping[str, Handler]
    expanders: Mapping[str, Expander] = field(default_factory=dict)


# Entered in module order when the app starts, left in reverse order when it stops.
StartupHook = Callable[["AppContext"], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    """A pass the node runs on schedule inside ``jisr serve`` (in a thread, never overlapping)."""

    name: str
    # Seconds between passes, from the node's settings; 0 turns the schedule off.
    interval: Callable[[AppContext], float]
    run: Callable[[AppContext], None]


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of background job a domain runs (``jisr.jobs``): its name and its code, which
    reports progress and checkpoints through the ``JobRun`` and returns the job's result."""

    name: str
    run: Callable[[AppContext, JobRun], dict[str, object] | None]


# SQLAlchemy ``Session`` events a domain listens to (``before_flush``, ``after_commit``,
# ``after_soft_rollback``, ``do_orm_execute``), installed for the process when a node starts.
# A ``do_orm_execute`` hook may return the statement's result (having invoked it).
SessionHook = Callable[..., object]


@dataclass(frozen=True, slots=True)
class SessionListener:
    event: str
    hook: SessionHook


@dataclass(frozen=True, slots=True)
class DomainParts:
    """The heavy half of a module, loaded when a node starts (``jisr serve``, tests)."""

    # The domain's settings section (a ``BaseSettings`` with its own ``JISR_<DOMAIN>_`` prefix),
    # loaded once into the root ``JisrSettings`` at start-up.
    settings: tuple[type[BaseSettings], ...] = ()
    routers: tuple[RouterMount, ...] = ()
    federation: FederationHandlers | None = None
    console: tuple[PageArea, ...] = ()
    startup: tuple[StartupHook, ...] = ()
    periodic: tuple[PeriodicTask, ...] = ()
    jobs: tuple[JobKind, ...] = ()


def no_parts() -> DomainParts:
    return DomainParts()


def no_listeners() -> tuple[SessionListener, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class DomainModule:
    """One domain as the node sees it."""

    name: str
    # The domain's SQLAlchemy tables, imported (for migrations' autogenerate and the tests).
    models: Callable[[], None] | None = None
    # The domain's Alembic branch (branch label = ``name``); None when it owns no tables.
    migrations: Path | None = None
    commands: tuple[CommandGroup, ...] = ()
    # Session listeners, installed for the process when a node starts (API or CLI command);
    # light enough to load before any command runs.
    listeners: Callable[[], tuple[SessionListener, ...]] = no_listeners
    parts: Callable[[], DomainParts] = no_parts


def migrations_of(init_file: str) -> Path:
    """The ``migrations`` directory beside a domain's ``module.py`` (pass ``__file__``)."""
    return Path(init_file).resolve().parent / "migrations"
