"""End to end: Rabat asks Paris, Paris sees the deadline and answers, Rabat sees the answer and
the receipts. Two real nodes (served over HTTP), each with its own database and keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from tests.conftest import DatabaseFactory
from tests.federation.nodes import REFERENCE, FedNode, Server, link, make_node, wait_for

SCOPE = ([CrimeArea.MIGRANT_SMUGGLING], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])


# Every domain's envelope handlers are the node's own: the federation test server serves them.
ExchangeServer = Server


def officer_token(node: FedNode, username: str) -> str:
    with node.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username,
            agency_code=None,
            roles=[Role.LIAISON],
            password="a long enough password 2026",
        )
        raw, _ = issue_token(session, actor_for(user), user.id, "e2e", ["*"], 1)
    return raw


class Officer:
    def __init__(self, node: FedNode, username: str) -> None:
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1",
            headers={"Authorization": f"Bearer {officer_token(node, username)}"},
            timeout=10,
        )

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, **kwargs: Any) -> Any:
        response = self.client.post(path, **kwargs)
        assert response.status_code == 201, response.text
        return response.json()


def test_rabat_asks_paris_answers(tmp_path: Path, databases: DatabaseFactory) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    servers = [ExchangeServer(rabat), ExchangeServer(paris)]
    try:
        for server in servers:
            server.start()
        _conversation(Officer(rabat, "amina"), Officer(paris, "julien"))
    finally:
        for server in servers:
            server.stop()
        rabat.engine.dispose()
        paris.engine.dispose()


def _conversation(amina: Officer, julien: Officer) -> None:
    scan = b"%PDF-1.4\n fictional passport scan\n"
    sha = amina.post(
        "/attachments", content=scan, headers={"content-type": "application/octet-stream"}
    )["sha256"]
    request = amina.post(
        "/messages",
        json={
            "to": "FR-DGSI",
            "agreement": REFERENCE,
            "kind": "request",
            "priority": "urgent",
            "subject": "Smuggling network: two phones and a passport",
            "body": "Can you check these two phone numbers and this passport?",
            "crime_area": "migrant_smuggling",
            "data_category": "personal",
            "purpose": "Identify the organisers of the Tangier route",
            "grading": {
                "scheme": "admiralty",
                "source_reliability": "B",
                "information_credibility": "2",
            },
            "entities": [
                {
                    "id": "p1",
                    "schema": "Person",
                    "properties": {"name": ["Karim B."], "phone": ["+212600112233"]},
                },
                {
                    "id": "pp1",
                    "schema": "Passport",
                    "properties": {"number": ["MA1234567"], "holder": ["p1"]},
                },
            ],
            "attachments": [{"sha256": sha, "filename": "passport.pdf"}],
        },
    )

    wait_for(lambda: bool(julien.get("/messages")), timeout=30, what="Paris to receive")
    [inbox] = julien.get("/messages")
    assert inbox["id"] == request["id"] and inbox["direction"] == "inbound"
    assert inbox["owner_agency"] == "MA-DGST" and inbox["deadline_at"] == request["deadline_at"]
    received = julien.get(f"/messages/{request['id']}")
    assert received["entities"][1]["properties"]["holder"] == ["MA-DGST.p1"]
    assert received["grading"]["scheme"] == "admiralty"
    download = julien.client.get(f"/attachments/{sha}")
    assert download.status_code == 200 and download.content == scan
    answer = julien.post(
        f"/messages/{request['id']}/reply",
        json={"body": "Both numbers are known to us; the passport was reported stolen."},
    )
    assert answer["case_ref"] == request["case_ref"]

    def rabat_has_everything() -> bool:
        kinds = {r["kind"] for r in amina.get(f"/messages/{request['id']}/receipts")}
        return (
            kinds == {"delivered", "read", "answered"}
            and len(amina.get(f"/cases/{request['case_ref']}")["messages"]) == 2
        )

    wait_for(rabat_has_everything, timeout=30, what="Rabat to get the answer and receipts")
    thread = amina.get(f"/cases/{request['case_ref']}")
    assert [m["id"] for m in thread["messages"]] == [request["id"], answer["id"]]
    assert thread["case"]["open_requests"] == 0
    reply = amina.get(f"/messages/{answer['id']}")
    assert reply["in_reply_to"] == request["id"] and reply["owner_agency"] == "FR-DGSI"
    assert amina.get(f"/messages/{request['id']}")["answered_at"] is not None
