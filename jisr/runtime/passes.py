"""The node's periodic passes, as ``jisr worker`` runs them (``jisr serve`` runs the same passes
from each domain's start-up hook when it is the node's only process)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jisr.db import SessionFactory
from jisr.exchange.worker import ExchangeSettings, remind_pass
from jisr.notices.worker import NoticesSettings, expire_pass


@dataclass(frozen=True, slots=True)
class PeriodicPass:
    name: str
    # Seconds between two passes (0: off).
    interval: float
    # One pass; returns how many records it changed.
    run: Callable[[], int]


def node_passes(factory: SessionFactory, agency_code: str) -> list[PeriodicPass]:
    notices, exchange = NoticesSettings(), ExchangeSettings()

    def expire() -> int:
        return expire_pass(factory, agency_code, batch=notices.expiry_batch)

    def remind() -> int:
        return remind_pass(factory, agency_code, within_hours=exchange.reminder_within_hours)

    return [
        PeriodicPass("notices-expiry", notices.expiry_interval_seconds, expire),
        PeriodicPass("exchange-reminders", exchange.reminder_interval_seconds, remind),
    ]
