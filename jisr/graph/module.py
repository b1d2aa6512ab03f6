"""The graph domain as the node sees it: statements, entity resolution, link analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    PeriodicTask,
    RouterMount,
    migrations_of,
)

if TYPE_CHECKING:
    import typer

    from jisr.api.context import AppContext


def _models() -> None:
    import jisr.graph.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.graph.cli import graph_app

    return graph_app


def _sync_interval(ctx: AppContext) -> float:
    from jisr.graph.worker import GraphSettings

    return ctx.settings.section(GraphSettings).sync_interval_seconds


def _sync(ctx: AppContext) -> None:
    from jisr.graph.worker import sync_pass

    sync_pass(ctx.session_factory, ctx.agency_code)


def _parts() -> DomainParts:
    from jisr.graph.router import router
    from jisr.graph.worker import GraphSettings
    from jisr.web.pages import graph
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(GraphSettings,),
        routers=(RouterMount(router),),
        console=(PageArea(graph.router, graph.NAV, rank=55),),
        periodic=(PeriodicTask("graph-sync", _sync_interval, _sync),),
    )


MODULE = DomainModule(
    name="graph",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup(
            "graph", "Entity resolution and link analysis across agencies' records.", _commands
        ),
    ),
    parts=_parts,
)
