"""Paris publishes a wanted alert, Rabat receives and watches it; Paris cancels, Rabat erases
its copy and sends a deletion receipt back. A political alert is held for review; an alert
outside the agreement's scope never leaves. Two real nodes, each with its own database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.watchlists.models import WatchlistEntry
from tests.conftest import DatabaseFactory
from tests.exchange.test_delivery import ExchangeServer, officer_token
from tests.federation.nodes import FedNode, link, make_node, wait_for
from tests.notices.conftest import wanted

SCOPE = ([CrimeArea.MIGRANT_SMUGGLING], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])


class Client:
    def __init__(self, node: FedNode, username: str) -> None:
        self.client = httpx.Client(
            base_url=f"{node.url}/api/v1",
            headers={"Authorization": f"Bearer {officer_token(node, username)}"},
            timeout=10,
        )

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, response.text
        return response.json()


def _watched(node: FedNode, notice_id: str) -> bool:
    with node.session() as session:
        stmt = select(WatchlistEntry.id).where(
            WatchlistEntry.notice_id == notice_id, WatchlistEntry.active.is_(True)
        )
        return session.execute(stmt).first() is not None


def test_paris_publishes_and_cancels(tmp_path: Path, databases: DatabaseFactory) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    servers = [ExchangeServer(rabat), ExchangeServer(paris)]
    try:
        for server in servers:
            server.start()
        _story(
            Client(paris, "julien"), Client(paris, "claire"), Client(rabat, "amina"), rabat, paris
        )
    finally:
        for server in servers:
            server.stop()
        rabat.engine.dispose()
        paris.engine.dispose()


def _publish(julien: Client, claire: Client, **overrides: Any) -> dict[str, Any]:
    draft = julien.call("POST", "/notices", 201, json=wanted(**overrides))
    submitted = julien.call("POST", f"/notices/{draft['id']}/submit")
    assert submitted["status"] == "in_review", submitted["checks"]
    claire.call("POST", f"/notices/{draft['id']}/reviews", 201, json={"decision": "approve"})
    return dict(julien.call("POST", f"/notices/{draft['id']}/publish"))


def _story(julien: Client, claire: Client, amina: Client, rabat: FedNode, paris: FedNode) -> None:
    published = _publish(julien, claire)
    notice_id = published["id"]
    assert published["reference"].startswith("FR-DGSI/") and published["status"] == "published"
    assert [d["agency"] for d in published["distributions"]] == ["MA-DGST"]

    def rabat_has_it() -> bool:
        return amina.client.get(f"/notices/{notice_id}").status_code == 200

    wait_for(rabat_has_it, timeout=30, what="Rabat to receive the alert")
    copy = amina.call("GET", f"/notices/{notice_id}")
    assert copy["origin"] == "partner" and copy["owner_agency"] == "FR-DGSI"
    assert copy["subject"]["id"] == "FR-DGSI.p1" and copy["reference"] == published["reference"]
    assert _watched(rabat, notice_id)

    political = julien.call(
        "POST",
        "/notices",
        201,
        json=wanted(
            title="Organiser of an unauthorised protest",
            offence="Insult to the head of state during a demonstration",
            subject={"id": "p2", "schema": "Person", "properties": {
                "name": ["Nadia Fictive-Test"], "birthDate": ["1990-07-01"]}},
        ),
    )  # fmt: skip
    held = julien.call("POST", f"/notices/{political['id']}/submit")
    assert held["status"] == "in_review"
    assert any("political character" in r for r in held["review_reasons"])
    julien.call("POST", f"/notices/{political['id']}/publish", 409)

    outside = _publish(
        julien,
        claire,
        crime_area="cybercrime",
        title="Intrusion suspect",
        offence="Intrusion into hospital systems",
        subject={"id": "p3", "schema": "Person", "properties": {
            "name": ["Marc Exemple-Test"], "birthDate": ["1979-02-02"]}},
    )  # fmt: skip
    assert outside["distributions"] == []
    assert "crime area cybercrime is outside its scope" in outside["publication_note"]

    julien.call("POST", f"/notices/{notice_id}/cancel", json={"reason": "Arrested in Lyon"})

    def erased_and_receipted() -> bool:
        gone = amina.client.get(f"/notices/{notice_id}").status_code == 404
        receipts = julien.call("GET", f"/notices/{notice_id}/deletion-receipts")
        return gone and len(receipts) == 1

    wait_for(erased_and_receipted, timeout=30, what="Rabat to erase and send its receipt")
    [receipt] = julien.call("GET", f"/notices/{notice_id}/deletion-receipts")
    assert receipt["agency"] == "MA-DGST" and receipt["watchlist_entry_removed"] is True
    assert receipt["signing_key"] and receipt["payload_digest"]
    assert not _watched(rabat, notice_id)
    assert julien.call("GET", f"/notices/{notice_id}")["distributions"][0]["status"] == "deleted"
    # Neither the held alert nor the one outside the agreement ever reached Rabat.
    assert amina.call("GET", "/notices") == []
    stats = claire.call("GET", "/notices/review-stats")
    assert stats["approved"] == 2 and stats["refused"] == 0
