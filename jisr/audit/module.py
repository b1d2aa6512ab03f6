"""The audit domain as the node sees it: the hash-chained trail, its API, CLI and page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import (
    CommandGroup,
    DomainModule,
    DomainParts,
    RouterMount,
    SessionListener,
    migrations_of,
)

if TYPE_CHECKING:
    import typer


def _models() -> None:
    import jisr.audit.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.audit.cli import app

    return app


def _parts() -> DomainParts:
    from jisr.audit.router import router
    from jisr.web.pages import audit
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        console=(PageArea(audit.router, audit.NAV, rank=100),),
    )


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.audit.service import chain_entries

    # Entries recorded in a transaction are numbered and chained when it flushes.
    return (SessionListener("before_flush", chain_entries),)


MODULE = DomainModule(
    name="audit",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(CommandGroup("audit", "The tamper-evident audit trail.", _commands),),
    listeners=_listeners,
    parts=_parts,
)
