"""The notifications domain as the node sees it: derived from the audit trail, addressed by
policy, listed, streamed and shown in the console's header."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    PeriodicTask,
    RouterMount,
    SessionListener,
    migrations_of,
)

if TYPE_CHECKING:
    import typer

    from jisr.api.context import AppContext


def _models() -> None:
    import jisr.notifications.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.notifications.cli import notifications_app

    return notifications_app


def _poll_interval(ctx: AppContext) -> float:
    from jisr.notifications.settings import NotificationSettings

    return ctx.settings.section(NotificationSettings).poll_seconds


def _derive(ctx: AppContext) -> None:
    from jisr.notifications.derive import derive_pass

    derive_pass(ctx.session_factory, ctx.agency_code)


def _scan_interval(ctx: AppContext) -> float:
    from jisr.notifications.settings import NotificationSettings

    return ctx.settings.section(NotificationSettings).scan_seconds


def _scan(ctx: AppContext) -> None:
    from jisr.notifications.settings import NotificationSettings
    from jisr.notifications.worker import scan_pass

    scan_pass(ctx.session_factory, ctx.agency_code, ctx.settings.section(NotificationSettings))


def _parts() -> DomainParts:
    from jisr.notifications.router import router
    from jisr.notifications.settings import NotificationSettings
    from jisr.notifications.worker import woken_passes
    from jisr.web.pages import notifications
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(NotificationSettings,),
        routers=(RouterMount(router),),
        console=(PageArea(notifications.router, notifications.NAV, notifications.attention,
                          rank=5),),
        startup=(woken_passes,),
        periodic=(
            PeriodicTask("notifications-derive", _poll_interval, _derive),
            PeriodicTask("notifications-scan", _scan_interval, _scan),
        ),
    )  # fmt: skip


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.notifications.wakeup import forget, note_acts, wake

    return (
        SessionListener("before_flush", note_acts),
        SessionListener("after_commit", wake),
        SessionListener("after_soft_rollback", forget),
    )


MODULE = DomainModule(
    name="notifications",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("notifications", "An officer's notifications: list, mark read.", _commands),
    ),
    listeners=_listeners,
    parts=_parts,
)
