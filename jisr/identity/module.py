"""The identity domain as the node sees it: agencies, users, roles, sign-in."""

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
    import jisr.identity.models  # noqa: F401


def _users() -> typer.Typer:
    from jisr.identity.cli import user_app

    return user_app


def _agencies() -> typer.Typer:
    from jisr.identity.cli import agency_app

    return agency_app


def _parts() -> DomainParts:
    from jisr.identity.router import router
    from jisr.web.pages import auth, users
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        console=(
            PageArea(auth.router, auth.NAV, rank=0),
            PageArea(users.router, users.NAV, rank=90),
        ),
    )


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.identity.touch import write_stamps

    # When a credential was last used is written last, as its request commits.
    return (SessionListener("before_commit", write_stamps),)


MODULE = DomainModule(
    name="identity",
    models=_models,
    migrations=migrations_of(__file__),
    listeners=_listeners,
    commands=(
        CommandGroup(
            "user", "Users of this node: add, list, disable, reset MFA, API tokens.", _users
        ),
        CommandGroup("agency", "This node's agency and the partner agencies it knows.", _agencies),
    ),
    parts=_parts,
)
