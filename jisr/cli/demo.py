"""``jisr demo``: three partner nodes (Rabat, Paris, Madrid) with fictional users, served locally.

Set-up is idempotent: an existing demo directory is reused, ``--reset`` starts over. Every
person and case in the demo is fictional. The nodes listen on ``--base-port`` and the next ports
(8701, 8702, 8703 by default); a port already taken stops the demo before anything starts, and a
demo directory keeps the ports it was set up with (the nodes know each other by them).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from jisr.cli.common import stderr
from jisr.cli.demo_alerts import publish_wanted_in_paris, screen_flight_in_rabat
from jisr.cli.demo_data import DEMO_NODES, DemoNode, demo_nodes, seed_demo
from jisr.cli.demo_story import answer_in_paris, send_opening_messages
from jisr.errors import ConflictError, UnavailableError

STARTUP_TIMEOUT_S = 60.0
DEFAULT_BASE_PORT = DEMO_NODES[0].port


def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the demo nodes live.")] = Path(
        "demo-data"
    ),
    reset: Annotated[bool, typer.Option(help="Delete the demo nodes and start over.")] = False,
    check: Annotated[
        bool, typer.Option(help="Start, check every node answers, then stop (for CI).")
    ] = False,
    base_port: int = DEFAULT_BASE_PORT,
) -> None:
    """Set up and serve the Rabat, Paris and Madrid demo nodes on 127.0.0.1, ports
    ``base_port`` to ``base_port + 2``."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    nodes = demo_nodes(base_port)
    _check_set_up_for(data_dir, nodes)
    _check_ports_free(nodes)
    logins = seed_demo(data_dir, nodes)
    send_opening_messages(data_dir)
    publish_wanted_in_paris(data_dir)
    processes = [_start(node, data_dir) for node in nodes]
    try:
        for node, process in zip(nodes, processes, strict=True):
            _wait_ready(node, process)
        answered = answer_in_paris(data_dir)
        screened = screen_flight_in_rabat(data_dir)
        _print_welcome(nodes, logins)
        typer.echo(
            "Demo case: Rabat asked Paris (urgent request, deadline 3 days) about a "
            "migrant-smuggling network and informed Madrid; "
            + ("Paris has answered." if answered else "Paris's answer is still on its way.")
        )
        typer.echo(
            "Demo alert: Paris published a wanted alert (Rachid El Fassi); "
            + (
                "Rabat's border officer screened flight AT0771, where he is written "
                "رشيد الفاسي, confirmed the hit and sent the follow-up request to Paris."
                if screened
                else "it has not reached Rabat yet, so flight AT0771 was not screened."
            )
        )
        if check:
            typer.echo("demo check passed: all three nodes answer /readyz")
            return
        _wait_for_interrupt(processes)
    finally:
        _stop(processes)


def _check_ports_free(nodes: tuple[DemoNode, ...]) -> None:
    """Refuse, before anything starts, a port another program listens on."""
    for node in nodes:
        with socket.socket() as probe:
            # As the server will bind: a port left in TIME_WAIT by an earlier run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", node.port))
            except OSError:
                raise UnavailableError(
                    f"port {node.port} (the {node.city} node) is already in use; "
                    "choose other ports with --base-port",
                    code="demo_port_taken",
                ) from None


def _set_up_port(data_dir: Path) -> int | None:
    """The port the first node of an existing demo directory was set up with."""
    env = data_dir / DEMO_NODES[0].slug / "node.env"
    if not env.exists():
        return None
    for line in env.read_text(encoding="utf-8").splitlines():
        if line.startswith("JISR_PUBLIC_URL="):
            port = line.rsplit(":", 1)[-1].strip().rstrip("/")
            return int(port) if port.isdigit() else None
    return None


def _check_set_up_for(data_dir: Path, nodes: tuple[DemoNode, ...]) -> None:
    """The nodes of a demo directory address each other by the ports they were set up with."""
    existing = _set_up_port(data_dir)
    if existing is not None and existing != nodes[0].port:
        raise ConflictError(
            f"{data_dir} was set up with --base-port {existing}; use that port, "
            "or --reset to set it up again on the new ones",
            code="demo_ports_changed",
        )


def _start(node: DemoNode, data_dir: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("JISR_SECRET_KEY", None)
    env.pop("JISR_DATABASE_URL", None)
    log = (data_dir / node.slug / "server.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "jisr",
            "serve",
            "--data-dir",
            str(data_dir / node.slug),
            "--port",
            str(node.port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(node: DemoNode, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UnavailableError(
                f"{node.city} node exited at start-up; see its server.log", code="demo_failed"
            )
        try:
            if httpx.get(f"{node.url}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise UnavailableError(f"{node.city} node did not become ready", code="demo_failed")


def _print_welcome(
    nodes: tuple[DemoNode, ...], logins: list[tuple[DemoNode, str, str, str, str]]
) -> None:
    typer.echo("Jisr demo: three partner nodes are running (fictional data only).")
    for node in nodes:
        typer.echo(f"  {node.city:<7} {node.agency:<8} {node.url}  (console /, API /docs)")
    typer.echo("Logins (username / password / role / TOTP seed for your authenticator):")
    for node, username, password, role, seed in logins:
        typer.echo(f"  {node.city:<7} {username:<14} {password:<22} {role:<15} {seed}")
    typer.echo("Ctrl-C stops all three.")


def _wait_for_interrupt(processes: list[subprocess.Popen[bytes]]) -> None:
    stopping = False

    def _handler(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _handler)
    try:
        while not stopping:
            if any(p.poll() is not None for p in processes):
                stderr.print("a demo node stopped unexpectedly; stopping the others")
                return
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    typer.echo("demo stopped")
