"""The exchange API on a real node: messages, cases, receipts, overdue, attachments."""

from __future__ import annotations

import hashlib
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
from jisr.settings import JisrSettings, load_settings
from tests.exchange.conftest import (
    LOCAL,
    PARTNER,
    add_agreement,
    message_fields,
    pin_partner,
)
from tests.nodes import make_node

PROBLEM = "application/problem+json"
MAX_ATTACHMENT = 64 * 1024


@dataclass
class Api:
    client: TestClient
    settings: JisrSettings
    tokens: dict[str, str]

    def headers(self, who: str = "liaison") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, path: str, who: str = "liaison", **kwargs: Any) -> Response:
        return self.client.get(f"/api/v1{path}", headers=self.headers(who), **kwargs)

    def post(self, path: str, who: str = "liaison", **kwargs: Any) -> Response:
        headers = {**kwargs.pop("headers", {}), **self.headers(who)}
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)


def prepare_node(data_dir: Path, database_url: str) -> dict[str, str]:
    """Partner, agreement, a liaison officer and an auditor, each with an API token."""
    engine = make_engine(database_url)
    tokens = {}
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            pin_partner(session, LOCAL, PARTNER)
            add_agreement(session, LOCAL, PARTNER)
            for name, role in (("liaison", Role.LIAISON), ("auditor", Role.AUDITOR)):
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
def api(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    tokens = prepare_node(node.data_dir, db_url)
    settings = load_settings(node.data_dir, attachment_max_bytes=MAX_ATTACHMENT)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, settings, tokens)


def _problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def test_send_read_reply_thread_and_receipts(api: Api) -> None:
    sent = api.post("/messages", json=message_fields(kind="request", priority="urgent"))
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["id"].startswith(f"{LOCAL}:msg:") and message["deadline_at"]
    assert message["direction"] == "outbound" and message["overdue"] is False

    listed = api.get("/messages").json()
    assert [m["id"] for m in listed] == [message["id"]]
    assert api.get(f"/messages/{message['id']}").json()["body"] == message["body"]
    follow = api.post(f"/messages/{message['id']}/reply", json={"body": "Any news?"})
    assert follow.status_code == 201, follow.text

    thread = api.get(f"/cases/{message['case_ref']}").json()
    assert thread["case"]["owner_agency"] == LOCAL and thread["case"]["open_requests"] == 1
    assert [m["id"] for m in thread["messages"]] == [message["id"], follow.json()["id"]]
    [case] = api.get("/cases").json()
    assert case["messages"] == 2
    assert api.get(f"/messages/{message['id']}/receipts").json() == []
    assert api.get("/requests/overdue").json() == []


def test_inputs_are_checked(api: Api) -> None:
    _problem(api.post("/messages", json=message_fields(colour="red")), 422, "validation_failed")
    _problem(
        api.post("/messages", json=message_fields(handling_code="H3")), 422, "validation_failed"
    )
    grading = {"scheme": "admiralty", "source_reliability": "Z", "information_credibility": "1"}
    _problem(api.post("/messages", json=message_fields(grading=grading)), 422, "validation_failed")
    body = _problem(
        api.post("/messages", json=message_fields(crime_area="cybercrime")), 403, "share_refused"
    )
    assert "outside its scope" in body["detail"]
    _problem(api.post("/messages", "auditor", json=message_fields()), 403, "permission_denied")
    _problem(api.get("/messages/MA-DGST:msg:NOPE"), 404, "message_not_found")
    _problem(api.get("/messages/nul%00here"), 422, "validation_failed")
    _problem(api.post("/messages", json=message_fields(subject="a\x00b")), 422, "validation_failed")
    _problem(api.post("/messages", json=message_fields(to=LOCAL)), 422, "recipient_invalid")
    _problem(api.get("/cases/MA-DGST:case:NOPE"), 404, "case_not_found")
    _problem(api.get("/attachments/" + "0" * 64), 404, "attachment_not_found")
    _problem(api.get("/attachments/not-a-digest"), 422, "validation_failed")


def _files(settings: JisrSettings) -> list[Path]:
    root = settings.data_dir / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_attachments_are_content_addressed_and_served_as_downloads(api: Api) -> None:
    content = b"%PDF-1.4\n fictional report\n"
    first = api.post(
        "/attachments",
        content=content,
        headers={**api.headers(), "content-type": "application/octet-stream"},
    )
    assert first.status_code == 201, first.text
    sha = first.json()["sha256"]
    assert sha == hashlib.sha256(content).hexdigest()
    assert first.json()["mime_type"] == "application/pdf"
    again = api.post("/attachments", content=content)
    assert again.json()["sha256"] == sha
    assert _files(api.settings) == [
        api.settings.data_dir / "attachments" / sha[:2] / sha[2:4] / sha
    ]

    fields = message_fields(attachments=[{"sha256": sha, "filename": "report.pdf"}])
    message = api.post("/messages", json=fields).json()
    assert message["attachments"] == [
        {
            "sha256": sha,
            "filename": "report.pdf",
            "size": len(content),
            "mime_type": "application/pdf",
        }
    ]
    download = api.get(f"/attachments/{sha}")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "report.pdf" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/octet-stream"
    unknown = {"sha256": "f" * 64, "filename": "x.bin"}
    _problem(
        api.post("/messages", json=message_fields(attachments=[unknown])),
        422,
        "attachment_not_found",
    )
    _problem(api.post("/attachments", "auditor", content=b"x"), 403, "permission_denied")


def test_too_large_attachment_is_refused_and_nothing_is_stored(api: Api) -> None:
    def chunks() -> Iterator[bytes]:  # no content-length: the limit is enforced while streaming
        for _ in range(5):
            yield b"x" * (MAX_ATTACHMENT // 4)

    _problem(api.post("/attachments", content=chunks()), 413, "payload_too_large")
    declared = b"y" * (MAX_ATTACHMENT + 1)
    _problem(api.post("/attachments", content=declared), 413, "payload_too_large")
    assert _files(api.settings) == []
