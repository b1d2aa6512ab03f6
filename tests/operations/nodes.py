"""Three real partner nodes (Rabat, Paris, Madrid) served by ``jisr serve``, linked pairwise
under agreements scoped like the demo's, with one officer (API token) on each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import create_agreement
from jisr.clock import utcnow
from jisr.federation.keys import load_node_keys
from jisr.federation.partners import PartnerInfo, add_partner
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from tests.federation.nodes import FAST, FedNode, make_node

OFFICER_ROLES = [Role.COORDINATOR, Role.LIAISON, Role.TRAINER]
# Like the demo: Rabat-Paris covers everything, the others counter-terrorism only.
PAIRS: tuple[tuple[str, str, str, list[CrimeArea], list[DataCategory]], ...] = (
    (
        "MA-DGST",
        "FR-DGSI",
        "MA-FR/2026/01",
        [CrimeArea.TERRORISM, CrimeArea.MAJOR_EVENTS, CrimeArea.TRAINING],
        [DataCategory.OPERATIONAL, DataCategory.PERSONAL, DataCategory.TRAINING],
    ),
    ("MA-DGST", "ES-CGI", "MA-ES/2026/01", [CrimeArea.TERRORISM], [DataCategory.OPERATIONAL]),
    ("FR-DGSI", "ES-CGI", "FR-ES/2026/01", [CrimeArea.TERRORISM], [DataCategory.OPERATIONAL]),
)


def link_pair(
    a: FedNode, b: FedNode, reference: str, areas: list[CrimeArea], categories: list[DataCategory]
) -> None:
    for here, there in ((a, b), (b, a)):
        keys = load_node_keys(there.data_dir, None)
        with here.session() as session:
            info = PartnerInfo(
                there.code,
                f"Test {there.code}",
                "fr",
                "ar",
                there.code[:2],
                there.url,
                "http",
                keys.signing_public,
                keys.encryption_public,
            )
            add_partner(session, here.system, info, now=utcnow())
            create_agreement(
                session,
                here.system,
                AgreementCreate(
                    reference=reference,
                    title="Test cooperation",
                    parties=[a.code, b.code],
                    crime_areas=areas,
                    data_categories=categories,
                    valid_from=utcnow() - timedelta(hours=1),
                    legal_basis="Test memorandum",
                    status=AgreementStatus.ACTIVE,
                ),
            )


def officer_token(node: FedNode, username: str) -> str:
    with node.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username,
            agency_code=None,
            roles=OFFICER_ROLES,
            password="a long enough password 2026",
        )
        raw, _ = issue_token(session, actor_for(user), user.id, "ops", ["*"], 1)
    return raw


class Officer:
    def __init__(self, node: FedNode, username: str) -> None:
        self.node = node
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1",
            headers={"Authorization": f"Bearer {officer_token(node, username)}"},
            timeout=20,
        )

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, expect: int = 201, **kwargs: Any) -> Any:
        response = self.client.post(path, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()


@dataclass
class Trio:
    rabat: FedNode
    paris: FedNode
    madrid: FedNode

    @property
    def nodes(self) -> dict[str, FedNode]:
        return {n.code: n for n in (self.rabat, self.paris, self.madrid)}


def make_trio(base: Path, new_url: Callable[[], str]) -> Trio:
    trio = Trio(
        make_node(base, new_url(), "MA-DGST", "MA"),
        make_node(base, new_url(), "FR-DGSI", "FR"),
        make_node(base, new_url(), "ES-CGI", "ES"),
    )
    for first, second, reference, areas, categories in PAIRS:
        link_pair(trio.nodes[first], trio.nodes[second], reference, areas, categories)
    return trio


@contextmanager
def served(*nodes: FedNode) -> Iterator[None]:
    """Each node as a real ``jisr serve`` process (fast federation retries)."""
    processes = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    env.update(FAST)
    try:
        for node in nodes:
            log = (node.data_dir / "server.log").open("ab")
            command = [sys.executable, "-m", "jisr", "serve", "--data-dir", str(node.data_dir)]
            processes.append(
                subprocess.Popen(
                    [*command, "--port", str(node.port)], env=env, stdout=log, stderr=log
                )
            )
            log.close()
        for node, process in zip(nodes, processes, strict=True):
            _wait_healthy(node, process)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(node: FedNode, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (node.data_dir / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{node.code} exited: {tail}")
        try:
            if httpx.get(f"{node.url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{node.code} did not start")


def eventually(probe: Callable[[], Any], *, timeout: float = 30, what: str = "") -> Any:
    """Poll ``probe`` until it returns something truthy (propagation takes a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
