"""OpenTelemetry tracing: off unless an exporter is chosen; W3C trace context in and out.

With no exporter configured the global tracer is OpenTelemetry's no-op one: spans cost a few
attribute lookups, nothing is recorded, and no trace context is put in envelope headers, so an
envelope is byte for byte what it was before tracing existed.
"""

from __future__ import annotations

import threading

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from jisr import __version__
from jisr.errors import ConfigError
from jisr.observability.settings import ObservabilitySettings, TraceExporter

TRACER_NAME = "jisr"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
_propagator = TraceContextTextMapPropagator()
_configure_lock = threading.Lock()


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME, __version__)


def configure_tracing(settings: ObservabilitySettings) -> TracerProvider | None:
    """Install the process's tracer provider for the chosen exporter (once per process; a
    provider already installed, by an earlier app or by a test, is kept)."""
    if settings.trace_exporter is TraceExporter.NONE:
        return None
    with _configure_lock:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            return current
        provider = TracerProvider(
            resource=Resource.create({"service.name": "jisr", "service.version": __version__}),
            sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        )
        provider.add_span_processor(BatchSpanProcessor(_exporter(settings)))
        trace.set_tracer_provider(provider)
        return provider


def _exporter(settings: ObservabilitySettings) -> SpanExporter:
    if settings.trace_exporter is TraceExporter.CONSOLE:
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:  # pragma: no cover - declared dependency
        raise ConfigError(
            "the OTLP exporter needs opentelemetry-exporter-otlp-proto-http",
            code="tracing_exporter_missing",
        ) from None
    return OTLPSpanExporter(endpoint=settings.otlp_endpoint)


def current_trace_context() -> tuple[str | None, str | None]:
    """The active span's (traceparent, tracestate), or (None, None) when nothing is sampled."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT), carrier.get(TRACESTATE) or None


def context_from(traceparent: str | None, tracestate: str | None = None) -> Context | None:
    """The remote context a partner's header carries; None when it carries none (or junk)."""
    if not traceparent:
        return None
    carrier = {TRACEPARENT: traceparent}
    if tracestate:
        carrier[TRACESTATE] = tracestate
    context = _propagator.extract(carrier)
    span = trace.get_current_span(context)
    return context if span.get_span_context().is_valid else None
