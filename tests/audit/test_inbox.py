"""Anyone can post to the federation inbox: what is not signed by a pinned partner is refused,
counted and logged, but never written to the audit trail; a flood from one source gets 429."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.envelope import SealRequest, seal
from jisr.federation.keys import fingerprint, load_node_keys, raw_public_key
from jisr.federation.node import FederationSettings
from jisr.federation.ratelimit import RateLimiter, RateLimitSettings
from jisr.federation.worker import receive_batch
from jisr.ids import new_id
from jisr.node import create_app
from jisr.settings import JisrSettings
from tests.federation.nodes import REFERENCE, FedNode
from tests.federation.notes import NOTE
from tests.nodes import make_node

PROBLEM = "application/problem+json"


@pytest.fixture()
def node(tmp_path: Path, db_url: str) -> Iterator[tuple[TestClient, JisrSettings]]:
    made = make_node(tmp_path / "node", db_url)
    app = create_app(made.settings.with_sections(FederationSettings(worker_enabled=False)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, made.settings


def _entries(settings: JisrSettings) -> int:
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())
    finally:
        engine.dispose()


def _refusals() -> float:
    total = 0.0
    for metric in REGISTRY.collect():
        if metric.name == "jisr_federation_refusals":
            for sample in metric.samples:
                if sample.name.endswith("_total") and sample.labels["authenticated"] == "false":
                    total += sample.value
    return total


def _garbage(n: int) -> bytes:
    kinds = [
        b"not json at all",
        b"{}",
        json.dumps({"header": {"id": f"FR-DGSI:envelope:{n}", "sender": "FR-DGSI"}}).encode(),
        json.dumps(
            {
                "header": {
                    "v": 1,
                    "id": f"XX-EVIL:envelope:{n}",
                    "sender": "XX-EVIL",
                    "recipient": "MA-DGST",
                },
                "ciphertext": "AAAA",
                "signature": "AAAA",
            }
        ).encode(),
        bytes(range(256)) * 3,
    ]
    return kinds[n % len(kinds)]


def test_300_garbage_posts_add_no_audit_entry(
    node: tuple[TestClient, JisrSettings],
) -> None:
    client, settings = node
    before, counted = _entries(settings), _refusals()
    for n in range(300):
        response = client.post("/federation/v1/inbox", content=_garbage(n))
        assert response.status_code == 403, response.text
        assert json.loads(response.content)["ack"]["status"] == "rejected"
    response = client.post("/federation/v1/inbox/batch", content=b'[1, "two", {"x": 3}]')
    assert response.status_code == 200
    assert [answer["ack"]["status"] for answer in response.json()] == ["rejected"] * 3
    assert _entries(settings) == before
    assert _refusals() - counted == 303


def test_a_flood_from_one_source_is_rate_limited(node: tuple[TestClient, JisrSettings]) -> None:
    client, _settings = node
    federation = client.app.state.ctx.federation  # type: ignore[attr-defined]
    federation.limiter = RateLimiter(RateLimitSettings(per_second=0.5, burst=5))
    answers = [client.post("/federation/v1/inbox", content=b"{}") for _ in range(5)]
    assert {a.status_code for a in answers} == {403}
    limited = client.post("/federation/v1/inbox", content=b"{}")
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith(PROBLEM)
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 2
    assert client.get("/federation/v1/node").status_code == 429
    assert client.post("/federation/v1/inbox/batch", content=b"[]").status_code == 429
    # Other endpoints are not the federation's to limit.
    assert client.get("/healthz").status_code == 200


def test_the_bucket_refills() -> None:
    limiter = RateLimiter(RateLimitSettings(per_second=2, burst=2))
    assert limiter.take("10.0.0.1", now=0.0) == 0
    assert limiter.take("10.0.0.1", now=0.0) == 0
    assert limiter.take("10.0.0.1", now=0.0) == pytest.approx(0.5)
    assert limiter.take("10.0.0.2", now=0.0) == 0  # per source
    assert limiter.take("10.0.0.1", now=0.5) == 0


def test_a_refusal_after_the_signature_verified_is_the_partners_act(
    pair: tuple[FedNode, FedNode],
) -> None:
    """Signed by the pinned partner but dated an hour ahead: refused, and audited as its act."""
    rabat, paris = pair
    keys = load_node_keys(rabat.data_dir, None)
    partner = load_node_keys(paris.data_dir, None)
    envelope_id = new_id(rabat.code, "envelope")
    raw = seal(
        SealRequest(envelope_id, rabat.code, paris.code, REFERENCE, NOTE),
        {"n": 1},
        signing_key=keys.signing,
        signing_fingerprint=fingerprint(keys.signing_public),
        recipient_key=raw_public_key(partner.encryption_public),
        now=utcnow() + timedelta(hours=1),
    )
    garbage = json.dumps({"header": {"id": new_id(rabat.code, "envelope")}}).encode()
    answers = receive_batch(paris.federation(), [raw, garbage])
    assert [json.loads(a)["ack"]["code"] for a in answers] == ["clock_skew", "envelope_malformed"]
    with paris.session() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.object_id, AuditEntry.details).where(
                AuditEntry.object_type == "envelope"
            )
        ).all()
    assert [(actor, object_id, details["event"]) for actor, object_id, details in rows] == [
        (rabat.code, envelope_id, "refused")
    ]


def test_a_batch_nested_deep_is_refused_not_a_crash(
    node: tuple[TestClient, JisrSettings],
) -> None:
    client, settings = node
    before = _entries(settings)
    response = client.post("/federation/v1/inbox/batch", content=b"[" * 200_000 + b"]" * 200_000)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "batch_invalid"
    assert _entries(settings) == before
