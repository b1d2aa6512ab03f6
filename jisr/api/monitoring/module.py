"""Monitoring as the composition root sees it: ``GET /metrics``, the observability settings
section and the start-up hook that installs the tracer provider."""

from __future__ import annotations

from jisr.modules import DomainModule, DomainParts, RouterMount


def _parts() -> DomainParts:
    from jisr.api.monitoring.hooks import start_tracing
    from jisr.api.monitoring.router import router
    from jisr.observability.settings import ObservabilitySettings

    return DomainParts(
        settings=(ObservabilitySettings,),
        routers=(RouterMount(router, prefix=""),),
        startup=(start_tracing,),
    )


MODULE = DomainModule(name="monitoring", parts=_parts)
