"""Drill: a partner unreachable for a while — store and forward, a clear status, recovery.

``python -m benchmarks.drills.partner_unreachable [--backend sqlite|postgresql] [--count 200]
[--down 20]``

Rabat queues ``count`` notes for Paris while Paris's node is down for ``down`` seconds (retries
with the fast test backoff: 0.2 s doubling to 1 s; production backs off to 15 min, so an hour
down is ~10 attempts per envelope). During the outage the drill samples what an operator sees
(outbox counts, partner health "unreachable since", the oldest envelope's age in /metrics);
then Paris comes back and the drill times the recovery and checks every note arrived once.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.drills.common import (
    DrillServer,
    database_urls,
    emit,
    exactly_once,
    linked_pair,
    metric,
    sender_status,
)
from tests.federation.nodes import wait_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--down", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database_urls(args.backend, Path(tmp)) as urls:
        a, b = linked_pair(Path(tmp), urls)
        sender = DrillServer(a).start()
        try:
            a.send_notes(b.code, args.count)
            emit("queued", count=args.count, partner_down=True)
            started = time.monotonic()
            while time.monotonic() - started < args.down:
                time.sleep(max(1.0, args.down / 5))
                emit(
                    "outage",
                    seconds=round(time.monotonic() - started, 1),
                    oldest_age=metric(
                        a.url, "jisr_federation_outbox_oldest_age_seconds", partner=b.code
                    ),
                    **sender_status(a, b.code),
                )
            status = sender_status(a, b.code)
            lost = args.count - sum(status["outbox"].values())
            receiver = DrillServer(b).start()
            back = time.monotonic()
            try:
                wait_for(
                    lambda: a.outbox().get("delivered", 0) == args.count,
                    timeout=300,
                    what="recovery",
                )
                recovered = time.monotonic() - back
                emit("recovered", seconds=round(recovered, 2), **sender_status(a, b.code))
            finally:
                receiver.stop()
        finally:
            sender.stop()
        once = exactly_once(b, args.count)
        ok = (
            once["exactly_once"]
            and lost == 0
            and not status["reachable"]
            and status["unreachable_since"] is not None
        )
        emit(
            "result",
            drill="partner_unreachable",
            backend=args.backend,
            ok=ok,
            down_seconds=args.down,
            recovery_seconds=round(recovered, 2),
            status_during_outage=status,
            **once,
        )
        a.engine.dispose()
        b.engine.dispose()
        raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
