"""A served-in-process node (TestClient) with a pinned partner and officers of each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE, add_agreement, pin_partner
from tests.nodes import TestNode, make_node

ROLES: dict[str, list[Role]] = {
    "coord": [Role.COORDINATOR, Role.LIAISON, Role.TRAINER],
    "analyst": [Role.ANALYST],
    "auditor": [Role.AUDITOR],
}


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    node: TestNode

    def _headers(self, who: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**(extra or {}), "Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, path: str, who: str = "coord", **kwargs: Any) -> Response:
        headers = self._headers(who, kwargs.pop("headers", None))
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def get(self, path: str, who: str = "coord", **kwargs: Any) -> Response:
        return self.client.get(f"/api/v1{path}", headers=self._headers(who), **kwargs)


@pytest.fixture()
def api(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        pin_partner(session, LOCAL, PARTNER)
        add_agreement(
            session,
            LOCAL,
            PARTNER,
            crime_areas=[CrimeArea.MAJOR_EVENTS, CrimeArea.TERRORISM, CrimeArea.TRAINING],
            categories=[DataCategory.OPERATIONAL, DataCategory.TRAINING],
        )
        for name, roles in ROLES.items():
            user = create_user(
                session,
                actor_for(admin),
                username=name,
                display_name=name.title(),
                agency_code=None,
                roles=roles,
                password="a long enough password 2026",
            )
            tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    engine.dispose()
    with TestClient(create_app(load_settings(node.data_dir)), raise_server_exceptions=False) as c:
        yield Api(c, tokens, node)


__all__ = ["LOCAL", "PARTNER", "REFERENCE", "Api"]
