"""Command-line usage errors are one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest

from jisr.cli.app import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["user", "add", "--username", "x"], "No such option: --username"),
        (["user", "add", "x.y", "--display-name", "X", "--role", "nope"], "'nope' is not one of"),
        (["audit", "verify", "--data-dir"], "requires an argument"),
    ],
)
def test_usage_error_is_one_line(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("jisr: error: ") and err.endswith("[usage]")
    assert expected in err
    assert "Traceback" not in err


def test_help_still_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "Usage" in capsys.readouterr().out
