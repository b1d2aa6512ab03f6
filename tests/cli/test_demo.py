"""`jisr demo --check`: the three nodes come up, exchange the fictional case and stop cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jisr.cli.app import main


def test_demo_brings_up_three_nodes_that_exchange_a_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "demo"
    assert main(["demo", "--check", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    for url in ("127.0.0.1:8701", "127.0.0.1:8702", "127.0.0.1:8703"):
        assert url in out
    assert "Paris has answered" in out
    # Issue 5's story: Paris's wanted alert reached Rabat, whose officer screened the flight
    # (the man written in Arabic script) and confirmed the one hit.
    assert "confirmed the hit and sent the follow-up request to Paris" in out
    assert "demo stopped" in out
    assert main(["message", "list", "--data-dir", str(data_dir / "paris"), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    kinds = {(m["direction"], m["kind"]) for m in listed}
    assert ("inbound", "request") in kinds and ("outbound", "message") in kinds
    # Running it again reuses the nodes instead of failing or duplicating them.
    assert main(["demo", "--check", "--data-dir", str(data_dir)]) == 0
