"""The watchlists domain as the node sees it: lists, screening inside the node, hits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
    import jisr.watchlists.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.watchlists.cli import watchlist_app

    return watchlist_app


@asynccontextmanager
async def _screening_ready(ctx: AppContext) -> AsyncIterator[None]:
    from jisr.watchlists.worker import screening_ready

    async with screening_ready(ctx.session_factory, ctx.screener):
        yield


def _parts() -> DomainParts:
    from jisr.watchlists.federation import handlers
    from jisr.watchlists.imports import ImportSettings
    from jisr.watchlists.manifests import JOB_KINDS, ManifestSettings
    from jisr.watchlists.router import router
    from jisr.web.pages import screening
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(ImportSettings, ManifestSettings),
        routers=(RouterMount(router),),
        federation=FederationHandlers(handlers()),
        console=(PageArea(screening.router, screening.NAV, screening.attention, rank=40),),
        startup=(_screening_ready,),
        jobs=JOB_KINDS,
    )


def _listeners() -> tuple[SessionListener, ...]:
    """No session listener; a manifest follows its queue job (``following.py``)."""
    from jisr.watchlists.following import follow_jobs

    follow_jobs()
    return ()


MODULE = DomainModule(
    name="watchlists",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(CommandGroup("watchlist", "Watchlists and screening in this node.", _commands),),
    listeners=_listeners,
    parts=_parts,
)
