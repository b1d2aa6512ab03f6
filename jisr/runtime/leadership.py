"""Leadership of a periodic pass: among the processes of one node, one runs it at a time.

On PostgreSQL the leader holds a session-level advisory lock (``pg_try_advisory_lock``) on a
connection of its own: the lock lasts as long as the connection, so a leader that dies (even
SIGKILLed) hands over at once, and a follower takes it at its next try. On SQLite (one host by
nature) the same rule is an ``flock`` on a file beside the database.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import IO

import structlog
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = structlog.get_logger("jisr.runtime")
LOCKS_DIR = "locks"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL's advisory lock space)."""
    digest = hashlib.sha256(f"jisr.pass:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Leadership:
    """``acquire()`` is True while this process leads ``name``; cheap to call before each pass."""

    def __init__(self, engine: Engine, name: str, data_dir: Path) -> None:
        self.engine = engine
        self.name = name
        self.data_dir = data_dir
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._acquire_postgresql()
        return self._acquire_file()

    def _acquire_postgresql(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError:
                log.warning("leadership lost", task=self.name)
                self._drop()
        connection = self.engine.connect()
        try:
            locked = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(self.name)}
            ).scalar()
            connection.commit()
        except SQLAlchemyError:
            connection.close()
            return False
        if not locked:
            connection.close()
            return False
        self._connection = connection
        log.info("leadership taken", task=self.name, pid=os.getpid())
        return True

    def _acquire_file(self) -> bool:
        if self._file is not None:
            return True
        directory = self.data_dir / LOCKS_DIR
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = (directory / f"{self.name}.lock").open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        log.info("leadership taken", task=self.name, pid=os.getpid())
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(self.name)}
                )
                self._connection.commit()
            except SQLAlchemyError:
                pass  # closing the connection releases the lock anyway
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None
        if self._file is not None:
            self._file.close()  # releases the flock
            self._file = None
