"""``jisr partner`` and ``jisr outbox`` through Typer, on real nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jisr.federation.cli import outbox_app, partner_app
from jisr.federation.keys import fingerprint, load_node_keys
from tests.conftest import DatabaseFactory
from tests.federation.nodes import FedNode, Server, link, make_node, serving

app = typer.Typer()
app.add_typer(partner_app, name="partner")
app.add_typer(outbox_app, name="outbox")
runner = CliRunner()


@pytest.fixture()
def two(databases: DatabaseFactory, tmp_path: Path) -> Iterator[tuple[FedNode, FedNode]]:
    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    yield a, b
    a.engine.dispose()
    b.engine.dispose()


def _json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--format", "json"], env={"JISR_DATA_DIR": ""})
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("[") :])


def test_partner_add_with_keys_then_list(two: tuple[FedNode, FedNode]) -> None:
    a, b = two
    keys = load_node_keys(b.data_dir, None)
    rows = _json(
        "partner",
        "add",
        "--data-dir",
        str(a.data_dir),
        "--code",
        b.code,
        "--name",
        "DGSI",
        "--country",
        "FR",
        "--url",
        b.url,
        "--signing-key",
        keys.signing_public,
        "--encryption-key",
        keys.encryption_public,
    )
    assert rows == _json("partner", "list", "--data-dir", str(a.data_dir))
    assert rows[0]["signing_fp"] == fingerprint(keys.signing_public)  # type: ignore[index]


def test_partner_add_fetches_the_card(two: tuple[FedNode, FedNode]) -> None:
    a, b = two
    with serving(Server(b)):
        result = runner.invoke(
            app,
            [
                "partner",
                "add",
                "--data-dir",
                str(a.data_dir),
                "--code",
                b.code,
                "--name",
                "DGSI",
                "--country",
                "FR",
                "--url",
                b.url,
                "--fetch",
                "--transport",
                "nats",
            ],
            input="y\n",
        )
    assert result.exit_code == 0, result.output
    expected = fingerprint(load_node_keys(b.data_dir, None).signing_public)
    assert f"signing key fingerprint    {expected}" in result.output


def test_partner_add_needs_keys(two: tuple[FedNode, FedNode]) -> None:
    a, b = two
    result = runner.invoke(
        app,
        [
            "partner",
            "add",
            "--data-dir",
            str(a.data_dir),
            "--code",
            b.code,
            "--name",
            "X",
            "--country",
            "FR",
            "--url",
            b.url,
        ],
    )
    assert result.exit_code != 0


def test_outbox_status_and_rotate_key(two: tuple[FedNode, FedNode]) -> None:
    a, b = two
    link(a, b)
    a.send_notes(b.code, 2)
    assert _json("outbox", "status", "--data-dir", str(a.data_dir)) == [
        {"partner": b.code, "pending": 2, "held": 0, "delivered": 0, "rejected": 0, "dead": 0}
    ]
    before = fingerprint(load_node_keys(a.data_dir, None).signing_public)
    rotated = _json("partner", "rotate-key", "--data-dir", str(a.data_dir))
    after = fingerprint(load_node_keys(a.data_dir, None).signing_public)
    assert before != after == rotated[0]["signing_fp"]  # type: ignore[index]
    assert rotated[0]["partners_notified"] == [b.code]  # type: ignore[index]
    status = _json("outbox", "status", "--data-dir", str(a.data_dir))
    assert status[0]["pending"] == 3  # type: ignore[index]
