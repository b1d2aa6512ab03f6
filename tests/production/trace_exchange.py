"""Two nodes in one process, traced into memory: ``trace_exchange.py SENDER_DIR RECEIVER_DIR
RECEIVER_PORT COUNT``. The receiver is served over HTTP on loopback (uvicorn in a thread), the
sender queues COUNT notes and runs delivery passes; the finished spans are printed as JSON.

A process of its own because OpenTelemetry's tracer provider is set once per process.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from jisr.actors import system_actor  # noqa: E402
from jisr.db import (  # noqa: E402
    make_engine,
    make_session_factory,
    unit_of_work,  # noqa: E402
)
from jisr.federation.node import FederationSettings, build_node  # noqa: E402
from jisr.federation.worker import deliver_once  # noqa: E402
from jisr.identity.service import local_agency_code  # noqa: E402
from jisr.node import create_app  # noqa: E402
from jisr.settings import load_settings  # noqa: E402
from tests.federation.nodes import note  # noqa: E402
from tests.federation.notes import note_registry  # noqa: E402


def main() -> None:
    sender_dir, receiver_dir = Path(sys.argv[1]), Path(sys.argv[2])
    port, count = int(sys.argv[3]), int(sys.argv[4])
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)

    app = create_app(load_settings(receiver_dir), handlers=note_registry())
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    settings = load_settings(sender_dir)
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        code = local_agency_code(session)
    with unit_of_work(factory) as session:
        receiver = load_settings(receiver_dir)
        receiver_engine = make_engine(receiver.effective_database_url)
        with unit_of_work(make_session_factory(receiver_engine)) as other:
            to = local_agency_code(other)
        receiver_engine.dispose()
        for n in range(count):
            note(session, system_actor(code), to, n=n)
    node = build_node(settings, factory, code, note_registry(), FederationSettings())
    attempted = 0
    while attempted < count:
        attempted += deliver_once(node)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()
    spans = [
        {
            "name": span.name,
            "trace_id": format(span.context.trace_id, "032x"),
            "span_id": format(span.context.span_id, "016x"),
            "parent": format(span.parent.span_id, "016x") if span.parent else None,
            "remote_parent": bool(span.parent and span.parent.is_remote),
            "attributes": dict(span.attributes or {}),
        }
        for span in exporter.get_finished_spans()
    ]
    print(json.dumps(spans))


if __name__ == "__main__":
    main()
