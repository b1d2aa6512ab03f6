"""Start-up hook for ``jisr serve``: the graph ingests the node's new records on schedule.

Every ``JISR_GRAPH_SYNC_INTERVAL_SECONDS`` the node runs one ``sync`` pass as itself (records
are keyed by their source, so a pass over unchanged records adds nothing); ``jisr graph sync``
does the same on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.actors import system_actor
from jisr.db import SessionFactory, unit_of_work
from jisr.graph.ingest import SyncReport, sync
from jisr.schedule import every

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.graph")


class GraphSettings(BaseSettings):
    """Prefix ``JISR_GRAPH_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_GRAPH_", extra="ignore", frozen=True)

    # Seconds between two ingestion passes inside ``jisr serve`` (0 turns the schedule off).
    sync_interval_seconds: float = Field(default=60.0, ge=0)


def sync_pass(factory: SessionFactory, agency_code: str) -> SyncReport:
    with unit_of_work(factory) as session:
        report = sync(session, system_actor(agency_code), agency_code)
    if report.sources or report.withdrawn:
        log.info("graph synced", **report.to_json())
    return report


@asynccontextmanager
async def lifespan_hook(ctx: AppContext) -> AsyncIterator[None]:
    settings = GraphSettings()

    def run() -> None:
        sync_pass(ctx.session_factory, ctx.agency_code)

    async with every(settings.sync_interval_seconds, "graph-sync", run):
        yield
