"""The text a scrape returns: event metrics (one process, or summed over ``serve --workers``
processes through ``PROMETHEUS_MULTIPROC_DIR``), then what a collector reads at scrape time."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def render(collector: Collector | None) -> bytes:
    """Prometheus text exposition format (version 0.0.4); ``collector`` adds state read at
    scrape time (the database gauges)."""
    if os.environ.get(MULTIPROC_ENV):
        events = CollectorRegistry()
        multiprocess.MultiProcessCollector(events)  # type: ignore[no-untyped-call]
    else:
        events = REGISTRY
    body = generate_latest(events)
    if collector is not None:
        state = CollectorRegistry(auto_describe=False)
        state.register(collector)
        body += generate_latest(state)
    return body
