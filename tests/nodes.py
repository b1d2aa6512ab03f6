"""Helpers for tests that need a whole node: initialised on disk, in a database, and served.

A served node runs in this process (``NodeServer``: uvicorn in a thread with its own event
loop) unless a test needs a process of its own (``NodeProcess``: kill -9 drills, ``jisr serve``
itself, reading the server's log). Waits poll a condition with a deadline that grows with the
machine's load (``wait_until``); nothing sleeps a fixed time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import httpx
import pyotp
import uvicorn
from sqlalchemy import select

from jisr.cli.node import InitResult, init_node
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.models import User
from jisr.identity.service import begin_totp_enrolment, confirm_totp_enrolment
from jisr.settings import JisrSettings, load_settings

if TYPE_CHECKING:
    from jisr.federation.handlers import HandlerRegistry

T = TypeVar("T")
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


def wait_until(condition: Callable[[], T], *, timeout: float, what: str) -> T:
    """Poll ``condition`` until it returns something truthy, and return that. The deadline is
    ``timeout`` seconds on an idle machine and grows with the load (re-read at every poll), so
    a busy machine is not a failure; the polls start fast and back off to a fifth of a second."""
    started = time.monotonic()
    pause = 0.01
    while not (value := condition()):
        waited = time.monotonic() - started
        allowed = timeout * load_factor()
        if waited > allowed:
            raise AssertionError(f"timed out after {waited:.0f} s waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
    return value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jisr_serve(data_dir: Path, port: int) -> list[str]:
    """The command line of ``jisr serve`` for a node (the default of a served process)."""
    command = [sys.executable, "-m", "jisr", "serve", "--data-dir", str(data_dir)]
    return [*command, "--port", str(port)]


# What a node served in this process reads besides its own ``env``: a fresh process's
# environment (no JISR_ variable of the test run), but its start-up heap is not frozen (the
# process is the test run's).
NODE_DEFAULTS = {"JISR_GC_FREEZE": "false"}


@contextmanager
def node_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Build a node's settings under ``env`` alone: the test run's JISR_ variables are set aside
    meanwhile, as a node started as its own process would not see them. A node reads its
    settings (and every section) once, when its app is made, so this need only last that long."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("JISR_")}
    for name in saved:
        del os.environ[name]
    os.environ.update(env)
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith("JISR_")]:
            del os.environ[name]
        os.environ.update(saved)


class NodeServer:
    """A node served by uvicorn in a thread of this process, on its own event loop: no
    interpreter to start and nothing to import again, so it is up in a fraction of a second.
    Ready when uvicorn says it has started (bound, lifespan done). Stopped by asking uvicorn to
    exit, as SIGTERM would; a test that must kill a node outright uses ``NodeProcess``."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        handlers: HandlerRegistry | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = {**NODE_DEFAULTS, **(env or {})}
        self.handlers = handlers
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NodeServer:
        from jisr.node import create_app

        with node_environment(self.env):
            app = create_app(load_settings(self.data_dir), handlers=self.handlers)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            # Open event streams are cut after this long when the node stops.
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._failure = None
        self._thread = threading.Thread(target=self._run, name=f"node:{self.port}", daemon=True)
        self._thread.start()
        wait_until(self._started, timeout=30, what=f"the node on port {self.port} to start")
        return self

    def _run(self) -> None:
        assert self._server is not None
        try:
            self._server.run()
        except BaseException as exc:  # noqa: BLE001 - reported by ``_started``
            self._failure = exc

    def _started(self) -> bool:
        assert self._server is not None and self._thread is not None
        if self._server.started:
            return True
        if not self._thread.is_alive():
            raise RuntimeError(f"the node on port {self.port} did not start: {self._failure!r}")
        return False

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=30)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None


class NodeProcess:
    """A node served by a process of its own (``jisr serve`` unless ``command`` says otherwise),
    for the tests that need one: kill -9 drills, ``jisr serve`` itself, a server log to read.
    Its environment holds no JISR_ variable of the test run, only ``env``."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.env = dict(env or {})
        self.command = list(command or jisr_serve(data_dir, self.port))
        self.log = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NodeProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
        env.update(self.env)
        # Logs go to a file: an unread pipe would fill up and block the server.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self._healthy, timeout=30, what=f"the node on port {self.port} to start")
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"server exited: {tail}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown at all (leases and half-done work left as a crash leaves them)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


@contextmanager
def served(
    data_dir: Path,
    port: int | None = None,
    *,
    env: Mapping[str, str] | None = None,
    isolated: bool = False,
) -> Iterator[str]:
    """Serve the node in ``data_dir`` (in this process, or as ``jisr serve`` if ``isolated``);
    yields its base URL; always stops it."""
    server: NodeServer | NodeProcess = (
        NodeProcess(data_dir, port, env) if isolated else NodeServer(data_dir, port, env)
    )
    try:
        yield server.start().url
    finally:
        server.stop()
