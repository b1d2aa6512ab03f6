"""Test infrastructure: every database test runs on SQLite and on PostgreSQL.

``JISR_TEST_BACKENDS`` (default ``sqlite,postgresql``) picks backends. PostgreSQL is reached at
``JISR_TEST_PG_URL`` (default 127.0.0.1:5432, user postgres); each run creates its own template
database, migrated once, and every test that needs a fresh database gets a copy of it. Under
``CI=true`` an unreachable PostgreSQL fails the run instead of skipping.

Test databases are named ``jisr_t_<run>_<host>_<pid>_<n>`` (templates
``jisr_tpl_<run>_<host>_<pid>``): the pid of the pytest process (or xdist worker) that created
them, and a mark of the host and pid namespace it runs in. Each run drops what it created when it
ends, and when it starts drops what processes of this host that are gone left behind (an
interrupted run), unless someone is connected to it: a live run's databases are never touched,
so runs may share the server.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from jisr.db import make_engine
from jisr.db.migrate import upgrade
from jisr.identity import passwords
from jisr.node import install_listeners

if TYPE_CHECKING:
    from tests.federation.nodes import FedNode

PG_SERVER_URL = os.environ.get(
    "JISR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [b for b in os.environ.get("JISR_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
IN_CI = os.environ.get("CI", "").lower() == "true"
# Apps made in this process come and go by the hundred: freezing each one's start-up heap
# would keep every earlier test's garbage (node servers in subprocesses still freeze).
os.environ.setdefault("JISR_GC_FREEZE", "false")
# Reminder passes on a schedule would mark requests behind the tests' backs; the tests of the
# schedule turn it on themselves.
os.environ.setdefault("JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS", "0")
os.environ.setdefault("JISR_AUDIT_WITNESS_POLL_SECONDS", "0")  # witnessing tests turn it on
os.environ.setdefault("JISR_GRAPH_SYNC_INTERVAL_SECONDS", "0")
RUN_ID = uuid.uuid4().hex[:8]
PID = os.getpid()


def _host_mark() -> str:
    """Pids are only comparable within one host and pid namespace: names carry a mark of it."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}/{namespace}".encode()).hexdigest()[:6]


HOST = _host_mark()
# Names of earlier conftests (without host and pid) never match: they are never dropped here.
_TEST_DATABASE = re.compile(
    rf"^jisr_(?:t|tpl)_[0-9a-f]{{8}}_{HOST}_(?P<pid>\d+)(?:_[0-9a-f]{{10}})?$"
)


@pytest.fixture(scope="session", autouse=True)
def _node_listeners() -> None:
    """What a node installs when it starts (audit chaining, worker wake-up): the tests open
    sessions without starting one."""
    install_listeners()


def _pg_server() -> Engine | None:
    engine = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        engine.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_SERVER_URL} under CI=true: {exc}")
        return None
    return engine


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _drop_leftovers(server: Engine) -> list[str]:
    """Drop the test databases whose creating process is gone (interrupted runs)."""
    with server.connect() as connection:
        names = connection.execute(
            text(
                "SELECT datname FROM pg_database d WHERE datname LIKE 'jisr\\_t%' AND NOT EXISTS"
                " (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
            )
        ).scalars()
        stale = []
        for name in names:
            match = _TEST_DATABASE.match(name)
            if match and not _pid_alive(int(match["pid"])):
                stale.append(name)
        # Copies first: a template cannot be dropped while copies are being made from it.
        for name in sorted(stale, key=lambda n: n.startswith("jisr_tpl_")):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return stale


def _pg_url(database: str) -> str:
    return PG_SERVER_URL.rsplit("/", 1)[0] + f"/{database}"


class DatabaseFactory:
    """Hands out fresh, fully migrated databases of one backend, cheaply (copies of a template)."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.created: list[str] = []
        self.server: Engine | None = None
        if backend == "postgresql":
            self.server = _pg_server()
            if self.server is None:
                pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
            _drop_leftovers(self.server)
            self.template = f"jisr_tpl_{RUN_ID}_{HOST}_{PID}"
            self.created.append(self.template)
            with self.server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.template}"'))
            engine = make_engine(_pg_url(self.template))
            upgrade(engine)
            engine.dispose()
        else:
            self.template_path = workdir / "template.db"
            engine = make_engine(f"sqlite:///{self.template_path}")
            upgrade(engine)
            engine.dispose()

    def new_url(self) -> str:
        name = f"jisr_t_{RUN_ID}_{HOST}_{PID}_{uuid.uuid4().hex[:10]}"
        if self.server is not None:
            with self.server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
            self.created.append(name)
            return _pg_url(name)
        path = self.workdir / f"{name}.db"
        shutil.copyfile(self.template_path, path)
        return f"sqlite:///{path}"

    def close(self) -> None:
        """Hand the databases made to a detached process that drops them (``tests/dropdbs.py``:
        dropping them here held the end of the run for minutes on a busy machine)."""
        if self.server is None:
            return
        self.server.dispose()
        # Copies before the template they were made from.
        subprocess.Popen(
            [sys.executable, "-m", "tests.dropdbs", PG_SERVER_URL, *reversed(self.created)],
            cwd=Path(__file__).resolve().parents[1],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.created.clear()


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(request.param, tmp_path_factory.mktemp(f"db-{request.param}"))
    yield factory
    factory.close()


@pytest.fixture()
def db_url(databases: DatabaseFactory) -> str:
    """A fresh, migrated, empty database of the current backend."""
    return databases.new_url()


@pytest.fixture(scope="session")
def shared_engine(databases: DatabaseFactory) -> Iterator[Engine]:
    engine = make_engine(databases.new_url())
    yield engine
    engine.dispose()


@pytest.fixture()
def session(shared_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (SAVEPOINT isolation)."""
    connection = shared_engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


# Argon2 at its production cost (64 MiB, 3 passes) takes a few hundred milliseconds per hash on
# this machine; fixtures that create and sign in many users would spend most of the suite on it.
# Outside tests/identity (which checks the production parameters and rehashing) the in-process
# hasher uses minimal parameters. Served nodes (separate processes) keep the real cost.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "identity" in request.path.parts:
        return
    monkeypatch.setattr(passwords, "_HASHER", _CHEAP_HASHER)


@pytest.fixture()
def pair(databases: DatabaseFactory, tmp_path: Path) -> Iterator[tuple[FedNode, FedNode]]:
    """Rabat and Paris, each with its own database and keys, linked by an agreement."""
    from tests.federation.nodes import link, make_node

    a = make_node(tmp_path, databases.new_url(), "MA-DGST", "MA")
    b = make_node(tmp_path, databases.new_url(), "FR-DGSI", "FR")
    link(a, b)
    yield a, b
    a.engine.dispose()
    b.engine.dispose()
