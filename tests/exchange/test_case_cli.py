"""``jisr case``: list, show, assign, due, label, link, member, hold, close, reopen; errors are
one line on stderr with their code and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jisr.cli.app import main
from tests.exchange.conftest import PARTNER, REFERENCE
from tests.exchange.test_api import prepare_node
from tests.nodes import make_node


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_case_managed_from_the_command_line(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    prepare_node(node.data_dir, db_url)
    data = ["--data-dir", str(node.data_dir)]
    code, out, err = _run(
        [
            "message", "send", *data, "--as", "liaison", "--to", PARTNER,
            "--agreement", REFERENCE, "--subject", "Two phones", "--body", "Can you check?",
            "--crime-area", "migrant_smuggling", "--purpose", "Tangier route",
            "--format", "json",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    ref = json.loads(out)[0]["case_ref"]
    me = ["--as", "liaison", "--format", "json"]

    code, out, err = _run(["case", "assign", ref, "--to", "liaison", *data, *me], capsys)
    assert code == 0, err
    [row] = json.loads(out)
    assert row["assignee"].startswith("user:MA-DGST:user:")
    code, out, err = _run(["case", "label", ref, "--add", "Tangier route", *data, *me], capsys)
    assert code == 0 and json.loads(out)[0]["labels"] == ["tangier route"], err
    code, out, err = _run(["case", "due", ref, "--at", "2031-01-15", *data, *me], capsys)
    assert code == 0 and json.loads(out)[0]["due_at"].startswith("2031-01-15"), err
    alert = "MA-DGST:notice:01JALERT0000000000000000AB"
    code, out, err = _run(["case", "link", ref, "alert", alert, *data, "--as", "liaison"], capsys)
    assert code == 0 and "linked alert" in out, err
    code, out, err = _run(["case", "member", ref, "role:analyst", *data, *me], capsys)
    assert code == 0 and "role:analyst" in json.loads(out)[0]["members"], err

    # Closing needs an outcome: a usage error naming the choices.
    code, out, err = _run(["case", "close", ref, "--note", "Arrested", *data, *me], capsys)
    assert code == 2 and "--outcome" in err and "no_further_action" in err
    code, out, err = _run(
        ["case", "close", ref, "--outcome", "arrest", "--note", "Arrested in Tangier", *data, *me],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)[0]["status"] == "closed"
    code, out, err = _run(["case", "hold", ref, "--reason", "Waiting", *data, *me], capsys)
    assert (
        code == 2 and err.strip().endswith("[case_transition_invalid]") and "\n" not in err.strip()
    )
    code, out, err = _run(["case", "label", ref, "--add", "more", *data, *me], capsys)
    assert code == 2 and "[case_closed]" in err
    code, out, err = _run(["case", "reopen", ref, "--reason", "New lead", *data, *me], capsys)
    assert code == 0 and json.loads(out)[0]["status"] == "open", err

    code, out, err = _run(["case", "list", *data, "--status", "open", *me], capsys)
    assert code == 0 and [c["ref"] for c in json.loads(out)] == [ref], err
    code, out, err = _run(["case", "list", *data, "--status", "closed", *me], capsys)
    assert code == 0 and json.loads(out) == [], err
    code, out, err = _run(["case", "show", ref, *data, "--as", "liaison"], capsys)
    assert code == 0, err
    shown = json.loads(out)
    assert [e["event"] for e in shown["events"]] == [
        "opened", "assigned", "labelled", "due_set", "linked", "member_added", "closed", "reopened",
    ]  # fmt: skip
    assert shown["links"] == [{"kind": "alert", "target": alert}]
    assert len(shown["messages"]) == 1
    # An auditor reads, never writes.
    code, out, err = _run(
        ["case", "hold", ref, "--reason", "x y z", *data, "--as", "auditor"], capsys
    )
    assert code == 2 and "[permission_denied]" in err
