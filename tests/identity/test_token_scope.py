"""Defects 2 and 5 of issue 10: a token cannot outlive or out-scope the token that minted it,
revoking a token revokes what it minted, and an administrator cannot mint a token for someone
else to act under their name."""

from __future__ import annotations

from tests.identity.test_api import Api, api, problem

__all__ = ["api"]


def _mint(api: Api, headers: dict[str, str], days: int, scopes: list[str]) -> dict[str, object]:
    issued = api.client.post(
        "/api/v1/tokens", json={"name": "t", "scopes": scopes, "days": days}, headers=headers
    )
    assert issued.status_code == 201, issued.text
    body: dict[str, object] = issued.json()
    return body


def test_a_token_cannot_mint_a_longer_or_wider_token(api: Api) -> None:
    csrf = api.admin()
    parent = _mint(api, csrf, 1, ["read"])
    api.client.cookies.clear()
    bearer = {"Authorization": f"Bearer {parent['token']}"}
    long = {"name": "long", "scopes": ["read"], "days": 365}
    problem(
        api.client.post("/api/v1/tokens", json=long, headers=bearer), 403, "token_expiry_exceeded"
    )
    wide = {"name": "wide", "scopes": ["*"], "days": 1}
    problem(api.client.post("/api/v1/tokens", json=wide, headers=bearer), 403, "scope_exceeded")


def test_revoking_a_token_revokes_what_it_minted(api: Api) -> None:
    csrf = api.admin()
    parent = _mint(api, csrf, 3, ["*"])
    parent_bearer = {"Authorization": f"Bearer {parent['token']}"}
    child = _mint(api, parent_bearer, 2, ["read"])
    child_bearer = {"Authorization": f"Bearer {child['token']}"}
    grandchild = _mint(api, child_bearer, 1, ["read"])
    assert child["info"]["parent_id"] == parent["info"]["id"]  # type: ignore[index]
    assert grandchild["info"]["parent_id"] == child["info"]["id"]  # type: ignore[index]
    grand_bearer = {"Authorization": f"Bearer {grandchild['token']}"}
    assert api.client.get("/api/v1/auth/me", headers=grand_bearer).status_code == 200
    parent_id = parent["info"]["id"]  # type: ignore[index]
    assert api.client.delete(f"/api/v1/tokens/{parent_id}", headers=csrf).status_code == 204
    for bearer in (parent_bearer, child_bearer, grand_bearer):
        problem(api.client.get("/api/v1/auth/me", headers=bearer), 401, "token_invalid")
    revoked = [e.details for e in api.audit("privilege_use") + api.audit("config_change")]
    assert sum(1 for d in revoked if d.get("event") == "revoked") == 3


def test_an_administrator_cannot_mint_a_token_for_another_user(api: Api) -> None:
    csrf = api.admin()
    body = {"name": "as-liaison", "scopes": ["read"], "days": 1, "user_id": api.liaison_id}
    problem(api.client.post("/api/v1/tokens", json=body, headers=csrf), 403, "token_for_other_user")
    # Their own token, still fine.
    _mint(api, csrf, 1, ["read"])
