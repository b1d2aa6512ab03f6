"""Observability settings, prefix ``JISR_OBSERVABILITY_``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TraceExporter(StrEnum):
    NONE = "none"
    CONSOLE = "console"
    OTLP = "otlp"


class ObservabilitySettings(BaseSettings):
    """Prefix ``JISR_OBSERVABILITY_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_OBSERVABILITY_", extra="ignore", frozen=True)

    # Serve Prometheus metrics at ``/metrics``.
    metrics_enabled: bool = True
    # Bearer token a scraper must present; when unset, ``/metrics`` answers loopback clients
    # only (put the scraper on the node's host, or set a token).
    metrics_token: SecretStr | None = None
    # Seconds the gauges read from the database (outbox depth, jobs) are cached between scrapes.
    metrics_cache_seconds: float = Field(default=5.0, ge=0)
    # Where traces go: none (off, the default), console (stderr) or otlp (HTTP/protobuf).
    trace_exporter: TraceExporter = TraceExporter.NONE
    # OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces (the exporter's default
    # or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT when unset).
    otlp_endpoint: str | None = None
    # Fraction of new traces sampled (a partner's sampled trace is always continued).
    trace_sample_ratio: float = Field(default=1.0, ge=0, le=1)
