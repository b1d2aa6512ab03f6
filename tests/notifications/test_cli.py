"""``jisr notifications list|read|derive`` on a node's machine: an alert submitted for review
is listed for the other liaison officer, marked read by id or all at once; errors are refused."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jisr.cli.common import open_node
from jisr.errors import JisrError
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.notices import drafting
from jisr.notices.schemas import NoticeCreate
from jisr.notifications.cli import notifications_app
from tests.nodes import make_node
from tests.notices.conftest import wanted


def test_list_and_read(tmp_path: Path, db_url: str) -> None:
    node = make_node(tmp_path / "node", db_url)
    with open_node(node.data_dir) as opened, opened.session() as session:
        people = {
            name: actor_for(create_user(session, opened.system, username=name,
                                        display_name=name, agency_code=None, roles=["liaison"],
                                        password="a long enough password 2026"))
            for name in ("amal", "claire")
        }  # fmt: skip
        draft = drafting.create_notice(session, people["amal"], NoticeCreate(**wanted()))
        drafting.submit_notice(session, people["amal"], draft.id)
    runner = CliRunner()
    common = ["--data-dir", str(node.data_dir), "--as", "claire"]
    listed = runner.invoke(notifications_app, ["list", *common, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert row["kind"] == "review_requested" and row["object_id"] == draft.id
    assert row["read"] is False
    table = runner.invoke(notifications_app, ["list", *common, "--unread"])
    assert "1 unread" in table.output
    assert json.loads(runner.invoke(notifications_app, ["list", "--data-dir", str(node.data_dir),
                                                        "--as", "amal", "--format", "json"]
                                    ).output) == []  # fmt: skip

    read = runner.invoke(notifications_app, ["read", *common, str(row["id"])])
    assert read.exit_code == 0 and "1 marked read; 0 unread" in read.output
    again = runner.invoke(notifications_app, ["read", *common, "--all"])
    assert again.exit_code == 0 and "0 marked read; 0 unread" in again.output

    someone_elses = runner.invoke(
        notifications_app,
        ["read", "--data-dir", str(node.data_dir), "--as", "amal", str(row["id"])],
    )
    assert someone_elses.exit_code != 0
    assert isinstance(someone_elses.exception, JisrError)
    assert someone_elses.exception.code == "notification_not_found"
    nothing = runner.invoke(notifications_app, ["read", *common])
    assert isinstance(nothing.exception, JisrError) and nothing.exception.code == "option_missing"
    derived = runner.invoke(notifications_app, ["derive", "--data-dir", str(node.data_dir)])
    assert derived.exit_code == 0 and "notifications written" in derived.output
