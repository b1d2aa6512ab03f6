"""Identity API through the app factory, on a fresh migrated database per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.auth import CSRF_HEADER, SESSION_COOKIE
from jisr.identity.models import ApiToken
from jisr.node import create_app
from jisr.settings import JisrSettings, load_settings
from tests.identity.conftest import (
    ADMIN_PASSWORD,
    SECRET,
    USER_PASSWORD,
    bootstrap,
    code,
    enrol,
    wrong_code,
)

PROBLEM = "application/problem+json"


@dataclass
class Api:
    client: TestClient
    engine: Engine
    settings: JisrSettings
    admin_totp: pyotp.TOTP
    liaison_id: str

    def sign_in(self, username: str, password: str, totp_code: str | None) -> httpx.Response:
        body = {"username": username, "password": password, "totp_code": totp_code}
        return self.client.post("/api/v1/auth/login", json=body)

    def admin(self) -> dict[str, str]:
        """Signs the admin in (cookie kept by the client); returns the CSRF header."""
        response = self.sign_in("admin", ADMIN_PASSWORD, code(self.admin_totp))
        assert response.status_code == 200, response.text
        return {CSRF_HEADER: response.json()["csrf_token"]}

    def audit(self, action: str) -> list[AuditEntry]:
        with unit_of_work(make_session_factory(self.engine)) as session:
            stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            return list(session.execute(stmt).scalars())


@pytest.fixture()
def api(tmp_path: Path, db_url: str) -> Iterator[Api]:
    settings = load_settings(tmp_path, env="test", secret_key=SECRET, database_url=db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        node = bootstrap(session)
        totp = enrol(session, settings, node.admin)
        liaison_id = node.liaison.id
    app = create_app(settings, engine=engine)
    # https: the session cookie is Secure outside dev mode, so plain http would never send it.
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield Api(client, engine, settings, totp, liaison_id)
    engine.dispose()


def problem(response: httpx.Response, status: int, code_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code_ and body["status"] == status
    return body


def test_sign_in_with_password_and_totp(api: Api) -> None:
    wrong = problem(api.sign_in("admin", "not the password", None), 401, "invalid_credentials")
    unknown = problem(api.sign_in("nobody", ADMIN_PASSWORD, None), 401, "invalid_credentials")
    assert wrong["detail"] == unknown["detail"]
    problem(api.sign_in("admin", ADMIN_PASSWORD, None), 401, "mfa_required")
    fresh = code(api.admin_totp)
    response = api.sign_in("admin", ADMIN_PASSWORD, fresh)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["username"] == "admin" and not body["mfa_enrolment_required"]
    assert "password_hash" not in body["user"] and "totp_secret" not in body["user"]
    cookie = response.headers["set-cookie"].lower()
    assert f"{SESSION_COOKIE}=" in cookie
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    me = api.client.get("/api/v1/auth/me").json()
    assert me["user"]["username"] == "admin" and me["via"] == "session"
    api.client.cookies.clear()
    problem(api.sign_in("admin", ADMIN_PASSWORD, fresh), 401, "mfa_invalid")
    reasons = [e.details["reason"] for e in api.audit("login_failed")]
    assert reasons == ["wrong_password", "unknown_user", "mfa_required", "mfa_invalid"]
    assert len(api.audit("login")) == 1


def test_lockout_is_persisted_and_audited(api: Api) -> None:
    for attempt in range(1, api.settings.login_max_failures + 1):
        response = api.sign_in("admin", f"wrong password {attempt}", None)
        expected = "account_locked" if attempt == api.settings.login_max_failures else None
        problem(response, 401, expected or "invalid_credentials")
    problem(api.sign_in("admin", ADMIN_PASSWORD, code(api.admin_totp)), 401, "account_locked")
    failed = api.audit("login_failed")
    assert len(failed) == api.settings.login_max_failures + 1
    assert [e.details.get("failures") for e in failed[:-1]] == list(
        range(1, api.settings.login_max_failures + 1)
    )


def test_csrf_is_required_with_the_cookie(api: Api) -> None:
    csrf = api.admin()
    agency = {
        "code": "ES-CGI",
        "name_en": "General Commissariat of Information",
        "name_fr": "Commissariat général de l'information",
        "name_ar": "المفوضية العامة للاستعلامات",
        "country": "ES",
    }
    problem(api.client.post("/api/v1/agencies", json=agency), 403, "csrf_failed")
    bad = {CSRF_HEADER: "x" * 43}
    problem(api.client.post("/api/v1/agencies", json=agency, headers=bad), 403, "csrf_failed")
    created = api.client.post("/api/v1/agencies", json=agency, headers=csrf)
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "ES-CGI" and not created.json()["is_local"]
    again = api.client.post("/api/v1/agencies", json=agency, headers=csrf)
    problem(again, 409, "agency_exists")
    codes = [a["code"] for a in api.client.get("/api/v1/agencies").json()]
    assert codes == ["ES-CGI", "MA-DGST"]


def test_logout_ends_the_session(api: Api) -> None:
    csrf = api.admin()
    problem(api.client.post("/api/v1/auth/logout"), 403, "csrf_failed")
    assert api.client.post("/api/v1/auth/logout", headers=csrf).status_code == 204
    assert SESSION_COOKIE not in api.client.cookies
    problem(api.client.get("/api/v1/auth/me"), 401, "authentication_required")


def test_new_user_enrols_totp_then_signs_in(api: Api) -> None:
    first = api.sign_in("amal.benali", USER_PASSWORD, None)
    assert first.status_code == 200 and first.json()["mfa_enrolment_required"]
    csrf = {CSRF_HEADER: first.json()["csrf_token"]}
    problem(api.client.get("/api/v1/agencies"), 403, "mfa_enrolment_required")
    assert api.client.get("/api/v1/auth/me").json()["mfa_enrolment_required"]
    enrolment = api.client.post("/api/v1/auth/totp/enrol", headers=csrf)
    assert enrolment.status_code == 200, enrolment.text
    totp = pyotp.TOTP(enrolment.json()["secret"])
    assert enrolment.json()["otpauth_uri"].startswith("otpauth://totp/")
    bad = api.client.post(
        "/api/v1/auth/totp/confirm", json={"code": wrong_code(totp)}, headers=csrf
    )
    problem(bad, 401, "mfa_invalid")
    confirm = {"code": code(totp, -1)}
    done = api.client.post("/api/v1/auth/totp/confirm", json=confirm, headers=csrf)
    assert done.status_code == 200 and done.json()["mfa_enabled"]
    # The enrolment-only session is over: sign in again, now with a code.
    problem(api.client.get("/api/v1/auth/me"), 401, "authentication_required")
    problem(api.sign_in("amal.benali", USER_PASSWORD, None), 401, "mfa_required")
    signed_in = api.sign_in("amal.benali", USER_PASSWORD, code(totp))
    assert signed_in.status_code == 200 and not signed_in.json()["mfa_enrolment_required"]
    liaison_csrf = {CSRF_HEADER: signed_in.json()["csrf_token"]}
    # A liaison officer is no administrator.
    problem(api.client.get("/api/v1/users"), 403, "permission_denied")
    user = {
        "username": "karim",
        "display_name": "Karim",
        "roles": ["analyst"],
        "password": USER_PASSWORD,
    }
    problem(
        api.client.post("/api/v1/users", json=user, headers=liaison_csrf), 403, "permission_denied"
    )
    problem(
        api.client.post(f"/api/v1/users/{api.liaison_id}/reset-mfa", headers=liaison_csrf),
        403,
        "permission_denied",
    )


def test_admin_manages_users(api: Api) -> None:
    csrf = api.admin()
    user = {
        "username": "karim.alaoui",
        "display_name": "Karim Alaoui",
        "roles": ["analyst", "border_officer"],
        "password": USER_PASSWORD,
    }
    created = api.client.post("/api/v1/users", json=user, headers=csrf)
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["analyst", "border_officer"]
    assert created.json()["agency_code"] == "MA-DGST" and not created.json()["mfa_enabled"]
    problem(api.client.post("/api/v1/users", json=user, headers=csrf), 409, "user_exists")
    names = [u["username"] for u in api.client.get("/api/v1/users").json()]
    assert names == ["admin", "amal.benali", "karim.alaoui"]
    user_id = created.json()["id"]
    disabled = api.client.post(f"/api/v1/users/{user_id}/disable", headers=csrf)
    assert disabled.status_code == 200 and disabled.json()["disabled"]
    missing = "MA-DGST:user:" + "0" * 26
    problem(
        api.client.post(f"/api/v1/users/{missing}/disable", headers=csrf), 404, "user_not_found"
    )
    problem(
        api.client.post("/api/v1/users/nonsense/disable", headers=csrf), 422, "validation_failed"
    )


def test_tokens_are_scoped_and_expire(api: Api) -> None:
    csrf = api.admin()
    issued = api.client.post(
        "/api/v1/tokens", json={"name": "gateway", "scopes": ["read"], "days": 7}, headers=csrf
    )
    assert issued.status_code == 201, issued.text
    raw = issued.json()["token"]
    token_id = issued.json()["info"]["id"]
    assert raw.startswith("jisr_") and "token_hash" not in issued.json()["info"]
    api.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {raw}"}
    me = api.client.get("/api/v1/auth/me", headers=bearer).json()
    assert me["via"] == "token" and me["scopes"] == ["read"]
    # No CSRF header needed with a bearer token; the scope is what refuses.
    assert api.client.get("/api/v1/users", headers=bearer).status_code == 403
    user = {"username": "nadia", "display_name": "Nadia", "roles": ["trainer"]}
    user["password"] = USER_PASSWORD
    refused = problem(
        api.client.post("/api/v1/users", json=user, headers=bearer), 403, "permission_denied"
    )
    assert "scope" in refused["detail"]
    problem(
        api.client.post("/api/v1/auth/totp/enrol", headers=bearer), 403, "console_session_required"
    )
    listed = api.client.get("/api/v1/tokens", headers=bearer).json()
    assert [t["id"] for t in listed] == [token_id]
    with unit_of_work(make_session_factory(api.engine)) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    problem(api.client.get("/api/v1/tokens", headers=bearer), 401, "token_expired")


def test_revoked_token_stops_working(api: Api) -> None:
    csrf = api.admin()
    issued = api.client.post("/api/v1/tokens", json={"name": "ci", "scopes": ["*"]}, headers=csrf)
    raw, token_id = issued.json()["token"], issued.json()["info"]["id"]
    expires = issued.json()["info"]["expires_at"]
    assert expires.startswith(str((utcnow() + timedelta(days=api.settings.token_days)).date()))
    bearer = {"Authorization": f"Bearer {raw}"}
    assert api.client.get("/api/v1/users", headers=bearer).status_code == 200
    assert api.client.delete(f"/api/v1/tokens/{token_id}", headers=csrf).status_code == 204
    problem(api.client.get("/api/v1/users", headers=bearer), 401, "token_invalid")
    missing = "MA-DGST:token:" + "0" * 26
    problem(api.client.delete(f"/api/v1/tokens/{missing}", headers=csrf), 404, "token_not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/login", {"username": "admin", "password": "x" * 12, "admin": True}),
        (
            "/api/v1/users",
            {
                "username": "ab.c",
                "display_name": "A B",
                "roles": ["analyst"],
                "password": USER_PASSWORD,
                "is_admin": True,
            },
        ),
        (
            "/api/v1/agencies",
            {
                "code": "FR-DGSI",
                "name_en": "DGSI",
                "name_fr": "DGSI",
                "name_ar": "DGSI",
                "country": "FR",
                "is_local": True,
            },
        ),
        ("/api/v1/tokens", {"name": "x", "scopes": ["*"], "token_hash": "0" * 64}),
        ("/api/v1/auth/totp/confirm", {"code": "123456", "step": 1}),
    ],
    ids=["login", "users", "agencies", "tokens", "totp-confirm"],
)
def test_unknown_fields_are_refused(api: Api, path: str, body: dict[str, object]) -> None:
    csrf = api.admin()
    response = api.client.post(path, json=body, headers=csrf)
    assert problem(response, 422, "validation_failed")["errors"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/users",
            {
                "username": "ab.c",
                "display_name": "A",
                "roles": ["analyst"],
                "password": "too short",
            },
        ),
        (
            "/api/v1/users",
            {
                "username": "ab.c",
                "display_name": "A\u0000B",
                "roles": ["analyst"],
                "password": USER_PASSWORD,
            },
        ),
        (
            "/api/v1/users",
            {
                "username": "ab.c",
                "display_name": "A B",
                "roles": ["root"],
                "password": USER_PASSWORD,
            },
        ),
        (
            "/api/v1/agencies",
            {
                "code": "dgsi",
                "name_en": "DGSI",
                "name_fr": "DGSI",
                "name_ar": "DGSI",
                "country": "FR",
            },
        ),
        (
            "/api/v1/agencies",
            {
                "code": "FR-DGSI",
                "name_en": "DGSI",
                "name_fr": "DGSI",
                "name_ar": "DGSI",
                "country": "FRA",
            },
        ),
        ("/api/v1/tokens", {"name": "x", "scopes": ["everything"]}),
        ("/api/v1/tokens", {"name": "x", "scopes": ["*"], "days": 10_000}),
        ("/api/v1/auth/login", {"username": "ad\u0000min", "password": "x" * 12}),
        # Raw JSON: a lone surrogate escape is valid JSON but no encodable text.
        ("/api/v1/auth/login", '{"username": "admin", "password": "' + "\\ud800" * 12 + '"}'),
    ],
    ids=[
        "short-password",
        "nul",
        "bad-role",
        "bad-code",
        "bad-country",
        "bad-scope",
        "days",
        "login-nul",
        "login-surrogate",
    ],
)
def test_invalid_input_is_422(api: Api, path: str, body: dict[str, object] | str) -> None:
    csrf = api.admin()
    if isinstance(body, str):
        headers = {**csrf, "content-type": "application/json"}
        response = api.client.post(path, content=body.encode(), headers=headers)
    else:
        response = api.client.post(path, json=body, headers=csrf)
    problem(response, 422, "validation_failed")
