"""Three real nodes (Paris, Rabat, Madrid) under one multilateral cyber agreement."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import create_agreement
from jisr.clock import utcnow
from jisr.federation.keys import load_node_keys
from jisr.federation.partners import PartnerInfo, add_partner
from tests.cyber.conftest import analyst_token
from tests.exchange.test_delivery import LAUNCHER
from tests.federation.nodes import FedNode, Server, make_node, wait_for
from tests.nodes import free_port

CYBER_REFERENCE = "CYBER/2026/01"
# Three nodes start at once on a machine that may be busy: give each time to start.
START_TIMEOUT = 120
CODES = (("FR-DGSI", "FR"), ("MA-DGST", "MA"), ("ES-CGI", "ES"))


def link_all(nodes: list[FedNode], reference: str = CYBER_REFERENCE) -> None:
    """Pin every node's keys at every other and record one agreement with all as parties."""
    for here in nodes:
        with here.session() as session:
            for there in nodes:
                if there is here:
                    continue
                keys = load_node_keys(there.data_dir, None)
                info = PartnerInfo(
                    there.code, f"Test {there.code}", "fr", "ar", there.code[:2], there.url,
                    "http", keys.signing_public, keys.encryption_public,
                )  # fmt: skip
                add_partner(session, here.system, info, now=utcnow())
            create_agreement(
                session,
                here.system,
                AgreementCreate(
                    reference=reference,
                    title="Cyber cooperation (test)",
                    parties=[n.code for n in nodes],
                    crime_areas=[CrimeArea.CYBERCRIME],
                    data_categories=[DataCategory.CYBER_INDICATOR],
                    valid_from=utcnow() - timedelta(hours=1),
                    legal_basis="Test memorandum on cybercrime cooperation, art. 3",
                    status=AgreementStatus.ACTIVE,
                ),
            )


class Analyst:
    def __init__(self, node: FedNode, username: str = "cert") -> None:
        with node.session() as session:
            token = analyst_token(session, username)
        self.token = token
        self.node = node
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1/cyber",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    def has(self, stix_id: str) -> bool:
        return self.client.get(f"/objects/{stix_id}").status_code == 200

    def taxii_ids(self, collection: str) -> set[str]:
        response = httpx.get(
            f"{self.node.url}/taxii2/api/collections/{collection}/objects/",
            headers={"Authorization": f"Bearer {self.token}"},
            params={"limit": 1000},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return {o["id"] for o in response.json().get("objects", [])}


class CyberServer(Server):
    """A node served with every domain's envelope handlers (the exchange launcher)."""

    def start(self) -> CyberServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env.update(self.env)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), str(self.node.data_dir), str(self.node.port)],
                env=env,
                stdout=log,
                stderr=log,
            )
        wait_for(self._healthy, timeout=START_TIMEOUT, what=f"{self.node.code} to start")
        return self


@contextmanager
def served_slowly(data_dir: Path, port: int | None = None) -> Iterator[str]:
    """``jisr serve`` as a real process (like ``tests.nodes.served``), patient at start."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    log_path = data_dir / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jisr",
                "serve",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout=START_TIMEOUT, what="the node to start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def three_nodes(base: Path, urls: list[str]) -> Iterator[list[FedNode]]:
    nodes = [
        make_node(base, url, code, country)
        for url, (code, country) in zip(urls, CODES, strict=True)
    ]
    link_all(nodes)
    servers = [CyberServer(n) for n in nodes]
    try:
        for server in servers:
            server.start()
        yield nodes
    finally:
        for server in servers:
            server.stop()
        for node in nodes:
            node.engine.dispose()


def eventually(condition: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
