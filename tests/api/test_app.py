"""The app factory's contract: health, problem+json errors, limits, request ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jisr.db import make_engine
from jisr.node import create_app
from jisr.settings import load_settings
from tests.nodes import make_node

PROBLEM = "application/problem+json"


@pytest.fixture()
def client(tmp_path: Path, db_url: str) -> Iterator[TestClient]:
    node = make_node(tmp_path / "node", db_url)
    settings = load_settings(node.data_dir, max_body_bytes=4096)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _assert_problem(response: object, status: int, code: str) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"] and body["type"].endswith(code)
    return dict(body)


def test_health_and_request_id(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.json() == {"status": "ok", "agency": "MA-DGST"}
    assert response.headers["x-request-id"] == "abc-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    _assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_unauthenticated_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/v1/agreements")
    _assert_problem(response, 401, "authentication_required")
    assert response.headers["www-authenticate"] == "Bearer"


def test_malformed_json_is_a_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    _assert_problem(response, 422, "validation_failed")


def test_unknown_fields_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "admin", "password": "x" * 12, "totp_code": "123456", "role": "admin"},
    )
    body = _assert_problem(response, 422, "validation_failed")
    assert "role" in str(body["detail"])


def test_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", content=b"{" + b" " * 5000 + b"}")
    _assert_problem(response, 413, "payload_too_large")


def test_readyz_is_503_when_the_database_is_unreachable(client: TestClient) -> None:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    ctx.engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    _assert_problem(client.get("/readyz"), 503, "database_unavailable")
    assert client.get("/healthz").status_code == 200


def test_outdated_schema_refuses_to_start(tmp_path: Path) -> None:
    from jisr.errors import UnavailableError

    settings = load_settings(tmp_path, env="test", secret_key="s" * 40)
    with pytest.raises(UnavailableError, match="not current"):
        create_app(settings)


def test_a_started_node_exempts_its_long_lived_objects_from_the_gc(
    tmp_path: Path, db_url: str
) -> None:
    import gc

    node = make_node(tmp_path / "node", db_url)
    gc.unfreeze()
    try:
        with TestClient(create_app(load_settings(node.data_dir, gc_freeze=False))):
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(load_settings(node.data_dir, gc_freeze=True))):
            assert gc.get_freeze_count() > 10_000  # modules, mappers, routes, templates
    finally:
        gc.unfreeze()
