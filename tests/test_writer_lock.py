"""SQLite writers queue on Jisr's writer lock (threads and processes), never on a leaked lock."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from jisr.db import make_engine
from jisr.db.writer import writer_lock

HOLDER = """
import sys, time
from sqlalchemy import text
from jisr.db import make_engine
engine = make_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text("INSERT INTO events VALUES ('holder', :t)"), {"t": time.time()})
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _events_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'writer.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (who TEXT, at REAL)"))
    engine.dispose()
    return url


def test_threads_take_turns_and_every_write_lands(tmp_path: Path) -> None:
    engine = make_engine(_events_db(tmp_path))

    def write(n: int) -> None:
        for i in range(25):
            with engine.begin() as connection:
                connection.execute(
                    text("INSERT INTO events VALUES (:who, :at)"), {"who": f"{n}-{i}", "at": 0}
                )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 100
    # Every unit of work gave the lock back.
    lock = writer_lock(engine.url.database, 1)
    lock.acquire()
    lock.release()
    engine.dispose()


def test_a_writer_in_another_process_is_waited_for_then_followed(tmp_path: Path) -> None:
    url = _events_db(tmp_path)
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", HOLDER, url, "1.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        engine = make_engine(url)
        with engine.begin() as connection:
            follower = text("INSERT INTO events VALUES ('follower', :t)")
            connection.execute(follower, {"t": time.time()})
        order = [row[0] for row in engine.connect().execute(text("SELECT who FROM events"))]
        engine.dispose()
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert order == ["holder", "follower"]


def test_waiting_longer_than_the_timeout_is_an_error_not_a_hang(tmp_path: Path) -> None:
    url = _events_db(tmp_path)
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLDER, url, "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        holder.stdout.readline()
        lock = writer_lock(str(tmp_path / "writer.db"), 0.3)
        lock.timeout = 0.3
        with pytest.raises(TimeoutError, match="another process"):
            lock.acquire()
        lock.timeout = 30
    finally:
        holder.wait(timeout=30)


def test_a_connection_invalidated_mid_transaction_gives_the_lock_back(tmp_path: Path) -> None:
    engine = make_engine(_events_db(tmp_path))
    connection = engine.connect()
    connection.execute(text("INSERT INTO events VALUES ('lost', 0)"))
    connection.invalidate()
    connection.close()
    with engine.begin() as other:  # would wait for the busy timeout if the lock had leaked
        other.execute(text("INSERT INTO events VALUES ('next', 0)"))
    lock = writer_lock(engine.url.database, 1)
    lock.acquire()
    lock.release()
    engine.dispose()
