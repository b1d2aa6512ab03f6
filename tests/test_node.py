"""The composition root: one list of modules, and everything assembled from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jisr import node
from jisr.db.registry import migration_dirs as discovered_migration_dirs
from jisr.errors import ConfigError
from jisr.exchange.worker import ExchangeSettings
from jisr.federation.node import FederationSettings
from jisr.rights.settings import RightsSettings
from jisr.settings import load_settings


def test_module_names_and_commands_are_unique() -> None:
    names = [module.name for module in node.MODULES]
    assert len(names) == len(set(names))
    commands = [group.name for group in node.command_groups()]
    assert len(commands) == len(set(commands))
    assert {"user", "agency", "agreement", "audit", "message", "partner", "outbox"} <= set(commands)
    assert {"notice", "watchlist", "rights", "screen"} <= set(commands)


def test_every_migration_branch_is_declared_by_a_module() -> None:
    assert sorted(node.migration_dirs()) == discovered_migration_dirs()


def test_the_registry_holds_every_domains_envelope_types() -> None:
    registry = node.handler_registry()
    types = set(registry)
    assert {"federation.key_rotation", "exchange.message", "notices.publish"} <= types
    assert "watchlists.hit_notice" in types
    assert registry.expander("exchange.attachment_chunk") is not None


def test_console_areas_follow_their_rank() -> None:
    areas = node.console_areas()
    labels = [item.href for area in areas for item in area.nav]
    assert labels[0] == "/"
    assert labels.index("/exchange") < labels.index("/partners") < labels.index("/audit")
    assert [area.rank for area in areas] == sorted(area.rank for area in areas)


def test_settings_sections_keep_their_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_BATCH_SIZE", "7")
    monkeypatch.setenv("JISR_RIGHTS_ACCESS_DAYS", "12")
    settings = load_settings(tmp_path, env="dev")
    node.load_sections(settings)
    assert settings.section(FederationSettings).batch_size == 7
    assert settings.section(RightsSettings).access_days == 12
    # Loaded once: later changes of the environment do not reach a running node.
    monkeypatch.setenv("JISR_FEDERATION_BATCH_SIZE", "9")
    assert settings.section(FederationSettings).batch_size == 7
    replaced = settings.with_sections(ExchangeSettings(reminder_interval_seconds=0))
    assert replaced.section(ExchangeSettings).reminder_interval_seconds == 0
    assert replaced.section(FederationSettings).batch_size == 7


def test_an_invalid_section_value_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JISR_FEDERATION_BATCH_SIZE", "0")
    settings = load_settings(tmp_path, env="dev")
    with pytest.raises(ConfigError, match="federation_batch_size"):
        node.load_sections(settings)


def test_help_imports_no_heavy_part() -> None:
    """``jisr --help`` and ``jisr audit verify --help`` load declarations, not domains."""
    probe = (
        "import sys\n"
        "from jisr.cli.app import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'numpy', 'icu', 'jisr.api.app') "
        "if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    for args in (["--help"], ["audit", "verify", "--help"]):
        result = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout
