"""Rate limits and refusal accounting for the federation endpoints (which need no token).

Each source address gets a token bucket (``JISR_FEDERATION_RATE_PER_SECOND`` refilled,
``JISR_FEDERATION_RATE_BURST`` deep); a request finding it empty gets a 429 problem with
``Retry-After`` (the router answers it). The buckets live in the running node's
``FederationNode``, in memory: a node behind several workers limits per worker, which is
enough to stop a flood from one source.

Refusals are counted in ``jisr.federation.refusals``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import structlog
from prometheus_client import Counter
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

log = structlog.get_logger("jisr.federation")

RATE_LIMITED = Counter(
    "jisr_federation_rate_limited", "Federation requests answered 429", ["endpoint"]
)


class RateLimitSettings(BaseSettings):
    """Prefix ``JISR_FEDERATION_RATE_``."""

    model_config = SettingsConfigDict(
        env_prefix="JISR_FEDERATION_RATE_", extra="ignore", frozen=True
    )

    # Requests per second one source may make to /federation/v1 on average (0: no limit).
    per_second: float = Field(default=200.0, ge=0)
    # How many it may make at once after a quiet spell.
    burst: int = Field(default=1000, ge=1)
    # Sources remembered at most (the least recently seen are forgotten first).
    max_sources: int = Field(default=10_000, ge=1)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets by source, safe across the server's threads."""

    def __init__(self, settings: RateLimitSettings) -> None:
        self.settings = settings
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, source: str, now: float | None = None) -> float:
        """Spend one token of ``source``; 0 if it had one, else seconds until it will."""
        rate = self.settings.per_second
        if rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        burst = float(self.settings.burst)
        with self._lock:
            bucket = self._buckets.pop(source, None) or _Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            self._buckets[source] = bucket
            while len(self._buckets) > self.settings.max_sources:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / rate
