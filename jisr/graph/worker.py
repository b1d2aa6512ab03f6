"""The graph's periodic task in ``jisr serve``: ingest the node's new records on schedule.

Every ``JISR_GRAPH_SYNC_INTERVAL_SECONDS`` the node runs one ``sync`` pass as itself (records
are keyed by their source, so a pass over unchanged records adds nothing); ``jisr graph sync``
does the same on demand.
"""

from __future__ import annotations

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.actors import system_actor
from jisr.db import SessionFactory, unit_of_work
from jisr.graph.ingest import SyncReport, sync

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
