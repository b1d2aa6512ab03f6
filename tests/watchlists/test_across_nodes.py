"""Border screening across two real nodes: Paris publishes a wanted alert with the name only in
Latin script; Rabat's officer screens a traveller written in Arabic script, opens and confirms
the hit; the urgent follow-up request and the hit notification (no traveller data) reach Paris."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.watchlists.models import HitNotification
from tests.conftest import DatabaseFactory
from tests.exchange.test_delivery import ExchangeServer
from tests.federation.nodes import FedNode, link, make_node, wait_for
from tests.notices.conftest import wanted
from tests.notices.test_across_nodes import Client

SCOPE = ([CrimeArea.MIGRANT_SMUGGLING], [DataCategory.OPERATIONAL, DataCategory.PERSONAL])
LATIN_ONLY = {
    "id": "p7",
    "schema": "Person",
    "properties": {
        "name": ["Rachid El Fassi-Test"],
        "birthDate": ["1983-11-07"],
        "nationality": ["ma"],
        "gender": ["male"],
    },
}


def _notifications(node: FedNode) -> list[HitNotification]:
    with node.session() as session:
        return list(session.execute(select(HitNotification)).scalars())


def test_arabic_spelling_hit_confirmed_in_rabat_reaches_paris(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    servers = [ExchangeServer(rabat), ExchangeServer(paris)]
    try:
        for server in servers:
            server.start()
        author, reviewer = Client(paris, "julien"), Client(paris, "claire")
        draft = author.call("POST", "/notices", 201, json=wanted(subject=LATIN_ONLY))
        author.call("POST", f"/notices/{draft['id']}/submit")
        reviewer.call("POST", f"/notices/{draft['id']}/reviews", 201, json={"decision": "approve"})
        published = author.call("POST", f"/notices/{draft['id']}/publish")
        officer = Client(rabat, "amina")

        traveller = {"name": "رشيد الفاسي", "birth_date": "1983-11-07", "nationality": "MA"}

        def rabat_hits() -> bool:
            return bool(officer.call("POST", "/screening/check", json=traveller)["hit"])

        wait_for(rabat_hits, timeout=60, what="Rabat's watchlist to hit the Arabic spelling")
        result = officer.call("POST", "/screening/check", json=traveller)
        (candidate,) = result["candidates"]
        assert candidate["owner_agency"] == "FR-DGSI"
        assert candidate["reference"] == published["reference"]
        hit = candidate["hit_id"]
        officer.call("POST", f"/screening/hits/{hit}/open", json={"justification": "desk 2"})
        decision = officer.call(
            "POST",
            f"/screening/hits/{hit}/decision",
            201,
            json={"verdict": "confirmed", "reason": "birth date and nationality match"},
        )
        assert decision["followup_message_id"]

        def paris_has_request() -> bool:
            inbound = reviewer.call("GET", "/messages", params={"direction": "inbound"})
            return any(m["kind"] == "request" for m in inbound)

        wait_for(paris_has_request, timeout=60, what="the follow-up request to reach Paris")
        inbound = reviewer.call("GET", "/messages", params={"direction": "inbound"})
        (request,) = [m for m in inbound if m["kind"] == "request"]
        assert request["priority"] == "urgent" and request["owner_agency"] == "MA-DGST"
        assert request["deadline_at"] is not None

        wait_for(lambda: bool(_notifications(paris)), timeout=60, what="the hit notification")
        (notification,) = _notifications(paris)
        assert notification.notice_id == published["id"]
        assert notification.sender_agency == "MA-DGST" and notification.verdict == "confirmed"
    finally:
        for server in servers:
            server.stop()
        rabat.engine.dispose()
        paris.engine.dispose()
