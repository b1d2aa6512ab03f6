"""The cyber domain as the node sees it: STIX objects, TAXII 2.1, MISP, sharing under TLP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    FederationHandlers,
    PeriodicTask,
    RouterMount,
    migrations_of,
)

if TYPE_CHECKING:
    import typer

    from jisr.api.context import AppContext


def _models() -> None:
    import jisr.cyber.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.cyber.cli import cyber_app

    return cyber_app


def _interval(ctx: AppContext) -> float:
    from jisr.cyber.worker import CyberSettings

    return ctx.settings.section(CyberSettings).schedule_seconds


def _scheduled(ctx: AppContext) -> None:
    from jisr.cyber.worker import scheduled_pass

    scheduled_pass(ctx.session_factory, ctx.agency_code, ctx.settings.secret)


def _parts() -> DomainParts:
    from jisr.cyber.federation import handlers
    from jisr.cyber.jobs import JOB_KINDS
    from jisr.cyber.router import router
    from jisr.cyber.taxii_router import router as taxii_router
    from jisr.cyber.worker import CyberSettings
    from jisr.web.pages import cyber
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(CyberSettings,),
        # TAXII 2.1 lives at /taxii2/, outside the node's /api/v1.
        routers=(RouterMount(router), RouterMount(taxii_router, prefix="")),
        federation=FederationHandlers(handlers()),
        console=(PageArea(cyber.router, cyber.NAV, rank=45),),
        periodic=(PeriodicTask("cyber-schedule", _interval, _scheduled),),
        jobs=JOB_KINDS,
    )


MODULE = DomainModule(
    name="cyber",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("cyber", "Cyber indicators: STIX 2.1, MISP, TAXII 2.1 feeds.", _commands),
    ),
    parts=_parts,
)
