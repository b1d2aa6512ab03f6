"""One writer at a time on a SQLite database, queued without SQLite's busy handler.

Every SQLite transaction of Jisr starts with ``BEGIN IMMEDIATE`` (the audit chain needs writers
serialised). When the database is busy, SQLite's default busy handler sleeps and retries in
steps of 1, 2, 5 … up to 100 ms: under steady load a writer can lose the race again and again
and wait most of a second (measured: claims and settlements of the delivery worker waiting
0.9 s beside a producer committing 200 messages a second). So before BEGIN a connection takes:

- a lock shared by every thread of the process (threads queue in the kernel and the next one
  wakes as soon as the lock is released), then
- an ``flock`` on ``<database>.writer-lock``, polled every millisecond or so, for writers in other
  processes (a CLI command beside ``jisr serve``) — they wait for one transaction, not for a
  sleep schedule.

Both are released when the connection goes back to the pool, that is when the unit of work
ends (commit or rollback). Waiting longer than the busy timeout raises ``TimeoutError``, as
SQLite's "database is locked" would have. ``:memory:`` databases take only the thread lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, event

_HELD = "jisr.writer_lock"
_POLL_SECONDS = (0.0005, 0.001, 0.002)


@dataclass
class WriterLock:
    """The lock of one database file, shared by every engine of this process on that file."""

    path: Path | None
    timeout: float
    _threads: threading.Lock = field(default_factory=threading.Lock)
    _file: IO[bytes] | None = None

    def acquire(self) -> None:
        if not self._threads.acquire(timeout=self.timeout):
            raise TimeoutError(f"database is locked (waited {self.timeout:.0f} s for a writer)")
        try:
            self._lock_file()
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            if self._file is not None:
                self._file.close()  # closing the descriptor releases the flock
                self._file = None
        finally:
            self._threads.release()

    def _lock_file(self) -> None:
        if self.path is None:
            return
        # Opened per transaction, so that a process touching many databases (a test suite)
        # does not keep one descriptor per database open.
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(descriptor, "r+b", buffering=0)
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._file = handle
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    raise TimeoutError(
                        f"database is locked by another process (waited {self.timeout:.0f} s)"
                    ) from None
                time.sleep(_POLL_SECONDS[min(attempt, len(_POLL_SECONDS) - 1)])
                attempt += 1


_LOCKS: dict[str, WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


def writer_lock(database: str | None, timeout: float) -> WriterLock:
    """The process-wide lock of ``database`` (a file path, or None/":memory:" for memory)."""
    in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
    key = ":memory:" if in_memory else os.path.realpath(database or "")
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            path = None if in_memory else Path(key + ".writer-lock")
            lock = _LOCKS[key] = WriterLock(path, timeout)
        return lock


def install(engine: Engine, timeout: float) -> None:
    """Take ``engine``'s writer lock before each BEGIN; give it back at check-in."""
    lock = writer_lock(engine.url.database, timeout)

    @event.listens_for(engine, "begin")
    def _take(connection: Any) -> None:
        info = connection.connection.info
        if not info.get(_HELD):
            lock.acquire()
            info[_HELD] = True

    def _give_back(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_HELD, False):
            lock.release()

    event.listen(engine.pool, "checkin", _give_back)
    event.listen(engine.pool, "invalidate", lambda c, r, _e: _give_back(c, r))
