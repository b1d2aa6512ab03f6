"""Helpers for tests that need a whole node: initialised on disk, in a database, and served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
from sqlalchemy import select

from jisr.cli.node import InitResult, init_node
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.models import User
from jisr.identity.service import begin_totp_enrolment, confirm_totp_enrolment
from jisr.settings import JisrSettings, load_settings

ADMIN_PASSWORD = "correct horse battery staple 2026"


@dataclass
class TestNode:
    data_dir: Path
    init: InitResult
    settings: JisrSettings
    admin_totp: pyotp.TOTP


def make_node(
    data_dir: Path, database_url: str, agency: str = "MA-DGST", country: str = "MA"
) -> TestNode:
    """An initialised node whose administrator has TOTP enrolled (seed kept for the test)."""
    os.environ["JISR_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    try:
        result = init_node(
            data_dir,
            agency=agency,
            name=f"Test {agency}",
            country=country,
            database_url=database_url,
        )
    finally:
        del os.environ["JISR_ADMIN_PASSWORD"]
    settings = load_settings(data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            seed, _uri = begin_totp_enrolment(session, settings, admin)
            totp = pyotp.TOTP(seed)
            confirm_totp_enrolment(session, settings, admin, totp.now())
    finally:
        engine.dispose()
    return TestNode(data_dir, result, settings, totp)


# Readiness waits allow this much longer on a loaded machine (load average per core), at most.
MAX_LOAD_FACTOR = 8.0


def load_factor() -> float:
    """How much slower than idle the machine is now: load average per core, at least 1."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 1.0
    return min(max(1.0, load / (os.cpu_count() or 1)), MAX_LOAD_FACTOR)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds. The deadline is ``timeout`` seconds on an idle machine
    and grows with the load (re-read at every poll), so a busy machine is not a failure; the
    polls start fast and back off to a fifth of a second."""
    started = time.monotonic()
    pause = 0.01
    while not condition():
        waited = time.monotonic() - started
        allowed = timeout * load_factor()
        if waited > allowed:
            raise AssertionError(f"timed out after {waited:.0f} s waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(data_dir: Path, port: int | None = None) -> Iterator[str]:
    """Run ``jisr serve`` as a real process; yields its base URL; always stops it."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    # Logs go to a file: an unread pipe would fill up and block the server.
    log_path = data_dir / "server.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "jisr", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited: {tail}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, timeout=30, what="jisr serve to answer /healthz")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
