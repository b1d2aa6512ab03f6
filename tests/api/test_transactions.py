"""A request's transaction is committed before its response leaves: a client that reads the
answer and at once sends the next request always sees what the first one wrote."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.types import Message, Receive, Scope, Send

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.auth import CSRF_HEADER
from jisr.identity.models import User
from jisr.node import create_app
from jisr.settings import load_settings
from tests.identity.conftest import ADMIN_PASSWORD, SECRET, bootstrap, code, enrol


def test_the_write_is_committed_when_the_response_starts(tmp_path: Path, db_url: str) -> None:
    settings = load_settings(tmp_path, env="test", secret_key=SECRET, database_url=db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        node = bootstrap(session)
        totp = enrol(session, settings, node.admin)
    app = create_app(settings, engine=engine)
    seen_at_response_start: list[bool] = []

    async def observing(scope: Scope, receive: Receive, send: Send) -> None:
        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["path"] == "/api/v1/users":
                # Another connection, as the client's next request would use.
                with unit_of_work(make_session_factory(engine)) as other:
                    stmt = select(User).where(User.username == "new.officer")
                    seen_at_response_start.append(other.execute(stmt).first() is not None)
            await send(message)

        await app(scope, receive, watch)

    with TestClient(observing, base_url="https://testserver") as client:
        login = client.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": ADMIN_PASSWORD, "totp_code": code(totp)},
        )
        assert login.status_code == 200, login.text
        created = client.post(
            "/api/v1/users",
            headers={CSRF_HEADER: login.json()["csrf_token"]},
            json={
                "username": "new.officer",
                "display_name": "New Officer",
                "roles": ["liaison"],
                "password": "a long enough password 2026",
            },
        )
        assert created.status_code == 201, created.text
    assert seen_at_response_start == [True]
    engine.dispose()
