"""TLP at every hop, across three real nodes: Paris shares one object at each level under a
multilateral agreement, naming Rabat as recipient; what reaches Rabat and Madrid, what Rabat
serves on, what Rabat may pass on; a forged envelope refused by Madrid; revocation and expiry
reaching every holder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jisr.clock import utcnow
from jisr.cyber.collections import collection_id
from jisr.cyber.demo import DOMAIN, campaign_bundle, share_phishing_campaign
from jisr.cyber.sharing import OBJECTS_ENVELOPE, expire_indicators
from jisr.cyber.tlp import MARKING_IDS, Tlp, marking_definition
from jisr.federation.models import OutboxMessage
from jisr.federation.service import enqueue
from tests.conftest import DatabaseFactory
from tests.cyber.data import bundle, indicator
from tests.cyber.nodes import CYBER_REFERENCE, Analyst, eventually, three_nodes
from tests.federation.nodes import FedNode

PARIS, RABAT, MADRID = "FR-DGSI", "MA-DGST", "ES-CGI"


@pytest.fixture(scope="module")
def world(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[FedNode], dict[str, Analyst]]]:
    base = tmp_path_factory.mktemp("tlp")
    with three_nodes(base, [databases.new_url() for _ in range(3)]) as nodes:
        analysts = {n.code: Analyst(n) for n in nodes}
        yield nodes, analysts


def _share(analysts: dict[str, Analyst], level: Tlp, n: int) -> tuple[str, str]:
    """Paris shares an object at ``level`` naming Rabat, and a CLEAR sentinel beside it."""
    obj = indicator(n, object_marking_refs=[MARKING_IDS[level]])
    sentinel = indicator(n + 1, object_marking_refs=[MARKING_IDS[Tlp.CLEAR]])
    paris = analysts[PARIS]
    summary = paris.call(
        "POST",
        "/imports",
        201,
        params={"collection": CYBER_REFERENCE, "to": [RABAT]},
        content=json.dumps(bundle([marking_definition(level), obj, sentinel])),
    )
    assert summary["by_type"]["indicator"] == 2 and summary["rejected"] == 0
    # Madrid has the sentinel: whatever Paris sent it in that import has arrived.
    eventually(lambda: analysts[MADRID].has(sentinel["id"]), "Madrid to get the sentinel")
    eventually(lambda: analysts[RABAT].has(sentinel["id"]), "Rabat to get the sentinel")
    return obj["id"], sentinel["id"]


def _rabat_collection() -> str:
    return collection_id(RABAT, CYBER_REFERENCE)


def test_clear_reaches_everyone(world: tuple[list[FedNode], dict[str, Analyst]]) -> None:
    _nodes, analysts = world
    stix_id, _ = _share(analysts, Tlp.CLEAR, 100)
    assert analysts[RABAT].has(stix_id) and analysts[MADRID].has(stix_id)
    assert stix_id in analysts[RABAT].taxii_ids(_rabat_collection())


def test_green_reaches_the_community(world: tuple[list[FedNode], dict[str, Analyst]]) -> None:
    _nodes, analysts = world
    stix_id, _ = _share(analysts, Tlp.GREEN, 200)
    assert analysts[RABAT].has(stix_id) and analysts[MADRID].has(stix_id)
    seen = analysts[RABAT].call("GET", f"/objects/{stix_id}")
    assert seen["summary"]["tlp"] == "green" and seen["summary"]["owner_agency"] == PARIS
    assert seen["agreement_id"] and seen["legal_basis"].startswith("Test memorandum")


def test_amber_reaches_named_recipients_who_may_serve_it_on(
    world: tuple[list[FedNode], dict[str, Analyst]],
) -> None:
    _nodes, analysts = world
    stix_id, _ = _share(analysts, Tlp.AMBER, 300)
    assert analysts[RABAT].has(stix_id)
    assert not analysts[MADRID].has(stix_id)
    assert stix_id in analysts[RABAT].taxii_ids(_rabat_collection())


def test_amber_strict_stays_in_the_recipient_agency(
    world: tuple[list[FedNode], dict[str, Analyst]],
) -> None:
    _nodes, analysts = world
    stix_id, sentinel = _share(analysts, Tlp.AMBER_STRICT, 400)
    assert analysts[RABAT].has(stix_id)
    assert not analysts[MADRID].has(stix_id)
    served = analysts[RABAT].taxii_ids(_rabat_collection())
    assert stix_id not in served and sentinel in served
    export = analysts[RABAT].call("GET", "/export", params={"collection": CYBER_REFERENCE})
    assert stix_id not in {o["id"] for o in export["objects"]}


def test_red_never_leaves_its_named_recipients(
    world: tuple[list[FedNode], dict[str, Analyst]],
) -> None:
    nodes, analysts = world
    stix_id, _ = _share(analysts, Tlp.RED, 500)
    assert analysts[RABAT].has(stix_id)
    assert not analysts[MADRID].has(stix_id)
    assert stix_id not in analysts[RABAT].taxii_ids(_rabat_collection())
    # Rabat cannot pass it on by importing it as its own.
    copy = analysts[RABAT].call("GET", f"/objects/{stix_id}")["body"]
    summary = analysts[RABAT].call(
        "POST",
        "/imports",
        201,
        params={"collection": CYBER_REFERENCE, "tlp": "clear"},
        content=json.dumps(bundle([copy])),
    )
    assert summary["stored"] == 0 and summary["errors"][0]["code"] == "object_not_owned"
    # A sender that ignores TLP is refused by the recipient (the second hop).
    paris = nodes[0]
    forged = indicator(550, object_marking_refs=[MARKING_IDS[Tlp.RED]])
    with paris.session() as session:
        envelope = enqueue(
            session,
            paris.system,
            recipient=MADRID,
            agreement_id=CYBER_REFERENCE,
            envelope_type=OBJECTS_ENVELOPE,
            payload={
                "collection": CYBER_REFERENCE,
                "objects": [{"body": forged, "tlp": "red", "recipients": [RABAT]}],
            },
            data_category="cyber_indicator",
            crime_area="cybercrime",
            handling_code="H0",
        )
        envelope_id = envelope.id

    def refused() -> bool:
        with paris.session() as session:
            row = session.get(OutboxMessage, envelope_id)
            return row is not None and row.status not in {"pending", "sending"}

    eventually(refused, "Madrid to answer the forged envelope")
    with paris.session() as session:
        row = session.execute(
            select(OutboxMessage).where(OutboxMessage.id == envelope_id)
        ).scalar_one()
        assert "tlp_violation" in (row.last_error or ""), row.last_error
    assert not analysts[MADRID].has(forged["id"])


def test_revocation_and_expiry_reach_every_holder(
    world: tuple[list[FedNode], dict[str, Analyst]],
) -> None:
    nodes, analysts = world
    stix_id, _ = _share(analysts, Tlp.GREEN, 600)
    revoked = analysts[PARIS].call("POST", f"/objects/{stix_id}/revoke")
    assert revoked["stored"] == 1 and set(revoked["shared"]) == {RABAT, MADRID}
    for code in (RABAT, MADRID):
        eventually(
            lambda code=code: analysts[code].call("GET", f"/objects/{stix_id}")["summary"][
                "revoked"
            ],
            f"{code} to get the revocation",
        )
    # Expiry: an indicator valid for a moment, shared, then expired at the owner.
    until = utcnow() + timedelta(seconds=1)
    stamp = until.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    brief = indicator(700, valid_until=stamp, object_marking_refs=[MARKING_IDS[Tlp.GREEN]])
    brief["valid_from"] = (until - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    analysts[PARIS].call(
        "POST", "/imports", 201, params={"collection": CYBER_REFERENCE},
        content=json.dumps(bundle([brief])),
    )  # fmt: skip
    for code in (RABAT, MADRID):
        eventually(lambda code=code: analysts[code].has(brief["id"]), f"{code} to get it")
    with nodes[0].session() as session:
        assert expire_indicators(session, PARIS, now=until + timedelta(seconds=1)) >= 1
    for code in (RABAT, MADRID):
        eventually(lambda code=code: not analysts[code].has(brief["id"]), f"{code} to drop it")


def test_demo_story_sighting_and_correlation(
    world: tuple[list[FedNode], dict[str, Analyst]], tmp_path: Path
) -> None:
    """The demo's story on three real nodes: Paris publishes, Rabat sights, Madrid links."""
    nodes, analysts = world
    for slug, node in zip(("paris", "rabat", "madrid"), nodes, strict=True):
        (tmp_path / slug).symlink_to(node.data_dir)
    assert share_phishing_campaign(tmp_path)
    domain_indicator = campaign_bundle()[2]["id"]

    def counted() -> bool:
        page = analysts[PARIS].call("GET", f"/objects/{domain_indicator}")
        return bool(page["reported_sightings"].get(RABAT) == 3)

    eventually(counted, "Paris to count Rabat's sighting")
    page = analysts[PARIS].call("GET", f"/objects/{domain_indicator}")
    assert [s["sighting_of_ref"] for s in page["sightings"]] == [domain_indicator]
    assert {r["relationship_type"] for r in page["relationships"]} == {"indicates"}
    link = analysts[MADRID].call("GET", "/correlations", params={"value": DOMAIN})
    assert link["cross_agency"] and link["agencies"] == sorted([PARIS, MADRID])
