"""The agreements domain as the node sees it: partnerships and the policy decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule, DomainParts, RouterMount, migrations_of

if TYPE_CHECKING:
    import typer


def _models() -> None:
    import jisr.agreements.models  # noqa: F401
    import jisr.agreements.parties  # noqa: F401


def _commands() -> typer.Typer:
    from jisr.agreements.cli import app

    return app


def _parts() -> DomainParts:
    from jisr.agreements.router import router

    return DomainParts(routers=(RouterMount(router),))


MODULE = DomainModule(
    name="agreements",
    models=_models,
    migrations=migrations_of(__file__),
    commands=(CommandGroup("agreement", "Agreements with partner agencies.", _commands),),
    parts=_parts,
)
