"""Running and keeping a node, as the composition root sees it: ``jisr worker``, ``backup``,
``restore``, ``db``; ``GET /metrics``, the observability settings and the tracing hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule, DomainParts, RouterMount

if TYPE_CHECKING:
    import typer


def _single(name: str) -> typer.Typer:
    import typer

    from jisr.runtime import cli

    app = typer.Typer()
    app.command(name)(getattr(cli, name))
    return app


def _worker() -> typer.Typer:
    return _single("worker")


def _backup() -> typer.Typer:
    return _single("backup")


def _restore() -> typer.Typer:
    return _single("restore")


def _db() -> typer.Typer:
    from jisr.runtime.cli import db_app

    return db_app


def _parts() -> DomainParts:
    from jisr.api.monitoring.hooks import start_tracing
    from jisr.api.monitoring.router import router
    from jisr.observability.settings import ObservabilitySettings

    return DomainParts(
        settings=(ObservabilitySettings,),
        routers=(RouterMount(router, prefix=""),),
        startup=(start_tracing,),
    )


MODULE = DomainModule(
    name="runtime",
    commands=(
        CommandGroup("worker", "Deliveries and periodic passes as their own process.", _worker),
        CommandGroup("backup", "Back up the node: database, blobs, keys, node.env.", _backup),
        CommandGroup("restore", "Restore a backup onto a new data directory.", _restore),
        CommandGroup("db", "The node's database schema (status, upgrade).", _db),
    ),
    parts=_parts,
)
