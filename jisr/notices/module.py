"""The notices domain as the node sees it: alerts, review, publication, withdrawal."""

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
    import jisr.notices.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.notices.cli import notice_app

    return notice_app


def _expiry_interval(ctx: AppContext) -> float:
    from jisr.notices.worker import NoticesSettings

    return ctx.settings.section(NoticesSettings).expiry_interval_seconds


def _expire(ctx: AppContext) -> None:
    from jisr.notices.worker import NoticesSettings, expire_pass

    batch = ctx.settings.section(NoticesSettings).expiry_batch
    expire_pass(ctx.session_factory, ctx.agency_code, batch=batch)


def _parts() -> DomainParts:
    from jisr.notices.federation import handlers
    from jisr.notices.router import router
    from jisr.notices.worker import NoticesSettings
    from jisr.web.pages import notices, notices_changes
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(NoticesSettings,),
        routers=(RouterMount(router),),
        federation=FederationHandlers(handlers()),
        console=(
            PageArea(notices.router, notices.NAV, notices.attention, rank=30),
            PageArea(notices_changes.router, notices_changes.NAV, rank=30),
        ),
        periodic=(PeriodicTask("notices-expiry", _expiry_interval, _expire),),
    )


MODULE = DomainModule(
    name="notices",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("notice", "Alerts (notices and diffusions) to partner agencies.", _commands),
    ),
    parts=_parts,
)
