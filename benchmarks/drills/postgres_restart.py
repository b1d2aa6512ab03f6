"""Drill: PostgreSQL restarted under load — nothing lost, nothing duplicated, recovery.

``sudo python -m benchmarks.drills.postgres_restart [--count 300] [--down 5]``

Runs a **private** PostgreSQL cluster (``initdb`` in a temporary directory, its own port, run
as the ``postgres`` system user; the shared server on 5432 is never touched). Rabat and Paris
both keep their databases on it; Rabat queues ``count`` notes; once some are delivered the
cluster is stopped (``pg_ctl stop -m fast``: connections cut mid-transaction) for ``down``
seconds and started again. While it is down the drill reads each node's ``/readyz`` (503
``database_unavailable``); after, it checks every note reached Paris once and both audit
chains verify.
"""

from __future__ import annotations

import argparse
import os
import pwd
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from benchmarks.drills.common import DrillServer, emit, exactly_once, linked_pair, sender_status
from tests.federation.nodes import wait_for
from tests.nodes import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "cluster"
        self.port = free_port()
        self.user = pwd.getpwnam("postgres")

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self._as_postgres(
            str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create(self, names: list[str]) -> list[str]:
        server = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return [server.rsplit("/", 1)[0] + f"/{name}" for name in names]


def _ready(url: str) -> int:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code
    except httpx.HTTPError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--down", type=float, default=5.0)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the private cluster runs as the postgres user")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o711)  # noqa: S103 - the postgres user must reach its cluster
        pg = PrivatePostgres(Path(tmp) / "pg")
        pg.init()
        try:
            urls = pg.create(["rabat", "paris"])
            a, b = linked_pair(Path(tmp), urls)
            servers = [DrillServer(a).start(), DrillServer(b).start()]
            try:
                a.send_notes(b.code, args.count)
                wait_for(lambda: a.outbox().get("delivered", 0) > 0, timeout=120, what="first")
                a.engine.dispose()
                b.engine.dispose()
                pg.stop()
                stopped = time.monotonic()
                time.sleep(args.down)
                readiness = {"rabat": _ready(a.url), "paris": _ready(b.url)}
                emit("postgres_down", seconds=args.down, readyz=readiness)
                pg.start()
                back = time.monotonic()
                wait_for(
                    lambda: a.outbox().get("delivered", 0) == args.count,
                    timeout=600,
                    what="recovery",
                )
                recovery = time.monotonic() - back
                emit("recovered", outage=round(back - stopped, 1), **sender_status(a, b.code))
            finally:
                for server in servers:
                    server.stop()
            once = exactly_once(b, args.count)
            ok = bool(once["exactly_once"]) and set(readiness.values()) == {503}
            emit(
                "result",
                drill="postgres_restart",
                ok=ok,
                down_seconds=args.down,
                recovery_seconds=round(recovery, 2),
                readyz_while_down=readiness,
                **once,
            )
            a.engine.dispose()
            b.engine.dispose()
        finally:
            try:
                pg.stop()
            except subprocess.CalledProcessError:
                pass
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
