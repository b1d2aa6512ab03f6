"""Federation test nodes: initialised in their own directory and database, linked, served."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import change_status, create_agreement
from jisr.cli.node import init_node
from jisr.clock import utcnow
from jisr.db import SessionFactory, make_engine, make_session_factory, unit_of_work
from jisr.federation.errors import TransportError
from jisr.federation.keys import load_node_keys
from jisr.federation.models import OutboxMessage
from jisr.federation.node import FederationNode, FederationSettings, build_node
from jisr.federation.partners import PartnerAddress, PartnerInfo, add_partner
from jisr.federation.service import enqueue
from jisr.federation.worker import receive_batch
from jisr.settings import JisrSettings, load_settings
from tests.federation.notes import NOTE, note_registry
from tests.nodes import free_port, wait_until

LAUNCHER = Path(__file__).with_name("launcher.py")
REFERENCE = "MA-FR/2026/01"
# Fast retries so tests that stop a node finish quickly.
FAST = {
    "JISR_FEDERATION_LEASE_SECONDS": "2",
    "JISR_FEDERATION_BACKOFF_BASE_SECONDS": "0.2",
    "JISR_FEDERATION_BACKOFF_MAX_SECONDS": "1",
    "JISR_FEDERATION_POLL_SECONDS": "0.05",
    "JISR_FEDERATION_HTTP_TIMEOUT_SECONDS": "1.5",
}


@dataclass
class FedNode:
    code: str
    data_dir: Path
    settings: JisrSettings
    engine: Engine
    factory: SessionFactory
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def system(self) -> Actor:
        return system_actor(self.code)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with unit_of_work(self.factory) as session:
            yield session

    def federation(self, **overrides: Any) -> FederationNode:
        settings = FederationSettings(**overrides)
        return build_node(self.settings, self.factory, self.code, note_registry(), settings)

    def send_notes(self, to: str, count: int, *, start: int = 0, **kwargs: Any) -> list[str]:
        ids = []
        with self.session() as session:
            for n in range(start, start + count):
                ids.append(note(session, self.system, to, n=n, **kwargs).id)
        return ids

    def outbox(self) -> dict[str, int]:
        with self.session() as session:
            stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            return {status: count for status, count in session.execute(stmt)}

    def set_agreement(self, status: AgreementStatus) -> None:
        with self.session() as session:
            change_status(session, self.system, REFERENCE, status, "test")


def note(session: Session, actor: Actor, to: str, *, n: int = 0, **kwargs: Any) -> OutboxMessage:
    options: dict[str, Any] = {
        "data_category": DataCategory.OPERATIONAL.value,
        "crime_area": CrimeArea.TERRORISM.value,
        "handling_code": "H0",
    }
    payload = {"n": n, **kwargs.pop("payload", {})}
    options.update(kwargs)
    return enqueue(
        session,
        actor,
        recipient=to,
        agreement_id=REFERENCE,
        envelope_type=NOTE,
        payload=payload,
        **options,
    )


def make_node(base: Path, database_url: str, code: str, country: str) -> FedNode:
    data_dir = base / code
    init_node(
        data_dir, agency=code, name=f"Test {code}", country=country, database_url=database_url
    )
    settings = load_settings(data_dir)
    engine = make_engine(settings.effective_database_url)
    return FedNode(code, data_dir, settings, engine, make_session_factory(engine))


def link(
    a: FedNode,
    b: FedNode,
    *,
    transport: str = "http",
    scopes: dict[str, tuple[list[CrimeArea], list[DataCategory]]] | None = None,
) -> None:
    """Pin each node's keys at the other and record the same agreement on both sides."""
    for here, there in ((a, b), (b, a)):
        keys = load_node_keys(there.data_dir, None)
        areas, categories = (scopes or {}).get(
            here.code, ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL])
        )
        with here.session() as session:
            info = PartnerInfo(
                there.code,
                f"Test {there.code}",
                "fr",
                "ar",
                there.code[:2],
                there.url,
                transport,
                keys.signing_public,
                keys.encryption_public,
            )
            add_partner(session, here.system, info, now=utcnow())
            create_agreement(
                session,
                here.system,
                AgreementCreate(
                    reference=REFERENCE,
                    title="Test cooperation",
                    parties=[a.code, b.code],
                    crime_areas=areas,
                    data_categories=categories,
                    valid_from=utcnow() - timedelta(hours=1),
                    legal_basis="Test memorandum",
                    status=AgreementStatus.ACTIVE,
                ),
            )


class Server:
    """A node served by a real uvicorn process; stopped (or killed) by the test."""

    def __init__(self, node: FedNode, env: dict[str, str] | None = None) -> None:
        self.node = node
        self.env = {**FAST, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = node.data_dir / "server.log"

    def start(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env.update(self.env)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), str(self.node.data_dir), str(self.node.port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        wait_for(self._healthy, timeout=30, what=f"{self.node.code} to start")
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.node.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


@contextmanager
def serving(*servers: Server) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """``tests.nodes.wait_until``: ``timeout`` on an idle machine, longer under load."""
    wait_until(condition, timeout=timeout, what=what)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Loopback:
    """A transport that hands envelopes straight to the partner node's ``receive_batch`` (no
    network; the worker's real sealing and the partner's real receipt). ``keep`` records what
    was sent (tests that replay it); ``down`` makes it fail like an unreachable partner."""

    name = "http"

    def __init__(self, nodes: dict[str, FederationNode], *, keep: bool = True) -> None:
        self.nodes = nodes
        self.keep = keep
        self.sent: list[bytes] = []
        self.down = False

    async def send(
        self, partner: PartnerAddress, batch: Sequence[tuple[str, bytes]]
    ) -> list[bytes | None]:
        if self.down:
            raise TransportError("loopback is down")
        raws = [envelope for _id, envelope in batch]
        if self.keep:
            self.sent.extend(raws)
        return list(await asyncio.to_thread(receive_batch, self.nodes[partner.code], raws))

    async def aclose(self) -> None:
        return None
