"""The federation domain as the node sees it: keys, envelopes, outbox and inbox, transports.

Federation knows no domain: each domain's module declares the envelope types it handles, and
the composition root puts them in the node's ``HandlerRegistry``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    FederationHandlers,
    RouterMount,
    SessionListener,
    migrations_of,
)

if TYPE_CHECKING:
    import typer

    from jisr.api.context import AppContext


def _models() -> None:
    import jisr.federation.models  # noqa: F401


def _partners() -> typer.Typer:
    from jisr.federation.cli import partner_app

    return partner_app


def _outbox() -> typer.Typer:
    from jisr.federation.cli import outbox_app

    return outbox_app


@asynccontextmanager
async def run_federation(ctx: AppContext) -> AsyncIterator[None]:
    """The node's federation object (for the inbox), its delivery worker and NATS consumers."""
    from jisr.db.notify import OUTBOX, listening
    from jisr.federation.node import FederationSettings, build_node
    from jisr.federation.observed import traced_registry
    from jisr.federation.wakeup import wake_all
    from jisr.federation.worker import running

    settings = ctx.settings.section(FederationSettings)
    handlers = traced_registry(ctx.handlers)
    node = build_node(ctx.settings, ctx.session_factory, ctx.agency_code, handlers, settings)
    ctx.federation = node
    with ExitStack() as stack:
        if settings.worker_enabled:
            stack.enter_context(listening(ctx.engine, OUTBOX, wake_all))
        async with running(node):
            yield


def _parts() -> DomainParts:
    from jisr.federation.node import FederationSettings
    from jisr.federation.ratelimit import RateLimitSettings
    from jisr.federation.rotation import handlers
    from jisr.federation.router import router
    from jisr.web.pages import partners
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(FederationSettings, RateLimitSettings),
        routers=(RouterMount(router, prefix=""),),
        federation=FederationHandlers(handlers()),
        console=(PageArea(partners.router, partners.NAV, partners.attention, rank=50),),
        startup=(run_federation,),
    )


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.federation.wakeup import forget_queued, notify_queued, wake_workers

    # A commit that queued envelopes wakes this process's delivery workers at once, and those
    # of other processes (PostgreSQL NOTIFY).
    return (
        SessionListener("before_commit", notify_queued),
        SessionListener("after_commit", wake_workers),
        SessionListener("after_soft_rollback", forget_queued),
    )


MODULE = DomainModule(
    name="federation",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("partner", "Partner agencies: pin their keys, rotate ours.", _partners),
        CommandGroup("outbox", "The federation outbox.", _outbox),
    ),
    listeners=_listeners,
    parts=_parts,
)
