"""``/metrics``: protected, per route template, outbox state read from the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from jisr.clock import utcnow
from jisr.federation.models import OutboxMessage
from jisr.node import create_app
from jisr.observability.settings import ObservabilitySettings
from tests.federation.nodes import FedNode

TOKEN = "scrape-token-for-tests-0123456789"


def _client(node: FedNode, settings: ObservabilitySettings) -> TestClient:
    app = create_app(node.settings.with_sections(settings), engine=node.engine)
    return TestClient(app)


@pytest.fixture()
def scraped(pair: tuple[FedNode, FedNode]) -> Iterator[tuple[FedNode, TestClient]]:
    a, _b = pair
    with _client(a, ObservabilitySettings(metrics_token=SecretStr(TOKEN))) as client:
        yield a, client


def _scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


def test_metrics_refuse_remote_clients_without_token(pair: tuple[FedNode, FedNode]) -> None:
    a, _b = pair
    # The test client's peer is "testclient", not a loopback address.
    with _client(a, ObservabilitySettings()) as client:
        response = client.get("/metrics")
    assert response.status_code == 403
    assert response.json()["code"] == "metrics_loopback_only"


def test_metrics_token_is_checked(scraped: tuple[FedNode, TestClient]) -> None:
    _node, client = scraped
    assert client.get("/metrics").json()["code"] == "metrics_token_required"
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    _scrape(client)


def test_requests_are_counted_by_route_template(scraped: tuple[FedNode, TestClient]) -> None:
    _node, client = scraped
    before = _value(
        _scrape(client),
        "jisr_http_requests_total",
        route="/api/v1/messages/{message_id}",
        method="GET",
        status="4xx",
    )
    for n in range(3):
        assert client.get(f"/api/v1/messages/MA-DGST:message:{n}").status_code == 401
    text = _scrape(client)
    after = _value(
        text,
        "jisr_http_requests_total",
        route="/api/v1/messages/{message_id}",
        method="GET",
        status="4xx",
    )
    assert after == (before or 0) + 3
    assert "MA-DGST:message:1" not in text
    count = _value(
        text,
        "jisr_http_request_duration_seconds_count",
        route="/api/v1/messages/{message_id}",
        method="GET",
    )
    assert count is not None and count >= 3


def test_outbox_depth_age_and_dead_come_from_the_database(pair: tuple[FedNode, FedNode]) -> None:
    a, b = pair
    ids = a.send_notes(b.code, 4)
    with a.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[0])
            .values(status="dead", created_at=utcnow() - timedelta(hours=2))
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == ids[1])
            .values(created_at=utcnow() - timedelta(minutes=10))
        )
    settings = ObservabilitySettings(metrics_token=SecretStr(TOKEN), metrics_cache_seconds=0)
    with _client(a, settings) as client:
        text = _scrape(client)
        partner = b.code
        assert _value(text, "jisr_database_up") == 1
        pending = _value(
            text, "jisr_federation_outbox_envelopes", partner=partner, status="pending"
        )
        assert pending == 3
        assert _value(text, "jisr_federation_outbox_envelopes", partner=partner, status="dead") == 1
        assert _value(text, "jisr_federation_dead_envelopes") == 1
        age = _value(text, "jisr_federation_outbox_oldest_age_seconds", partner=partner)
        # The dead envelope is not waiting: the oldest waiting one is ten minutes old.
        assert age is not None and 600 <= age < 3600
        audit = _value(text, "jisr_audit_entries_total")
        assert audit is not None and audit >= 4
        assert _value(text, "jisr_manifest_jobs", status="queued") == 0
        a.send_notes(b.code, 2, start=10)
        assert (
            _value(
                _scrape(client),
                "jisr_federation_outbox_envelopes",
                partner=partner,
                status="pending",
            )
            == 5
        )


def test_loopback_scrapers_need_no_token(pair: tuple[FedNode, FedNode]) -> None:
    a, _b = pair
    app = create_app(a.settings, engine=a.engine)
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    assert _value(response.text, "jisr_database_up") == 1
    with TestClient(app, client=("::1", 40000)) as client:
        assert client.get("/metrics").status_code == 200
