"""The periodic pass of ``jisr serve``: feeds polled and indicators expired on schedule.

Every ``JISR_CYBER_SCHEDULE_SECONDS`` the node polls the feeds that are due and expires its
indicators past ``valid_until`` (telling every partner holding a copy). ``jisr cyber feed poll``
and ``jisr cyber expire`` do the same from cron.
"""

from __future__ import annotations

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.actors import system_actor
from jisr.cyber.feeds import due_feeds, poll_feed
from jisr.cyber.sharing import expire_indicators
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import JisrError

log = structlog.get_logger("jisr.cyber")


class CyberSettings(BaseSettings):
    """Prefix ``JISR_CYBER_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_CYBER_", extra="ignore", frozen=True)

    # Seconds between two passes (feeds due, expiry) inside ``jisr serve``; 0 turns them off.
    schedule_seconds: float = Field(default=60.0, ge=0)


def scheduled_pass(factory: SessionFactory, agency_code: str, secret: str) -> None:
    actor = system_actor(agency_code)
    for name in due_feeds(factory):
        try:
            result = poll_feed(factory, actor, name, secret)
            log.info("feed polled", feed=name, stored=result.stored)
        except JisrError as exc:
            log.warning("feed poll failed", feed=name, code=exc.code)
    with unit_of_work(factory) as session:
        expire_indicators(session, agency_code)
