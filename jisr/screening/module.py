"""The screening library as the node sees it: only the stand-alone ``jisr screen`` command.

Screening is a pure library (no database, settings, HTTP or other domain); ``watchlists``
uses it inside the node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisr.modules import CommandGroup, DomainModule

if TYPE_CHECKING:
    import typer


def _commands() -> typer.Typer:
    import typer

    from jisr.screening.cli import register

    app = typer.Typer()
    register(app)  # one command and no callback: mounted as ``jisr screen`` itself
    return app


MODULE = DomainModule(
    name="screening",
    commands=(
        CommandGroup(
            "screen",
            "Screen INPUT against watchlists: one JSON line per candidate on stdout.",
            _commands,
        ),
    ),
)
