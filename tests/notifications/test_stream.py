"""The event stream against a real served node (``jisr serve``): the unread count first, a
notification as soon as the act that causes it is committed, a heartbeat when idle, the end of
a stream after its lifetime and resumption with Last-Event-ID (nothing lost, nothing twice),
and the end of the stream when its token is revoked."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import ApiToken, User
from jisr.identity.tokens import issue_token
from jisr.settings import load_settings
from tests.nodes import load_factor, make_node, served
from tests.notices.conftest import wanted

# Short enough for a test: streams end after 4 s, re-read every half second, ping each second.
SETTINGS = {
    "JISR_NOTIFICATIONS_STREAM_MAX_SECONDS": "4",
    "JISR_NOTIFICATIONS_STREAM_POLL_SECONDS": "0.5",
    "JISR_NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS": "1",
}


@dataclass
class Event:
    event: str
    data: str
    id: str | None = None


@dataclass
class Stream:
    """A stream as an EventSource reads it: events, comments, the last event id."""

    lines: Iterator[str]
    comments: list[str] = field(default_factory=list)

    def next(self) -> Event | None:
        """The next event; None when the server ended the stream."""
        fields: dict[str, str] = {}
        for line in self.lines:
            if line.startswith(":"):
                self.comments.append(line)
                continue
            if line == "":
                if "data" in fields:
                    return Event(fields.get("event", "message"), fields["data"], fields.get("id"))
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        return None


def _token(data_dir: Path, username: str, roles: list[str]) -> tuple[str, str]:
    engine = make_engine(load_settings(data_dir).effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            user = create_user(session, actor_for(admin), username=username,
                               display_name=username, agency_code=None, roles=roles,
                               password="a long enough password 2026")  # fmt: skip
            raw, token = issue_token(session, actor_for(user), user.id, "stream", ["*"], 1)
            return raw, token.id
    finally:
        engine.dispose()


def _revoke(data_dir: Path, token_id: str) -> None:
    engine = make_engine(load_settings(data_dir).effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            token = session.get(ApiToken, token_id)
            assert token is not None
            token.revoked_at = utcnow()
    finally:
        engine.dispose()


def _submit(client: httpx.Client, author: str, title: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {author}"}
    draft = client.post("/api/v1/notices", json=wanted(title=title), headers=headers)
    assert draft.status_code == 201, draft.text
    notice: dict[str, Any] = draft.json()
    submitted = client.post(f"/api/v1/notices/{notice['id']}/submit", headers=headers)
    assert submitted.json()["status"] == "in_review", submitted.text
    return notice


def _deadline(seconds: float) -> float:
    return time.monotonic() + seconds * load_factor()


def test_stream_live_heartbeat_resume_and_end(tmp_path: Path, db_url: str) -> None:
    node = make_node(tmp_path / "rabat", db_url)
    with (node.data_dir / "node.env").open("a") as env:
        env.writelines(f"{key}={value}\n" for key, value in SETTINGS.items())
    amal, _ = _token(node.data_dir, "amal", ["liaison"])
    claire, claire_id = _token(node.data_dir, "claire", ["liaison"])
    with served(node.data_dir) as url, httpx.Client(base_url=url, timeout=30) as client:
        headers = {"Authorization": f"Bearer {claire}", "Accept": "text/event-stream"}
        stream_url = "/api/v1/notifications/stream"
        assert client.get(stream_url).status_code == 401
        bad = client.get(stream_url, headers={**headers, "Last-Event-ID": "x"})
        assert bad.status_code == 422 and bad.json()["code"] == "notification_cursor_invalid"

        # 1. Live: the unread count first, then the notification the act causes.
        with client.stream("GET", stream_url, headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = Stream(response.iter_lines())
            first = stream.next()
            assert first is not None and first.event == "count"
            assert json.loads(first.data) == {"unread": 0}
            started = time.monotonic()
            notice = _submit(client, amal, "First alert")
            event = stream.next()
            assert event is not None and event.event == "notification", event
            received = json.loads(event.data)
            assert received["kind"] == "review_requested"
            assert received["object_id"] == notice["id"] and event.id == str(received["id"])
            latency = time.monotonic() - started
            count = stream.next()
            assert count is not None and json.loads(count.data) == {"unread": 1}
            # 2. Idle: heartbeats, then the server ends the stream after its lifetime.
            assert stream.next() is None
            assert any(c.startswith(": ping") for c in stream.comments), stream.comments
        last = event.id

        # 3. While disconnected, two more; resuming with Last-Event-ID gets them, once each.
        missed = [_submit(client, amal, f"Alert {i}")["id"] for i in (2, 3)]
        time.sleep(0.5)
        seen: list[str] = []
        resume = {**headers, "Last-Event-ID": last}
        with client.stream("GET", stream_url, headers=resume) as response:
            stream = Stream(response.iter_lines())
            until = _deadline(10)
            while len(seen) < 2 and time.monotonic() < until:
                got = stream.next()
                assert got is not None, "the stream ended before the missed notifications"
                if got.event == "notification":
                    seen.append(json.loads(got.data)["object_id"])
        assert seen == missed

        # 4. A revoked token ends the stream with an end event naming why.
        with client.stream("GET", stream_url, headers=headers) as response:
            stream = Stream(response.iter_lines())
            assert (stream.next() or Event("", "")).event == "count"
            _revoke(node.data_dir, claire_id)
            end = stream.next()
            assert end is not None and end.event == "end"
            assert json.loads(end.data) == {"code": "token_invalid"}
        assert client.get(stream_url, headers=headers).status_code == 401
    print(f"act to event: {latency * 1000:.0f} ms")  # noqa: T201 - a figure for the report
