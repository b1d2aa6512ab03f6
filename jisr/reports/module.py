"""The reports domain as the node sees it: the reports API, ``jisr report`` and the
cooperation dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule, DomainParts, RouterMount

if TYPE_CHECKING:
    import typer


def _commands() -> typer.Typer:
    from jisr.reports.cli import report_app

    return report_app


def _parts() -> DomainParts:
    from jisr.reports.router import router
    from jisr.web.pages import dashboard
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        console=(PageArea(dashboard.router, dashboard.NAV, rank=60),),
    )


MODULE = DomainModule(
    name="reports",
    commands=(
        CommandGroup(
            "report", "Periodic assessment of partnerships, transparency, signed PDFs.", _commands
        ),
    ),
    parts=_parts,
)
