"""The notices API and CLI on a real node (problem+json errors, declared responses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.notices.cli import notice_app
from jisr.settings import load_settings
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, pin_partner
from tests.nodes import make_node
from tests.notices.conftest import wanted


def _prepare(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    tokens = {}
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            pin_partner(session, LOCAL, PARTNER)
            add_agreement(session, LOCAL, PARTNER)
            for name, role in (("amina", Role.LIAISON), ("karim", Role.LIAISON),
                               ("audrey", Role.AUDITOR)):  # fmt: skip
                user = create_user(
                    session, actor_for(admin), username=name, display_name=name,
                    agency_code=None, roles=[role], password="a long enough password 2026",
                )  # fmt: skip
                tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    finally:
        engine.dispose()
    return tokens


def test_api_and_cli(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    tokens = _prepare(db_url)
    settings = load_settings(node.data_dir)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:

        def call(method: str, path: str, who: str = "amina", **kwargs: object) -> object:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return client.request(method, f"/api/v1{path}", headers=headers, **kwargs)  # type: ignore[arg-type]

        created = call("POST", "/notices", json=wanted())
        assert created.status_code == 201, created.text  # type: ignore[attr-defined]
        notice = created.json()  # type: ignore[attr-defined]
        bad = call("POST", "/notices", json={**wanted(), "colour": "red"})
        assert bad.status_code == 422  # type: ignore[attr-defined]
        undated = wanted()
        undated["subject"]["properties"]["birthDate"] = ["not a date"]
        placed = call("POST", "/notices", json=undated)
        assert placed.status_code == 422  # type: ignore[attr-defined]
        assert placed.json()["field"] == "subject.birthDate"  # type: ignore[attr-defined]
        denied = call("POST", "/notices", who="audrey", json=wanted())
        assert denied.status_code == 403  # type: ignore[attr-defined]
        assert denied.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
        assert call("POST", f"/notices/{notice['id']}/submit").json()["status"] == "in_review"  # type: ignore[attr-defined]
        queue = call("GET", "/notices/review-queue", who="karim").json()  # type: ignore[attr-defined]
        assert [n["id"] for n in queue] == [notice["id"]]
        refused = call(
            "POST", f"/notices/{notice['id']}/reviews", who="karim",
            json={"decision": "refuse", "grounds": ["not_serious_enough"]},
        )  # fmt: skip
        assert refused.status_code == 201, refused.text  # type: ignore[attr-defined]
        stats = call("GET", "/notices/review-stats").json()  # type: ignore[attr-defined]
        assert stats["refusals_by_ground"] == {"not_serious_enough": 1}
        missing = call("GET", f"/notices/{LOCAL}:notice:01ABC")
        assert missing.status_code == 404  # type: ignore[attr-defined]

    runner = CliRunner()
    common = ["--data-dir", str(node.data_dir)]
    draft = tmp_path / "alert.json"
    draft.write_text(json.dumps(wanted(alert_type="locate", warrant_reference=None)))
    made = runner.invoke(notice_app, ["create", str(draft), *common, "--as", "amina",
                                      "--format", "json"])  # fmt: skip
    assert made.exit_code == 0, made.output
    notice_id = json.loads(made.output)["id"]
    steps = [
        ["submit", notice_id, *common, "--as", "amina"],
        ["review", notice_id, *common, "--as", "karim", "--decision", "approve"],
        ["publish", notice_id, *common, "--as", "amina", "--format", "json"],
    ]
    for step in steps:
        result = runner.invoke(notice_app, step)
        assert result.exit_code == 0, result.output
    assert json.loads(result.output)["distributions"][0]["agency"] == PARTNER
    listed = runner.invoke(notice_app, ["list", *common, "--as", "amina", "--format", "json"])
    assert {row["status"] for row in json.loads(listed.output)} == {"published", "refused"}
    gone = runner.invoke(
        notice_app, ["withdraw", notice_id, *common, "--as", "amina", "--reason", "found"]
    )
    assert gone.exit_code == 0, gone.output
