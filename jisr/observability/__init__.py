"""Observability: Prometheus metrics at ``/metrics`` and OpenTelemetry traces across partners.

The pieces a composition root wires in: ``router`` (``jisr.observability.router``), the request
middleware (``MetricsMiddleware``), the start-up hook (``jisr.observability.hooks``) that
configures tracing and the database collector, and ``traced_registry`` for federation handlers.
"""
