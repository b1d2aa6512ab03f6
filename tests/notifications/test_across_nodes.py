"""Two real nodes, each with its own database: what arrives from the partner notifies the right
officers of the receiving node only. Paris asks Rabat a question and publishes a wanted alert;
Rabat's liaison officer is told of both, its border officer (who may read neither) of neither;
Rabat answers and the Paris officer who asked is told of the reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.identity.tokens import issue_token
from tests.conftest import DatabaseFactory
from tests.exchange.test_delivery import ExchangeServer
from tests.federation.nodes import REFERENCE, FedNode, link, make_node, wait_for
from tests.notices.conftest import wanted

SCOPE = ([CrimeArea.MIGRANT_SMUGGLING], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])


class Officer:
    def __init__(self, node: FedNode, username: str, role: str) -> None:
        with node.session() as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            user = create_user(session, actor_for(admin), username=username,
                               display_name=username, agency_code=None, roles=[role],
                               password="a long enough password 2026")  # fmt: skip
            raw, _ = issue_token(session, actor_for(user), user.id, "e2e", ["*"], 1)
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1", headers={"Authorization": f"Bearer {raw}"}, timeout=10
        )

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()

    def told(self, kind: str) -> list[dict[str, Any]]:
        items = self.call("GET", "/notifications", params={"limit": 200})["items"]
        return [item for item in items if item["kind"] == kind]


def test_what_arrives_from_the_partner_notifies_the_right_officers(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    servers = [ExchangeServer(rabat), ExchangeServer(paris)]
    try:
        for server in servers:
            server.start()
        _story(rabat, paris)
    finally:
        for server in servers:
            server.stop()
        rabat.engine.dispose()
        paris.engine.dispose()


def _story(rabat: FedNode, paris: FedNode) -> None:
    amina = Officer(rabat, "amina", "liaison")
    salma = Officer(rabat, "salma", "border_officer")
    julien = Officer(paris, "julien", "liaison")
    claire = Officer(paris, "claire", "liaison")

    request = julien.call("POST", "/messages", 201, json={
        "to": "MA-DGST", "agreement": REFERENCE, "kind": "request", "priority": "urgent",
        "subject": "Two phones seen in Marseille", "body": "Are these numbers known to you?",
        "crime_area": "migrant_smuggling", "data_category": "personal",
        "purpose": "Identify the organisers of the Tangier route"})  # fmt: skip
    wait_for(lambda: bool(amina.told("request")), timeout=30, what="Rabat's desk to be told")
    [note] = amina.told("request")
    assert note["object_id"] == request["id"] and note["agency"] == "FR-DGSI"
    assert note["title"] == "New request from FR-DGSI to answer"
    assert "Marseille" not in str(note)  # names the record, never shows it
    # Paris's own officers are not told of what Paris sent.
    assert julien.told("request") == [] and claire.told("request") == []

    draft = julien.call("POST", "/notices", 201, json=wanted())
    julien.call("POST", f"/notices/{draft['id']}/submit")
    wait_for(lambda: bool(claire.told("review_requested")), timeout=30, what="reviewer told")
    assert [n["object_id"] for n in claire.told("review_requested")] == [draft["id"]]
    claire.call("POST", f"/notices/{draft['id']}/reviews", 201, json={"decision": "approve"})
    wait_for(lambda: bool(julien.told("alert_reviewed")), timeout=30, what="the author told")
    julien.call("POST", f"/notices/{draft['id']}/publish")
    wait_for(lambda: bool(amina.told("alert_received")), timeout=30, what="Rabat told")
    [alert] = amina.told("alert_received")
    assert alert["object_id"] == draft["id"] and alert["params"]["reference"] == draft["reference"]
    assert alert["href"] == f"/alerts/{draft['id']}"

    amina.call("POST", f"/messages/{request['id']}/reply", 201,
               json={"body": "Both numbers are known to us."})  # fmt: skip
    wait_for(lambda: bool(julien.told("reply")), timeout=30, what="Paris's officer told")
    [reply] = julien.told("reply")
    assert reply["agency"] == "MA-DGST" and reply["title"] == "MA-DGST replied to your message"

    # The border officer may read neither the request nor the alert: told of nothing.
    assert salma.call("GET", "/notifications")["items"] == []
