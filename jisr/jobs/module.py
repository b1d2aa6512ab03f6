"""The jobs domain as the node sees it: the queue's table, API, CLI and console page. The
runner itself is started by the composition root, which knows every domain's job kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule, DomainParts, RouterMount, migrations_of

if TYPE_CHECKING:
    import typer


def _models() -> None:
    import jisr.jobs.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.jobs.cli import jobs_app

    return jobs_app


def _parts() -> DomainParts:
    from jisr.jobs.router import router
    from jisr.jobs.runner import JobSettings
    from jisr.web.pages import jobs
    from jisr.web.registry import PageArea

    return DomainParts(
        settings=(JobSettings,),
        routers=(RouterMount(router),),
        console=(PageArea(jobs.router, rank=95),),
    )


MODULE = DomainModule(
    name="jobs",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("jobs", "Background jobs: where they stand, cancel, retry.", _commands),
    ),
    parts=_parts,
)
