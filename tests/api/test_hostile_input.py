"""Defects 8 and 9 of issue 10, reproduced through the API of a real node: no server path in
any error, one answer for an attachment that is not yours and one that is absent, ``until=0.5``
refused, an empty upload refused, ``Allow`` on 405, HSTS when the node is served over https."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, pin_partner
from tests.nodes import make_node

ROLES = {"liaison": Role.LIAISON, "border": Role.BORDER_OFFICER, "admin2": Role.ADMIN}


@dataclass
class Node:
    client: TestClient
    data_dir: Path
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _prepare(data_dir: Path, db_url: str) -> dict[str, str]:
    engine = make_engine(db_url)
    tokens: dict[str, str] = {}
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            pin_partner(session, LOCAL, PARTNER)
            add_agreement(session, LOCAL, PARTNER)
            for name, role in ROLES.items():
                user = create_user(
                    session,
                    actor_for(admin),
                    username=name,
                    display_name=name.title(),
                    agency_code=None,
                    roles=[role],
                    password="a long enough password 2026",
                )
                tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    finally:
        engine.dispose()
    return tokens


@pytest.fixture()
def node(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    made = make_node(tmp_path / "node", db_url)
    tokens = _prepare(made.data_dir, db_url)
    settings = load_settings(made.data_dir, public_url="https://jisr.dgst.example")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Node(client, made.data_dir, tokens)


def _no_paths(response: Response, *roots: Path) -> dict[str, Any]:
    text = response.text
    for root in roots:
        assert str(root) not in text and str(root.resolve()) not in text, text
    body: dict[str, Any] = response.json()
    return body


def test_no_server_path_in_a_422(node: Node, tmp_path: Path) -> None:
    pdf = b"%PDF-1.7\n" + b"x" * 100
    refused = node.client.post(
        "/api/v1/screening/manifests",
        content=pdf,
        headers={**node.auth("border"), "content-type": "text/csv"},
    )
    assert refused.status_code == 422, refused.text
    body = _no_paths(refused, node.data_dir, tmp_path)
    assert body["status"] == 422 and "PDF" in body["detail"]


def test_an_attachment_answers_alike_whether_absent_or_not_yours(node: Node) -> None:
    uploaded = node.client.post(
        "/api/v1/attachments", content=b"passenger list", headers=node.auth("liaison")
    )
    assert uploaded.status_code == 201, uploaded.text
    held = uploaded.json()["sha256"]
    absent = "ab" * 32
    answers = [
        node.client.get(f"/api/v1/attachments/{digest}", headers=node.auth("border"))
        for digest in (held, absent)
    ]
    statuses = {a.status_code for a in answers}
    assert statuses == {404}, [a.text for a in answers]
    first, second = (a.json() for a in answers)
    assert first["code"] == second["code"] == "attachment_not_found"
    assert first["detail"].replace(held, "X") == second["detail"].replace(absent, "X")
    # The owner still downloads it.
    mine = node.client.get(f"/api/v1/attachments/{held}", headers=node.auth("liaison"))
    assert mine.status_code == 200 and mine.content == b"passenger list"


def test_an_empty_upload_is_refused_and_stores_nothing(node: Node) -> None:
    before = sorted(p.name for p in (node.data_dir / "attachments").rglob("*") if p.is_file())
    empty = node.client.post("/api/v1/attachments", content=b"", headers=node.auth("liaison"))
    assert empty.status_code == 422, empty.text
    assert empty.json()["code"] == "attachment_empty"
    after = sorted(p.name for p in (node.data_dir / "attachments").rglob("*") if p.is_file())
    assert after == before


@pytest.mark.parametrize("value", ["0.5", "1700000000", "2031-01-01T00:00:00"])
def test_a_time_must_be_an_iso_time_with_a_zone(node: Node, value: str) -> None:
    refused = node.client.get(
        "/api/v1/audit/entries", params={"until": value}, headers=node.auth("admin2")
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "validation_failed"
    fine = node.client.get(
        "/api/v1/audit/entries",
        params={"until": "2031-01-01T00:00:00Z"},
        headers=node.auth("admin2"),
    )
    assert fine.status_code == 200, fine.text


def test_a_405_says_what_is_allowed(node: Node) -> None:
    answer = node.client.put("/api/v1/messages", headers=node.auth("liaison"))
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert {m.strip() for m in answer.headers["allow"].split(",")} >= {"GET", "POST"}


def test_hsts_when_the_node_is_public_over_https(node: Node, tmp_path: Path) -> None:
    answer = node.client.get("/healthz")
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
    plain = load_settings(node.data_dir, public_url="http://jisr.dgst.example")
    with TestClient(create_app(plain)) as client:
        assert "strict-transport-security" not in client.get("/healthz").headers


# --- Defect 7: hostile JSON -------------------------------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000
PERSON = (
    '{"id": "ftm-1", "schema": "Person", "properties": {"name": ["Karim Benslimane"], '
    '"birthDate": ["1975-06-01"]}}'
)


@pytest.mark.parametrize("path", ["/api/v1/messages", "/api/v1/screening/check", "/api/v1/tokens"])
@pytest.mark.parametrize("content_type", ["application/json", None])
def test_a_deep_json_body_is_refused_with_a_stable_code(
    node: Node, path: str, content_type: str | None
) -> None:
    headers = node.auth("liaison")
    if content_type:
        headers["content-type"] = content_type
    refused = node.client.post(path, content=DEEP.encode(), headers=headers)
    assert refused.status_code == 422, refused.text[:500]
    assert refused.json()["code"] == "json_too_deep"
    # A body of ordinary depth still reaches the route.
    shallow = node.client.post(path, json={"a": [[[[1]]]]}, headers=node.auth("liaison"))
    assert shallow.status_code == 422 and shallow.json()["code"] == "validation_failed"


def test_a_deep_envelope_is_not_a_server_error(node: Node) -> None:
    for path in ("/federation/v1/inbox",):
        answer = node.client.post(
            path, content=DEEP.encode(), headers={"content-type": "application/json"}
        )
        assert answer.status_code < 500, answer.text[:500]
        assert "Traceback" not in answer.text


def test_a_deep_ftm_line_is_a_rejected_row_in_import_and_screen(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from jisr.cli.app import main

    made = make_node(tmp_path / "node", db_url)
    hostile = tmp_path / "list.jsonl"
    hostile.write_text(PERSON + "\n" + '{"schema": "Person", "x": ' + DEEP + "}\n")
    data = ["--data-dir", str(made.data_dir)]
    assert main(["watchlist", "import", *data, "--name", "ftm", str(hostile)]) == 0
    captured = capsys.readouterr()
    assert "json_too_deep" in captured.err and "Traceback" not in captured.err
    assert "1 entries, 1 rejected" in captured.out
    only_deep = tmp_path / "deep.jsonl"
    only_deep.write_text('{"schema": "Person", "x": ' + DEEP + "}\n")
    assert main(["watchlist", "import", *data, "--name", "ftm", str(only_deep)]) == 2
    assert "[watchlist_import_empty]" in capsys.readouterr().err
    travellers = tmp_path / "travellers.csv"
    travellers.write_text("id,name,birth_date\nq1,Karim Benslimane,1975-06-01\n")
    assert main(["screen", "--watchlist", str(hostile), str(travellers)]) == 0
    captured = capsys.readouterr()
    assert '"entity_id"' in captured.out and "Traceback" not in captured.err
    assert main(["screen", "--watchlist", str(travellers), str(hostile)]) == 0
    assert "Traceback" not in capsys.readouterr().err
