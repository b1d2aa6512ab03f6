"""Fixtures for console tests: a node with one user per role, each with TOTP, and a browser-like
client that signs in through the sign-in form and reads CSRF tokens from the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.node import FederationSettings
from jisr.identity import service
from jisr.identity.auth import actor_for
from jisr.identity.models import Role
from jisr.node import create_app
from jisr.settings import JisrSettings, load_settings

AGENCY = "MA-DGST"
SECRET = "w" * 40
PASSWORD = "console password 2026!"
# username -> roles; every role of the product has a user.
USERS: dict[str, list[str]] = {
    "admin": [Role.ADMIN],
    "amal.liaison": [Role.LIAISON],
    "karim.analyst": [Role.ANALYST],
    "salma.border": [Role.BORDER_OFFICER],
    "youssef.cert": [Role.CERT_ANALYST],
    "nadia.coord": [Role.COORDINATOR],
    "omar.trainer": [Role.TRAINER],
    "hind.auditor": [Role.AUDITOR],
    "leila.dpo": [Role.DPO],
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@dataclass
class Console:
    client: TestClient
    engine: Engine
    settings: JisrSettings
    totps: dict[str, pyotp.TOTP] = field(default_factory=dict)
    csrf: str = ""

    def code(self, username: str) -> str:
        # The verifier refuses a step already used; take the next one when needed.
        return self.totps[username].at(utcnow())

    def sign_in(self, username: str, next_url: str = "/") -> httpx.Response:
        """Sign in through the form, as a browser would; follows the redirect."""
        page = self.client.get("/sign-in", params={"next": next_url})
        form = {
            "csrf_token": csrf_of(page.text),
            "username": username,
            "password": PASSWORD,
            "totp_code": self.code(username),
            "next": next_url,
        }
        response = self.client.post("/sign-in", data=form)
        assert response.status_code == 200, response.text[:2000]
        self.csrf = csrf_of(response.text)
        return response

    def post(
        self, url: str, data: dict[str, object] | None = None, **kwargs: object
    ) -> httpx.Response:
        """A form post with the session's CSRF token."""
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)  # type: ignore[arg-type]

    def session(self) -> Session:
        return make_session_factory(self.engine)()

    def audit(self, action: str, object_type: str | None = None) -> list[AuditEntry]:
        with unit_of_work(make_session_factory(self.engine)) as session:
            stmt = select(AuditEntry).where(AuditEntry.action == action)
            if object_type:
                stmt = stmt.where(AuditEntry.object_type == object_type)
            return list(session.execute(stmt.order_by(AuditEntry.seq)).scalars())


def seed_console_node(session: Session, settings: JisrSettings) -> dict[str, pyotp.TOTP]:
    admin = service.bootstrap_node(
        session,
        agency_code=AGENCY,
        name_en="General Directorate for Territorial Surveillance",
        name_fr="Direction générale de la surveillance du territoire",
        name_ar="المديرية العامة لمراقبة التراب الوطني",
        country="MA",
        admin_username="admin",
        admin_password=PASSWORD,
    )
    users = {"admin": admin}
    for username, roles in USERS.items():
        if username == "admin":
            continue
        users[username] = service.create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username.split(".")[0].capitalize(),
            agency_code=AGENCY,
            roles=roles,
            password=PASSWORD,
        )
    totps: dict[str, pyotp.TOTP] = {}
    for username, user in users.items():
        seed, _uri = service.begin_totp_enrolment(session, settings, user)
        totp = pyotp.TOTP(seed)
        # Enrolment consumes the current step; sign-in takes the next one (verifier window +-1).
        service.confirm_totp_enrolment(
            session, settings, user, totp.at(utcnow(), counter_offset=-1)
        )
        totps[username] = totp
    return totps


@pytest.fixture()
def console(tmp_path: Path, db_url: str) -> Iterator[Console]:
    settings = load_settings(tmp_path, env="test", secret_key=SECRET, database_url=db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        totps = seed_console_node(session, settings)
    # One node and no partner servers: nothing could be delivered (and it has no key files).
    settings = settings.with_sections(FederationSettings(worker_enabled=False))
    app = create_app(settings, engine=engine)
    # https: cookies are Secure outside dev mode, so plain http would never send them back.
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield Console(client, engine, settings, totps)
    engine.dispose()
