"""Observability kernel: settings, event metrics and the request middleware, the scrape's text,
OpenTelemetry set-up and W3C trace-context helpers. Imports no domain.

Built on it: ``jisr.api.monitoring`` (``GET /metrics``, database gauges, start-up hook) and
``jisr.federation.observed`` (spans around seal, deliver, receive and handle).
"""
