"""The rights domain as the node sees it: data-subject requests and the blocks they place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule, DomainParts, RouterMount, migrations_of

if TYPE_CHECKING:
    import typer


def _models() -> None:
    import jisr.rights.models  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.rights.cli import rights_app

    return rights_app


def _parts() -> DomainParts:
    from jisr.rights.router import router
    from jisr.rights.settings import RightsSettings

    return DomainParts(settings=(RightsSettings,), routers=(RouterMount(router),))


MODULE = DomainModule(
    name="rights",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(
        CommandGroup("rights", "Data-subject requests: access, correction, deletion.", _commands),
    ),
    parts=_parts,
)
