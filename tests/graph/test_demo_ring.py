"""The demo's smuggling ring across three real nodes: Rabat's analyst finds Paris's and Madrid's
pieces as one component, and nothing Rabat was never sent."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from jisr.cli.demo_data import DEMO_NODES, seed_demo
from jisr.cli.demo_graph import IBAN, ORGANISER, find_ring_in_rabat, send_ring_pieces
from jisr.cli.demo_story import send_opening_messages
from tests.nodes import served


def test_rabat_finds_the_ring_from_what_it_may_see(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    seed_demo(data_dir)
    send_opening_messages(data_dir)
    with ExitStack() as stack:
        for node in DEMO_NODES:
            stack.enter_context(served(data_dir / node.slug, node.port))
        send_ring_pieces(data_dir)
        found = find_ring_in_rabat(data_dir)
    assert ORGANISER in found
    assert {"FR-DGSI.ring-s1", "FR-DGSI.ring-acc", "ES-CGI.ring-acc2", "ES-CGI.ring-b1"} <= found
    assert {"ES-CGI.ring-boat", "value:phone:+33600000417", f"value:iban:{IBAN}"} <= found
    # Madrid's H2 message about the skipper went to Paris only.
    assert not any("skipper" in entity or "crew" in entity for entity in found)
