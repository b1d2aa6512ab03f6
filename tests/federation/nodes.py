"""Federation test nodes: initialised in their own directory and database, linked, served."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

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
from tests.nodes import NodeProcess, NodeServer, free_port, wait_until

LAUNCHER = Path(__file__).with_name("launcher.py")
REFERENCE = "MA-FR/2026/01"
# Fast retries so tests that stop a node finish quickly.
FAST = {
    "JISR_FEDERATION_LEASE_SECONDS": "2",
    "JISR_FEDERATION_BACKOFF_BASE_SECONDS": "0.2",
    "JISR_FEDERATION_BACKOFF_MAX_SECONDS": "1",
    "JISR_FEDERATION_POLL_SECONDS": "0.05",
    "JISR_FEDERATION_HTTP_TIMEOUT_SECONDS": "1.5",
    "JISR_AUDIT_WITNESS_POLL_SECONDS": "0",
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


Scope = tuple[list[CrimeArea], list[DataCategory]]
DEFAULT_SCOPE: Scope = ([CrimeArea.TERRORISM], [DataCategory.OPERATIONAL])


def link(
    *nodes: FedNode,
    reference: str = REFERENCE,
    transport: str = "http",
    scopes: dict[str, Scope] | None = None,
    title: str = "Test cooperation",
    legal_basis: str = "Test memorandum",
) -> None:
    """Pin every node's keys at every other and record one agreement with all of them as
    parties on each (its scope as each node sees it: ``scopes`` by code, else terrorism)."""
    for here in nodes:
        areas, categories = (scopes or {}).get(here.code, DEFAULT_SCOPE)
        with here.session() as session:
            for there in nodes:
                if there is here:
                    continue
                keys = load_node_keys(there.data_dir, None)
                info = PartnerInfo(
                    there.code, f"Test {there.code}", "fr", "ar", there.code[:2], there.url,
                    transport, keys.signing_public, keys.encryption_public,
                )  # fmt: skip
                add_partner(session, here.system, info, now=utcnow())
            create_agreement(
                session,
                here.system,
                AgreementCreate(
                    reference=reference,
                    title=title,
                    parties=[n.code for n in nodes],
                    crime_areas=areas,
                    data_categories=categories,
                    valid_from=utcnow() - timedelta(hours=1),
                    legal_basis=legal_basis,
                    status=AgreementStatus.ACTIVE,
                ),
            )


class Server:
    """A node served with the ``test.note`` handler beside every domain's: in this process by
    default, or as a process of its own (``isolated``) for a test that kills it outright."""

    def __init__(
        self, node: FedNode, env: dict[str, str] | None = None, *, isolated: bool = False
    ) -> None:
        self.node = node
        self.env = {**FAST, **(env or {})}
        self.isolated = isolated
        self._running: NodeServer | NodeProcess | None = None

    def start(self) -> Server:
        node = self.node
        if self.isolated:
            command = [sys.executable, str(LAUNCHER), str(node.data_dir), str(node.port)]
            self._running = NodeProcess(node.data_dir, node.port, self.env, command)
        else:
            self._running = NodeServer(node.data_dir, node.port, self.env, note_registry())
        self._running.start()
        return self

    def stop(self) -> None:
        if self._running is not None:
            self._running.stop()
        self._running = None

    def kill(self) -> None:
        """SIGKILL the node's process (``isolated`` only: a thread cannot be killed)."""
        assert isinstance(self._running, NodeProcess), "kill needs Server(..., isolated=True)"
        self._running.kill()
        self._running = None


@contextmanager
def serving(*servers: Server) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


# The one readiness wait of the suite (a deadline that grows with the machine's load).
wait_for = wait_until


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
