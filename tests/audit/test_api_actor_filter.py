"""``GET /api/v1/audit/entries``: ``actor_contains`` matches any part of the actor whatever the
case (as the console's filter), ``actor`` the actor exactly; both narrow together, a ``%`` or
``_`` typed is a character, and the filter is kept in the ``audit_access`` entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, record
from jisr.audit.models import AuditEntry
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.nodes import make_node

AGENCY = "MA-DGST"
ACTORS = ("Amal Idrissi", "Samira Amalou", "Karim Bennani", "100%_sure")


@pytest.fixture()
def auditor(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(session, actor_for(admin), username="hind", display_name="Hind",
                           agency_code=None, roles=[Role.AUDITOR],
                           password="a long enough password 2026")  # fmt: skip
        token, _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
        for n, label in enumerate(ACTORS):
            actor = Actor(ActorKind.USER, f"{AGENCY}:user:{n}", AGENCY, frozenset(), label)
            record(session, actor, AuditAction.CONSULTATION, "message", f"{AGENCY}:msg:{n}")
    with TestClient(create_app(load_settings(node.data_dir))) as client:

        def entries(**params: str) -> Any:
            answer = client.get(
                "/api/v1/audit/entries",
                params={"object_type": "message", **params},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        entries.engine = engine  # type: ignore[attr-defined]
        yield entries
    engine.dispose()


def _actors(rows: list[dict[str, Any]]) -> list[str]:
    return [r["actor"] for r in rows]


def test_actor_contains_is_partial_and_case_blind_actor_is_exact(auditor: Any) -> None:
    assert _actors(auditor(actor_contains="amal")) == ["Amal Idrissi", "Samira Amalou"]
    assert _actors(auditor(actor_contains="IDRISSI")) == ["Amal Idrissi"]
    assert _actors(auditor(actor_contains="nobody")) == []
    # The exact filter needs the whole name, as recorded.
    assert _actors(auditor(actor="Amal")) == []
    assert _actors(auditor(actor="Amal Idrissi")) == ["Amal Idrissi"]
    assert _actors(auditor(actor="Amal Idrissi", actor_contains="amalou")) == []
    # Wildcards typed are characters, not patterns.
    assert _actors(auditor(actor_contains="%")) == ["100%_sure"]
    assert _actors(auditor(actor_contains="_")) == ["100%_sure"]
    with unit_of_work(make_session_factory(auditor.engine)) as session:
        reads = session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == AuditAction.AUDIT_ACCESS.value)
            .order_by(AuditEntry.seq)
        ).scalars()
        filters = [r.details["filter"] for r in reads]
    assert filters[0] == {"actor_contains": "amal", "object_type": "message", "limit": 100}
