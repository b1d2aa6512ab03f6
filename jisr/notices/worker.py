"""Alerts past their validity expire on schedule inside ``jisr serve`` (a periodic task).

Every ``JISR_NOTICES_EXPIRY_INTERVAL_SECONDS`` the node expires what is due, as the node itself:
its own alerts everywhere (a ``notices.withdraw`` of kind ``expired`` to each partner holding a
copy), partners' copies off its watchlists. ``jisr notice expire`` does one pass for cron.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.actors import system_actor
from jisr.db import SessionFactory, unit_of_work
from jisr.notices.publication import expire_due

log = structlog.get_logger("jisr.notices")


class NoticesSettings(BaseSettings):
    """Prefix ``JISR_NOTICES_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_NOTICES_", extra="ignore", frozen=True)

    # Seconds between two expiry passes inside ``jisr serve`` (0 turns the schedule off).
    expiry_interval_seconds: float = Field(default=60.0, ge=0)
    # Alerts expired per transaction; a pass repeats until nothing more is due.
    expiry_batch: int = Field(default=200, ge=1, le=10_000)


def expire_pass(
    factory: SessionFactory, agency_code: str, *, batch: int = 200, now: datetime | None = None
) -> int:
    """Expire every alert due at ``now``, one committed batch at a time; how many expired."""
    actor = system_actor(agency_code)
    total = 0
    while True:
        with unit_of_work(factory) as session:
            expired = len(expire_due(session, actor, now, limit=batch))
        total += expired
        if expired < batch:
            break
    if total:
        log.info("notices expired", count=total)
    return total
