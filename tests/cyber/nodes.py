"""Three real nodes (Paris, Rabat, Madrid) under one multilateral cyber agreement."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from jisr.agreements.models import CrimeArea, DataCategory
from tests.cyber.conftest import analyst_token
from tests.federation.nodes import FedNode, Server, link, make_node, serving
from tests.nodes import wait_until

CYBER_REFERENCE = "CYBER/2026/01"
CODES = (("FR-DGSI", "FR"), ("MA-DGST", "MA"), ("ES-CGI", "ES"))
CYBER_SCOPE = ([CrimeArea.CYBERCRIME], [DataCategory.CYBER_INDICATOR])


def link_all(nodes: list[FedNode], reference: str = CYBER_REFERENCE) -> None:
    """Pin every node's keys at every other and record one agreement with all as parties."""
    link(
        *nodes,
        reference=reference,
        scopes={n.code: CYBER_SCOPE for n in nodes},
        title="Cyber cooperation (test)",
        legal_basis="Test memorandum on cybercrime cooperation, art. 3",
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


@contextmanager
def three_nodes(base: Path, urls: list[str]) -> Iterator[list[FedNode]]:
    nodes = [
        make_node(base, url, code, country)
        for url, (code, country) in zip(urls, CODES, strict=True)
    ]
    link_all(nodes)
    try:
        with serving(*(Server(n) for n in nodes)):
            yield nodes
    finally:
        for node in nodes:
            node.engine.dispose()


def eventually(condition: Callable[[], Any], what: str, timeout: float = 30) -> None:
    wait_until(condition, timeout=timeout, what=what)
