"""The training domain as the node sees it: courses, nominations, signed certificates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    FederationHandlers,
    RouterMount,
    migrations_of,
)

if TYPE_CHECKING:
    import typer


def _models() -> None:
    import jisr.training.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.training.cli import training_app

    return training_app


def _parts() -> DomainParts:
    from jisr.training.federation import handlers
    from jisr.training.router import router
    from jisr.web.pages import training
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        federation=FederationHandlers(handlers()),
        console=(PageArea(training.router, training.NAV, rank=56),),
    )


MODULE = DomainModule(
    name="training",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("training", "Joint training: courses, certificates, verification.", _commands),
    ),
    parts=_parts,
)
