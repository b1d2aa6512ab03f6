"""A message sent through a node's API leaves at once: the commit wakes the delivery worker,
which otherwise only looks for work every ``JISR_FEDERATION_POLL_SECONDS``."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DatabaseFactory
from tests.exchange.test_delivery import SCOPE, ExchangeServer, Officer
from tests.federation.nodes import REFERENCE, link, make_node, wait_for

# Far longer than the test waits: only the wake-up can deliver in time.
SLOW_POLL = {"JISR_FEDERATION_POLL_SECONDS": "600"}


def test_a_committed_message_wakes_the_worker(tmp_path: Path, databases: DatabaseFactory) -> None:
    rabat = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    paris = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(rabat, paris, scopes={"MA-DGST": SCOPE, "FR-DGSI": SCOPE})
    servers = [ExchangeServer(rabat, SLOW_POLL), ExchangeServer(paris, SLOW_POLL)]
    try:
        for server in servers:
            server.start()
        amina, julien = Officer(rabat, "amina"), Officer(paris, "julien")
        for n in range(3):
            amina.post(
                "/messages",
                json={
                    "to": "FR-DGSI",
                    "agreement": REFERENCE,
                    "subject": f"Boat registration to check, {n}",
                    "body": "Seen off Nador at dawn.",
                    "crime_area": "migrant_smuggling",
                    "data_category": "operational",
                    "purpose": "Identify the boat's owner",
                },
            )
            wait_for(
                lambda n=n: len(julien.get("/messages")) == n + 1,
                timeout=30,
                what=f"message {n} to reach Paris without a poll",
            )
    finally:
        for server in servers:
            server.stop()
        rabat.engine.dispose()
        paris.engine.dispose()
