"""What the failure drills share: two linked nodes on either backend, status samples, results.

Every drill prints one JSON object per observation and a final ``result`` line with its
verdict; ``--backend postgresql`` creates private databases on 127.0.0.1:5432 (dropped after).
Nothing here restarts the shared PostgreSQL or NATS servers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from jisr.audit.service import verify_chain
from jisr.federation.health import delivery_health
from jisr.federation.models import InboxMessage, OutboxMessage
from tests.federation.nodes import LAUNCHER, FedNode, Server, link, make_node, wait_for
from tests.federation.notes import effects

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"t": round(time.monotonic(), 2), "event": event, **fields}, default=str))


@contextmanager
def database_urls(backend: str, workdir: Path, count: int = 2) -> Iterator[list[str]]:
    if backend == "sqlite":
        yield [f"sqlite:///{workdir / f'node{n}.db'}" for n in range(count)]
        return
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    names = [f"jisr_drill_{uuid.uuid4().hex[:8]}_{n}" for n in range(count)]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield [PG_SERVER.rsplit("/", 1)[0] + f"/{name}" for name in names]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def linked_pair(base: Path, urls: list[str], transport: str = "http") -> tuple[FedNode, FedNode]:
    a = make_node(base, urls[0], "MA-DGST", "MA")
    b = make_node(base, urls[1], "FR-DGSI", "FR")
    link(a, b, transport=transport)
    return a, b


def sender_status(node: FedNode, partner: str) -> dict[str, Any]:
    """What an operator sees on the sender: outbox counts, the partner's health."""
    with node.session() as session:
        health = delivery_health(session, [partner]).get(partner)
        attempts = session.execute(select(func.max(OutboxMessage.attempts))).scalar()
    return {
        "outbox": node.outbox(),
        "reachable": health.reachable if health else True,
        "unreachable_since": health.unreachable_since if health else None,
        "last_error": (health.last_error or "")[:120] if health else None,
        "max_attempts": attempts,
    }


def metric(url: str, name: str, **labels: str) -> float | None:
    """One value from the node's /metrics (loopback, so no token)."""
    try:
        body = httpx.get(f"{url}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    for line in body.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def exactly_once(receiver: FedNode, count: int) -> dict[str, Any]:
    """Every note handled once: effects, distinct envelopes, inbox rows; the chain intact."""
    with receiver.session() as session:
        done, distinct = effects(session)
        inbox = session.execute(select(func.count()).select_from(InboxMessage)).scalar_one()
        intact = verify_chain(session).intact
    return {
        "effects": done,
        "distinct": distinct,
        "inbox": inbox,
        "audit_intact": intact,
        "exactly_once": done == distinct == inbox == count and intact,
    }


class DrillServer(Server):
    """A served node that may take long to start on a loaded machine (2 shared cores)."""

    def start(self, timeout: float = 180) -> DrillServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env.update(self.env)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), str(self.node.data_dir), str(self.node.port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        wait_for(self._healthy, timeout=timeout, what=f"{self.node.code} to start")
        return self
