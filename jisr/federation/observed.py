"""Spans and metrics around federation's steps: seal, deliver (sender), receive, handle
(receiver). The trace context travels in the envelope's signed header, never in the payload.

A trace starts at the delivery pass that seals the envelopes (the outbox row does not keep the
context of the act that queued it) and continues on the partner's node through the receipt
and the domain handler, so one trace shows both sides of an exchange.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind
from sqlalchemy.orm import Session

from jisr.federation.envelope import SealRequest, peek_header
from jisr.federation.handlers import Handler, HandlerRegistry, InboundEnvelope
from jisr.federation.payloads import Expander
from jisr.observability.metrics import Delivery, timed_delivery, timed_receipt
from jisr.observability.tracing import context_from, current_trace_context, tracer


@contextmanager
def deliver_span(local: str, partner: str, envelopes: int) -> Iterator[Delivery]:
    """One delivery request to ``partner``: its seals are children, its round trip timed; the
    caller sets ``failed`` to the envelopes that got no answer."""
    attributes: dict[str, str | int] = {
        "jisr.node": local,
        "jisr.partner": partner,
        "jisr.envelopes": envelopes,
    }
    delivery = Delivery()
    with tracer().start_as_current_span(
        "federation.deliver", kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        with timed_delivery(partner, envelopes, delivery):
            yield delivery
        if delivery.failed:
            span.set_attribute("jisr.failed", delivery.failed)


@contextmanager
def seal_span(request: SealRequest) -> Iterator[SealRequest]:
    """Seal one envelope inside a span; yields the request with the span's trace context."""
    attributes = {
        "jisr.node": request.sender,
        "jisr.partner": request.recipient,
        "jisr.envelope.id": request.id,
        "jisr.envelope.type": request.type,
    }
    with tracer().start_as_current_span(
        "federation.seal", kind=SpanKind.PRODUCER, attributes=attributes
    ):
        traceparent, tracestate = current_trace_context()
        yield dataclasses.replace(request, traceparent=traceparent, tracestate=tracestate)


@contextmanager
def receive_span(local: str, raws: Sequence[bytes]) -> Iterator[None]:
    """One received batch: continues the first sender's trace, links the others."""
    contexts = []
    for raw in raws:
        header = peek_header(raw)
        context = context_from(header.traceparent, header.tracestate) if header else None
        if context is not None:
            contexts.append(context)
    parent = contexts[0] if contexts else None
    links = [Link(trace.get_current_span(c).get_span_context()) for c in contexts[1:]]
    attributes: dict[str, str | int] = {"jisr.node": local, "jisr.envelopes": len(raws)}
    with (
        tracer().start_as_current_span(
            "federation.receive",
            context=parent,
            kind=SpanKind.SERVER,
            attributes=attributes,
            links=links,
        ),
        timed_receipt(len(raws)),
    ):
        yield


def _traced(envelope_type: str, handler: Handler) -> Handler:
    def handle(session: Session, envelope: InboundEnvelope) -> None:
        header = envelope.header
        attributes = {
            "jisr.node": header.recipient,
            "jisr.partner": header.sender,
            "jisr.envelope.id": header.id,
            "jisr.envelope.type": envelope_type,
        }
        with tracer().start_as_current_span(
            "federation.handle",
            context=context_from(header.traceparent, header.tracestate),
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ):
            handler(session, envelope)

    return handle


class TracedRegistry(HandlerRegistry):
    """The node's registry with every handler run inside a ``federation.handle`` span whose
    parent is the sender's span named in the envelope's header."""

    def __init__(self, inner: HandlerRegistry) -> None:
        self._inner = inner
        super().__init__()

    def extend(self, handlers: Mapping[str, Handler], expanders: Mapping[str, Expander]) -> None:
        self._inner.extend(handlers, expanders)

    def register(self, envelope_type: str, handler: Handler) -> None:
        self._inner.register(envelope_type, handler)

    def register_expander(self, envelope_type: str, expander: Expander) -> None:
        self._inner.register_expander(envelope_type, expander)

    def get(self, envelope_type: str) -> Handler | None:
        handler = self._inner.get(envelope_type)
        return None if handler is None else _traced(envelope_type, handler)

    def expander(self, envelope_type: str) -> Expander | None:
        return self._inner.expander(envelope_type)

    def __contains__(self, envelope_type: object) -> bool:
        return envelope_type in self._inner

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)


def traced_registry(registry: HandlerRegistry) -> HandlerRegistry:
    return registry if isinstance(registry, TracedRegistry) else TracedRegistry(registry)
