"""Start-up hook: the tracer provider for the chosen exporter (none by default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog

from jisr.observability.settings import ObservabilitySettings
from jisr.observability.tracing import configure_tracing

if TYPE_CHECKING:
    from jisr.api.context import AppContext

log = structlog.get_logger("jisr.observability")


@asynccontextmanager
async def start_tracing(ctx: AppContext) -> AsyncIterator[None]:
    settings = ctx.settings.section(ObservabilitySettings)
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
