"""Gauges read from the database when Prometheus scrapes, cached for a few seconds.

One grouped query per table, each served by an index (outbox by status, audit by sequence
number, manifest jobs by status), so a scrape costs a few milliseconds however long the node has
run; several scrapers (or a scraper per API worker) within ``cache_seconds`` share one read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime

import structlog
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.db import SessionFactory
from jisr.federation.models import OutboxMessage
from jisr.federation.models import OutboxStatus as Status
from jisr.watchlists.models import JobStatus, ManifestJob

log = structlog.get_logger("jisr.observability")
# Outbox states worth a gauge: what waits (pending, held) and what gave up (dead). Delivered
# and rejected rows only grow; their rates are the ``jisr_federation_envelopes_sent`` counter.
_WAITING = (Status.PENDING.value, Status.HELD.value, Status.DEAD.value)
_ACTIVE_JOBS = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class DatabaseCollector(Collector):
    """Outbox depth and age per partner, dead envelopes, audit appends, manifest queue."""

    def __init__(self, factory: SessionFactory, cache_seconds: float = 5.0) -> None:
        self.factory = factory
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._cached: list[Metric] = []
        self._read_at = -float("inf")

    def collect(self) -> Iterable[Metric]:
        with self._lock:
            if time.monotonic() - self._read_at >= self.cache_seconds:
                self._cached = list(self._read())
                self._read_at = time.monotonic()
            return list(self._cached)

    def _read(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "jisr_database_up", "1 when the last scrape could read the node's database."
        )
        try:
            metrics = self._query(utcnow())
        except SQLAlchemyError as exc:
            log.warning("metrics read failed", error=type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from metrics

    def _query(self, now: datetime) -> list[Metric]:
        depth = GaugeMetricFamily(
            "jisr_federation_outbox_envelopes",
            "Envelopes in the outbox not yet settled, by partner and status (pending, held, dead).",
            labels=["partner", "status"],
        )
        age = GaugeMetricFamily(
            "jisr_federation_outbox_oldest_age_seconds",
            "Age of the oldest envelope waiting for a partner (pending or held), in seconds.",
            labels=["partner"],
        )
        dead = GaugeMetricFamily(
            "jisr_federation_dead_envelopes",
            "Envelopes that gave up after too many attempts (jisr outbox requeue-dead).",
        )
        audit = CounterMetricFamily(
            "jisr_audit_entries", "Entries appended to the audit trail since the node was created."
        )
        jobs = GaugeMetricFamily(
            "jisr_manifest_jobs",
            "Manifest screening jobs by status (the work queue's depth).",
            labels=["status"],
        )
        with self.factory() as session:
            rows = session.execute(
                select(
                    OutboxMessage.recipient,
                    OutboxMessage.status,
                    func.count(),
                    func.min(OutboxMessage.created_at),
                )
                .where(OutboxMessage.status.in_(_WAITING))
                .group_by(OutboxMessage.recipient, OutboxMessage.status)
            ).all()
            last_seq = session.execute(select(func.max(AuditEntry.seq))).scalar()
            job_rows = session.execute(
                select(ManifestJob.status, func.count())
                .where(ManifestJob.status.in_(_ACTIVE_JOBS))
                .group_by(ManifestJob.status)
            ).all()
        oldest: dict[str, datetime] = {}
        total_dead = 0
        for partner, status, count, first in rows:
            depth.add_metric([partner, status], count)
            if status == Status.DEAD.value:
                total_dead += count
            elif first is not None:
                oldest[partner] = min(first, oldest.get(partner, first))
        for partner, first in oldest.items():
            age.add_metric([partner], max(0.0, (now - _aware(first, now)).total_seconds()))
        dead.add_metric([], total_dead)
        audit.add_metric([], last_seq or 0)
        counts = dict(job_rows)
        for status in _ACTIVE_JOBS:
            jobs.add_metric([status], counts.get(status, 0))
        return [depth, age, dead, audit, jobs]


def _aware(value: datetime, now: datetime) -> datetime:
    """SQLite hands back naive datetimes for UTC columns."""
    return value if value.tzinfo is not None else value.replace(tzinfo=now.tzinfo)
