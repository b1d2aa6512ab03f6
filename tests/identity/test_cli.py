"""``jisr user`` and ``jisr agency`` on an initialised node, through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from jisr.errors import JisrError
from jisr.identity.cli import agency_app, user_app
from tests.nodes import make_node

runner = CliRunner()


def run(app: typer.Typer, *args: str, stdin: str | None = None) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"], input=stdin)
    if result.exception is not None:
        raise result.exception
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture()
def data_dir(tmp_path: Path, db_url: str) -> str:
    return str(make_node(tmp_path / "node", db_url).data_dir)


def test_user_commands(data_dir: str) -> None:
    d = ["--data-dir", data_dir]
    [added] = run(user_app, "add", "amal.benali", "--display-name", "Amal", "--role", "liaison", *d)
    assert added["roles"] == ["liaison"] and len(added["password"]) >= 12
    [typed] = run(
        user_app,
        "add",
        "karim",
        "--display-name",
        "Karim",
        "--role",
        "analyst",
        "--role",
        "border_officer",
        "--password-stdin",
        *d,
        stdin="typed password 2026\n",
    )
    assert "password" not in typed and typed["roles"] == ["analyst", "border_officer"]
    with pytest.raises(JisrError) as excinfo:
        run(user_app, "add", "karim", "--display-name", "Karim B", "--role", "analyst", *d)
    assert excinfo.value.code == "user_exists"
    listed = run(user_app, "list", *d)
    assert [u["username"] for u in listed] == ["admin", "amal.benali", "karim"]
    assert all("password_hash" not in u for u in listed)
    [disabled] = run(user_app, "disable", "karim", *d)
    assert disabled["disabled"]
    [reset] = run(user_app, "reset-mfa", "admin", *d)
    assert not reset["mfa_enabled"]


def test_token_commands(data_dir: str) -> None:
    d = ["--data-dir", data_dir]
    [issued] = run(user_app, "token", "admin", "--name", "gateway", "--scope", "read", *d)
    assert issued["token"].startswith("jisr_") and issued["scopes"] == ["read"]
    [listed] = run(user_app, "tokens", *d)
    assert listed["id"] == issued["id"] and "token" not in listed
    [revoked] = run(user_app, "revoke-token", issued["id"], *d)
    assert revoked["revoked_at"] is not None
    with pytest.raises(JisrError) as excinfo:
        run(user_app, "token", "admin", "--name", "x", "--scope", "everything", *d)
    assert excinfo.value.code == "scope_invalid"


def test_agency_commands(data_dir: str) -> None:
    d = ["--data-dir", data_dir]
    names = ["--name-en", "DGSI", "--name-fr", "DGSI", "--name-ar", "المديرية العامة للأمن الداخلي"]
    [added] = run(agency_app, "add", "FR-DGSI", *names, "--country", "fr", *d)
    assert added["code"] == "FR-DGSI" and added["country"] == "FR" and not added["is_local"]
    with pytest.raises(JisrError) as excinfo:
        run(agency_app, "add", "FR-DGSI", *names, "--country", "FR", *d)
    assert excinfo.value.code == "agency_exists"
    with pytest.raises(JisrError) as excinfo:
        run(agency_app, "add", "dgsi", *names, "--country", "FR", *d)
    assert excinfo.value.code == "validation_failed"
    listed = run(agency_app, "list", *d)
    assert [(a["code"], a["is_local"]) for a in listed] == [("FR-DGSI", False), ("MA-DGST", True)]
