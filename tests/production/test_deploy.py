"""The deployment files hang together: compose services, volumes and health checks, the
Dockerfile's inputs, the systemd units' commands, the Grafana dashboard's metrics.

There is no Docker engine on the build machine, so ``docker compose config`` is not run here;
these checks parse the files (PyYAML) and run every command they name through the real CLI.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import SecretStr

from jisr.cli.app import main
from jisr.node import create_app
from jisr.observability.settings import ObservabilitySettings
from tests.nodes import make_node

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILES = ["compose.yaml", "compose.demo.yaml"]


def _compose(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / name).read_text())
    return document


def _cli_accepts(command: list[str]) -> None:
    assert command[0] == "jisr", command
    args = [a for a in command[1:]]
    # Parse the real command line (options and values), answering --help instead of running.
    assert main([*args, "--help"]) == 0, command


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_services_are_coherent(name: str) -> None:
    compose = _compose(name)
    services: dict[str, dict[str, Any]] = compose["services"]
    declared = set(compose.get("volumes") or {})
    for service_name, service in services.items():
        assert "image" in service or "build" in service, service_name
        if "build" in service:
            build = service["build"]
            context = (DEPLOY / build["context"]).resolve()
            assert (context / build["dockerfile"]).is_file(), service_name
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{service_name} uses undeclared volume {source}"
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in services, f"{service_name} depends on unknown {target}"
            condition = rule["condition"]
            if condition == "service_healthy":
                check = services[target].get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), (service_name, target)
            elif condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", (service_name, target)
        check = service.get("healthcheck") or {}
        assert check.get("disable") or check.get("test"), f"{service_name} has no health check"
        command = service.get("command")
        if command and command[0] == "jisr":
            _cli_accepts(command)
    used = {str(v).split(":", 1)[0] for s in services.values() for v in s.get("volumes", [])}
    assert declared <= used, f"declared but unused volumes: {declared - used}"


def test_production_compose_keeps_secrets_out_and_the_node_private() -> None:
    compose = _compose("compose.yaml")
    text = (DEPLOY / "compose.yaml").read_text()
    # Secrets are required from the environment, never written in the file.
    for variable in ("JISR_DB_PASSWORD", "JISR_SECRET_KEY"):
        assert re.search(r"\$\{" + variable + r":\?", text), variable
    services = compose["services"]
    assert services["api"]["ports"] == ["127.0.0.1:8700:8700"]
    assert all("ports" not in services[s] for s in ("postgres", "nats", "worker"))
    environment = services["api"]["environment"]
    assert environment["JISR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert environment["JISR_FEDERATION_NATS_URL"] == "nats://nats:4222"
    assert "--workers" in services["api"]["command"] and services["worker"]["command"][:2] == [
        "jisr",
        "worker",
    ]


def test_dockerfile_inputs_exist() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY") and "--from" not in line:
            *sources, _target = shlex.split(line)[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
    assert "--require-hashes" in dockerfile and "USER jisr" in dockerfile
    entrypoint = (DEPLOY / "docker-entrypoint.sh").read_text()
    assert entrypoint.startswith("#!/bin/sh") and 'exec "$@"' in entrypoint


@pytest.mark.parametrize("unit", ["jisr-api.service", "jisr-worker.service"])
def test_systemd_units_run_real_commands(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / unit)
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    service = parser["Service"]
    assert service["User"] == "jisr" and service["NoNewPrivileges"] == "yes"
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            command = shlex.split(service[key])
            assert command[0] == "/opt/jisr/bin/jisr"
            _cli_accepts(["jisr", *command[1:]])


def test_dashboard_queries_only_metrics_the_node_exports(db_url: str, tmp_path: Path) -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "jisr.json").read_text())
    wanted: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            wanted |= set(re.findall(r"\b(jisr_[a-z_]+)", target["expr"]))
    assert len(dashboard["panels"]) >= 10 and wanted
    node = make_node(tmp_path / "node", db_url)
    token = "dashboard-test-token-0123456789abcdef"
    observability = ObservabilitySettings(metrics_token=SecretStr(token))
    app = create_app(node.settings.with_sections(observability))
    with TestClient(app) as client:
        client.get("/healthz")
        text = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    exported = {line.split(" ")[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    # A histogram's series are NAME_bucket/_count/_sum, a counter's NAME_total.
    series = exported | {f"{n}_{s}" for n in exported for s in ("bucket", "count", "sum", "total")}
    assert wanted <= series, f"the dashboard queries unknown metrics: {wanted - series}"
