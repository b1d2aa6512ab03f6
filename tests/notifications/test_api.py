"""The notifications API as a partner system or script uses it: listing newest first with a
cursor, the unread filter, read marks (one, or all up to an id), nobody else's, token scopes;
and a notification that follows an act made through the API (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.node import FederationSettings
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.notifications.derive import address
from jisr.notifications.models import Kind
from jisr.notifications.rules import Draft
from jisr.settings import load_settings
from tests.nodes import wait_until
from tests.notices.conftest import wanted
from tests.web.conftest import SECRET, seed_console_node


@dataclass
class Api:
    client: TestClient
    engine: Engine
    tokens: dict[str, str]

    def call(self, user: str, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        response = self.client.request(method, f"/api/v1{path}", headers=headers, **kw)
        assert response.status_code == expect, response.text
        return response.json()

    def notify(self, username: str, count: int) -> None:
        """``count`` notifications for ``username``, as a rule would address them."""
        with unit_of_work(make_session_factory(self.engine)) as session:
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            for i in range(count):
                draft = Draft(Kind.MESSAGE, "message", f"MA-DGST:msg:{i}", f"/exchange/{i}",
                              [user], agency="FR-DGSI", params={"priority": "routine"})  # fmt: skip
                address(session, [draft], f"test:{username}:{i}")


@pytest.fixture()
def api(tmp_path: Path, db_url: str) -> Iterator[Api]:
    settings = load_settings(tmp_path, env="test", secret_key=SECRET, database_url=db_url)
    engine = make_engine(db_url)
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        seed_console_node(session, settings)
        for username in ("amal.liaison", "karim.analyst", "salma.border"):
            user = session.execute(select(User).where(User.username == username)).scalar_one()
            tokens[username], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
        user = session.execute(select(User).where(User.username == "karim.analyst")).scalar_one()
        tokens["reader"], _ = issue_token(session, actor_for(user), user.id, "r", ["read"], 1)
    settings = settings.with_sections(FederationSettings(worker_enabled=False))
    with TestClient(create_app(settings, engine=engine), base_url="https://testserver") as client:
        yield Api(client, engine, tokens)
    engine.dispose()


def test_listing_pages_filters_and_marks(api: Api) -> None:
    api.notify("karim.analyst", 7)
    api.notify("salma.border", 1)
    first = api.call("karim.analyst", "GET", "/notifications", params={"limit": 3})
    assert first["unread"] == 7 and len(first["items"]) == 3
    ids = [item["id"] for item in first["items"]]
    assert ids == sorted(ids, reverse=True)
    item = first["items"][0]
    assert item["kind"] == "message" and item["title"] == "New message from FR-DGSI"
    assert item["read_at"] is None and item["href"].startswith("/exchange/")
    second = api.call("karim.analyst", "GET", "/notifications",
                      params={"limit": 3, "before": first["next_cursor"]})  # fmt: skip
    third = api.call("karim.analyst", "GET", "/notifications",
                     params={"limit": 3, "before": second["next_cursor"]})  # fmt: skip
    seen = ids + [i["id"] for i in second["items"]] + [i["id"] for i in third["items"]]
    assert len(set(seen)) == 7 and third["next_cursor"] is None

    read = api.call("karim.analyst", "POST", f"/notifications/{ids[0]}/read")
    assert read["read_at"] is not None
    unread = api.call("karim.analyst", "GET", "/notifications", params={"unread": "true"})
    assert unread["unread"] == 6 and ids[0] not in [i["id"] for i in unread["items"]]
    # "Mark all read" up to what the reader saw leaves what came after.
    marked = api.call("karim.analyst", "POST", "/notifications/read", json={"up_to": ids[2]})
    assert marked == {"marked": 5, "unread": 1}  # the one after (ids[1]) stays unread
    assert api.call("karim.analyst", "POST", "/notifications/read", json={}) == {
        "marked": 1, "unread": 0}  # fmt: skip

    # Another user's notification is as absent as a missing one.
    salmas = api.call("salma.border", "GET", "/notifications")["items"][0]["id"]
    problem = api.call("karim.analyst", "POST", f"/notifications/{salmas}/read", 404)
    assert problem["code"] == "notification_not_found"
    # A read-only token lists but does not mark.
    assert api.call("reader", "GET", "/notifications")["unread"] == 0
    denied = api.call("reader", "POST", "/notifications/read", 403, json={})
    assert denied["code"] == "permission_denied"
    bad = api.call("karim.analyst", "GET", "/notifications", 422, params={"before": "x"})
    assert bad["status"] == 422


def test_a_review_request_made_through_the_api_reaches_the_reviewer(api: Api) -> None:
    with unit_of_work(make_session_factory(api.engine)) as session:
        from jisr.identity.accounts import create_user

        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        claire = create_user(session, actor_for(admin), username="claire.liaison",
                             display_name="Claire", agency_code=None, roles=["liaison"],
                             password="a long enough password 2026")  # fmt: skip
        api.tokens["claire"], _ = issue_token(session, actor_for(claire), claire.id, "t", ["*"], 1)
    draft = api.call("amal.liaison", "POST", "/notices", 201, json=wanted())
    assert api.call("amal.liaison", "POST", f"/notices/{draft['id']}/submit")["status"] == (
        "in_review"
    )

    def told() -> list[dict[str, Any]]:
        items = api.call("claire", "GET", "/notifications")["items"]
        return [i for i in items if i["kind"] == "review_requested"]

    wait_until(lambda: bool(told()), timeout=10, what="the reviewer to be told")
    [note] = told()
    assert note["object_id"] == draft["id"] and note["href"] == f"/alerts/{draft['id']}"
    assert note["title"] == f"Alert {draft['reference']} awaits your review"
    # The author is not told of their own act, and the analyst may not review alerts.
    for other in ("amal.liaison", "karim.analyst"):
        kinds = [i["kind"] for i in api.call(other, "GET", "/notifications")["items"]]
        assert "review_requested" not in kinds
