"""The exchange domain as the node sees it: messages, requests, cases, attachments, receipts."""

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
    import jisr.db.idempotency  # noqa: F401 - migrated with exchange's tables
    import jisr.exchange.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.exchange.cli import message_app

    return message_app


def _reminder_interval(ctx: AppContext) -> float:
    from jisr.exchange.worker import ExchangeSettings

    return ctx.settings.section(ExchangeSettings).reminder_interval_seconds


def _remind(ctx: AppContext) -> None:
    from jisr.db.idempotency import purge_pass
    from jisr.exchange.worker import ExchangeSettings, remind_pass

    within = ctx.settings.section(ExchangeSettings).reminder_within_hours
    remind_pass(ctx.session_factory, ctx.agency_code, within_hours=within)
    # The forms' and API's idempotency keys (migrated with exchange) expire on this pass too.
    purge_pass(ctx.session_factory)


def _case_commands() -> typer.Typer:
    from jisr.exchange.case_cli import case_app

    return case_app


def _parts() -> DomainParts:
    from jisr.exchange import case_federation, case_router
    from jisr.exchange.federation import expanders, handlers
    from jisr.exchange.router import router
    from jisr.exchange.worker import ExchangeSettings
    from jisr.web.pages import cases, exchange, exchange_actions
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(ExchangeSettings,),
        routers=(RouterMount(router), RouterMount(case_router.router)),
        federation=FederationHandlers({**handlers(), **case_federation.handlers()}, expanders()),
        console=(
            PageArea(exchange.router, exchange.NAV, exchange.attention, rank=20),
            PageArea(exchange_actions.router, exchange_actions.NAV, rank=20),
            PageArea(cases.router, rank=20),
        ),
        periodic=(PeriodicTask("exchange-reminders", _reminder_interval, _remind),),
    )


MODULE = DomainModule(
    name="exchange",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("message", "Messages and requests to partner agencies.", _commands),
        CommandGroup(
            "case", "Cases: status, outcome, assignee, members, labels, links.", _case_commands
        ),
    ),
    parts=_parts,
)
