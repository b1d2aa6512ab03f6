"""Defect 3 of issue 10: with only the console's session cookie, state-changing API calls were
accepted without the CSRF token. Every POST/PUT/PATCH/DELETE under /api/v1 authenticated by the
cookie now needs the ``X-CSRF-Token`` header; bearer tokens (no ambient credential) do not."""

from __future__ import annotations

import pytest

from jisr.identity.auth import CSRF_HEADER
from tests.web.conftest import Console, console

__all__ = ["console"]

STATE_CHANGES = [
    ("POST", "/api/v1/messages", {"json": {}}),
    ("POST", "/api/v1/notices", {"json": {}}),
    ("POST", "/api/v1/attachments", {"data": {"name": "x"}}),
    ("POST", "/api/v1/attachments", {"files": {"file": ("a.txt", b"hello", "text/plain")}}),
    ("POST", "/api/v1/screening/check", {"json": {"name": "Amina Haddad"}}),
    ("POST", "/api/v1/requests/reminders", {}),
    ("PATCH", "/api/v1/notices/MA-DGST:notice:NOPE", {"json": {}}),
    ("DELETE", "/api/v1/tokens/MA-DGST:token:00000000000000000000000000", {}),
    ("POST", "/api/v1/agreements", {"json": {}}),
    ("POST", "/api/v1/rights/requests", {"json": {}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), STATE_CHANGES)
def test_cookie_state_changes_need_the_csrf_token(
    console: Console, method: str, path: str, kwargs: dict[str, object]
) -> None:
    console.sign_in("amal.liaison")
    refused = console.client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "csrf_failed"
    wrong = console.client.request(method, path, headers={CSRF_HEADER: "forged"}, **kwargs)  # type: ignore[arg-type]
    assert wrong.json()["code"] == "csrf_failed"
    # With the session's token the request reaches the route (whatever it then decides).
    passed = console.client.request(method, path, headers={CSRF_HEADER: console.csrf}, **kwargs)  # type: ignore[arg-type]
    assert passed.headers["content-type"].startswith("application/")
    assert passed.status_code != 403 or passed.json()["code"] != "csrf_failed", passed.text


def test_bearer_tokens_need_no_csrf_token(console: Console) -> None:
    console.sign_in("amal.liaison")
    minted = console.client.post(
        "/api/v1/tokens",
        json={"name": "desk", "scopes": ["*"], "days": 1},
        headers={CSRF_HEADER: console.csrf},
    )
    assert minted.status_code == 201, minted.text
    console.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {minted.json()['token']}"}
    reminded = console.client.post("/api/v1/requests/reminders", headers=bearer)
    assert reminded.status_code == 200, reminded.text


def test_reads_and_sign_in_need_no_csrf_token(console: Console) -> None:
    console.sign_in("amal.liaison")
    assert console.client.get("/api/v1/messages").status_code == 200
    # Signing in again over the API while holding a cookie is not a state change of that session.
    again = console.client.post(
        "/api/v1/auth/login",
        json={"username": "amal.liaison", "password": "wrong password 2026", "totp_code": None},
    )
    assert again.json()["code"] != "csrf_failed"
