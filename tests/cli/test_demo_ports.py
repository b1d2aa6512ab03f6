"""`jisr demo --base-port N`: the nodes take N, N+1, N+2; a port already taken, or a demo
directory set up on other ports, stops it with one line before anything starts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from jisr.cli.app import main
from tests.browser.conftest import _free_base_port


def test_a_taken_port_is_one_clear_line_and_nothing_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _free_base_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 1))
        squatter.listen()
        code = main(
            ["demo", "--check", "--data-dir", str(tmp_path / "d"), "--base-port", str(base)]
        )
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.count("\n") == 0, err
    assert f"port {base + 1} (the Paris node) is already in use" in err
    assert "--base-port" in err and err.endswith("[demo_port_taken]")
    assert not (tmp_path / "d" / "rabat").exists()


def test_a_demo_directory_keeps_its_ports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d" / "rabat").mkdir(parents=True)
    (tmp_path / "d" / "rabat" / "node.env").write_text("JISR_PUBLIC_URL=http://127.0.0.1:8701\n")
    code = main(["demo", "--check", "--data-dir", str(tmp_path / "d"), "--base-port", "9100"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "set up with --base-port 8701" in err
    assert err.endswith("[demo_ports_changed]")


def test_an_out_of_range_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--base-port", "80"]) != 0
    assert "[usage]" in capsys.readouterr().err


def test_the_demo_runs_on_the_ports_chosen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _free_base_port()
    data_dir = tmp_path / "demo"
    assert main(["demo", "--check", "--data-dir", str(data_dir), "--base-port", str(base)]) == 0
    out = capsys.readouterr().out
    for port in (base, base + 1, base + 2):
        assert f"127.0.0.1:{port}" in out
    assert "127.0.0.1:8701" not in out
    assert "Paris has answered" in out
    env = (data_dir / "paris" / "node.env").read_text()
    assert f"JISR_PUBLIC_URL=http://127.0.0.1:{base + 1}" in env
