"""Drill: NATS JetStream restarted under load — nothing lost, nothing duplicated.

``python -m benchmarks.drills.nats_restart [--backend sqlite|postgresql] [--count 300]
[--down 10]``

Runs a **private** ``nats-server -js`` on a free port with its own store directory (the shared
server on 4222 is never touched). Rabat and Paris federate over NATS; Rabat queues ``count``
notes; once some are delivered the private server is stopped (SIGTERM) for ``down`` seconds
and started again on the same store. The drill samples Rabat's status while NATS is down and
checks, after recovery, that every note reached Paris once.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.drills.common import (
    DrillServer,
    database_urls,
    emit,
    exactly_once,
    linked_pair,
    sender_status,
)
from tests.federation.nodes import wait_for
from tests.nodes import free_port


class PrivateNats:
    def __init__(self, store: Path) -> None:
        self.store = store
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            raise SystemExit("nats-server is not installed")
        self.process = subprocess.Popen(
            [binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--down", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database_urls(args.backend, Path(tmp)) as urls:
        nats = PrivateNats(Path(tmp) / "jetstream")
        nats.start()
        a, b = linked_pair(Path(tmp), urls, transport="nats")
        env = {"JISR_FEDERATION_NATS_URL": nats.url, "JISR_FEDERATION_NATS_PREFIX": "drill"}
        servers = [DrillServer(a, env).start(), DrillServer(b, env).start()]
        try:
            a.send_notes(b.code, args.count)
            wait_for(lambda: a.outbox().get("delivered", 0) > 0, timeout=120, what="first ones")
            nats.stop()
            emit("nats_stopped", **sender_status(a, b.code))
            time.sleep(args.down)
            during = sender_status(a, b.code)
            emit("nats_down", seconds=args.down, **during)
            nats.start()
            back = time.monotonic()
            wait_for(
                lambda: a.outbox().get("delivered", 0) == args.count, timeout=600, what="recovery"
            )
            recovery = time.monotonic() - back
        finally:
            for server in servers:
                server.stop()
            nats.stop()
        once = exactly_once(b, args.count)
        ok = bool(once["exactly_once"])
        emit(
            "result",
            drill="nats_restart",
            backend=args.backend,
            ok=ok,
            down_seconds=args.down,
            recovery_seconds=round(recovery, 2),
            status_while_down=during,
            **once,
        )
        a.engine.dispose()
        b.engine.dispose()
        raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
