"""The witnessed log as the node sees it: ``jisr audit`` commands, the verification and proof
API, the two witnessing envelope types and the periodic checkpoint-and-witness pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    FederationHandlers,
    PeriodicTask,
    RouterMount,
)

if TYPE_CHECKING:
    import typer

    from jisr.api.context import AppContext


def _commands() -> typer.Typer:
    from jisr.witness.cli import app

    return app


def _interval(ctx: AppContext) -> float:
    from jisr.witness.publish import AuditSettings

    return ctx.settings.section(AuditSettings).witness_poll_seconds


def _witness(ctx: AppContext) -> None:
    from jisr.witness.integrity import node_signing_key
    from jisr.witness.publish import AuditSettings, witness_pass

    settings = ctx.settings.section(AuditSettings)
    key = node_signing_key(ctx.settings)
    witness_pass(ctx.session_factory, ctx.agency_code, key, settings)


def _parts() -> DomainParts:
    from jisr.witness.envelopes import handlers
    from jisr.witness.publish import AuditSettings
    from jisr.witness.router import router

    return DomainParts(
        settings=(AuditSettings,),
        routers=(RouterMount(router),),
        federation=FederationHandlers(handlers()),
        periodic=(PeriodicTask("audit-witness", _interval, _witness),),
    )


MODULE = DomainModule(
    name="witness",
    commands=(CommandGroup("audit", "The tamper-evident, witnessed audit trail.", _commands),),
    parts=_parts,
)
