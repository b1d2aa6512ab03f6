"""`jisr init`, `jisr serve` and `jisr audit verify`, as an operator runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from jisr.cli.app import main
from jisr.db import make_engine
from tests.nodes import make_node, served


def test_init_creates_a_node(tmp_path: Path, db_url: str) -> None:
    data_dir = tmp_path / "rabat"
    node = make_node(data_dir, db_url)
    assert node.init.agency_code == "MA-DGST"
    for secret_file in [data_dir / "node.env", *sorted((data_dir / "keys").iterdir())]:
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600, secret_file
    assert node.init.signing_fingerprint != node.init.encryption_fingerprint


def test_cli_init_prints_generated_password_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JISR_ADMIN_PASSWORD", raising=False)
    data_dir = tmp_path / "paris"
    argv = [
        "init",
        "--data-dir",
        str(data_dir),
        "--agency",
        "FR-DGSI",
        "--name",
        "DGSI",
        "--country",
        "FR",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "node FR-DGSI created" in out and "password (shown once)" in out
    # A second init on the same directory refuses with one line and changes nothing.
    before = sorted(p.name for p in data_dir.iterdir())
    env_before = (data_dir / "node.env").read_bytes()
    assert main(argv) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds a node" in err[0] and "[node_exists]" in err[0]
    assert sorted(p.name for p in data_dir.iterdir()) == before
    assert (data_dir / "node.env").read_bytes() == env_before


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--agency", "dgst", "--name", "X", "--country", "MA"], "agency_code_invalid"),
        (["--agency", "MA-DGST", "--name", "X", "--country", "MAR"], "country_invalid"),
    ],
)
def test_init_bad_input_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: str
) -> None:
    data_dir = tmp_path / "bad"
    assert main(["init", "--data-dir", str(data_dir), *args]) == 2
    assert f"[{code}]" in capsys.readouterr().err
    assert not data_dir.exists()


def test_init_refuses_a_database_that_holds_a_node(tmp_path: Path, db_url: str) -> None:
    make_node(tmp_path / "first", db_url)
    with pytest.raises(Exception, match="already holds a node"):
        make_node(tmp_path / "second", db_url)
    assert not (tmp_path / "second").exists()


def test_serve_answers_health(tmp_path: Path, db_url: str) -> None:
    node = make_node(tmp_path / "node", db_url)
    with served(node.data_dir, isolated=True) as url:  # `jisr serve` itself
        health = httpx.get(f"{url}/healthz").json()
        assert health == {"status": "ok", "agency": "MA-DGST"}
        assert httpx.get(f"{url}/readyz").status_code == 200
        spec = httpx.get(f"{url}/openapi.json").json()
        assert "/api/v1/agreements" in spec["paths"]


def test_serve_refuses_without_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JISR_SECRET_KEY", raising=False)
    monkeypatch.setenv("JISR_ENV", "prod")
    assert main(["serve", "--data-dir", str(tmp_path / "nothing")]) != 0
    err = capsys.readouterr().err
    assert "JISR_SECRET_KEY" in err and "[config_invalid]" in err


def test_audit_verify_detects_a_row_edited_in_the_database(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = make_node(tmp_path / "node", db_url)
    assert main(["audit", "verify", "--data-dir", str(node.data_dir)]) == 0
    assert "audit trail intact" in capsys.readouterr().out
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET justification = 'x' WHERE seq = 2"))
    engine.dispose()
    assert main(["audit", "verify", "--data-dir", str(node.data_dir)]) == 1
    err = capsys.readouterr().err
    assert "BROKEN at entry 2" in err


def test_audit_export_writes_jsonl(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = make_node(tmp_path / "node", db_url)
    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--data-dir", str(node.data_dir), "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) >= 2
    first = json.loads(lines[0])
    assert first["seq"] == 1 and first["prev_hash"] == "0" * 64
