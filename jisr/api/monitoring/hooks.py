"""Start-up hook: observability settings, the database collector and the tracer provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog

from jisr.api.monitoring.collector import DatabaseCollector
from jisr.observability.settings import ObservabilitySettings
from jisr.observability.tracing import configure_tracing

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.observability")
SETTINGS_KEY = "observability.settings"
COLLECTOR_KEY = "observability.collector"


@asynccontextmanager
async def lifespan_hook(ctx: AppContext) -> AsyncIterator[None]:
    settings = ctx.services.get(SETTINGS_KEY)
    if not isinstance(settings, ObservabilitySettings):
        settings = ObservabilitySettings()
        ctx.services[SETTINGS_KEY] = settings
    ctx.services[COLLECTOR_KEY] = DatabaseCollector(
        ctx.session_factory, settings.metrics_cache_seconds
    )
    provider = configure_tracing(settings)
    log.info(
        "observability started",
        metrics=settings.metrics_enabled,
        metrics_token=settings.metrics_token is not None,
        traces=settings.trace_exporter.value,
    )
    try:
        yield
    finally:
        if provider is not None:
            provider.force_flush()
