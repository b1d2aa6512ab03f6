"""Request reminders on schedule inside ``jisr serve`` (a periodic task of the module).

Every ``JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS`` the node collects its reminders as itself:
requests newly due within ``JISR_EXCHANGE_REMINDER_WITHIN_HOURS`` or overdue are marked, and the
partners that owe answers to this node's requests are reminded (``exchange.reminder``).
``jisr message remind`` does one pass for cron.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.actors import system_actor
from jisr.db import SessionFactory, unit_of_work
from jisr.exchange.deadlines import collect_reminders

log = structlog.get_logger("jisr.exchange")


class ExchangeSettings(BaseSettings):
    """Prefix ``JISR_EXCHANGE_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_EXCHANGE_", extra="ignore", frozen=True)

    # Seconds between two reminder passes inside ``jisr serve`` (0 turns the schedule off).
    reminder_interval_seconds: float = Field(default=300.0, ge=0)
    # A request is reminded once when its deadline is this close, and once when it is past.
    reminder_within_hours: int = Field(default=24, ge=1, le=24 * 30)


def remind_pass(
    factory: SessionFactory, agency_code: str, *, within_hours: int, now: datetime | None = None
) -> int:
    """One reminder pass as the node itself; how many requests were newly reminded."""
    with unit_of_work(factory) as session:
        due = collect_reminders(
            session, system_actor(agency_code), within=timedelta(hours=within_hours), now=now
        )
    if due:
        log.info("requests reminded", count=len(due))
    return len(due)
