"""The search domain as the node sees it: one index over the other domains' records, the
search API and page, ``jisr search``, the listeners that index records as they are written and
the pass that works off the backlog."""

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
    import jisr.search.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.search.cli import search_app

    return search_app


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.search.indexer import index_bulk, index_flush

    # Documents are written in the flush that writes their record, and by a bulk statement on
    # an indexed table right after it, in the same transaction.
    return (
        SessionListener("after_flush", index_flush),
        SessionListener("do_orm_execute", index_bulk),
    )


def _interval(ctx: AppContext) -> float:
    from jisr.search.settings import SearchSettings

    return ctx.settings.section(SearchSettings).index_interval_seconds


def _index(ctx: AppContext) -> None:
    from jisr.db import unit_of_work
    from jisr.search.indexer import drain
    from jisr.search.settings import SearchSettings

    with unit_of_work(ctx.session_factory) as session:
        drain(session, ctx.settings.section(SearchSettings).index_batch)


def _parts() -> DomainParts:
    from jisr.search.router import router
    from jisr.search.settings import SearchSettings
    from jisr.web.pages import search
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(SearchSettings,),
        routers=(RouterMount(router),),
        console=(PageArea(search.router, search.NAV, rank=5),),
        periodic=(PeriodicTask("search-index", _interval, _index),),
    )


MODULE = DomainModule(
    name="search",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("search", "Search every record you may read; rebuild the index.", _commands),
    ),
    listeners=_listeners,
    parts=_parts,
)
