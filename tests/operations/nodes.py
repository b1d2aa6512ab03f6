"""Three partner nodes (Rabat, Paris, Madrid), linked pairwise under agreements scoped like the
demo's and served, with one officer (API token) on each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from tests.federation.nodes import FedNode, Server, link, make_node, serving
from tests.nodes import wait_until

T = TypeVar("T")
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


def officer_token(node: FedNode, username: str, roles: list[Role] = OFFICER_ROLES) -> str:
    with node.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username,
            agency_code=None,
            roles=roles,
            password="a long enough password 2026",
        )
        raw, _ = issue_token(session, actor_for(user), user.id, "ops", ["*"], 1)
    return raw


class Officer:
    def __init__(self, node: FedNode, username: str, roles: list[Role] = OFFICER_ROLES) -> None:
        self.node = node
        self.token = officer_token(node, username, roles)
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1",
            headers={"Authorization": f"Bearer {self.token}"},
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
        scope = (areas, categories)
        a, b = trio.nodes[first], trio.nodes[second]
        link(a, b, reference=reference, scopes={a.code: scope, b.code: scope})
    return trio


@contextmanager
def served(*nodes: FedNode) -> Iterator[None]:
    """Each node served (fast federation retries), stopped at the end."""
    with serving(*(Server(node) for node in nodes)):
        yield


def eventually(probe: Callable[[], T], *, timeout: float = 30, what: str = "") -> T:
    """Poll ``probe`` until it returns something truthy (propagation takes a moment)."""
    return wait_until(probe, timeout=timeout, what=what)
