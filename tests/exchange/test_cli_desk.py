"""``jisr message send --deadline`` and ``--deadline-at``; ``reply --handling`` with a reason."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jisr.cli.app import main
from jisr.clock import utcnow
from jisr.exchange.cli import message_app
from tests.exchange.conftest import PARTNER, REFERENCE
from tests.exchange.test_api import prepare_node
from tests.nodes import make_node


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line ``jisr`` prints for a refused command (its exit is non-zero)."""
    capsys.readouterr()
    assert main(["message", *argv]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_deadlines_and_handling_from_the_command_line(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    prepare_node(node.data_dir, db_url)
    runner = CliRunner()
    common = ["--data-dir", str(node.data_dir), "--as", "liaison", "--format", "json"]
    send = [
        "send", *common, "--to", PARTNER, "--agreement", REFERENCE, "--subject", "Forged passports",
        "--body", "Can you check?", "--crime-area", "migrant_smuggling", "--purpose", "Tangier",
        "--request",
    ]  # fmt: skip
    urgent = runner.invoke(message_app, [*send, "--deadline", "8h", "--handling", "H2"])
    assert urgent.exit_code == 0, urgent.output
    [row] = json.loads(urgent.output)
    deadline = datetime.fromisoformat(row["deadline_at"])
    assert row["deadline_class"] == "8h"
    assert timedelta(hours=7) < deadline - utcnow() <= timedelta(hours=8)

    at = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    dated = runner.invoke(message_app, [*send, "--deadline-at", at.isoformat()])
    assert dated.exit_code == 0, dated.output
    [row2] = json.loads(dated.output)
    assert (datetime.fromisoformat(row2["deadline_at"]), row2["deadline_class"]) == (at, "date")

    naive = _error([*send, "--deadline-at", "2031-01-01T09:00"], capsys)
    assert "deadline_invalid" in naive and "timezone" in naive

    reply = ["reply", row["id"], *common, "--body", "Follow-up", "--handling", "H0"]
    assert "handling_lowering_unjustified" in _error(reply, capsys)
    lowered = runner.invoke(message_app, [*reply, "--lowered-reason", "Owner agreed to H0"])
    assert lowered.exit_code == 0, lowered.output
    kept = runner.invoke(message_app, ["reply", row["id"], *common, "--body", "Again"])
    [answer] = json.loads(kept.output)
    assert answer["kind"] == "message"
    shown = runner.invoke(
        message_app, ["show", answer["id"], "--data-dir", str(node.data_dir), "--as", "liaison"]
    )
    assert json.loads(shown.output)["handling_code"] == "H2"
