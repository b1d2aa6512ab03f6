"""The node's event metrics and the request middleware that feeds the HTTP ones.

Event metrics (requests, deliveries, receipts) live in prometheus-client's process registry,
as the library intends: they are counted where the event happens and never reset. Under
``jisr serve --workers N`` each process writes them to ``PROMETHEUS_MULTIPROC_DIR`` and the
scrape sums them (``jisr.observability.exposition``). State (outbox depth, dead envelopes, jobs,
audit trail length) is read from the database at scrape time (``jisr.api.monitoring.collector``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Request latencies from a cached page (~1 ms) to a manifest upload (tens of seconds).
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_DELIVERY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "jisr_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "jisr_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["route", "method"],
    buckets=_HTTP_BUCKETS,
)
SCREENING_SECONDS = Histogram(
    "jisr_screening_check_duration_seconds",
    "Time to answer one screening check (POST /api/v1/screening/check), end to end.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
DELIVERY_SECONDS = Histogram(
    "jisr_federation_delivery_duration_seconds",
    "Round trip of one delivery request to a partner (send until signed answers), by partner.",
    ["partner"],
    buckets=_DELIVERY_BUCKETS,
)
DELIVERED = Counter(
    "jisr_federation_envelopes_sent",
    "Envelopes handed to a partner's transport, by partner and outcome (answered, failed).",
    ["partner", "outcome"],
)
RECEIVED = Counter(
    "jisr_federation_envelopes_received",
    "Envelopes received from partners (each answered: accepted, rejected or deferred).",
)
RECEIVE_SECONDS = Histogram(
    "jisr_federation_receive_duration_seconds",
    "Time to verify, decrypt, handle and commit one received batch of envelopes.",
    buckets=_DELIVERY_BUCKETS,
)

SCREENING_ROUTE = "/api/v1/screening/check"
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/v1/messages/{message_id}``), never the raw path,
    so that ids do not explode the number of series.

    FastAPI keeps an included router's routes without their prefix; the prefix (a constant
    in Jisr) is the part of the path before the route's own pattern matches.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return UNMATCHED
    pattern = getattr(route, "path_regex", None)
    path: str = scope.get("path", "")
    if isinstance(pattern, re.Pattern) and not pattern.match(path):
        for at, char in enumerate(path):
            if char == "/" and at and pattern.match(path[at:]):
                return path[:at] + template
    return template


class MetricsMiddleware:
    """Counts and times every HTTP request by route template (pure ASGI, no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = time.perf_counter() - started
            route, method = route_template(scope), scope["method"]
            HTTP_REQUESTS.labels(route, method, f"{status // 100}xx").inc()
            HTTP_SECONDS.labels(route, method).observe(elapsed)
            if route == SCREENING_ROUTE and status < 400:
                SCREENING_SECONDS.observe(elapsed)


@dataclass(slots=True)
class Delivery:
    """What became of one delivery request: how many envelopes got no answer."""

    failed: int = 0


@contextmanager
def timed_delivery(partner: str, envelopes: int, delivery: Delivery) -> Iterator[None]:
    """Time one delivery request to ``partner`` and count its envelopes by outcome."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        DELIVERED.labels(partner, "failed").inc(envelopes)
        raise
    DELIVERY_SECONDS.labels(partner).observe(time.perf_counter() - started)
    answered = max(0, envelopes - delivery.failed)
    if answered:
        DELIVERED.labels(partner, "answered").inc(answered)
    if delivery.failed:
        DELIVERED.labels(partner, "failed").inc(delivery.failed)


@contextmanager
def timed_receipt(envelopes: int) -> Iterator[None]:
    """Time one received batch and count its envelopes."""
    started = time.perf_counter()
    yield
    RECEIVE_SECONDS.observe(time.perf_counter() - started)
    RECEIVED.inc(envelopes)
