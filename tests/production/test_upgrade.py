"""A database made by the previous release upgrades in place (expand/contract migrations).

The previous release is the ``main`` commit this work started from: its ``jisr`` package is
checked out of git into a temporary directory, creates a node there (schema, keys, audit
entries), and today's code then upgrades that database and serves it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import DatabaseFactory

PREVIOUS_RELEASE = "dccc328491d915766f7b24b149520f70305e8b2d"
ROOT = Path(__file__).resolve().parents[2]


def _previous_release(target: Path) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of the checkout")
    known = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        pytest.skip(f"commit {PREVIOUS_RELEASE[:12]} is not in this clone (shallow?)")
    archive = target / "previous.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", str(archive), PREVIOUS_RELEASE, "jisr"],
        check=True,
    )
    release = target / "previous"
    with tarfile.open(archive) as tar:
        tar.extractall(release, filter="data")
    return release


def _jisr(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jisr", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_previous_release_database_upgrades(databases: DatabaseFactory, tmp_path: Path) -> None:
    release = _previous_release(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    data_dir = tmp_path / "node"
    url = databases.new_url() if databases.server is not None else None
    if url is not None:
        # An empty database: the previous release creates its own schema.
        from sqlalchemy import text

        from tests.conftest import _pg_url

        name = url.rsplit("/", 1)[1] + "_prev"
        with databases.server.connect() as connection:  # type: ignore[union-attr]
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        databases.created.append(name)
        url = _pg_url(name)
        env["JISR_DATABASE_URL"] = url
    made = _jisr(
        release,
        "init",
        "--data-dir",
        str(data_dir),
        "--agency",
        "MA-DGST",
        "--name",
        "Test",
        "--country",
        "MA",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    # The old code really ran: its package is the checked-out one, not this one.
    assert not (release / "jisr" / "runtime").exists()
    env.pop("JISR_DATABASE_URL", None)
    upgraded = _jisr(ROOT, "db", "upgrade", "--data-dir", str(data_dir), env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (
        "schema current" in _jisr(ROOT, "db", "status", "--data-dir", str(data_dir), env=env).stdout
    )
    after = _jisr(ROOT, "audit", "verify", "--data-dir", str(data_dir), env=env)
    assert after.returncode == 0, after.stderr
    # The upgraded node starts (``serve`` refuses an outdated schema) and answers.
    from fastapi.testclient import TestClient

    from jisr.node import create_app
    from jisr.settings import load_settings

    with TestClient(create_app(load_settings(data_dir))) as client:
        assert client.get("/readyz").status_code == 200
