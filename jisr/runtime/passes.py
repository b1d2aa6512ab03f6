"""The node's periodic passes as ``jisr worker`` runs them: every module's ``PeriodicTask``
(``jisr serve`` runs the same tasks itself when it is the node's only process)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jisr.api.context import AppContext
from jisr.node import parts


@dataclass(frozen=True, slots=True)
class PeriodicPass:
    name: str
    # Seconds between two passes (0: off).
    interval: float
    run: Callable[[], None]


def node_passes(ctx: AppContext) -> list[PeriodicPass]:
    passes = []
    for part in parts():
        for task in part.periodic:

            def run(task_run: Callable[[AppContext], None] = task.run) -> None:
                task_run(ctx)

            passes.append(PeriodicPass(task.name, task.interval(ctx), run))
    return passes
