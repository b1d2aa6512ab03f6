"""The operations domain as the node sees it: joint operations and major events (venues,
contingents, accreditation screening, threat assessments, the shared incident log)."""

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
    import jisr.operations.models  # noqa: F401


def _operation_commands() -> typer.Typer:
    from jisr.operations.cli import operation_app

    return operation_app


def _event_commands() -> typer.Typer:
    from jisr.operations.cli import event_app

    return event_app


def _parts() -> DomainParts:
    from jisr.operations.federation import handlers
    from jisr.operations.router import router
    from jisr.web.pages import operations
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        federation=FederationHandlers(handlers()),
        console=(PageArea(operations.router, operations.NAV, rank=55),),
    )


MODULE = DomainModule(
    name="operations",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup(
            "operation", "Joint operations: log, tasks, hand-over, report.", _operation_commands
        ),
        CommandGroup(
            "event", "Major events: venues, incidents, threats, accreditation.", _event_commands
        ),
    ),
    parts=_parts,
)
