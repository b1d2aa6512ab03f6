"""``jisr message``: send with entities and an attachment, list, show, reply, overdue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jisr.exchange.cli import message_app
from tests.exchange.conftest import PARTNER, REFERENCE
from tests.exchange.test_api import prepare_node
from tests.nodes import make_node


def test_send_list_show_reply(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    prepare_node(node.data_dir, db_url)
    entities = tmp_path / "entities.json"
    entities.write_text(
        "\n".join(
            json.dumps(e)
            for e in [
                {"id": "p1", "schema": "Person", "properties": {"name": ["Karim B."]}},
                {
                    "id": "pp",
                    "schema": "Passport",
                    "properties": {"number": ["X1"], "holder": ["p1"]},
                },
            ]
        )
    )
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n fictional")
    runner = CliRunner()
    common = ["--data-dir", str(node.data_dir)]
    sent = runner.invoke(
        message_app,
        [
            "send", *common, "--as", "liaison", "--to", PARTNER, "--agreement", REFERENCE,
            "--subject", "Two phones and a passport", "--body", "Can you check these?",
            "--crime-area", "migrant_smuggling", "--priority", "urgent", "--handling", "H1",
            "--request", "--data-category", "personal", "--purpose", "Tangier route",
            "--entity-file", str(entities), "--attach", str(scan), "--grading-scheme",
            "admiralty", "--grade", "B2", "--format", "json",
        ],
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    [row] = json.loads(sent.output)
    assert row["kind"] == "request" and row["deadline_at"]

    shown = runner.invoke(message_app, ["show", row["id"], *common, "--as", "liaison"])
    assert shown.exit_code == 0, shown.output
    message = json.loads(shown.output)
    assert message["entities"][1]["properties"]["holder"] == ["MA-DGST.p1"]
    assert message["attachments"][0]["mime_type"] == "image/png"
    assert message["grading"] == {
        "scheme": "admiralty",
        "source_reliability": "B",
        "information_credibility": "2",
    }
    replied = runner.invoke(
        message_app, ["reply", row["id"], *common, "--body", "Any news?", "--format", "json"]
    )
    assert replied.exit_code == 0, replied.output
    listed = runner.invoke(message_app, ["list", *common, "--format", "json"])
    assert len(json.loads(listed.output)) == 2
    overdue = runner.invoke(message_app, ["overdue", *common, "--format", "json"])
    assert json.loads(overdue.output) == []
    # The urgent request is due in 3 days: within 100 hours, reminded once (and its partner too).
    reminded = runner.invoke(
        message_app, ["remind", *common, "--within-hours", "100", "--format", "json"]
    )
    assert reminded.exit_code == 0, reminded.output
    assert [(r["id"], r["state"]) for r in json.loads(reminded.output)] == [
        (row["id"], "approaching")
    ]
    again = runner.invoke(
        message_app, ["remind", *common, "--within-hours", "100", "--format", "json"]
    )
    assert json.loads(again.output) == []
    missing = runner.invoke(message_app, ["send", *common, "--to", PARTNER])
    assert missing.exit_code != 0
